#include "state/database.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <spdlog/sinks/null_sink.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "schema/migrations.h"
#include "state/storage_error.h"
#include "state/utc_time.h"

namespace ceipal::state {
namespace {

constexpr mode_t kDatabaseFileMode = 0600;

constexpr const char* kCreateMigrationsTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " applied_at TEXT NOT NULL)";

std::shared_ptr<spdlog::logger> SilentLogger() {
  return std::make_shared<spdlog::logger>(
      "ceipal.state", std::make_shared<spdlog::sinks::null_sink_mt>());
}

int LatestKnownVersion() {
  const auto& migrations = schema::Migrations();
  return migrations.empty() ? 0 : migrations.back().version;
}

// SQLite gives a new database file 0644, and its -wal and -shm files copy
// the database's mode; creating the file ourselves first is the only way to
// make all three private from the first byte.
Result<void> CreateFileIfMissing(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
                        kDatabaseFileMode);
  if (fd < 0) {
    if (errno == EEXIST) return {};
    return Fail(ErrorKind::kStorage, fmt::format("create database {}: {}", path,
                                                 std::strerror(errno)));
  }

  // The umask may have taken away bits SQLite needs; 0600 exactly.
  const bool mode_set = ::fchmod(fd, kDatabaseFileMode) == 0;
  const int mode_errno = errno;
  ::close(fd);
  if (!mode_set) {
    return Fail(ErrorKind::kStorage,
                fmt::format("create database {}: set mode 0600: {}", path,
                            std::strerror(mode_errno)));
  }
  return {};
}

Result<void> CheckFile(const std::string& path, spdlog::logger& logger) {
  struct stat status {};
  if (::stat(path.c_str(), &status) != 0) {
    const ErrorKind kind =
        errno == ENOENT ? ErrorKind::kConfig : ErrorKind::kStorage;
    return Fail(
        kind, fmt::format("open database {}: {}", path, std::strerror(errno)));
  }
  if (!S_ISREG(status.st_mode)) {
    return Fail(ErrorKind::kStorage,
                fmt::format("open database {}: not a regular file", path));
  }
  if ((status.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    logger.warn(
        "Database file is writable by group or others path={} mode={:o}", path,
        status.st_mode & 0777);
  }
  return {};
}

std::string NewerSchemaMessage(int version) {
  return fmt::format(
      "database schema version {} is newer than this ceipal-sync (which "
      "knows up to {})",
      version, LatestKnownVersion());
}

// The highest version recorded; 0 for a file that has no schema yet.
int RecordedVersion(SQLite::Database& sql) {
  if (!sql.tableExists("schema_migrations")) return 0;
  return sql
      .execAndGet("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
      .getInt();
}

}  // namespace

Database::Database(std::string path, SQLite::Database sql, bool read_only,
                   std::shared_ptr<spdlog::logger> logger)
    : path_(std::move(path)),
      sql_(std::move(sql)),
      read_only_(read_only),
      logger_(std::move(logger)) {}

Result<std::unique_ptr<Database>> Database::Open(const std::string& path,
                                                 OpenMode mode,
                                                 DatabaseOptions options) {
  auto logger = options.logger ? options.logger : SilentLogger();
  if (mode == OpenMode::kCreate) {
    if (auto created = CreateFileIfMissing(path); !created) {
      return std::unexpected(created.error());
    }
  }
  if (auto checked = CheckFile(path, *logger); !checked) {
    return std::unexpected(checked.error());
  }

  // The file exists by now, so SQLite is never asked to create it.
  const std::string operation = "open database " + path;
  const bool read_only = mode == OpenMode::kReadOnly;
  auto database = Guard(operation, [&]() -> Result<std::unique_ptr<Database>> {
    SQLite::Database sql(
        path, read_only ? SQLite::OPEN_READONLY : SQLite::OPEN_READWRITE,
        options.busy_timeout_ms);
    return std::unique_ptr<Database>(
        new Database(path, std::move(sql), read_only, std::move(logger)));
  });
  if (!database) return database;

  Database& opened = **database;
  auto ready = opened.Configure();
  if (ready)
    ready = read_only ? opened.CheckReadOnlySchema() : opened.Migrate();
  if (!ready) return std::unexpected(ready.error().Context(operation));
  return database;
}

Result<void> Database::Configure() {
  return Guard("configure connection", [&]() -> Result<void> {
    if (!read_only_) {
      const std::string journal =
          sql_.execAndGet("PRAGMA journal_mode=WAL").getString();
      if (journal != "wal") {
        return Fail(ErrorKind::kStorage,
                    "configure connection: journal mode stays " + journal +
                        " instead of wal");
      }
      sql_.exec("PRAGMA synchronous=NORMAL");
      // A sync dirties index pages keyed by random ids all over the file:
      // a 16 MiB cache keeps many of them between pages (more would break
      // the 64 MiB memory budget), and checkpointing every 10,000 WAL pages
      // (about 40 MB) instead of 1,000 stops copying the same hot pages
      // back to the database again and again.
      sql_.exec("PRAGMA cache_size=-16384");
      sql_.exec("PRAGMA wal_autocheckpoint=10000");
    }
    sql_.exec("PRAGMA foreign_keys=ON");
    return {};
  });
}

Result<void> Database::Migrate() {
  // An up-to-date file is only read: opening it must not wait for the
  // write lock a running sync may hold.
  auto current = Guard("read schema version",
                       [&]() -> Result<int> { return RecordedVersion(sql_); });
  if (!current) return std::unexpected(current.error());
  if (*current > LatestKnownVersion()) {
    return Fail(ErrorKind::kStorage, NewerSchemaMessage(*current));
  }
  if (*current == 0) {
    auto table = InWriteTransaction(*this, "create schema_migrations",
                                    [&]() -> Result<void> {
                                      sql_.exec(kCreateMigrationsTable);
                                      return {};
                                    });
    if (!table) return table;
  }

  // One transaction per migration, each re-checking under the lock, so a
  // second process opening the same file at the same moment skips what the
  // first one applied instead of failing on it.
  for (const schema::Migration& migration : schema::Migrations()) {
    if (migration.version <= *current) continue;
    const std::string operation =
        fmt::format("apply migration {}", migration.name);
    auto applied = InWriteTransaction(*this, operation, [&]() -> Result<bool> {
      SQLite::Statement seen(
          sql_, "SELECT 1 FROM schema_migrations WHERE version = ?");
      seen.bind(1, migration.version);
      if (seen.executeStep()) return false;

      sql_.exec(std::string(migration.sql));
      SQLite::Statement record(sql_,
                               "INSERT INTO schema_migrations (version, name,"
                               " applied_at) VALUES (?, ?, ?)");
      record.bind(1, migration.version);
      record.bind(2, std::string(migration.name));
      record.bind(3, UtcNow());
      record.exec();
      return true;
    });
    if (!applied) return std::unexpected(applied.error());
    if (*applied) {
      logger_->info("Applied schema migration version={} name={}",
                    migration.version, migration.name);
    }
  }

  return Guard("read schema version", [&]() -> Result<void> {
    schema_version_ = RecordedVersion(sql_);
    return {};
  });
}

Result<void> Database::CheckReadOnlySchema() {
  auto current = Guard("read schema version",
                       [&]() -> Result<int> { return RecordedVersion(sql_); });
  if (!current) return std::unexpected(current.error());
  if (*current > LatestKnownVersion()) {
    return Fail(ErrorKind::kStorage, NewerSchemaMessage(*current));
  }
  if (*current < LatestKnownVersion()) {
    return Fail(ErrorKind::kStorage,
                fmt::format("database schema version {} is older than this "
                            "ceipal-sync ({}); open it for writing once to "
                            "migrate it",
                            *current, LatestKnownVersion()));
  }
  schema_version_ = *current;
  return {};
}

Result<WriteTransaction> WriteTransaction::Begin(Database& database) {
  auto begun = Guard("begin write transaction on " + database.path(),
                     [&]() -> Result<void> {
                       database.sql().exec("BEGIN IMMEDIATE");
                       return {};
                     });
  if (!begun) return std::unexpected(begun.error());
  return WriteTransaction(database);
}

WriteTransaction::WriteTransaction(WriteTransaction&& other) noexcept
    : database_(std::exchange(other.database_, nullptr)) {}

WriteTransaction::~WriteTransaction() {
  if (database_ == nullptr) return;
  sqlite3* handle = database_->sql().getHandle();

  // SQLite has already rolled back after some failures (a COMMIT that hit
  // a full disk, say); a second ROLLBACK would only fail.
  if (sqlite3_get_autocommit(handle) != 0) return;
  if (sqlite3_exec(handle, "ROLLBACK", nullptr, nullptr, nullptr) ==
      SQLITE_OK) {
    return;
  }
  try {
    database_->logger().warn("Rollback failed path={} cause={}",
                             database_->path(), sqlite3_errmsg(handle));
  } catch (...) {
    // A destructor has nowhere to report a failed report.
  }
}

Result<void> WriteTransaction::Commit() {
  if (database_ == nullptr) {
    return Fail(ErrorKind::kStorage,
                "commit: the transaction was already committed");
  }
  auto committed =
      Guard("commit on " + database_->path(), [&]() -> Result<void> {
        database_->sql().exec("COMMIT");
        return {};
      });
  if (committed) database_ = nullptr;
  return committed;
}

}  // namespace ceipal::state
