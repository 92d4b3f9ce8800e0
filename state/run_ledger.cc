#include "state/run_ledger.h"

#include <fmt/format.h>

#include "state/sqlite_util.h"
#include "state/utc_time.h"

namespace ceipal::state {
namespace {

using internal::OptionalInt;
using internal::OptionalText;

constexpr RunStatus kAllStatuses[] = {RunStatus::kRunning, RunStatus::kOk,
                                      RunStatus::kPartial, RunStatus::kFailed,
                                      RunStatus::kCancelled};

// The CHECK constraint of sync_runs guarantees one of the known names.
RunStatus StatusFromName(const std::string& name) {
  for (RunStatus status : kAllStatuses) {
    if (name == RunStatusName(status)) return status;
  }
  return RunStatus::kFailed;
}

void MarkDeadRunsFailed(Database& database) {
  SQLite::Statement dead(database.sql(),
                         "SELECT id, pid FROM sync_runs"
                         " WHERE status = 'running'");
  while (dead.executeStep()) {
    database.logger().warn(
        "Marking run failed because its process died run_id={} pid={}",
        dead.getColumn(0).getInt64(),
        OptionalInt(dead.getColumn(1)).value_or(0));
  }

  SQLite::Statement mark(database.sql(),
                         "UPDATE sync_runs SET status = 'failed',"
                         " ended_at = ?, message = 'process died'"
                         " WHERE status = 'running'");
  mark.bind(1, UtcNow());
  mark.exec();
}

}  // namespace

RunCounters& RunCounters::operator+=(const RunCounters& other) {
  requests += other.requests;
  records += other.records;
  inserts += other.inserts;
  updates += other.updates;
  deletes += other.deletes;
  errors += other.errors;
  return *this;
}

const char* RunStatusName(RunStatus status) {
  switch (status) {
    case RunStatus::kRunning:
      return "running";
    case RunStatus::kOk:
      return "ok";
    case RunStatus::kPartial:
      return "partial";
    case RunStatus::kFailed:
      return "failed";
    case RunStatus::kCancelled:
      return "cancelled";
  }
  return "failed";
}

Result<int64_t> RunLedger::BeginRun(int64_t pid) {
  return InWriteTransaction(database_, "begin run", [&]() -> Result<int64_t> {
    MarkDeadRunsFailed(database_);

    SQLite::Statement insert(database_.sql(),
                             "INSERT INTO sync_runs (started_at, status, pid)"
                             " VALUES (?, 'running', ?)");
    insert.bind(1, UtcNow());
    insert.bind(2, pid);
    insert.exec();
    return database_.sql().getLastInsertRowid();
  });
}

Result<void> RunLedger::AddCounters(int64_t run_id, const RunCounters& delta) {
  const std::string operation = fmt::format("add counters to run {}", run_id);
  return Guard(operation, [&]() -> Result<void> {
    SQLite::Statement update(database_.sql(),
                             "UPDATE sync_runs SET requests = requests + ?,"
                             " records = records + ?, inserts = inserts + ?,"
                             " updates = updates + ?, deletes = deletes + ?,"
                             " errors = errors + ? WHERE id = ?");
    update.bind(1, delta.requests);
    update.bind(2, delta.records);
    update.bind(3, delta.inserts);
    update.bind(4, delta.updates);
    update.bind(5, delta.deletes);
    update.bind(6, delta.errors);
    update.bind(7, run_id);
    if (update.exec() == 0) {
      return Fail(ErrorKind::kStorage, operation + ": no such run");
    }
    return {};
  });
}

Result<void> RunLedger::FinishRun(int64_t run_id, RunStatus status,
                                  std::string_view message) {
  const std::string operation = fmt::format("finish run {}", run_id);
  if (status == RunStatus::kRunning) {
    return Fail(ErrorKind::kConfig,
                operation + ": running is not a final status");
  }
  return Guard(operation, [&]() -> Result<void> {
    SQLite::Statement update(
        database_.sql(),
        "UPDATE sync_runs SET status = ?, ended_at = ?,"
        " message = ? WHERE id = ? AND status = 'running'");
    update.bind(1, RunStatusName(status));
    update.bind(2, UtcNow());
    internal::BindText(
        update, 3,
        message.empty() ? std::optional<std::string>() : std::string(message));
    update.bind(4, run_id);
    if (update.exec() == 0) {
      return Fail(ErrorKind::kStorage,
                  operation + ": no running run has that id");
    }
    return {};
  });
}

Result<std::vector<RunRecord>> RunLedger::LastRuns(int count) {
  return Guard("read last runs", [&]() -> Result<std::vector<RunRecord>> {
    SQLite::Statement select(
        database_.sql(),
        "SELECT id, started_at, ended_at, status, pid, requests, records,"
        " inserts, updates, deletes, errors, message FROM sync_runs"
        " ORDER BY id DESC LIMIT ?");
    select.bind(1, count);

    std::vector<RunRecord> runs;
    while (select.executeStep()) {
      RunRecord& run = runs.emplace_back();
      run.id = select.getColumn(0).getInt64();
      run.started_at = select.getColumn(1).getString();
      run.ended_at = OptionalText(select.getColumn(2));
      run.status = StatusFromName(select.getColumn(3).getString());
      run.pid = OptionalInt(select.getColumn(4));
      run.counters = RunCounters{.requests = select.getColumn(5).getInt64(),
                                 .records = select.getColumn(6).getInt64(),
                                 .inserts = select.getColumn(7).getInt64(),
                                 .updates = select.getColumn(8).getInt64(),
                                 .deletes = select.getColumn(9).getInt64(),
                                 .errors = select.getColumn(10).getInt64()};
      run.message = OptionalText(select.getColumn(11));
    }
    return runs;
  });
}

}  // namespace ceipal::state
