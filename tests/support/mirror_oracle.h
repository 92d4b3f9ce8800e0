// What the integration tests know about the mirror without asking the
// engine: an oracle that derives, from the sandbox's ground truth alone,
// every typed column, child row and custom field the mirror must hold, and
// compares the SQLite file with it; readers of the change log and the
// sandbox's journal; and a harness that gives each test its own directory,
// sandbox, config file and database, and runs ceipal-sync there as a user
// would.
//
// The oracle's field table and conversions are written here on purpose,
// from DESIGN.md section 3, ceipal-api.md section 10 and docs/sandbox.md,
// not taken from engine/: a mistake in the engine's catalogue or normalizer
// then shows up as a mismatch instead of being agreed with.
//
// Functions open the database read-only and may run while no run writes.
// A SyncHarness owns its sandbox child and its temporary directory (removed
// at destruction); it is not copyable and is used from one thread.
#ifndef CEIPAL_TESTS_SUPPORT_MIRROR_ORACLE_H_
#define CEIPAL_TESTS_SUPPORT_MIRROR_ORACLE_H_

#include <rapidjson/document.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "support/cli_runner.h"
#include "support/fake_ceipal_process.h"

namespace ceipal::test {

// The seven mirrored resources, parents first.
const std::vector<std::string>& MirroredResources();

// ---- Oracle conversions ------------------------------------------------

// A SQL value as read back: NULL, INTEGER, REAL or TEXT.
using SqlCell = std::variant<std::monostate, int64_t, double, std::string>;

// The value and its SQL type, for failure messages: 'NULL', 42 (INTEGER).
std::string Describe(const SqlCell& cell);

// A source timestamp ("YYYY-MM-DD HH:MM:SS" naive in the zone
// `utc_offset_minutes` east of UTC, or "YYYY-MM-DDTHH:MM:SSZ") as the
// mirror's "YYYY-MM-DDTHH:MM:SSZ"; nullopt for any other form.
std::optional<std::string> OracleUtc(const std::string& source,
                                     int utc_offset_minutes);

// ---- Ground truth and journal ------------------------------------------

// GET /_fake/truth?resource=R, parsed; fails the test (and returns an
// empty array) when the answer is not a 200 with a records array.
rapidjson::Document FetchTruth(const FakeCeipalProcess& sandbox,
                               const std::string& resource);

struct JournalEntry {
  int64_t seq = 0;
  std::string resource;
  std::string id;
  std::string kind;  // edit, hire, place, create, delete, burst
  std::vector<std::string> fields;
  std::string at;  // naive, in the sandbox's zone
};

// GET /_fake/journal: every mutation so far, oldest first.
std::vector<JournalEntry> FetchJournal(const FakeCeipalProcess& sandbox);

// The entries after `after_seq`.
std::vector<JournalEntry> JournalSince(const FakeCeipalProcess& sandbox,
                                       int64_t after_seq);

// The request count of the sandbox's data endpoints (lists and details;
// logins and refreshes not included), from /_fake/stats.
int64_t DataRequests(const FakeCeipalProcess& sandbox);

// ---- The mirror --------------------------------------------------------

struct OracleOptions {
  int utc_offset_minutes = 0;  // the sandbox's --utc-offset
  // When true, rows absent from the truth are accepted if tombstoned
  // (deleted_at set); when false the mirror may hold no other row.
  bool allow_tombstones = false;
};

struct MirrorComparison {
  // One line per difference; empty when the mirror equals the truth.
  std::vector<std::string> mismatches;
  // What was compared, so a test can prove it compared something.
  std::map<std::string, int64_t> records;  // per resource
  int64_t child_rows = 0;
  int64_t custom_values = 0;
  int64_t sentinel_nulls = 0;    // typed columns NULL because of a sentinel
  int64_t iso_timestamps = 0;    // source timestamps with a zone
  int64_t naive_timestamps = 0;  // and without
};

// Compares every mirrored resource of `db_path` with the sandbox's truth,
// record by record and column by column (DESIGN.md section 3).
MirrorComparison CompareMirrorWithTruth(const std::string& db_path,
                                        const FakeCeipalProcess& sandbox,
                                        const OracleOptions& options = {});

// Runs one query and returns its first column of its first row; fails the
// test and returns NULL when the query fails or returns nothing.
SqlCell QueryValue(const std::string& db_path, const std::string& sql);
int64_t QueryInt(const std::string& db_path, const std::string& sql);

// Every row of a query, each as column name -> value.
std::vector<std::map<std::string, SqlCell>> QueryRows(
    const std::string& db_path, const std::string& sql);

// ---- The change log ----------------------------------------------------

struct LoggedChange {
  int64_t seq = 0;
  int64_t run_id = 0;
  std::string resource;
  std::string record_id;
  std::string op;
  std::optional<std::string> event;
  std::optional<std::string> status_from;
  std::optional<std::string> status_to;
  std::optional<std::string> source_modified_at;
  bool snapshot = false;
};

// change_log rows with seq > after_seq, in seq order.
std::vector<LoggedChange> ChangesSince(const std::string& db_path,
                                       int64_t after_seq);

// The highest seq in change_log, 0 when empty.
int64_t LastSeq(const std::string& db_path);

// Checks that `changes` hold exactly one row per journaled mutation and
// none else: a create is an insert, a delete a delete, any other kind an
// update, of the same resource and record. Every record must be mutated at
// most once in `journal` (the engine sees only the last state of a record
// between two runs), which the check also asserts. Returns the differences.
std::vector<std::string> CompareChangesWithJournal(
    const std::vector<LoggedChange>& changes,
    const std::vector<JournalEntry>& journal);

// ---- The harness -------------------------------------------------------

// One test's world: a temporary directory holding the config file (mode
// 0600) and the database, and a sandbox started with `sandbox_args`.
class SyncHarness {
 public:
  // `config_members` are extra members of the config object, as JSON text
  // without braces (`"inactive_jobs_minutes": 0`). The config always sets
  // a fast client rate so tests do not crawl at the production default.
  explicit SyncHarness(std::vector<std::string> sandbox_args,
                       const std::string& config_members = "");
  ~SyncHarness();
  SyncHarness(const SyncHarness&) = delete;
  SyncHarness& operator=(const SyncHarness&) = delete;

  FakeCeipalProcess& sandbox() { return sandbox_; }
  const FakeCeipalProcess& sandbox() const { return sandbox_; }
  const std::string& dir() const { return dir_; }
  const std::string& db_path() const { return db_path_; }
  const std::string& config_path() const { return config_path_; }

  // `ceipal-sync <args> --db DB --config CONFIG` with the sandbox's URL and
  // credentials in the environment.
  CliResult Cli(std::vector<std::string> args) const;
  // `ceipal-sync run <extra>`; fails the test unless it exits 0.
  CliResult Sync(std::vector<std::string> extra = {}) const;

  // POST /_fake/mutate; fails the test unless the sandbox answers 200.
  // Returns the parsed answer.
  rapidjson::Document Mutate(const std::string& json) const;
  // POST /_fake/clock {"advance": seconds}.
  void AdvanceClock(int64_t seconds) const;

 private:
  std::string dir_;
  std::string db_path_;
  std::string config_path_;
  FakeCeipalProcess sandbox_;
};

// The text of a JSON value, for messages and for comparing ids.
std::string JsonText(const rapidjson::Value& value);

// A string member of an object, "" when absent or not a string.
std::string StringField(const rapidjson::Value& object, const char* name);

}  // namespace ceipal::test

#endif  // CEIPAL_TESTS_SUPPORT_MIRROR_ORACLE_H_
