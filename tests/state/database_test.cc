#include "state/database.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "schema/migrations.h"
#include "state/state_test_util.h"

namespace ceipal::state {
namespace {

using testing::FileMode;

class DatabaseTest : public testing::StateTest {};
class WriteTransactionTest : public testing::StateTest {};

// Restores the process umask when the test ends.
class ScopedUmask {
 public:
  explicit ScopedUmask(mode_t mask) : previous_(::umask(mask)) {}
  ~ScopedUmask() { ::umask(previous_); }

 private:
  mode_t previous_;
};

int LatestVersion() { return schema::Migrations().back().version; }

TEST_F(DatabaseTest, CreatesDatabaseWalAndShmFilesPrivate) {
  ScopedUmask permissive(022);
  const std::string path = dir_.File("other.db");

  auto db = Database::Open(path, OpenMode::kCreate);
  ASSERT_TRUE(db) << db.error().message;

  // The connection is open, so the WAL and its index exist beside the file.
  ASSERT_TRUE(std::filesystem::exists(path + "-wal"));
  ASSERT_TRUE(std::filesystem::exists(path + "-shm"));
  EXPECT_EQ(FileMode(path), 0600);
  EXPECT_EQ(FileMode(path + "-wal"), 0600);
  EXPECT_EQ(FileMode(path + "-shm"), 0600);
}

TEST_F(DatabaseTest, ConnectionUsesWalNormalSyncForeignKeysAndBusyTimeout) {
  auto& sql = db().sql();
  EXPECT_EQ(sql.execAndGet("PRAGMA journal_mode").getString(), "wal");
  EXPECT_EQ(sql.execAndGet("PRAGMA synchronous").getInt(), 1);  // NORMAL
  EXPECT_EQ(sql.execAndGet("PRAGMA foreign_keys").getInt(), 1);
  EXPECT_EQ(sql.execAndGet("PRAGMA busy_timeout").getInt(), 5000);
}

TEST_F(DatabaseTest, AppliesEveryMigrationOnceAndRecordsIt) {
  SQLite::Statement recorded(db().sql(),
                             "SELECT version, name, applied_at"
                             " FROM schema_migrations ORDER BY version");
  for (const schema::Migration& migration : schema::Migrations()) {
    ASSERT_TRUE(recorded.executeStep()) << "missing " << migration.name;
    EXPECT_EQ(recorded.getColumn(0).getInt(), migration.version);
    EXPECT_EQ(recorded.getColumn(1).getString(), migration.name);
    EXPECT_FALSE(recorded.getColumn(2).getString().empty());
  }
  EXPECT_FALSE(recorded.executeStep());
  EXPECT_EQ(db().SchemaVersion(), LatestVersion());
  EXPECT_TRUE(db().sql().tableExists("sync_meta"));
}

TEST_F(DatabaseTest, ReopeningAnUpToDateDatabaseAppliesNothing) {
  // A marker that a second application of any migration would disturb.
  db().sql().exec("UPDATE schema_migrations SET applied_at = 'first'");
  db_.reset();

  auto reopened = Database::Open(db_path_, OpenMode::kExisting);
  ASSERT_TRUE(reopened) << reopened.error().message;
  auto& sql = (*reopened)->sql();
  EXPECT_EQ(sql.execAndGet("SELECT count(*) FROM schema_migrations").getInt(),
            static_cast<int>(schema::Migrations().size()));
  EXPECT_EQ(sql.execAndGet("SELECT count(*) FROM schema_migrations"
                           " WHERE applied_at <> 'first'")
                .getInt(),
            0);
  EXPECT_EQ((*reopened)->SchemaVersion(), LatestVersion());
}

TEST_F(DatabaseTest, OpeningAnUpToDateFileNeedsNoWriteLock) {
  SQLite::Database writer(db_path_, SQLite::OPEN_READWRITE);
  writer.exec("BEGIN IMMEDIATE");

  DatabaseOptions impatient;
  impatient.busy_timeout_ms = 10;
  auto opened = Database::Open(db_path_, OpenMode::kExisting, impatient);
  EXPECT_TRUE(opened) << opened.error().message;
  writer.exec("ROLLBACK");
}

TEST_F(DatabaseTest, AppliesOnlyTheMigrationsADatabaseLacks) {
  // A file made by an older binary: every migration but the last, applied
  // and recorded by hand.
  const auto& all = schema::Migrations();
  ASSERT_GE(all.size(), 2u);
  std::string older = dir_.File("older.db");
  {
    SQLite::Database sql(older, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    sql.exec(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY,"
        " name TEXT NOT NULL, applied_at TEXT NOT NULL)");
    for (size_t i = 0; i + 1 < all.size(); ++i) {
      sql.exec(std::string(all[i].sql));
      SQLite::Statement record(
          sql, "INSERT INTO schema_migrations VALUES (?, ?, 'old')");
      record.bind(1, all[i].version);
      record.bind(2, std::string(all[i].name));
      record.exec();
    }
  }

  auto reopened = Database::Open(older, OpenMode::kExisting);
  ASSERT_TRUE(reopened) << reopened.error().message;
  auto& sql = (*reopened)->sql();
  EXPECT_EQ(sql.execAndGet("SELECT group_concat(version) FROM"
                           " schema_migrations WHERE applied_at <> 'old'")
                .getString(),
            std::to_string(all.back().version));
  EXPECT_EQ((*reopened)->SchemaVersion(), all.back().version);
}

TEST_F(DatabaseTest, RefusesADatabaseNewerThanTheBinary) {
  db().sql().exec(
      "INSERT INTO schema_migrations VALUES (999, '999_future', 'x')");
  db_.reset();

  for (OpenMode mode : {OpenMode::kExisting, OpenMode::kReadOnly}) {
    auto refused = Database::Open(db_path_, mode);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().kind, ErrorKind::kStorage);
    EXPECT_NE(refused.error().message.find(
                  "database schema version 999 is newer than this "
                  "ceipal-sync"),
              std::string::npos)
        << refused.error().message;
    EXPECT_NE(refused.error().message.find(db_path_), std::string::npos);
  }
}

TEST_F(DatabaseTest, ExistingModeRefusesAMissingFileWithoutCreatingIt) {
  const std::string path = dir_.File("absent.db");
  for (OpenMode mode : {OpenMode::kExisting, OpenMode::kReadOnly}) {
    auto refused = Database::Open(path, mode);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().kind, ErrorKind::kConfig);
    EXPECT_NE(refused.error().message.find(path), std::string::npos);
  }
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST_F(DatabaseTest, CreateModeOpensAnExistingDatabase) {
  db().sql().exec("INSERT INTO sync_meta VALUES ('kept', 'yes')");
  db_.reset();

  auto reopened = Database::Open(db_path_, OpenMode::kCreate);
  ASSERT_TRUE(reopened) << reopened.error().message;
  EXPECT_EQ((*reopened)
                ->sql()
                .execAndGet("SELECT value FROM sync_meta WHERE key = 'kept'")
                .getString(),
            "yes");
}

TEST_F(DatabaseTest, ReadOnlyDatabaseReadsButRefusesWrites) {
  db().sql().exec("INSERT INTO sync_meta VALUES ('k', 'v')");
  auto reader = Database::Open(db_path_, OpenMode::kReadOnly);
  ASSERT_TRUE(reader) << reader.error().message;
  EXPECT_TRUE((*reader)->read_only());
  EXPECT_EQ((*reader)->SchemaVersion(), LatestVersion());
  EXPECT_EQ(
      (*reader)->sql().execAndGet("SELECT value FROM sync_meta").getString(),
      "v");

  auto write = Guard("write", [&]() -> Result<void> {
    (*reader)->sql().exec("INSERT INTO sync_meta VALUES ('k2', 'v2')");
    return {};
  });
  ASSERT_FALSE(write);
  EXPECT_EQ(write.error().kind, ErrorKind::kStorage);
}

TEST_F(DatabaseTest, ReadOnlyRefusesAnUnmigratedFile) {
  const std::string path = dir_.File("empty.db");
  { std::ofstream touch(path); }
  auto refused = Database::Open(path, OpenMode::kReadOnly);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::kStorage);
  EXPECT_NE(refused.error().message.find("older"), std::string::npos)
      << refused.error().message;
}

TEST_F(DatabaseTest, WarnsButOpensAGroupWritableFile) {
  db_.reset();
  ASSERT_EQ(::chmod(db_path_.c_str(), 0664), 0);
  std::ostringstream log;
  DatabaseOptions options;
  options.logger = std::make_shared<spdlog::logger>(
      "test", std::make_shared<spdlog::sinks::ostream_sink_st>(log));

  auto opened = Database::Open(db_path_, OpenMode::kExisting, options);
  ASSERT_TRUE(opened) << opened.error().message;
  EXPECT_NE(log.str().find("writable by group or others"), std::string::npos)
      << log.str();
  EXPECT_NE(log.str().find(db_path_), std::string::npos);
}

TEST_F(DatabaseTest, SchemaPassesIntegrityAndForeignKeyChecks) {
  EXPECT_EQ(db().sql().execAndGet("PRAGMA integrity_check").getString(), "ok");
  SQLite::Statement violations(db().sql(), "PRAGMA foreign_key_check");
  EXPECT_FALSE(violations.executeStep());
}

TEST_F(WriteTransactionTest, RollsBackWhenDestroyedUncommitted) {
  {
    auto transaction = WriteTransaction::Begin(db());
    ASSERT_TRUE(transaction) << transaction.error().message;
    db().sql().exec("INSERT INTO sync_meta VALUES ('lost', 'x')");
  }
  EXPECT_EQ(CountRows("sync_meta"), 0);
  // The connection is usable again: the rollback ended the transaction.
  auto next = WriteTransaction::Begin(db());
  ASSERT_TRUE(next) << next.error().message;
}

TEST_F(WriteTransactionTest, CommitIsVisibleToAnotherConnection) {
  {
    auto transaction = WriteTransaction::Begin(db());
    ASSERT_TRUE(transaction) << transaction.error().message;
    db().sql().exec("INSERT INTO sync_meta VALUES ('kept', 'x')");
    ASSERT_TRUE(transaction->Commit());
  }
  SQLite::Database reader(db_path_, SQLite::OPEN_READONLY);
  EXPECT_EQ(reader.execAndGet("SELECT count(*) FROM sync_meta").getInt(), 1);
}

TEST_F(WriteTransactionTest, SecondCommitOfOneTransactionFails) {
  auto transaction = WriteTransaction::Begin(db());
  ASSERT_TRUE(transaction);
  ASSERT_TRUE(transaction->Commit());
  auto again = transaction->Commit();
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().kind, ErrorKind::kStorage);
}

