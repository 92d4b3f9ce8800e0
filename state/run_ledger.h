// The run ledger: one sync_runs row per `ceipal-sync run`, with its outcome
// and counters, for the status command and for whoever audits the cron job.
//
// RunLedger borrows the Database, which must outlive it, and owns nothing
// else. Not thread-safe (the Database is not).
#ifndef CEIPAL_STATE_RUN_LEDGER_H_
#define CEIPAL_STATE_RUN_LEDGER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/error.h"
#include "state/database.h"

namespace ceipal::state {

// What a run did. requests counts data requests, not logins.
struct RunCounters {
  int64_t requests = 0;
  int64_t records = 0;
  int64_t inserts = 0;
  int64_t updates = 0;
  int64_t deletes = 0;
  int64_t errors = 0;

  RunCounters& operator+=(const RunCounters& other);
  bool operator==(const RunCounters&) const = default;
};

// The values of sync_runs.status.
enum class RunStatus { kRunning, kOk, kPartial, kFailed, kCancelled };

// The SQL spelling: "running", "ok", "partial", "failed", "cancelled".
const char* RunStatusName(RunStatus status);

struct RunRecord {
  int64_t id = 0;
  std::string started_at;
  std::optional<std::string> ended_at;
  RunStatus status = RunStatus::kRunning;
  std::optional<int64_t> pid;
  RunCounters counters;
  std::optional<std::string> message;
};

class RunLedger {
 public:
  explicit RunLedger(Database& database) : database_(database) {}

  // Records a new run of process pid, status running, and returns its id.
  // Any run still marked running is first marked failed ("process died"):
  // REQUIRES: the caller holds the RunLock, so no such run can be alive.
  Result<int64_t> BeginRun(int64_t pid);

  // Adds delta to the run's counters. It opens no transaction of its own:
  // called inside a page's WriteTransaction, the counters commit, or vanish,
  // with the page. Fails with kStorage if the run does not exist.
  Result<void> AddCounters(int64_t run_id, const RunCounters& delta);

  // Ends a running run with a final status (not kRunning, else kConfig) and
  // a message, empty for none. Fails with kStorage if the run is not
  // running, which is the case when a later run has declared it dead.
  Result<void> FinishRun(int64_t run_id, RunStatus status,
                         std::string_view message);

  // The newest count runs, newest first.
  Result<std::vector<RunRecord>> LastRuns(int count);

 private:
  Database& database_;
};

}  // namespace ceipal::state

#endif  // CEIPAL_STATE_RUN_LEDGER_H_
