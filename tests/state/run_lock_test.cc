#include "state/run_lock.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

#include "state/state_test_util.h"
#include "state/utc_time.h"

namespace ceipal::state {
namespace {

using testing::FileMode;
using testing::TempDir;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(RunLock, LockFileIsPrivateAndNamesTheHolder) {
  TempDir dir;
  const std::string db_path = dir.File("ceipal.db");
  auto lock = RunLock::Acquire(db_path);
  ASSERT_TRUE(lock) << lock.error().message;

  EXPECT_EQ(lock->path(), db_path + ".lock");
  EXPECT_EQ(FileMode(lock->path()), 0600);
  std::istringstream holder(ReadFile(lock->path()));
  long pid = 0;
  std::string started;
  holder >> pid >> started;
  EXPECT_EQ(pid, ::getpid());
  EXPECT_TRUE(IsUtcTimestamp(started)) << started;
}

TEST(RunLock, SecondAcquireIsRefusedNamingTheHolder) {
  TempDir dir;
  const std::string db_path = dir.File("ceipal.db");
  auto first = RunLock::Acquire(db_path);
  ASSERT_TRUE(first) << first.error().message;

  auto second = RunLock::Acquire(db_path);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().kind, ErrorKind::kLocked);
  const std::string expected = "another run holds the lock (pid " +
                               std::to_string(::getpid()) + ", started ";
  EXPECT_NE(second.error().message.find(expected), std::string::npos)
      << second.error().message;
  // A refused contender leaves the holder's line alone.
  EXPECT_FALSE(ReadFile(first->path()).empty());
}

TEST(RunLock, DestructionReleasesTheLock) {
  TempDir dir;
  const std::string db_path = dir.File("ceipal.db");
  { ASSERT_TRUE(RunLock::Acquire(db_path)); }
  auto again = RunLock::Acquire(db_path);
  EXPECT_TRUE(again) << again.error().message;
}

TEST(RunLock, MovedLockIsHeldUntilItsNewOwnerGoes) {
  TempDir dir;
  const std::string db_path = dir.File("ceipal.db");
  std::optional<RunLock> owner;
  {
    auto lock = RunLock::Acquire(db_path);
    ASSERT_TRUE(lock);
    owner.emplace(std::move(*lock));
  }
  EXPECT_FALSE(RunLock::Acquire(db_path));
  owner.reset();
  EXPECT_TRUE(RunLock::Acquire(db_path));
}

TEST(RunLock, UncreatableLockFileIsAStorageError) {
  TempDir dir;
  auto failed = RunLock::Acquire(dir.File("missing-dir/ceipal.db"));
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().kind, ErrorKind::kStorage);
  EXPECT_NE(failed.error().message.find("missing-dir/ceipal.db.lock"),
            std::string::npos);
}

// The child takes the lock and says so on a pipe, then waits to be killed.
pid_t ForkHolder(const std::string& db_path) {
  int ready[2];
  if (::pipe(ready) != 0) return -1;
  const pid_t child = ::fork();
  if (child == 0) {
    ::close(ready[0]);
    auto lock = RunLock::Acquire(db_path);
    const char status = lock ? 'y' : 'n';
    if (::write(ready[1], &status, 1) != 1 || !lock) ::_exit(1);
    for (;;) ::pause();
  }
  ::close(ready[1]);
  char status = 'n';
  const bool told = child > 0 && ::read(ready[0], &status, 1) == 1;
  ::close(ready[0]);
  return told && status == 'y' ? child : -1;
}

// Kills and reaps the child if the test stops before it does.
class ChildReaper {
 public:
  explicit ChildReaper(pid_t child) : child_(child) {}
  ~ChildReaper() {
    if (child_ <= 0) return;
    ::kill(child_, SIGKILL);
    ::waitpid(child_, nullptr, 0);
  }
  void Reaped() { child_ = -1; }

 private:
  pid_t child_;
};

TEST(RunLock, AnotherProcessIsRefusedAndADeadHoldersLockIsTakenOver) {
  TempDir dir;
  const std::string db_path = dir.File("ceipal.db");
  const pid_t holder = ForkHolder(db_path);
  ASSERT_GT(holder, 0);
  ChildReaper reaper(holder);

  auto refused = RunLock::Acquire(db_path);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::kLocked);
  EXPECT_NE(refused.error().message.find("another run holds the lock (pid " +
                                         std::to_string(holder) + ", started "),
            std::string::npos)
      << refused.error().message;

  ASSERT_EQ(::kill(holder, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(holder, &status, 0), holder);
  reaper.Reaped();
  ASSERT_TRUE(WIFSIGNALED(status));

  auto taken = RunLock::Acquire(db_path);
  ASSERT_TRUE(taken) << taken.error().message;
  EXPECT_NE(ReadFile(taken->path()).find(std::to_string(::getpid())),
            std::string::npos);
}

}  // namespace
}  // namespace ceipal::state