TEST_F(WriteTransactionTest, MovedTransactionRollsBackOnceAtTheNewOwner) {
  std::optional<WriteTransaction> owner;
  {
    auto transaction = WriteTransaction::Begin(db());
    ASSERT_TRUE(transaction);
    owner.emplace(std::move(*transaction));
    db().sql().exec("INSERT INTO sync_meta VALUES ('pending', 'x')");
  }
  // The moved-from object is gone; the write is still pending.
  EXPECT_EQ(CountRows("sync_meta"), 1);
  owner.reset();
  EXPECT_EQ(CountRows("sync_meta"), 0);
}

TEST_F(WriteTransactionTest,
       BeginFailsWhileAnotherConnectionHoldsTheWriteLock) {
  SQLite::Database other(db_path_, SQLite::OPEN_READWRITE);
  other.exec("BEGIN IMMEDIATE");
  db().sql().setBusyTimeout(10);

  auto refused = WriteTransaction::Begin(db());
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::kStorage);
  EXPECT_NE(refused.error().message.find("locked"), std::string::npos)
      << refused.error().message;
  other.exec("ROLLBACK");
}

TEST_F(WriteTransactionTest, FullDiskFailsThePageAndKeepsTheCheckpoint) {
  db().sql().exec("INSERT INTO sync_meta VALUES ('cursor', 'page 1')");
  // A database that may not grow stands in for a full disk.
  const int pages = db().sql().execAndGet("PRAGMA page_count").getInt();
  db().sql().exec("PRAGMA max_page_count = " + std::to_string(pages));

  auto page = InWriteTransaction(db(), "write page 2", [&]() -> Result<void> {
    db().sql().exec("UPDATE sync_meta SET value = 'page 2'");
    db().sql().exec(
        "INSERT INTO quarantine (resource, raw, error, seen_at)"
        " VALUES ('applicants', zeroblob(1000000), 'big', 'now')");
    return {};
  });
  ASSERT_FALSE(page);
  EXPECT_EQ(page.error().kind, ErrorKind::kStorage);
  EXPECT_NE(page.error().message.find("full"), std::string::npos)
      << page.error().message;
  EXPECT_EQ(db().sql().execAndGet("SELECT value FROM sync_meta").getString(),
            "page 1");

  // Space comes back; the next page goes through on the same connection.
  db().sql().exec("PRAGMA max_page_count = 1000000");
  auto next = InWriteTransaction(db(), "write page 2", [&]() -> Result<void> {
    db().sql().exec("UPDATE sync_meta SET value = 'page 2'");
    return {};
  });
  EXPECT_TRUE(next) << next.error().message;
}

