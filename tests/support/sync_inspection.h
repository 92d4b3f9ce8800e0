// What the reliability tests read back after a sync they disturbed: the
// change log as the rows two runs of the same sync must share, the change
// rows logged more than once, every mirror row, how the live mirror compares
// with the sandbox's ground truth record by record, and the sandbox's
// request counters. Plus the scratch space such a test needs: its own
// directory and a private config file.
//
// Every function opens its own read-only connection, so it may run while a
// sync writes, and holds nothing between calls. A ScratchDir owns its
// directory and removes it at destruction; it is not copyable.
#ifndef CEIPAL_TESTS_SUPPORT_SYNC_INSPECTION_H_
#define CEIPAL_TESTS_SUPPORT_SYNC_INSPECTION_H_

#include <compare>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "support/fake_ceipal_process.h"

namespace ceipal::test::reliability {

// The mirrored resources, which are also the mirror's tables.
const std::vector<std::string>& Resources();

// A directory of its own under the system's temporary directory.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const;

 private:
  std::string path_;
};

// Writes `dir`/ceipal-sync.json with mode 0600 and returns its path. The
// settings make test runs quick and complete: a client rate far above what
// the sandbox needs, every job's submissions and the users read every run.
// `members` adds or overrides members, as JSON text without the braces:
// R"("request_timeout_seconds": 1)".
std::string WriteSyncConfig(const std::string& dir,
                            const std::string& members = "");

// One change row without what differs between two runs that made the same
// change: seq, run_id and recorded_at.
struct ChangeRow {
  std::string resource;
  std::string record_id;
  std::string op;
  std::string event;  // "" for NULL, as for the other nullable columns
  std::string status_from;
  std::string status_to;
  std::string changed_fields;
  std::string before_json;
  std::string after_json;
  std::string source_modified_at;
  int64_t snapshot = 0;

  auto operator<=>(const ChangeRow&) const = default;
};

// Every change row, sorted by content (the order of seq may differ between
// two runs that poll jobs in another order).
std::vector<ChangeRow> SortedChanges(const std::string& db_path);

// One line per (resource, record_id, op, after_json) logged more than once:
// a change row repeated. Empty when there is none.
std::vector<std::string> RepeatedChanges(const std::string& db_path);

// Every row of the mirror tables, their child tables and custom_fields, as
// text, sorted within each table; without first_seen_at, last_seen_at and
// last_seen_run, which hold the engine's clock and run counter.
std::map<std::string, std::vector<std::string>> MirrorRows(
    const std::string& db_path);

// How the live mirror (deleted_at IS NULL) differs from /_fake/truth: ids
// missing from the mirror, ids only the mirror has, and records whose
// raw_json means something else than the truth (compared as parsed JSON;
// the `client` that only a job posting's detail carries is ignored).
struct TruthDiff {
  std::vector<std::string> missing;    // "applicants <id>"
  std::vector<std::string> extra;      // likewise
  std::vector<std::string> different;  // likewise
  int64_t compared = 0;                // truth records looked at

  bool empty() const {
    return missing.empty() && extra.empty() && different.empty();
  }
  std::string Describe() const;
};
TruthDiff CompareWithTruth(const FakeCeipalProcess& sandbox,
                           const std::string& db_path);

// Every checkpoint in sync_state (a row of a resource, a job's submissions
// or a window of a read, with a cursor or marked complete) as "resource
// scope cursor complete", in a stable order: what a failed run must leave
// as it found it, and what a run that progressed moves. Rows that only
// record an error are not checkpoints.
std::vector<std::string> Checkpoints(const std::string& db_path);

// The number of truth records of `resource`.
int64_t TruthCount(const FakeCeipalProcess& sandbox,
                   const std::string& resource);

// The first column of the first row of `sql`, as an integer; -1 when the
// query fails or returns no row (the failure is added to the test).
int64_t Count(const std::string& db_path, const std::string& sql);

// From /_fake/stats: the requests an endpoint ("/v2/getApplicantsList/")
// answered with `status` ("200", "429", "0" for a dropped connection); an
// empty endpoint sums over all of them, and an empty status over all
// statuses.
int64_t SandboxRequests(const FakeCeipalProcess& sandbox,
                        const std::string& endpoint = "",
                        const std::string& status = "");

// The data requests (lists and details, retries included) the sandbox has
// answered: every request but logins and token refreshes.
int64_t SandboxDataRequests(const FakeCeipalProcess& sandbox);

// The raw bytes of a file, "" when it does not exist.
std::string ReadBytes(const std::string& path);

}  // namespace ceipal::test::reliability

#endif  // CEIPAL_TESTS_SUPPORT_SYNC_INSPECTION_H_
