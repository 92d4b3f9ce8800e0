#include "engine/catalogue.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "schema/migrations.h"

namespace ceipal::engine {
namespace {

// Columns every mirrored table carries for the engine's own bookkeeping,
// which no API field fills.
const std::set<std::string> kBookkeeping = {
    "id",           "raw_json",      "modified_at",
    "content_hash", "first_seen_at", "last_seen_at",
    "deleted_at",   "last_seen_run"};

// Column name -> declared type, for every table of the embedded schema.
class MirrorSchema {
 public:
  MirrorSchema() : db_(":memory:", SQLite::OPEN_READWRITE) {
    for (const schema::Migration& migration : schema::Migrations()) {
      db_.exec(std::string(migration.sql));
    }
  }

  std::map<std::string, std::string> Columns(const std::string& table) {
    std::map<std::string, std::string> columns;
    SQLite::Statement query(db_, "SELECT name, type FROM pragma_table_info(?)");
    query.bind(1, table);
    while (query.executeStep()) {
      columns[query.getColumn(0).getString()] = query.getColumn(1).getString();
    }
    return columns;
  }

 private:
  SQLite::Database db_;
};

std::string SqlType(FieldType type) {
  switch (type) {
    case FieldType::kInteger:
      return "INTEGER";
    case FieldType::kReal:
      return "REAL";
    default:
      return "TEXT";
  }
}

rapidjson::Document Json(const char* text) {
  rapidjson::Document doc;
  doc.Parse(text);
  EXPECT_FALSE(doc.HasParseError()) << text;
  return doc;
}

const FieldMap& Column(const ResourceSpec& spec, const std::string& column) {
  for (const auto* list : {&spec.columns, &spec.detail_columns}) {
    for (const FieldMap& field : *list) {
      if (field.column == column) return field;
    }
  }
  ADD_FAILURE() << spec.name << " has no column " << column;
  static const FieldMap kNone{};
  return kNone;
}

TEST(Catalogue, EveryColumnExistsInTheMirrorWithItsType) {
  MirrorSchema schema;
  Catalogue catalogue = DefaultCatalogue();
  for (const ResourceSpec& spec : catalogue.resources()) {
    auto table = schema.Columns(spec.name);
    ASSERT_FALSE(table.empty()) << "no mirror table " << spec.name;
    for (const auto* list : {&spec.columns, &spec.detail_columns}) {
      for (const FieldMap& field : *list) {
        ASSERT_TRUE(table.contains(field.column))
            << spec.name << "." << field.column;
        EXPECT_EQ(table[field.column], SqlType(field.type))
            << spec.name << "." << field.column;
      }
    }
    for (const std::string& status : spec.status_columns) {
      EXPECT_TRUE(table.contains(status)) << spec.name << "." << status;
    }
    for (const std::string& column : kBookkeeping) {
      EXPECT_TRUE(table.contains(column)) << spec.name << "." << column;
    }

    for (const ChildSpec& child : spec.children) {
      auto child_table = schema.Columns(child.table);
      ASSERT_FALSE(child_table.empty()) << "no mirror table " << child.table;
      EXPECT_TRUE(child_table.contains(child.parent_column)) << child.table;
      EXPECT_EQ(child_table.contains("ordinal"), child.has_ordinal)
          << child.table;
      for (const FieldMap& field : child.columns) {
        ASSERT_TRUE(child_table.contains(field.column))
            << child.table << "." << field.column;
        EXPECT_EQ(child_table[field.column], SqlType(field.type))
            << child.table << "." << field.column;
      }
    }
  }
}

TEST(Catalogue, MapsEveryDataColumnOfTheMirror) {
  MirrorSchema schema;
  Catalogue catalogue = DefaultCatalogue();
  for (const ResourceSpec& spec : catalogue.resources()) {
    std::set<std::string> mapped;
    for (const auto* list : {&spec.columns, &spec.detail_columns}) {
      for (const FieldMap& field : *list) {
        EXPECT_TRUE(mapped.insert(field.column).second)
            << spec.name << "." << field.column << " mapped twice";
      }
    }
    for (const auto& [column, type] : schema.Columns(spec.name)) {
      if (kBookkeeping.contains(column)) continue;
      EXPECT_TRUE(mapped.contains(column))
          << spec.name << "." << column << " is filled by nothing";
    }
    for (const ChildSpec& child : spec.children) {
      std::set<std::string> child_mapped = {child.parent_column};
      if (child.has_ordinal) child_mapped.insert("ordinal");
      for (const FieldMap& field : child.columns) {
        child_mapped.insert(field.column);
      }
      for (const auto& [column, type] : schema.Columns(child.table)) {
        EXPECT_TRUE(child_mapped.contains(column))
            << child.table << "." << column << " is filled by nothing";
      }
    }
  }
}

TEST(Catalogue, DescribesTheSevenResourcesOfTheApiContract) {
  Catalogue catalogue = DefaultCatalogue();
  std::vector<std::string> names;
  for (const ResourceSpec& spec : catalogue.resources()) {
    names.push_back(spec.name);
    EXPECT_NE(spec.detail_path.find("{id}"), std::string::npos) << spec.name;
    EXPECT_EQ(spec.list_path.rfind("/v2/", 0), 0u) << spec.name;
    EXPECT_EQ(spec.list_path.back(), '/') << spec.name;
    EXPECT_EQ(spec.detail_path.back(), '/') << spec.name;
  }
  EXPECT_EQ(names, (std::vector<std::string>{
                       "applicants", "job_postings", "submissions",
                       "interviews", "placements", "clients", "users"}));

  std::map<std::string, std::string> modified = {
      {"applicants", "modified_date"},
      {"job_postings", "modified"},
      {"submissions", "modified_date"},
      {"interviews", "modified"},
      {"placements", "modified"},
      {"clients", "updated_at"},
      {"users", ""}};
  for (const auto& [name, field] : modified) {
    EXPECT_EQ(catalogue.Find(name)->modified_field, field) << name;
  }
}

TEST(Catalogue, ReadsUsersWholeEveryRun) {
  Catalogue catalogue = DefaultCatalogue();
  const ResourceSpec* users = catalogue.Find("users");
  ASSERT_NE(users, nullptr);
  EXPECT_EQ(users->refresh, RefreshMode::kFull);
  EXPECT_FALSE(users->sortable);
  EXPECT_EQ(Column(*users, "email").path, "email_id");
}

TEST(Catalogue, ListsSubmissionsPerJob) {
  Catalogue catalogue = DefaultCatalogue();
  const ResourceSpec* submissions = catalogue.Find("submissions");
  ASSERT_NE(submissions, nullptr);
  EXPECT_EQ(submissions->parent, "job_postings");
  EXPECT_EQ(submissions->parent_param, "jobId");
  EXPECT_EQ(submissions->status_columns,
            (std::vector<std::string>{"status", "pipeline_status"}));
  for (const ResourceSpec& spec : catalogue.resources()) {
    EXPECT_EQ(spec.tracks_hires, spec.name == "submissions") << spec.name;
  }

  // A parent is synced before the resource listed per parent record.
  auto position = [&](std::string_view name) {
    return catalogue.Find(name) - catalogue.resources().data();
  };
  EXPECT_LT(position("job_postings"), position("submissions"));
}

TEST(Catalogue, FillsTheJobClientFromTheDetailCall) {
  Catalogue catalogue = DefaultCatalogue();
  const ResourceSpec* jobs = catalogue.Find("job_postings");
  ASSERT_NE(jobs, nullptr);
  EXPECT_TRUE(jobs->NeedsDetail());
  ASSERT_EQ(jobs->detail_columns.size(), 1u);
  EXPECT_EQ(jobs->detail_columns[0].column, "client_name");
  EXPECT_EQ(jobs->detail_columns[0].path, "client");
  EXPECT_EQ(jobs->detail_path, "/v2/getJobPostingDetails/{id}/");
  for (const FieldMap& field : jobs->columns) {
    EXPECT_NE(field.column, "client_name");
  }
  EXPECT_FALSE(catalogue.Find("applicants")->NeedsDetail());
}

TEST(Catalogue, FindReturnsNullForAnUnknownResource) {
  Catalogue catalogue = DefaultCatalogue();
  EXPECT_EQ(catalogue.Find("vendors"), nullptr);
  EXPECT_EQ(catalogue.Find(""), nullptr);
  ASSERT_NE(catalogue.Find("clients"), nullptr);
  EXPECT_EQ(catalogue.Find("clients")->name, "clients");
}

TEST(ApplyOverrides, AcceptsAnEmptyObjectAndTheDefaultsAreValid) {
  Catalogue catalogue = DefaultCatalogue();
  auto doc = Json("{}");
  EXPECT_TRUE(ApplyOverrides(catalogue, doc).has_value());
  EXPECT_EQ(catalogue.resources().size(), 7u);
}

TEST(ApplyOverrides, ChangesTheNamedSettingsOnly) {
  Catalogue catalogue = DefaultCatalogue();
  auto doc = Json(R"({
    "applicants": {"modified_field": "modify_date|modified_date",
                   "list_path": "/v2/getApplicants/",
                   "detail_path": "/v2/applicant/{id}/",
                   "id_field": "applicant_key",
                   "columns": {"email": "email_address_1|email"},
                   "sortable": false},
    "job_postings": {"columns": {"client_name": "client_name",
                                 "positions": "openings"}},
    "interviews": {"refresh": "full", "modified_field": ""},
    "submissions": {"parent_param": "job_id"},
    "clients": {"children": {"client_contacts": {
                  "array_field": "contact_list",
                  "columns": {"phone": "mobile"}}}}})");
  auto applied = ApplyOverrides(catalogue, doc);
  ASSERT_TRUE(applied.has_value()) << applied.error().message;

