#include "support/sync_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace ceipal::test {
namespace {

constexpr auto kPollInterval = std::chrono::milliseconds(5);

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A new empty temporary file; returns its path and leaves it open in `fd`.
std::string TempFile(const char* tag, int& fd) {
  std::string path = std::string("/tmp/ceipal_sync_") + tag + "_XXXXXX";
  fd = mkstemp(path.data());
  if (fd < 0) throw std::runtime_error("start ceipal-sync: mkstemp failed");
  return path;
}

}  // namespace

SyncProcess::SyncProcess(const std::vector<std::string>& args,
                         const std::map<std::string, std::string>& env,
                         SyncProcessOptions options) {
  // Everything the child needs is built before fork: after it, only
  // async-signal-safe calls are allowed.
  int out_fd = -1, err_fd = -1;
  out_path_ = TempFile("out", out_fd);
  err_path_ = TempFile("err", err_fd);
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) {
    if (std::strncmp(*e, "CEIPAL_", 7) != 0) env_strings.emplace_back(*e);
  }
  for (const auto& [key, value] : env) env_strings.push_back(key + "=" + value);
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<std::string> words = {CEIPAL_SYNC_BIN};
  words.insert(words.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

  pid_t parent = getpid();
  pid_ = fork();
  if (pid_ < 0) {
    close(out_fd);
    close(err_fd);
    close(null_fd);
    throw std::runtime_error("start ceipal-sync: fork failed");
  }
  if (pid_ == 0) {
    // The engine must not outlive a test that crashed.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(126);
    if (options.max_file_bytes > 0) {
      signal(SIGXFSZ, SIG_IGN);  // kept across exec: writes fail instead
      rlimit limit{static_cast<rlim_t>(options.max_file_bytes),
                   static_cast<rlim_t>(options.max_file_bytes)};
      setrlimit(RLIMIT_FSIZE, &limit);
    }
    dup2(null_fd, STDIN_FILENO);
    dup2(out_fd, STDOUT_FILENO);
    dup2(err_fd, STDERR_FILENO);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  close(out_fd);
  close(err_fd);
  close(null_fd);
}

SyncProcess::SyncProcess(SyncProcess&& other) noexcept
    : pid_(other.pid_),
      status_(other.status_),
      reaped_(other.reaped_),
      timed_out_(other.timed_out_),
      out_path_(std::move(other.out_path_)),
      err_path_(std::move(other.err_path_)) {
  other.pid_ = -1;
  other.reaped_ = true;
  other.out_path_.clear();
  other.err_path_.clear();
}

SyncProcess::~SyncProcess() {
  if (pid_ > 0 && !reaped_) {
    kill(pid_, SIGKILL);
    waitpid(pid_, &status_, 0);
  }
  if (!out_path_.empty()) unlink(out_path_.c_str());
  if (!err_path_.empty()) unlink(err_path_.c_str());
}

bool SyncProcess::Running() {
  if (reaped_ || pid_ <= 0) return false;
  pid_t done = waitpid(pid_, &status_, WNOHANG);
  if (done == pid_) reaped_ = true;
  return !reaped_;
}

void SyncProcess::Signal(int signal) {
  if (Running()) kill(pid_, signal);
}

CliResult SyncProcess::Wait(std::chrono::milliseconds timeout) {
  auto give_up = std::chrono::steady_clock::now() + timeout;
  while (Running() && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(kPollInterval);
  }
  if (Running()) {
    timed_out_ = true;
    kill(pid_, SIGKILL);
    waitpid(pid_, &status_, 0);
    reaped_ = true;
  }
  CliResult result;
  result.exit_code =
      WIFEXITED(status_) ? WEXITSTATUS(status_) : 128 + WTERMSIG(status_);
  result.out = Slurp(out_path_);
  result.err = Slurp(err_path_);
  return result;
}

}  // namespace ceipal::test
