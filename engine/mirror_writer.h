// Applies normalized records of one page to the mirror and writes their
// change rows: the differ and the writer of DESIGN.md section 1.
//
// The caller owns the page transaction (state::WriteTransaction): Apply runs
// inside it, so the records, their change rows and the cursor the caller
// saves afterwards commit together or not at all. One MirrorWriter per
// database connection; it keeps its prepared statements for the life of the
// run. Not thread-safe: only the writing thread uses it.
#ifndef CEIPAL_ENGINE_MIRROR_WRITER_H_
#define CEIPAL_ENGINE_MIRROR_WRITER_H_

#include <SQLiteCpp/SQLiteCpp.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/catalogue.h"
#include "engine/error.h"
#include "engine/normalizer.h"

namespace ceipal::engine {

// What the mirror holds for a record id, as the differ needs it.
struct StoredRecord {
  uint64_t content_hash = 0;
  bool deleted = false;
};

// How the change rows of a page are classified.
struct ChangeContext {
  int64_t run_id = 0;
  std::string recorded_at;  // the engine's clock, UTC ISO
  // True while the resource's first full load runs: rows get snapshot = 1
  // unless the record changed after the load began (live_after_unix).
  bool first_load = false;
  std::optional<int64_t> live_after_unix;
  const std::vector<std::string>* hired_statuses = nullptr;
};

struct ApplyCounts {
  int64_t records = 0;
  int64_t inserts = 0;
  int64_t updates = 0;
  int64_t undeletes = 0;
  int64_t unchanged = 0;
  int64_t changes = 0;  // change_log rows written
  int64_t hires = 0;
  std::vector<std::string> changed_ids;  // inserted, updated or undeleted
};

class MirrorWriter {
 public:
  MirrorWriter(SQLite::Database& db, const Catalogue& catalogue);
  ~MirrorWriter();
  MirrorWriter(const MirrorWriter&) = delete;
  MirrorWriter& operator=(const MirrorWriter&) = delete;

  // The stored hash and tombstone of each id the mirror has, in one query.
  Result<std::unordered_map<std::string, StoredRecord>> Lookup(
      const ResourceSpec& spec, const std::vector<std::string>& ids);

  // Applies `records` in order inside the caller's open transaction. Records
  // whose hash equals the stored one only have last_seen_at refreshed; the
  // others are inserted, updated or undeleted with one change row each.
  // `stored` comes from Lookup and is kept current (a duplicate id within a
  // page is diffed against its first occurrence).
  Result<ApplyCounts> Apply(
      const ResourceSpec& spec, const std::vector<NormalizedRecord>& records,
      std::unordered_map<std::string, StoredRecord>& stored,
      const ChangeContext& context);

  // Tombstones a record proven gone and writes its 'delete' change row.
  Result<bool> Delete(const ResourceSpec& spec, const std::string& id,
                      const ChangeContext& context);

  // Records a malformed record in quarantine.
  Result<void> Quarantine(int64_t run_id, const std::string& resource,
                          const std::string& record_id, std::string_view raw,
                          const std::string& error, const std::string& now);

 private:
  struct Statements;
  Statements& For(const ResourceSpec& spec);
  SQLite::Statement& ChangeLogInsert();

  SQLite::Database& db_;
  const Catalogue& catalogue_;
  std::map<std::string, std::unique_ptr<Statements>> statements_;
  std::unique_ptr<SQLite::Statement> insert_change_;
  std::unique_ptr<SQLite::Statement> insert_quarantine_;
};

// The normalized row of a record as the JSON object change rows carry:
// mirror columns, child tables as arrays, custom fields as an object.
std::string RecordJson(const ResourceSpec& spec, const NormalizedRecord& rec);

}  // namespace ceipal::engine

#endif  // CEIPAL_ENGINE_MIRROR_WRITER_H_
