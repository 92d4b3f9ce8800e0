// fake-ceipal: serves a Ceipal ATS v2 sandbox until SIGTERM or SIGINT. The
// first line of stdout is the base URL, so a parent may start it on port 0.
#include <fmt/format.h>
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <thread>

#include "tools/fake_ceipal/config.h"
#include "tools/fake_ceipal/server.h"

int main(int argc, char** argv) {
  using ceipal::fake::FakeCeipalServer;

  auto line = ceipal::fake::ParseCommandLine(argc, argv);
  if (!line) {
    fmt::print(stderr, "fake-ceipal: {}\n", line.error().message);
    return 1;
  }
  if (line->show_help) {
    fmt::print("{}", line->help);
    return 0;
  }

  // Signals are taken by one waiting thread, not by a handler, so stopping
  // the server happens in ordinary code. Block them before any thread
  // starts, so every thread inherits the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  FakeCeipalServer server(line->config);
  auto port = server.Bind();
  if (!port) {
    fmt::print(stderr, "fake-ceipal: {}\n", port.error().message);
    return 1;
  }
  fmt::print("http://{}:{}\n", line->config.host, *port);
  std::fflush(stdout);

  std::atomic<bool> signalled = false;
  std::thread waiter([&] {
    int signal = 0;
    sigwait(&stop_signals, &signal);
    signalled = true;
    server.Stop();
  });
  server.Serve();

  // Serve() may also end on its own; wake the waiter so it can be joined.
  if (!signalled) pthread_kill(waiter.native_handle(), SIGTERM);
  waiter.join();
  return 0;
}