TEST_F(WriteTransactionTest, InWriteTransactionKeepsNothingOfAFailedBody) {
  auto failed = InWriteTransaction(db(), "write two", [&]() -> Result<void> {
    db().sql().exec("INSERT INTO sync_meta VALUES ('a', '1')");
    db().sql().exec("INSERT INTO sync_meta VALUES ('a', '2')");  // duplicate
    return {};
  });
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().kind, ErrorKind::kStorage);
  EXPECT_EQ(failed.error().message.rfind("write two: ", 0), 0u)
      << failed.error().message;
  EXPECT_EQ(CountRows("sync_meta"), 0);

  auto refused = InWriteTransaction(db(), "refuse", [&]() -> Result<int> {
    db().sql().exec("INSERT INTO sync_meta VALUES ('b', '1')");
    return Fail(ErrorKind::kSchema, "no");
  });
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::kSchema);
  EXPECT_EQ(CountRows("sync_meta"), 0);

  auto done = InWriteTransaction(db(), "write one", [&]() -> Result<int> {
    db().sql().exec("INSERT INTO sync_meta VALUES ('c', '1')");
    return 7;
  });
  ASSERT_TRUE(done);
  EXPECT_EQ(*done, 7);
  EXPECT_EQ(CountRows("sync_meta"), 1);
}

}  // namespace
}  // namespace ceipal::state
