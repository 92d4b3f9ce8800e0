// What the CLI shows of a run, of the database's state and of a verify:
// collected here as data, then formatted as text tables or JSON. Pure
// functions over their inputs, apart from the queries CollectStatus and
// Verify make; safe to call from any one thread.
#ifndef CEIPAL_ENGINE_REPORT_H_
#define CEIPAL_ENGINE_REPORT_H_

#include <optional>
#include <string>
#include <vector>

#include "engine/catalogue.h"
#include "engine/ceipal_client.h"
#include "engine/error.h"
#include "engine/syncer.h"
#include "state/database.h"

namespace ceipal::engine {

// One line per resource, then one for the run: what cron mails home.
std::string FormatRunSummary(const RunReport& report);

// The reads a dry run planned, one per line, and their request floor.
std::string FormatPlan(const RunReport& report);

struct ResourceStatus {
  std::string resource;
  int64_t live = 0;
  int64_t deleted = 0;
  int64_t scopes = 0;  // jobs whose submissions were polled
  std::string cursor;
  std::string last_synced_at;
  std::string last_error;
  bool complete = false;
};

struct RunRow {
  int64_t id = 0;
  std::string started_at, ended_at, status, message;
  int64_t requests = 0, records = 0, inserts = 0, updates = 0, deletes = 0,
          errors = 0;
};

struct DatabaseStatus {
  std::string path;
  int schema_version = 0;
  std::vector<RunRow> runs;  // newest first
  std::vector<ResourceStatus> resources;
  int64_t last_seq = 0;
  int64_t quarantined = 0;
  std::vector<std::pair<std::string, int64_t>> consumers;  // name, last_seq
};

Result<DatabaseStatus> CollectStatus(state::Database& db,
                                     const Catalogue& catalogue);
std::string StatusTable(const DatabaseStatus& status);
std::string StatusJson(const DatabaseStatus& status);

struct VerifyRow {
  std::string resource;
  int64_t mirror = 0;
  std::optional<int64_t> api;  // nullopt: not countable in one request
  bool drift = false;
  std::string note;
};

// Asks the API's count of each resource (one request of the smallest page)
// and compares it with the mirror's live records.
Result<std::vector<VerifyRow>> Verify(state::Database& db, CeipalClient& client,
                                      const Catalogue& catalogue);
std::string VerifyTable(const std::vector<VerifyRow>& rows);

}  // namespace ceipal::engine

#endif  // CEIPAL_ENGINE_REPORT_H_
