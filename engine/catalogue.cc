#include "engine/catalogue.h"

#include <algorithm>

namespace ceipal::engine {
namespace {

FieldMap Text(std::string column, std::string path) {
  return {std::move(column), std::move(path), FieldType::kText};
}
FieldMap Text(const std::string& column) { return Text(column, column); }
FieldMap Integer(std::string column, std::string path) {
  return {std::move(column), std::move(path), FieldType::kInteger};
}
FieldMap Real(std::string column, std::string path) {
  return {std::move(column), std::move(path), FieldType::kReal};
}
FieldMap Timestamp(std::string column, std::string path) {
  return {std::move(column), std::move(path), FieldType::kTimestamp};
}
FieldMap Date(std::string column, std::string path) {
  return {std::move(column), std::move(path), FieldType::kDate};
}

ResourceSpec Applicants() {
  ResourceSpec spec;
  spec.name = "applicants";
  spec.list_path = "/v2/getApplicantsList/";
  spec.detail_path = "/v2/getApplicantDetails/{id}/";
  spec.modified_field = "modified_date";
  spec.status_columns = {"status"};
  spec.columns = {
      Text("applicant_number", "applicant_id"),
      Text("first_name", "firstname"),
      Text("middle_name", "middlename"),
      Text("last_name", "lastname"),
      Text("email"),
      Text("mobile_phone", "mobile_number"),
      Text("city"),
      Text("state"),
      Text("country"),
      Text("job_title"),
      Text("skills"),
      Text("source"),
      Text("status", "applicant_status"),
      Text("work_authorization"),
      Text("created_by"),
      Timestamp("created_at", "created_at"),
  };
  return spec;
}

ResourceSpec JobPostings() {
  ResourceSpec spec;
  spec.name = "job_postings";
  spec.list_path = "/v2/getJobPostingsList/";
  spec.detail_path = "/v2/getJobPostingDetails/{id}/";
  spec.modified_field = "modified";
  spec.status_columns = {"status"};
  spec.columns = {
      Text("job_code"),
      Text("title", "position_title"),
      Text("public_title", "public_job_title"),
      Text("status", "job_status"),
      Text("employment_type"),
      Integer("business_unit_id", "business_unit_id"),
      Text("city"),
      Text("state"),
      Text("country"),
      Integer("positions", "number_of_positions"),
      Text("primary_recruiter"),
      Date("start_date", "job_start_date"),
      Date("end_date", "job_end_date"),
      Timestamp("created_at", "created"),
  };
  // The list omits the client; the detail record names it.
  spec.detail_columns = {Text("client_name", "client")};
  spec.children = {{
      .table = "job_pay_rates",
      .array_field = "pay_rates",
      .parent_column = "job_id",
      .has_ordinal = true,
      .columns =
          {
              Text("pay_rate"),
              Real("min_pay_rate", "min_pay_rate"),
              Real("max_pay_rate", "max_pay_rate"),
              Text("currency", "pay_rate_currency"),
              Text("frequency", "pay_rate_pay_frequency_type"),
              Text("employment_type", "pay_rate_employment_type"),
          },
  }};
  return spec;
}

ResourceSpec Submissions() {
  ResourceSpec spec;
  spec.name = "submissions";
  spec.list_path = "/v2/getSubmissionsList/";
  spec.detail_path = "/v2/getSubmissionDetails/{id}/";
  spec.modified_field = "modified_date";
  spec.status_columns = {"status", "pipeline_status"};
  spec.tracks_hires = true;
  spec.parent = "job_postings";
  spec.parent_param = "jobId";
  spec.columns = {
      Text("job_id"),
      Text("applicant_id"),
      Text("status", "submission_status"),
      Text("pipeline_status"),
      Text("source"),
      Text("submitted_by"),
      Timestamp("submitted_at", "submitted_on"),
      Text("pay_rate"),
  };
  return spec;
}

ResourceSpec Interviews() {
  ResourceSpec spec;
  spec.name = "interviews";
  spec.list_path = "/v2/getInterviewsList/";
  spec.detail_path = "/v2/getInterviewDetails/{id}/";
  spec.modified_field = "modified";
  spec.status_columns = {"status"};
  spec.columns = {
      Text("submission_id"),
      Text("job_id"),
      Text("applicant_id"),
      Text("round", "interview_round"),
      Text("type", "interview_type"),
      Text("status", "interview_status"),
      Timestamp("scheduled_at", "interview_date"),
      Text("interviewer"),
      Timestamp("created_at", "created"),
  };
  return spec;
}

ResourceSpec Placements() {
  ResourceSpec spec;
  spec.name = "placements";
  spec.list_path = "/v2/getPlacementsList/";
  spec.detail_path = "/v2/getPlacementDetails/{id}/";
  spec.modified_field = "modified";
  spec.status_columns = {"status"};
  // The dates, the client and the pay sit in one-item nested arrays.
  spec.columns = {
      Text("applicant_id"),
      Text("job_id"),
      Text("employee_name"),
      Text("employee_number"),
      Text("email"),
      Text("status", "placement_status"),
      Date("start_date", "placement_details.0.job_start_date"),
      Date("end_date", "placement_details.0.job_end_date"),
      Text("client_name", "client_details.0.client_name"),
      Text("pay_rate", "payment_details.0.pay_rate"),
      Text("bill_rate", "payment_details.0.bill_rate"),
      Text("currency", "payment_details.0.currency"),
      Timestamp("created_at", "created"),
  };
  return spec;
}

ResourceSpec Clients() {
  ResourceSpec spec;
  spec.name = "clients";
  spec.list_path = "/v2/getClientsList/";
  spec.detail_path = "/v2/getClientDetails/{id}/";
  spec.modified_field = "updated_at";
  spec.status_columns = {"status"};
  spec.columns = {
      Text("name"),
      Text("status"),
      Text("industry", "industry_exp"),
      Text("category"),
      Text("city"),
      Text("state"),
      Text("country"),
      Timestamp("created_at", "created_at"),
  };
  spec.children = {{
      .table = "client_contacts",
      .array_field = "contacts",
      .parent_column = "client_id",
      .has_ordinal = false,
      .columns = {Text("id"), Text("first_name"), Text("last_name"),
                  Text("email"), Text("phone")},
  }};
  return spec;
}

ResourceSpec Users() {
  ResourceSpec spec;
  spec.name = "users";
  spec.list_path = "/v2/getUsersList/";
  spec.detail_path = "/v2/getUserDetails/{id}/";
  spec.status_columns = {"status"};
  // No modified field and no modifiedAfter: read whole every run.
  spec.refresh = RefreshMode::kFull;
  spec.sortable = false;
  spec.columns = {
      Text("display_name"), Text("email", "email_id"),
      Text("first_name"),   Text("last_name"),
      Text("role"),         Text("status"),
  };
  return spec;
}

// ---- Validation -----------------------------------------------------------

auto ConfigError(std::string_view where, std::string_view why) {
  return Fail(ErrorKind::kConfig,
              "catalogue " + std::string(where) + ": " + std::string(why));
}

// A path is alternatives separated by '|', each segments separated by '.';
// no alternative or segment may be empty.
bool IsValidPath(std::string_view path) {
  if (path.empty()) return false;
  size_t start = 0;
  for (size_t i = 0; i <= path.size(); ++i) {
    if (i == path.size() || path[i] == '|' || path[i] == '.') {
      if (i == start) return false;
      start = i + 1;
    }
  }
  return true;
}

Result<void> ValidateFields(const std::vector<FieldMap>& fields,
                            const std::string& where) {
  for (const FieldMap& field : fields) {
    if (!IsValidPath(field.path)) {
      return ConfigError(where + ".columns." + field.column,
                         "path '" + field.path + "' is empty or malformed");
    }
  }
  return {};
}

Result<void> ValidateSpec(const ResourceSpec& spec) {
  const std::string& where = spec.name;
  if (spec.list_path.empty() || spec.list_path.front() != '/') {
    return ConfigError(where + ".list_path", "must start with '/'");
  }
  if (spec.detail_path.find("{id}") == std::string::npos ||
      spec.detail_path.front() != '/') {
    return ConfigError(where + ".detail_path",
                       "must start with '/' and contain {id}");
  }
  if (!IsValidPath(spec.id_field)) {
    return ConfigError(where + ".id_field", "must name a field");
  }
  if (spec.modified_field.empty() &&
      spec.refresh == RefreshMode::kIncremental) {
    return ConfigError(where + ".modified_field",
                       "an incremental resource needs a modified field");
  }
  if (!spec.modified_field.empty() && !IsValidPath(spec.modified_field)) {
    return ConfigError(where + ".modified_field",
                       "path '" + spec.modified_field + "' is malformed");
  }
  if (auto ok = ValidateFields(spec.columns, where); !ok) return ok;
  if (auto ok = ValidateFields(spec.detail_columns, where); !ok) return ok;
  for (const ChildSpec& child : spec.children) {
    if (!IsValidPath(child.array_field)) {
      return ConfigError(where + ".children." + child.table + ".array_field",
                         "must name a field");
    }
    std::string child_where = where + ".children." + child.table;
    if (auto ok = ValidateFields(child.columns, child_where); !ok) return ok;
  }
  return {};
}

// ---- Overrides ------------------------------------------------------------

Result<std::string> StringValue(const rapidjson::Value& value,
                                const std::string& where) {
  if (!value.IsString()) return ConfigError(where, "expected a string");
  return std::string(value.GetString(), value.GetStringLength());
}

FieldMap* FindColumn(std::vector<FieldMap>& fields, std::string_view column) {
  auto it = std::find_if(fields.begin(), fields.end(),
                         [&](const FieldMap& f) { return f.column == column; });
  return it == fields.end() ? nullptr : &*it;
}

// "columns": {"<mirror column>": "<path>"}, over one or two column lists.
Result<void> OverrideColumns(const rapidjson::Value& value,
                             const std::string& where,
                             std::vector<FieldMap>& columns,
                             std::vector<FieldMap>* detail_columns) {
  if (!value.IsObject()) return ConfigError(where, "expected an object");
  for (const auto& member : value.GetObject()) {
    std::string column(member.name.GetString(), member.name.GetStringLength());
    std::string at = where + "." + column;
    FieldMap* field = FindColumn(columns, column);
    if (field == nullptr && detail_columns != nullptr) {
      field = FindColumn(*detail_columns, column);
    }
    if (field == nullptr) return ConfigError(at, "unknown column");
    auto path = StringValue(member.value, at);
    if (!path) return std::unexpected(path.error());
    field->path = std::move(*path);
  }
  return {};
}

// "children": {"<table>": {"array_field": ..., "columns": {...}}}.
Result<void> OverrideChildren(const rapidjson::Value& value,
                              const std::string& where, ResourceSpec& spec) {
  if (!value.IsObject()) return ConfigError(where, "expected an object");
  for (const auto& member : value.GetObject()) {
    std::string table(member.name.GetString(), member.name.GetStringLength());
    std::string at = where + "." + table;
    auto child =
        std::find_if(spec.children.begin(), spec.children.end(),
                     [&](const ChildSpec& c) { return c.table == table; });
    if (child == spec.children.end()) {
      return ConfigError(at, "unknown child table");
    }
    if (!member.value.IsObject()) return ConfigError(at, "expected an object");
    for (const auto& key : member.value.GetObject()) {
      std::string_view name(key.name.GetString(), key.name.GetStringLength());
      std::string key_at = at + "." + std::string(name);
      if (name == "array_field") {
        auto path = StringValue(key.value, key_at);
        if (!path) return std::unexpected(path.error());
        child->array_field = std::move(*path);
      } else if (name == "columns") {
        auto ok = OverrideColumns(key.value, key_at, child->columns, nullptr);
        if (!ok) return ok;
      } else {
        return ConfigError(key_at, "unknown key");
      }
    }
  }
  return {};
}

// One key of a resource's override object.
Result<void> OverrideKey(std::string_view key, const rapidjson::Value& value,
                         const std::string& at, ResourceSpec& spec) {
  std::string* text_target = nullptr;
  if (key == "list_path") text_target = &spec.list_path;
  if (key == "detail_path") text_target = &spec.detail_path;
  if (key == "id_field") text_target = &spec.id_field;
  if (key == "modified_field") text_target = &spec.modified_field;
  if (key == "parent_param") text_target = &spec.parent_param;
  if (text_target != nullptr) {
    auto text = StringValue(value, at);
    if (!text) return std::unexpected(text.error());
    *text_target = std::move(*text);
    return {};
  }

  if (key == "refresh") {
    auto text = StringValue(value, at);
    if (!text) return std::unexpected(text.error());
    if (*text != "incremental" && *text != "full") {
      return ConfigError(at, "expected \"incremental\" or \"full\"");
    }
    spec.refresh =
        *text == "full" ? RefreshMode::kFull : RefreshMode::kIncremental;
    return {};
  }
  if (key == "sortable") {
    if (!value.IsBool()) return ConfigError(at, "expected true or false");
    spec.sortable = value.GetBool();
    return {};
  }
  if (key == "columns") {
    return OverrideColumns(value, at, spec.columns, &spec.detail_columns);
  }
  if (key == "children") return OverrideChildren(value, at, spec);
  return ConfigError(at, "unknown key");
}

}  // namespace

const ResourceSpec* Catalogue::Find(std::string_view name) const {
  for (const ResourceSpec& spec : resources_) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

Catalogue DefaultCatalogue() {
  return Catalogue({Applicants(), JobPostings(), Submissions(), Interviews(),
                    Placements(), Clients(), Users()});
}

Result<void> ApplyOverrides(Catalogue& catalogue,
                            const rapidjson::Value& overrides) {
  if (!overrides.IsObject()) {
    return ConfigError("override", "expected an object of resources");
  }

  // Work on a copy so that a failure leaves the catalogue as it was.
  std::vector<ResourceSpec> resources = catalogue.resources();
  for (const auto& entry : overrides.GetObject()) {
    std::string name(entry.name.GetString(), entry.name.GetStringLength());
    auto spec =
        std::find_if(resources.begin(), resources.end(),
                     [&](const ResourceSpec& s) { return s.name == name; });
    if (spec == resources.end()) return ConfigError(name, "unknown resource");
    if (!entry.value.IsObject()) return ConfigError(name, "expected an object");
    for (const auto& member : entry.value.GetObject()) {
      std::string_view key(member.name.GetString(),
                           member.name.GetStringLength());
      auto ok =
          OverrideKey(key, member.value, name + "." + std::string(key), *spec);
      if (!ok) return ok;
    }
  }

  for (const ResourceSpec& spec : resources) {
    if (auto ok = ValidateSpec(spec); !ok) return ok;
  }
  catalogue = Catalogue(std::move(resources));
  return {};
}

}  // namespace ceipal::engine
