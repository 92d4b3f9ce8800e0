// The resource catalogue: for each Ceipal resource, where it is listed and
// read in detail, how it changes (modified field, refresh mode, parent), and
// which API field fills which mirror column with which type. It is data,
// not code: the normalizer and the scheduler interpret it, and a tenant
// whose API differs overrides entries from the config file instead of
// rebuilding. Ceipal's own field names appear here and nowhere else.
//
// A Catalogue owns its specs by value. It is immutable once built and
// overridden, and may then be shared across threads for reading.
#ifndef CEIPAL_ENGINE_CATALOGUE_H_
#define CEIPAL_ENGINE_CATALOGUE_H_

#include <rapidjson/document.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/error.h"

namespace ceipal::engine {

// The SQL type a column holds and the conversion the normalizer applies.
enum class FieldType {
  kText,       // TEXT as received
  kInteger,    // INTEGER from a number or a numeric string
  kReal,       // REAL from a number or a numeric string
  kTimestamp,  // TEXT "YYYY-MM-DDTHH:MM:SSZ", UTC
  kDate,       // TEXT "YYYY-MM-DD"
};

// One mirror column and the API field that fills it. `path` names a
// top-level field ("firstname") or a nested one through objects and array
// indexes ("placement_details.0.job_start_date"); alternatives separated by
// '|' ("modified_date|modify_date") are tried in order and the first present
// (not missing, not null) wins.
struct FieldMap {
  std::string column;
  std::string path;
  FieldType type;
};

// A child table filled from an array of objects in the record. Each row
// holds the values of `columns` in order; the writer adds `parent_column`
// (the record's id) and, when `has_ordinal`, an `ordinal` column (the item's
// 0-based index in the array). Without an ordinal the first column is the
// row's key within its parent: a row without it, or two rows sharing it,
// make the record malformed.
struct ChildSpec {
  std::string table;
  std::string array_field;  // a path, as in FieldMap
  std::string parent_column;
  bool has_ordinal = false;
  std::vector<FieldMap> columns;
};

// Incremental resources are read with modifiedAfter from their cursor; full
// ones are read whole every run.
enum class RefreshMode { kIncremental, kFull };

struct ResourceSpec {
  std::string name;  // "applicants": also the mirror table
  std::string list_path;
  std::string detail_path;  // contains "{id}"
  std::string id_field = "id";
  std::string modified_field;  // a path, as in FieldMap; "" when none
  std::vector<std::string> status_columns;  // mirror columns with statuses
  // A status entering the configured hired set is a hire (submissions).
  bool tracks_hires = false;
  std::string parent;        // "job_postings": listed once per parent record
  std::string parent_param;  // "jobId": the query parameter naming it
  RefreshMode refresh = RefreshMode::kIncremental;
  bool sortable = true;           // accepts sortBy=modify_date
  std::vector<FieldMap> columns;  // filled from the list item, bind order
  // Filled only by the detail call (detail_path), made once per new or
  // changed record; they follow `columns` in bind order.
  std::vector<FieldMap> detail_columns;
  std::vector<ChildSpec> children;

  bool NeedsDetail() const { return !detail_columns.empty(); }
};

class Catalogue {
 public:
  explicit Catalogue(std::vector<ResourceSpec> resources)
      : resources_(std::move(resources)) {}

  // In the order a run syncs them: parents before the resources listed per
  // parent record.
  const std::vector<ResourceSpec>& resources() const { return resources_; }

  // The spec named `name`, or nullptr.
  const ResourceSpec* Find(std::string_view name) const;

 private:
  std::vector<ResourceSpec> resources_;
};

// The seven resources as ceipal-api.md section 10 describes the API.
Catalogue DefaultCatalogue();

// Applies a tenant's overrides from the config file's "catalogue" object:
//   {"applicants": {"modified_field": "modify_date",
//                   "list_path": "/v2/getApplicantsList/",
//                   "columns": {"email": "email_address_1|email"},
//                   "refresh": "full", "sortable": false},
//    "clients": {"children": {"client_contacts":
//                   {"array_field": "contact_list",
//                    "columns": {"phone": "mobile"}}}}}
// Resource keys: list_path, detail_path, id_field, modified_field (may be ""
// only with refresh "full"), refresh ("incremental" | "full"), sortable,
// parent_param, columns (column -> path, list or detail columns), children.
// Column names and types are the mirror's and cannot change. All or nothing:
// on failure `catalogue` is unchanged and the error is kConfig naming the
// unknown resource, column or key, or the bad value.
Result<void> ApplyOverrides(Catalogue& catalogue,
                            const rapidjson::Value& overrides);

}  // namespace ceipal::engine

#endif  // CEIPAL_ENGINE_CATALOGUE_H_
