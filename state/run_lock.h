// The run lock: at most one `ceipal-sync run` per database at a time. It is
// an flock(2) on "<database path>.lock", so the kernel releases it when the
// holder exits or is killed and a dead holder's lock is taken over with no
// cleanup. The holder writes "<pid> <start time, UTC ISO>" into the file so
// that a refused run can name it.
//
// A RunLock owns the open lock file; destroying it releases the lock. It is
// movable, not copyable, and not shared across threads. The lock file is
// never deleted: unlinking it would let a second run lock a new file while
// a first still holds the old one.
#ifndef CEIPAL_STATE_RUN_LOCK_H_
#define CEIPAL_STATE_RUN_LOCK_H_

#include <string>

#include "engine/error.h"

namespace ceipal::state {

class RunLock {
 public:
  // Takes the lock of the database at database_path without waiting.
  // Failures: kLocked when another process holds it, with a message such as
  // "another run holds the lock (pid 1234, started 2026-01-02T03:04:05Z)";
  // kStorage when the lock file cannot be created (mode 0600) or written.
  static Result<RunLock> Acquire(const std::string& database_path);

  RunLock(RunLock&& other) noexcept;
  RunLock& operator=(RunLock&& other) noexcept;
  ~RunLock();

  // The lock file's path.
  const std::string& path() const { return path_; }

 private:
  RunLock(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  void Release() noexcept;

  int fd_ = -1;  // -1 once moved from
  std::string path_;
};

}  // namespace ceipal::state

#endif  // CEIPAL_STATE_RUN_LOCK_H_
