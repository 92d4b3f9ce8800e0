// Runs one sync: plans which resources and scopes to read within the run's
// request budget and deadline, pages through each one, and applies every page
// in one transaction with its cursor (DESIGN.md sections 1, 4 and 5).
//
// The Syncer borrows the database, the API client and the config for the
// length of one Run; the caller holds the run lock. Not thread-safe.
#ifndef CEIPAL_ENGINE_SYNCER_H_
#define CEIPAL_ENGINE_SYNCER_H_

#include <spdlog/logger.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/ceipal_client.h"
#include "engine/config.h"
#include "engine/error.h"
#include "state/database.h"

namespace ceipal::engine {

struct RunOptions {
  std::vector<std::string> resources;  // empty: every resource
  bool full = false;                   // ignore cursors and cadences
  int64_t max_requests = 0;            // data requests; 0: unbounded
  std::chrono::seconds deadline{0};    // 0: none
  bool dry_run = false;                // plan only, no request, no write
};

// What happened to one resource in a run.
struct ResourceReport {
  std::string resource;
  std::string outcome = "ok";  // ok | incomplete | failed | skipped
  int64_t scopes = 0;          // jobs polled, for submissions
  int64_t pages = 0;
  int64_t requests = 0;
  int64_t records = 0;
  int64_t inserts = 0;
  int64_t updates = 0;
  int64_t deletes = 0;
  int64_t unchanged = 0;
  int64_t quarantined = 0;
  int64_t changes = 0;
  int64_t hires = 0;
  std::string error;
  double seconds = 0;
};

// One step of a plan, for --dry-run and for the run itself.
struct PlannedRead {
  std::string resource;
  std::string scope;           // job id for submissions, else ""
  std::string reason;          // "incremental", "first load", "active job", ...
  std::string modified_after;  // source clock, "" for a full read
};

struct RunReport {
  int64_t run_id = 0;
  std::string status = "ok";  // ok | partial | failed | cancelled
  std::vector<ResourceReport> resources;
  std::vector<PlannedRead> plan;
  int64_t requests = 0;
  std::string message;
  int exit_code = 0;  // DESIGN.md section 6
};

// Receives progress as pages commit; the CLI draws it. Called on the thread
// that runs the sync.
class ProgressSink {
 public:
  virtual ~ProgressSink() = default;
  virtual void OnPage(const std::string& resource, int64_t pages,
                      int64_t records, int64_t expected) = 0;
  virtual void OnResourceDone(const ResourceReport& report) = 0;
};

class Syncer {
 public:
  Syncer(state::Database& db, CeipalClient& client, const Config& config,
         spdlog::logger& log, ProgressSink* progress);
  ~Syncer();

  // Runs (or with dry_run, plans) one sync. Fails only when the run could
  // not start (storage); a resource that fails is reported in RunReport and
  // the others go on. Authentication and company-access failures stop the
  // run with exit code 3, progress kept.
  Result<RunReport> Run(const RunOptions& options);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ceipal::engine

#endif  // CEIPAL_ENGINE_SYNCER_H_
