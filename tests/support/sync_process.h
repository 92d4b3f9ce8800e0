// Runs ceipal-sync in the background, so that a test can do what a user's
// machine does to it: kill it with SIGKILL at a moment of the test's
// choosing (mid-request, mid-transaction), or start it on a "disk" that
// fills up (a file size limit). Its stdout and stderr go to temporary files
// that Wait() reads back.
//
// One object owns one child process; it is movable, not copyable, and not
// meant to be shared across threads. The destructor kills and reaps a child
// still running, so no test leaves an engine behind.
#ifndef CEIPAL_TESTS_SUPPORT_SYNC_PROCESS_H_
#define CEIPAL_TESTS_SUPPORT_SYNC_PROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "support/cli_runner.h"

namespace ceipal::test {

struct SyncProcessOptions {
  // The largest file the child may write, in bytes (RLIMIT_FSIZE); 0 for no
  // limit. A write past it fails with EFBIG, as on a full disk, instead of
  // killing the child: SIGXFSZ is ignored in the child.
  int64_t max_file_bytes = 0;
};

class SyncProcess {
 public:
  // Starts CEIPAL_SYNC_BIN with `args`. The environment is the parent's
  // without any CEIPAL_* variable, plus `env`, as RunCeipalSync does.
  // Throws std::runtime_error when the child cannot be started.
  SyncProcess(const std::vector<std::string>& args,
              const std::map<std::string, std::string>& env,
              SyncProcessOptions options = {});
  ~SyncProcess();
  SyncProcess(SyncProcess&& other) noexcept;
  SyncProcess& operator=(SyncProcess&&) = delete;
  SyncProcess(const SyncProcess&) = delete;
  SyncProcess& operator=(const SyncProcess&) = delete;

  pid_t pid() const { return pid_; }

  // True while the child has not exited; reaps it once it has.
  bool Running();

  // Sends `signal` to a child still running; does not wait for it.
  void Signal(int signal);

  // Waits for the child to exit and returns its exit code (128 + signal
  // when a signal ended it) and its output. A child still running after
  // `timeout` is killed with SIGKILL, and timed_out() then says so.
  CliResult Wait(std::chrono::milliseconds timeout = std::chrono::minutes(5));

  bool timed_out() const { return timed_out_; }

 private:
  pid_t pid_ = -1;
  int status_ = 0;
  bool reaped_ = false;
  bool timed_out_ = false;
  std::string out_path_;
  std::string err_path_;
};

}  // namespace ceipal::test

#endif  // CEIPAL_TESTS_SUPPORT_SYNC_PROCESS_H_