  const ResourceSpec& applicants = *catalogue.Find("applicants");
  EXPECT_EQ(applicants.modified_field, "modify_date|modified_date");
  EXPECT_EQ(applicants.list_path, "/v2/getApplicants/");
  EXPECT_EQ(applicants.detail_path, "/v2/applicant/{id}/");
  EXPECT_EQ(applicants.id_field, "applicant_key");
  EXPECT_EQ(Column(applicants, "email").path, "email_address_1|email");
  EXPECT_EQ(Column(applicants, "first_name").path, "firstname");
  EXPECT_FALSE(applicants.sortable);

  const ResourceSpec& jobs = *catalogue.Find("job_postings");
  EXPECT_EQ(Column(jobs, "client_name").path, "client_name");
  EXPECT_EQ(Column(jobs, "positions").path, "openings");
  EXPECT_EQ(Column(jobs, "positions").type, FieldType::kInteger);

  const ResourceSpec& interviews = *catalogue.Find("interviews");
  EXPECT_EQ(interviews.refresh, RefreshMode::kFull);
  EXPECT_EQ(interviews.modified_field, "");
  EXPECT_EQ(catalogue.Find("submissions")->parent_param, "job_id");

  const ChildSpec& contacts = catalogue.Find("clients")->children[0];
  EXPECT_EQ(contacts.array_field, "contact_list");
  EXPECT_EQ(contacts.columns.back().column, "phone");
  EXPECT_EQ(contacts.columns.back().path, "mobile");
  EXPECT_EQ(contacts.columns.front().path, "id");
}

// Each bad override, and a piece of the message that must name it.
struct BadOverride {
  const char* json;
  const char* named;
};

TEST(ApplyOverrides, RejectsUnknownNamesAndBadValuesNamingThem) {
  const BadOverride cases[] = {
      {R"({"vendors": {}})", "vendors: unknown resource"},
      {R"({"applicants": {"colour": 1}})", "applicants.colour: unknown key"},
      {R"({"applicants": {"columns": {"emial": "email"}}})",
       "applicants.columns.emial: unknown column"},
      {R"({"applicants": {"columns": {"email": 3}}})",
       "applicants.columns.email: expected a string"},
      {R"({"applicants": {"columns": {"email": ""}}})",
       "applicants.columns.email: path '' is empty or malformed"},
      {R"({"applicants": {"columns": {"email": "a||b"}}})",
       "applicants.columns.email: path 'a||b'"},
      {R"({"applicants": {"refresh": "sometimes"}})",
       "applicants.refresh: expected \"incremental\" or \"full\""},
      {R"({"applicants": {"sortable": "yes"}})",
       "applicants.sortable: expected true or false"},
      {R"({"applicants": {"modified_field": ""}})",
       "applicants.modified_field: an incremental resource needs"},
      {R"({"applicants": {"list_path": "getApplicantsList/"}})",
       "applicants.list_path"},
      {R"({"applicants": {"detail_path": "/v2/getApplicantDetails/"}})",
       "applicants.detail_path"},
      {R"({"applicants": []})", "applicants: expected an object"},
      {R"({"clients": {"children": {"contacts": {}}}})",
       "clients.children.contacts: unknown child table"},
      {R"({"clients": {"children": {"client_contacts": {"table": "x"}}}})",
       "clients.children.client_contacts.table: unknown key"},
      {R"({"clients": {"children": {"client_contacts":
            {"columns": {"fax": "fax"}}}}})",
       "clients.children.client_contacts.columns.fax: unknown column"},
      {R"({"clients": {"children": {"client_contacts":
            {"columns": {"phone": "a..b"}}}}})",
       "clients.children.client_contacts.columns.phone: path 'a..b'"},
      {R"({"applicants": {"modified_field": "modified|"}})",
       "applicants.modified_field: path 'modified|' is malformed"},
      {R"({"job_postings": {"children": {"job_pay_rates":
            {"array_field": ""}}}})",
       "job_postings.children.job_pay_rates.array_field"},
      {R"([])", "expected an object of resources"},
  };
  for (const BadOverride& bad : cases) {
    Catalogue catalogue = DefaultCatalogue();
    auto doc = Json(bad.json);
    auto applied = ApplyOverrides(catalogue, doc);
    ASSERT_FALSE(applied.has_value()) << bad.json;
    EXPECT_EQ(applied.error().kind, ErrorKind::kConfig) << bad.json;
    EXPECT_NE(applied.error().message.find(bad.named), std::string::npos)
        << applied.error().message;
    EXPECT_EQ(applied.error().message.rfind("catalogue ", 0), 0u)
        << applied.error().message;
  }
}

TEST(ApplyOverrides, LeavesTheCatalogueUnchangedOnFailure) {
  Catalogue catalogue = DefaultCatalogue();
  auto doc = Json(R"({"applicants": {"list_path": "/v2/elsewhere/"},
                      "users": {"columns": {"nope": "x"}}})");
  ASSERT_FALSE(ApplyOverrides(catalogue, doc).has_value());
  EXPECT_EQ(catalogue.Find("applicants")->list_path, "/v2/getApplicantsList/");
}

}  // namespace
}  // namespace ceipal::engine
