// The normalizer: turns one decoded record into the values of its mirror
// row, child rows and custom fields, as its ResourceSpec says, plus a content
// hash the differ compares with the stored one. A record that cannot be
// normalized is reported with the reason it must be quarantined; the page it
// came in goes on.
//
// Conversions (the same for a row's columns and for child rows):
//   - a missing field, JSON null and the empty-value sentinels "", "NA",
//     "N/A" and "n/a" (surrounding white space ignored) are SQL NULL;
//   - text columns keep strings as received; numbers are printed as JSON
//     prints them, booleans as "true"/"false";
//   - integer columns take 3, 3.0 and "3"; booleans become 0/1; real
//     columns take 60, "60.5", booleans as 0.0/1.0; anything else is an
//     error ("60-70" in a real column quarantines the record);
//   - timestamps become "YYYY-MM-DDTHH:MM:SSZ" in UTC, naive ones read in
//     the SourceClock's zone; dates become "YYYY-MM-DD";
//   - an object or array where a value is expected is an error.
// Custom fields are every top-level scalar that no column, child or the id
// and modified fields read; their values are the text as received, sentinels
// included (a custom field is a raw value, not a typed column), and JSON
// null skips the field.
//
// Functions are pure and thread-safe.
#ifndef CEIPAL_ENGINE_NORMALIZER_H_
#define CEIPAL_ENGINE_NORMALIZER_H_

#include <rapidjson/document.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "engine/catalogue.h"
#include "engine/error.h"
#include "engine/timestamp.h"

namespace ceipal::engine {

// NULL, INTEGER, REAL or TEXT, in the order SQLite binds them.
using SqlValue = std::variant<std::monostate, int64_t, double, std::string>;

struct NormalizedRecord {
  std::string id;
  std::string modified_source;  // the modified field as received, "" if none
  std::optional<int64_t> modified_unix;  // its instant; FormatUtc for the row
  std::vector<SqlValue> columns;  // spec.columns then spec.detail_columns
  // [child][row][column]: spec.children[c].columns for each array item.
  std::vector<std::vector<std::vector<SqlValue>>> children;
  std::vector<std::pair<std::string, std::string>> custom_fields;  // by name
  std::string raw_json;  // the record's bytes exactly as received
  // A digest of the top-level arrays and objects that no child table takes
  // (nested values only partly mapped, such as placement_details), so that
  // a change inside them still changes content_hash.
  uint64_t unmapped_hash = 0;
  // XXH3 over the modified instant, columns, children, custom fields and
  // unmapped_hash: over what the record means, not its bytes. The same
  // record with its keys in another order hashes the same, and so does one
  // whose column holds "NA" where it held "".
  uint64_t content_hash = 0;
};

// Normalizes one element of a page's results. `raw` is its exact bytes and
// becomes raw_json. Detail columns are NULL until ApplyDetail fills them.
// Fails with kSchema, "<resource> record <id>: <reason>", when the record is
// not an object; has no id, an empty id or one that is not a string; holds
// invalid UTF-8 anywhere (the message names the field); or a value of the
// wrong type or form for its column, or a child row without its key.
Result<NormalizedRecord> Normalize(const ResourceSpec& spec,
                                   const rapidjson::Value& record,
                                   std::string_view raw,
                                   const SourceClock& clock);

// Fills the detail columns of `rec` from the detail object of the same
// record and recomputes content_hash. Fails with kSchema when the detail is
// not an object, names another id, or holds a value that does not convert;
// `rec` is then unchanged.
Result<void> ApplyDetail(const ResourceSpec& spec,
                         const rapidjson::Value& detail, NormalizedRecord& rec,
                         const SourceClock& clock);

// content_hash as Normalize computes it, from the fields of `rec`. The
// differ can copy the stored detail columns into a fresh list record and
// rehash it to tell whether the record changed without a detail call.
uint64_t ContentHash(const NormalizedRecord& rec);

}  // namespace ceipal::engine

#endif  // CEIPAL_ENGINE_NORMALIZER_H_
