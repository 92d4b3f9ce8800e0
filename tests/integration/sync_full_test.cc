// A full sync of every resource from the sandbox, over real HTTP into a real
// SQLite file, checked against the sandbox's ground truth by the test's own
// oracle, and the soundness of the database it leaves (issue 3).
#include <SQLiteCpp/SQLiteCpp.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <sys/stat.h>

#include <set>
#include <string>
#include <vector>

#include "support/mirror_oracle.h"

namespace ceipal::test {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

// Small, but with every resource, nested arrays and sentinels present.
const std::vector<std::string> kDataset = {
    "--seed",       "7",  "--applicants", "130", "--jobs",    "16",
    "--interviews", "30", "--placements", "20",  "--clients", "9",
    "--users",      "8"};

TEST(SyncFull, MirrorEqualsGroundTruthColumnByColumn) {
  SyncHarness world(kDataset, R"("inactive_jobs_minutes": 0)");
  world.Sync();

  MirrorComparison diff =
      CompareMirrorWithTruth(world.db_path(), world.sandbox());
  EXPECT_THAT(diff.mismatches, IsEmpty());

  // The comparison must have covered what it claims to.
  for (const std::string& resource : MirroredResources()) {
    EXPECT_GT(diff.records[resource], 0) << resource << " compared nothing";
  }
  EXPECT_EQ(diff.records["applicants"], 130);
  EXPECT_EQ(diff.records["job_postings"], 16);
  EXPECT_GT(diff.child_rows, 0);
  EXPECT_GT(diff.custom_values, 0);
  EXPECT_GT(diff.sentinel_nulls, 0);
  EXPECT_GT(diff.iso_timestamps, 0);
  EXPECT_GT(diff.naive_timestamps, 0);
  EXPECT_GT(QueryInt(world.db_path(), "SELECT count(*) FROM job_pay_rates"), 0);
  EXPECT_GT(QueryInt(world.db_path(), "SELECT count(*) FROM client_contacts"),
            0);
}

// The oracle itself must notice a wrong mirror, or every test built on it
// could pass without comparing anything.
TEST(SyncFull, OracleNoticesATamperedMirror) {
  SyncHarness world(kDataset);
  world.Sync();
  ASSERT_THAT(
      CompareMirrorWithTruth(world.db_path(), world.sandbox()).mismatches,
      IsEmpty());

  {
    SQLite::Database db(world.db_path(), SQLite::OPEN_READWRITE);
    db.exec(
        "UPDATE applicants SET city = 'Atlantis' WHERE id = (SELECT min(id) "
        "FROM applicants)");
    db.exec(
        "DELETE FROM job_pay_rates WHERE rowid = (SELECT min(rowid) FROM "
        "job_pay_rates)");
    db.exec(
        "INSERT INTO custom_fields VALUES ('clients', (SELECT min(id) FROM "
        "clients), 'invented', 'x')");
  }
  std::vector<std::string> mismatches =
      CompareMirrorWithTruth(world.db_path(), world.sandbox()).mismatches;
  std::string all;
  for (const auto& line : mismatches) all += line + "\n";
  EXPECT_THAT(all, HasSubstr("Atlantis"));
  EXPECT_THAT(all, HasSubstr("job_pay_rates: expected"));
  EXPECT_THAT(all, HasSubstr("'invented'"));
}

TEST(SyncFull, DatabaseIsSoundAfterSync) {
  SyncHarness world(kDataset);
  world.Sync();

  EXPECT_EQ(QueryValue(world.db_path(), "PRAGMA integrity_check"),
            SqlCell(std::string("ok")));
  EXPECT_THAT(QueryRows(world.db_path(), "PRAGMA foreign_key_check"),
              IsEmpty());

  struct stat info {};
  ASSERT_EQ(::stat(world.db_path().c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u) << "the mirror may hold personal data";
}

// The SQL contract of DESIGN.md sections 3 and 4, written out here so that
// a renamed column fails this test.
TEST(SyncFull, EveryContractTableAndColumnExists) {
  SyncHarness world(kDataset);
  world.Sync();

  const std::vector<std::string> kCommon = {"id",           "raw_json",
                                            "modified_at",  "first_seen_at",
                                            "last_seen_at", "deleted_at"};
  const std::vector<std::pair<std::string, std::vector<std::string>>> kTables =
      {
          {"applicants",
           {"applicant_number", "first_name", "middle_name", "last_name",
            "email", "mobile_phone", "city", "state", "country", "job_title",
            "skills", "source", "status", "work_authorization", "created_by",
            "created_at"}},
          {"job_postings",
           {"job_code", "title", "public_title", "status", "employment_type",
            "client_name", "business_unit_id", "city", "state", "country",
            "positions", "primary_recruiter", "start_date", "end_date",
            "created_at"}},
          {"submissions",
           {"job_id", "applicant_id", "status", "pipeline_status", "source",
            "submitted_by", "submitted_at", "pay_rate"}},
          {"interviews",
           {"submission_id", "job_id", "applicant_id", "round", "type",
            "status", "scheduled_at", "interviewer", "created_at"}},
          {"placements",
           {"applicant_id", "job_id", "employee_name", "employee_number",
            "email", "status", "start_date", "end_date", "client_name",
            "created_at"}},
          {"clients",
           {"name", "status", "industry", "category", "city", "state",
            "country", "created_at"}},
          {"users",
           {"display_name", "email", "first_name", "last_name", "role",
            "status"}},
      };
  const std::vector<std::pair<std::string, std::vector<std::string>>> kOthers =
      {
          {"job_pay_rates",
           {"job_id", "ordinal", "pay_rate", "min_pay_rate", "max_pay_rate",
            "currency", "frequency", "employment_type"}},
          {"client_contacts",
           {"id", "client_id", "first_name", "last_name", "email", "phone"}},
          {"custom_fields", {"resource", "record_id", "name", "value"}},
          {"change_log",
           {"seq", "run_id", "resource", "record_id", "op", "event",
            "status_from", "status_to", "changed_fields", "before_json",
            "after_json", "source_modified_at", "recorded_at", "snapshot"}},
          {"consumer_offsets", {"consumer", "last_seq", "updated_at"}},
      };

  auto columns_of = [&](const std::string& table) {
    std::set<std::string> names;
    for (auto& row :
         QueryRows(world.db_path(),
                   "SELECT name FROM pragma_table_info('" + table + "')")) {
      names.insert(std::get<std::string>(row["name"]));
    }
    return names;
  };
  auto expect_columns = [&](const std::string& table,
                            const std::vector<std::string>& wanted) {
    std::set<std::string> present = columns_of(table);
    EXPECT_FALSE(present.empty()) << "no table " << table;
    for (const std::string& column : wanted) {
      EXPECT_TRUE(present.count(column)) << table << "." << column;
    }
  };
  for (const auto& [table, columns] : kTables) {
    expect_columns(table, kCommon);
    expect_columns(table, columns);
  }
  for (const auto& [table, columns] : kOthers) expect_columns(table, columns);
  EXPECT_EQ(QueryInt(world.db_path(),
                     "SELECT count(*) FROM sqlite_master WHERE type = 'view' "
                     "AND name = 'hires'"),
            1);
}

TEST(SyncFull, StatusJsonShowsTheCounts) {
  SyncHarness world(kDataset);
  world.Sync();

  CliResult status = world.Cli({"status", "--json"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  rapidjson::Document doc;
  doc.Parse(status.out.c_str());
  ASSERT_FALSE(doc.HasParseError()) << status.out;
  ASSERT_TRUE(doc.IsObject() && doc.HasMember("resources") &&
              doc["resources"].IsArray())
      << status.out;

  std::set<std::string> shown;
  for (const auto& entry : doc["resources"].GetArray()) {
    std::string resource = StringField(entry, "resource");
    shown.insert(resource);
    rapidjson::Document truth = FetchTruth(world.sandbox(), resource);
    ASSERT_TRUE(entry.HasMember("live") && entry["live"].IsInt64()) << resource;
    EXPECT_EQ(entry["live"].GetInt64(),
              static_cast<int64_t>(truth["records"].Size()))
        << resource;
  }
  for (const std::string& resource : MirroredResources()) {
    EXPECT_TRUE(shown.count(resource)) << resource << " not in status";
  }
  ASSERT_TRUE(doc.HasMember("runs") && doc["runs"].IsArray());
  ASSERT_FALSE(doc["runs"].Empty());
  EXPECT_EQ(StringField(doc["runs"][0], "status"), "ok");
}

}  // namespace
}  // namespace ceipal::test
