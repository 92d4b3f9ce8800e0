// The state store's connection to one ceipal-sync database file: it creates
// the file (mode 0600), sets the pragmas every connection needs (WAL,
// synchronous=NORMAL, foreign keys, a busy timeout) and brings the schema up
// to date from the migrations embedded in the binary.
//
// A process holds one Database per file, and it is the only connection that
// writes (DESIGN.md 6: one writer per file). Readers such as SQL users open
// their own connections; WAL keeps them from blocking this one. The stores of
// state/ and the engine's writer borrow it by reference, so it must outlive
// them and every statement prepared on sql().
//
// Not thread-safe: one thread at a time, since a transaction belongs to the
// connection, not to the thread that began it.
#ifndef CEIPAL_STATE_DATABASE_H_
#define CEIPAL_STATE_DATABASE_H_

#include <SQLiteCpp/SQLiteCpp.h>
#include <spdlog/logger.h>

#include <memory>
#include <string>
#include <string_view>

#include "engine/error.h"
#include "state/storage_error.h"

namespace ceipal::state {

enum class OpenMode {
  kCreate,    // create the file if missing, then migrate (init, run)
  kExisting,  // the file must exist; migrate it if it is older
  kReadOnly,  // the file must exist and be fully migrated; no writes at all
};

struct DatabaseOptions {
  // How long a statement waits for another connection's lock before it
  // fails with "database is locked".
  int busy_timeout_ms = 5000;
  // Where the store reports what it did or found odd; null logs nothing.
  std::shared_ptr<spdlog::logger> logger;
};

class Database {
 public:
  // Opens path in mode. Failures: kConfig when kExisting or kReadOnly finds
  // no file; kStorage when SQLite cannot open, configure or migrate it, or
  // when the file's schema is newer than this binary (or, read-only, older).
  // An existing file that group or others may write is opened with a
  // warning: refusing it would lock its owner out of their own data.
  static Result<std::unique_ptr<Database>> Open(const std::string& path,
                                                OpenMode mode,
                                                DatabaseOptions options = {});

  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // The raw connection, for the engine's writer to prepare statements on.
  // SQLiteCpp throws: run such code inside Guard (state/storage_error.h).
  SQLite::Database& sql() { return sql_; }

  // The highest migration version recorded in the file.
  int SchemaVersion() const { return schema_version_; }

  const std::string& path() const { return path_; }
  bool read_only() const { return read_only_; }
  spdlog::logger& logger() const { return *logger_; }

 private:
  Database(std::string path, SQLite::Database sql, bool read_only,
           std::shared_ptr<spdlog::logger> logger);

  Result<void> Configure();
  Result<void> Migrate();
  Result<void> CheckReadOnlySchema();

  std::string path_;
  SQLite::Database sql_;
  bool read_only_;
  std::shared_ptr<spdlog::logger> logger_;
  int schema_version_ = 0;
};

// One write transaction, begun with BEGIN IMMEDIATE so that it takes the
// write lock up front: a deferred transaction that upgrades later can fail
// with "database is locked" however long the busy timeout (DESIGN.md 6).
// Committed explicitly; rolled back by the destructor otherwise, which never
// throws. Borrows the Database, which must outlive it. Not thread-safe.
class WriteTransaction {
 public:
  // Fails with kStorage when the write lock is not free within the busy
  // timeout, when the database is read-only, or when a transaction is
  // already open on the connection.
  static Result<WriteTransaction> Begin(Database& database);

  WriteTransaction(WriteTransaction&& other) noexcept;
  WriteTransaction& operator=(WriteTransaction&&) = delete;
  ~WriteTransaction();

  // Makes the transaction's writes durable (as far as synchronous=NORMAL
  // goes) and visible to readers. On failure (disk full, I/O error) nothing
  // of it is kept: the destructor rolls back whatever SQLite did not.
  Result<void> Commit();

 private:
  explicit WriteTransaction(Database& database) : database_(&database) {}

  Database* database_;  // null once committed or moved from
};

// Runs body (returning Result<T>) inside one WriteTransaction and commits
// when it succeeds. An error from body, an exception it throws (converted as
// Guard does, naming operation) or a failed commit leaves nothing behind.
template <typename Body>
auto InWriteTransaction(Database& database, std::string_view operation,
                        Body&& body) -> decltype(body()) {
  auto transaction = WriteTransaction::Begin(database);
  if (!transaction) return std::unexpected(transaction.error());
  auto result = Guard(operation, body);
  if (!result) return result;
  if (auto committed = transaction->Commit(); !committed) {
    return std::unexpected(committed.error());
  }
  return result;
}

}  // namespace ceipal::state

#endif  // CEIPAL_STATE_DATABASE_H_
