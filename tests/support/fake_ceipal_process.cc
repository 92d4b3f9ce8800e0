#include "support/fake_ceipal_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <thread>

namespace ceipal::test {
namespace {

constexpr int kStartTimeoutMs = 30'000;
constexpr auto kStopGrace = std::chrono::seconds(10);

// Reads the child's first stdout line, waiting at most kStartTimeoutMs.
std::string ReadFirstLine(int fd) {
  std::string line;
  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::milliseconds(kStartTimeoutMs);
  while (line.find('\n') == std::string::npos) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd ready{fd, POLLIN, 0};
    if (left.count() <= 0 ||
        poll(&ready, 1, static_cast<int>(left.count())) <= 0) {
      break;
    }
    char buffer[256];
    ssize_t n = read(fd, buffer, sizeof buffer);
    if (n <= 0) break;
    line.append(buffer, static_cast<size_t>(n));
  }
  size_t end = line.find('\n');
  return end == std::string::npos ? std::string() : line.substr(0, end);
}

}  // namespace

FakeCeipalProcess::FakeCeipalProcess(std::vector<std::string> args,
                                     std::string binary) {
  // Everything the child needs is built before fork: after it, only
  // async-signal-safe calls are allowed.
  std::vector<std::string> words = {binary, "--port", "0"};
  words.insert(words.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& word : words) argv.push_back(word.data());
  argv.push_back(nullptr);

  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
    throw std::runtime_error("start fake-ceipal: pipe failed");
  }
  pid_t parent = getpid();
  pid_ = fork();
  if (pid_ < 0) {
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    throw std::runtime_error("start fake-ceipal: fork failed");
  }
  if (pid_ == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(126);
    // Whatever the test blocked or ignored, the server must hear SIGTERM.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    dup2(pipe_fds[1], STDOUT_FILENO);
    execv(argv[0], argv.data());
    _exit(127);
  }

  close(pipe_fds[1]);
  url_ = ReadFirstLine(pipe_fds[0]);
  close(pipe_fds[0]);
  if (!url_.starts_with("http://")) {
    Stop();
    throw std::runtime_error("start fake-ceipal (" + binary +
                             "): no URL on its first stdout line");
  }
}

FakeCeipalProcess::~FakeCeipalProcess() { Stop(); }

int FakeCeipalProcess::Stop() {
  if (pid_ <= 0) return -1;
  pid_t child = pid_;
  pid_ = -1;

  // Ask politely, then insist.
  kill(child, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + kStopGrace;
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    pid_t done = waitpid(child, &status, WNOHANG);
    if (done == child) return status;
    if (done < 0) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  kill(child, SIGKILL);
  waitpid(child, &status, 0);
  return -1;
}

HttpResult FakeCeipalProcess::Control(const std::string& path,
                                      const std::string& json) const {
  return Post(url_ + "/_fake/" + path, json);
}

HttpResult FakeCeipalProcess::ControlGet(const std::string& path) const {
  return Get(url_ + "/_fake/" + path);
}

std::string FakeCeipalProcess::Login() const {
  std::string body = std::string(R"({"email":")") + kEmail +
                     R"(","password":")" + kPassword + R"(","apiKey":")" +
                     kApiKey + R"("})";
  HttpResult result = Post(url_ + "/v2/createAuthtoken/", body);
  if (result.status != 200) return "";

  // The token is the one string value following "access_token".
  const std::string key = R"("access_token":")";
  size_t start = result.body.find(key);
  if (start == std::string::npos) return "";
  start += key.size();
  size_t end = result.body.find('"', start);
  return end == std::string::npos ? "" : result.body.substr(start, end - start);
}

}  // namespace ceipal::test
