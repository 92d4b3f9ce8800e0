// fake-ceipal's HTTP front: a cpp-httplib server on a thread pool that hands
// every request to one Sandbox under one mutex, then applies what the reply
// asks of the transport (a delay, a dropped connection). Bind() and Serve()
// belong to one thread; Stop() may be called from any thread.
#ifndef CEIPAL_TOOLS_FAKE_CEIPAL_SERVER_H_
#define CEIPAL_TOOLS_FAKE_CEIPAL_SERVER_H_

#include <atomic>
#include <memory>
#include <mutex>

#include "engine/error.h"
#include "tools/fake_ceipal/config.h"
#include "tools/fake_ceipal/sandbox.h"

namespace httplib {
class Server;
}  // namespace httplib

namespace ceipal::fake {

class FakeCeipalServer {
 public:
  explicit FakeCeipalServer(const Config& config);
  ~FakeCeipalServer();
  FakeCeipalServer(const FakeCeipalServer&) = delete;
  FakeCeipalServer& operator=(const FakeCeipalServer&) = delete;

  // Binds the configured host and port; returns the port bound (useful
  // with port 0). Fails with kConfig when the address is unusable.
  Result<int> Bind();

  // Serves until Stop(); returns at once if Stop() came first.
  // REQUIRES: Bind() succeeded.
  void Serve();

  // Ends Serve(), whether it is listening yet or not, and waits for it.
  void Stop();

 private:
  Config config_;
  std::atomic<bool> stop_requested_ = false;
  std::atomic<bool> serving_ = false;
  std::mutex mutex_;
  Sandbox sandbox_;  // guarded by mutex_
  std::unique_ptr<httplib::Server> http_;
};

}  // namespace ceipal::fake

#endif  // CEIPAL_TOOLS_FAKE_CEIPAL_SERVER_H_
