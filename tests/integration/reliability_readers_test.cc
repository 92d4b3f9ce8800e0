// SQL users read the mirror while it syncs (DESIGN.md sections 1 and 6,
// issue 5): a reader on its own read-only connection never waits for the
// writer, never gets SQLITE_BUSY, and never sees part of a page, and the
// sync it reads alongside still finishes.
//
// One SQLITE_BUSY is SQLite's own and out of the engine's reach: the first
// connection to a WAL file that no one has open rebuilds the shared-memory
// index, and a connection starting its first read in that same instant gets
// SQLITE_BUSY_RECOVERY. The readers therefore open one after another before
// the sync starts, and the index stays live while their connections do.
#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "support/cli_runner.h"
#include "support/sync_inspection.h"
#include "support/sync_process.h"
#include "support/sync_world.h"

namespace ceipal::test::reliability {
namespace {

// What one reader saw over the whole sync.
struct ReaderLog {
  int64_t snapshots = 0;
  int64_t busy = 0;  // SQLITE_BUSY or SQLITE_LOCKED answers
  std::string first_busy;
  std::vector<std::string> errors;
  std::vector<std::string> violations;
  std::set<int64_t> change_counts;  // distinct change_log sizes seen
};

// The checks of one snapshot. Every page is one transaction that writes its
// records and their change rows together, so in any snapshot each change
// row's record is in the mirror and each mirror record has its insert row;
// and the change log only grows.
void CheckSnapshot(SQLite::Database& db, ReaderLog& log,
                   int64_t& last_changes) {
  SQLite::Transaction snapshot(db);  // a deferred BEGIN: a read snapshot
  int64_t changes = db.execAndGet("SELECT count(*) FROM change_log").getInt64();
  for (const auto& resource : Resources()) {
    int64_t orphans =
        db.execAndGet("SELECT count(*) FROM change_log c WHERE c.resource = '" +
                      resource + "' AND NOT EXISTS (SELECT 1 FROM " + resource +
                      " r WHERE r.id = c.record_id)")
            .getInt64();
    int64_t unlogged =
        db.execAndGet("SELECT count(*) FROM " + resource +
                      " r WHERE NOT EXISTS (SELECT 1 FROM change_log c WHERE "
                      "c.resource = '" +
                      resource +
                      "' AND c.record_id = r.id AND c.op = 'insert')")
            .getInt64();
    if (orphans != 0 || unlogged != 0) {
      log.violations.push_back(resource + ": " + std::to_string(orphans) +
                               " change rows without their record, " +
                               std::to_string(unlogged) +
                               " records without their insert row");
    }
  }
  if (changes < last_changes) {
    log.violations.push_back("change_log shrank from " +
                             std::to_string(last_changes) + " to " +
                             std::to_string(changes));
  }
  last_changes = changes;
  log.change_counts.insert(changes);
  ++log.snapshots;
}

// Opens a reader's connection and reads once, so that the WAL index exists
// before anything reads side by side.
SQLite::Database OpenReader(const std::string& path) {
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  db.execAndGet("SELECT count(*) FROM change_log");
  return db;
}

// Queries the database until `stop`, on a connection with no busy timeout,
// so any wait for the writer would surface as SQLITE_BUSY.
void Read(SQLite::Database& db, const std::atomic<bool>& stop, ReaderLog& log) {
  int64_t last_changes = 0;
  while (!stop) {
    try {
      CheckSnapshot(db, log, last_changes);
    } catch (const SQLite::Exception& e) {
      int code = e.getErrorCode() & 0xff;
      if (code == SQLITE_BUSY || code == SQLITE_LOCKED) {
        if (log.busy++ == 0) {
          log.first_busy = "extended code " +
                           std::to_string(e.getExtendedErrorCode()) +
                           " after " + std::to_string(log.snapshots) +
                           " snapshots: " + e.what();
        }
      } else {
        log.errors.push_back(e.what());
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

TEST(ReadersDuringSync, SeeOnlyWholePagesAndNeverGetBusy) {
  SyncWorld world(
      {"--applicants", "1500", "--jobs", "30", "--latency-ms", "5"});
  CliResult init = RunCeipalSync({"init", "--db", world.db()}, world.Env());
  ASSERT_EQ(init.exit_code, 0) << init.err;

  std::vector<SQLite::Database> connections;
  for (int i = 0; i < 2; ++i) connections.push_back(OpenReader(world.db()));
  std::atomic<bool> stop{false};
  std::vector<ReaderLog> logs(connections.size());
  std::vector<std::thread> readers;
  for (size_t i = 0; i < connections.size(); ++i) {
    readers.emplace_back(Read, std::ref(connections[i]), std::cref(stop),
                         std::ref(logs[i]));
  }
  SyncProcess sync = world.Start();
  CliResult run = sync.Wait();
  stop = true;
  for (auto& reader : readers) reader.join();

  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  for (const auto& log : logs) {
    EXPECT_EQ(log.busy, 0) << "a reader got SQLITE_BUSY, first with "
                           << log.first_busy;
    EXPECT_TRUE(log.errors.empty()) << log.errors.front();
    EXPECT_TRUE(log.violations.empty())
        << log.violations.size()
        << " partial snapshots, the first: " << log.violations.front();
    // The readers must have looked while the sync was writing.
    EXPECT_GT(log.snapshots, 20);
    EXPECT_GT(log.change_counts.size(), 3u)
        << "the readers saw too few states of the sync to prove anything";
  }
  ExpectNothingLostAfterCleanRun(world, "after a sync read alongside");
}

}  // namespace
}  // namespace ceipal::test::reliability
