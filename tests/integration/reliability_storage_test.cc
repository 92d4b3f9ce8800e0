// Disk and database faults (DESIGN.md section 6, issue 5): a disk that fills
// up, or a database another connection keeps locked, fails the page being
// written; the pages before it and their checkpoints stay, the run says so
// and exits 2, and the next run recovers with nothing lost or repeated.
//
// A full disk is simulated without root and without mounting anything: the
// engine runs under a file size limit (RLIMIT_FSIZE, with SIGXFSZ ignored),
// so its writes past the limit fail with EFBIG the way they fail with
// ENOSPC on a full disk, and SQLite answers SQLITE_FULL or an I/O error. The
// limit is set just above the database's size after a first partial run, so
// the write-ahead log, which starts empty, fills it within a few pages. A
// read-only directory would not do: root (CI) ignores permissions, and SQLite
// keeps writing to files it already has open.
#include <SQLiteCpp/SQLiteCpp.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "support/sync_inspection.h"
#include "support/sync_process.h"
#include "support/sync_world.h"

namespace ceipal::test::reliability {
namespace {

using ::testing::ContainsRegex;

int64_t FileSize(const std::string& path) {
  struct stat status {};
  return stat(path.c_str(), &status) == 0 ? status.st_size : 0;
}

// The number of change rows, or 0 while the database is still being
// created (it may not exist yet, or be locked by its migration).
int64_t ChangeRowsIfReadable(const std::string& db) {
  try {
    SQLite::Database sql(db, SQLite::OPEN_READONLY);
    return sql.execAndGet("SELECT count(*) FROM change_log").getInt64();
  } catch (const SQLite::Exception&) {
    return 0;
  }
}

// Each resource's own checkpoint: its cursor ("" for none) and whether it
// completed.
std::map<std::string, std::pair<std::string, int>> ResourceCheckpoints(
    const std::string& db) {
  std::map<std::string, std::pair<std::string, int>> checkpoints;
  SQLite::Database sql(db, SQLite::OPEN_READONLY);
  SQLite::Statement query(sql,
                          "SELECT resource, ifnull(cursor, ''), complete "
                          "FROM sync_state WHERE scope = ''");
  while (query.executeStep()) {
    checkpoints[query.getColumn(0).getString()] = {
        query.getColumn(1).getString(), query.getColumn(2).getInt()};
  }
  return checkpoints;
}

// No checkpoint went back: every cursor is where it was or further, and
// nothing complete became incomplete.
void ExpectCheckpointsKept(
    const std::map<std::string, std::pair<std::string, int>>& before,
    const std::string& db) {
  auto after = ResourceCheckpoints(db);
  for (const auto& [resource, checkpoint] : before) {
    auto found = after.find(resource);
    ASSERT_NE(found, after.end()) << resource << ": checkpoint lost";
    EXPECT_GE(found->second.first, checkpoint.first) << resource;
    EXPECT_GE(found->second.second, checkpoint.second) << resource;
  }
}

// What must hold of the database a failed run left: it is sound, every
// record held came with its insert row, and nothing was lost that an
// earlier run had committed.
void ExpectSoundAfterFailure(const std::string& db, int64_t changes_before,
                             int64_t applicants_before) {
  SQLite::Database sql(db, SQLite::OPEN_READONLY);
  EXPECT_EQ(sql.execAndGet("PRAGMA integrity_check").getString(), "ok");
  for (const auto& resource : Resources()) {
    EXPECT_EQ(Count(db, "SELECT count(*) FROM " + resource),
              Count(db,
                    "SELECT count(*) FROM change_log WHERE op = 'insert' AND "
                    "resource = '" +
                        resource + "'"))
        << resource << ": a partial page was committed";
  }
  EXPECT_GE(Count(db, "SELECT count(*) FROM change_log"), changes_before);
  EXPECT_GE(Count(db, "SELECT count(*) FROM applicants"), applicants_before);
}

TEST(DiskFull, FailsThePageKeepsCheckpointsAndTheNextRunRecovers) {
  SyncWorld world({"--applicants", "3000", "--jobs", "20"});
  CliResult first = world.Run({"--max-requests", "8"});
  ASSERT_EQ(first.exit_code, 0) << RunOutput(first);
  int64_t changes = Count(world.db(), "SELECT count(*) FROM change_log");
  int64_t applicants = Count(world.db(), "SELECT count(*) FROM applicants");
  ASSERT_GT(changes, 0);
  auto checkpoints = ResourceCheckpoints(world.db());
  ASSERT_FALSE(checkpoints.empty());

  // Room for about a megabyte more in any one file.
  int64_t limit = std::max<int64_t>(FileSize(world.db()), 1 << 20) + (1 << 20);
  SyncProcess full = world.Start({}, SyncProcessOptions{limit});
  CliResult run = full.Wait();
  EXPECT_EQ(run.exit_code, 2) << RunOutput(run);
  EXPECT_THAT(run.out + run.err, ContainsRegex("(disk|full|I/O|write)"))
      << "the run must say what failed\n"
      << RunOutput(run);
  EXPECT_GT(Count(world.db(), "SELECT count(*) FROM change_log"), changes)
      << "no page fit before the disk filled: the case was not exercised";
  ExpectSoundAfterFailure(world.db(), changes, applicants);
  ExpectCheckpointsKept(checkpoints, world.db());

  ExpectNothingLostAfterCleanRun(world, "after a full disk");
}

// Another connection holds the write lock longer than the engine's busy
// timeout: the page waiting for it fails, the others stay, and the next run
// recovers.
TEST(LockedDatabase, FailsThePageKeepsCheckpointsAndTheNextRunRecovers) {
  SyncWorld world(SmallDataset({"--applicants", "600", "--latency-ms", "40"}));
  SyncProcess sync = world.Start();

  // Let a few pages commit, then take the write lock away from the engine.
  auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  int64_t changes = 0;
  while (sync.Running() && std::chrono::steady_clock::now() < give_up) {
    changes = ChangeRowsIfReadable(world.db());
    if (changes > 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(sync.Running()) << "the sync ended before the lock was taken";
  int64_t applicants = Count(world.db(), "SELECT count(*) FROM applicants");
  auto checkpoints = ResourceCheckpoints(world.db());
  {
    SQLite::Database blocker(world.db(), SQLite::OPEN_READWRITE);
    blocker.exec("BEGIN IMMEDIATE");
    // Longer than the engine's 5 s busy timeout.
    std::this_thread::sleep_for(std::chrono::seconds(7));
    blocker.exec("ROLLBACK");
  }
  CliResult run = sync.Wait();
  EXPECT_EQ(run.exit_code, 2) << RunOutput(run);
  EXPECT_THAT(run.out + run.err, ContainsRegex("locked"))
      << "the run must say what failed\n"
      << RunOutput(run);
  ExpectSoundAfterFailure(world.db(), changes, applicants);
  ExpectCheckpointsKept(checkpoints, world.db());

  ExpectNothingLostAfterCleanRun(world, "after a locked database");
}

}  // namespace
}  // namespace ceipal::test::reliability
