#include "state/run_lock.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <thread>
#include <utility>

#include "state/utc_time.h"

namespace ceipal::state {
namespace {

constexpr mode_t kLockFileMode = 0600;

// A holder writes its line right after taking the lock; a contender that
// looks in between finds the file empty, so it looks again a few times.
constexpr int kHolderReadAttempts = 20;
constexpr auto kHolderReadPause = std::chrono::milliseconds(5);

Error SystemError(std::string_view operation, const std::string& path) {
  return Error{ErrorKind::kStorage,
               fmt::format("{} {}: {}", operation, path, std::strerror(errno))};
}

// "pid 1234, started 2026-...Z", or a note that the holder is unknown.
std::string DescribeHolder(int fd) {
  for (int attempt = 0; attempt < kHolderReadAttempts; ++attempt) {
    char text[128] = {};
    const ssize_t size = ::pread(fd, text, sizeof text - 1, 0);
    long pid = 0;
    char started[32] = {};
    if (size > 0 && text[size - 1] == '\n' &&
        std::sscanf(text, "%ld %31s", &pid, started) == 2) {
      return fmt::format("pid {}, started {}", pid, started);
    }
    std::this_thread::sleep_for(kHolderReadPause);
  }
  return "holder not recorded";
}

Result<void> WriteHolder(int fd, const std::string& path) {
  const std::string line = fmt::format("{} {}\n", ::getpid(), UtcNow());
  const bool written =
      ::ftruncate(fd, 0) == 0 && ::pwrite(fd, line.data(), line.size(), 0) ==
                                     static_cast<ssize_t>(line.size());
  if (!written) return std::unexpected(SystemError("write run lock", path));
  return {};
}

// Takes the flock without waiting; on contention the error names the holder.
Result<void> Lock(int fd, const std::string& path) {
  int locked;
  do {
    locked = ::flock(fd, LOCK_EX | LOCK_NB);
  } while (locked != 0 && errno == EINTR);
  if (locked == 0) return {};

  if (errno != EWOULDBLOCK) {
    return std::unexpected(SystemError("lock run lock", path));
  }
  return Fail(ErrorKind::kLocked,
              fmt::format("acquire run lock {}: another run holds the lock "
                          "({})",
                          path, DescribeHolder(fd)));
}

}  // namespace

Result<RunLock> RunLock::Acquire(const std::string& database_path) {
  std::string path = database_path + ".lock";
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
                        kLockFileMode);
  if (fd < 0) return std::unexpected(SystemError("open run lock", path));

  // The umask may have narrowed the mode, or an old file widened it; the
  // file names a pid and a time only, so a failure here (a file someone
  // else owns) is not worth refusing the run for.
  [[maybe_unused]] const int mode_set = ::fchmod(fd, kLockFileMode);

  if (auto locked = Lock(fd, path); !locked) {
    ::close(fd);
    return std::unexpected(locked.error());
  }
  RunLock lock(fd, std::move(path));
  if (auto written = WriteHolder(fd, lock.path_); !written) {
    return std::unexpected(written.error());
  }
  return lock;
}

RunLock::RunLock(RunLock&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)) {}

RunLock& RunLock::operator=(RunLock&& other) noexcept {
  if (this != &other) {
    Release();
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
  }
  return *this;
}

RunLock::~RunLock() { Release(); }

void RunLock::Release() noexcept {
  if (fd_ < 0) return;
  // Clear the holder line while the lock is still ours, so nobody reads a
  // dead holder from it later; closing then releases the flock.
  [[maybe_unused]] const int cleared = ::ftruncate(fd_, 0);
  ::close(fd_);
  fd_ = -1;
}

}  // namespace ceipal::state
