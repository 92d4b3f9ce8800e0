// Per-resource progress: where the next read of a resource, or of one scope
// of it (the submissions of one job: scope = the job id; '' for the whole
// resource), starts, and how its last pass ended. The status command lists
// it; the engine reads it before a resource and checkpoints it with every
// page.
//
// SyncStateStore borrows the Database, which must outlive it. Not
// thread-safe (the Database is not).
#ifndef CEIPAL_STATE_SYNC_STATE_H_
#define CEIPAL_STATE_SYNC_STATE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/error.h"
#include "state/database.h"

namespace ceipal::state {

struct ResourceProgress {
  std::string resource;
  std::string scope;
  // The highest source modified value committed, in the source's own format
  // and clock; empty before the first page of the first pass.
  std::optional<std::string> cursor;
  // The page within the cursor's second to resume at, 0 when none.
  int64_t cursor_page = 0;
  // True when the last pass read to the end; false while one is under way.
  bool complete = false;
  std::optional<int64_t> last_run_id;
  std::optional<std::string> last_synced_at;  // engine clock, UTC ISO
  std::optional<std::string> last_error;
  // When the whole id set was last read and its missing records confirmed
  // (engine clock, UTC ISO); for a sweep in progress, when it began.
  std::optional<std::string> swept_at;
};

class SyncStateStore {
 public:
  explicit SyncStateStore(Database& database) : database_(database) {}

  // The progress of (resource, scope); a resource never read yields a
  // ResourceProgress with no cursor, not an error.
  Result<ResourceProgress> Get(std::string_view resource,
                               std::string_view scope = "");

  // Checkpoints a page: stores cursor and cursor_page, marks the pass
  // incomplete, and stamps run_id and the time. Opens no transaction: called
  // inside the page's WriteTransaction, it commits with the page's records.
  Result<void> SaveCursor(std::string_view resource, std::string_view scope,
                          const std::optional<std::string>& cursor,
                          int64_t cursor_page, int64_t run_id);

  // The pass reached the end: complete, cursor_page back to 0, last error
  // cleared. The cursor stays.
  Result<void> MarkComplete(std::string_view resource, std::string_view scope,
                            int64_t run_id);

  // Records why the resource failed in run_id, keeping its checkpoint.
  Result<void> SetError(std::string_view resource, std::string_view scope,
                        int64_t run_id, std::string_view message);

  // Records when (resource, scope) was last swept, creating its row if
  // needed; `at` is UTC ISO. Opens no transaction.
  Result<void> MarkSwept(std::string_view resource, std::string_view scope,
                         std::string_view at);

  // Forgets the progress of (resource, scope); no error when there is none.
  // Opens no transaction.
  Result<void> Remove(std::string_view resource, std::string_view scope);

  // Every (resource, scope) with progress, ordered by resource then scope.
  Result<std::vector<ResourceProgress>> List();

  // The scopes of `resource` whose pass is under way (complete = 0),
  // ordered by scope. Reads only those rows: an account with many jobs
  // keeps a row per job.
  Result<std::vector<ResourceProgress>> ListUnfinished(
      std::string_view resource);

 private:
  Database& database_;
};

}  // namespace ceipal::state

#endif  // CEIPAL_STATE_SYNC_STATE_H_
