#include "engine/mirror_writer.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <filesystem>

#include "engine/catalogue.h"
#include "engine/normalizer.h"
#include "state/database.h"

namespace ceipal::engine {
namespace {

class MirrorWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("mirror_writer_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto db = state::Database::Open((dir_ / "m.db").string(),
                                    state::OpenMode::kCreate);
    ASSERT_TRUE(db) << db.error().message;
    db_ = std::move(*db);
    writer_ = std::make_unique<MirrorWriter>(db_->sql(), catalogue_);
    context_.run_id = 1;
    context_.recorded_at = "2026-12-01T00:00:00Z";
    context_.hired_statuses = &hired_;
  }
  void TearDown() override {
    writer_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  NormalizedRecord Record(const std::string& resource,
                          const std::string& json) {
    rapidjson::Document doc;
    doc.Parse(json.c_str());
    auto rec = Normalize(*catalogue_.Find(resource), doc, json, SourceClock{});
    EXPECT_TRUE(rec) << rec.error().message;
    return rec ? *rec : NormalizedRecord{};
  }

  ApplyCounts Apply(const std::string& resource,
                    std::vector<NormalizedRecord> records) {
    const ResourceSpec& spec = *catalogue_.Find(resource);
    std::vector<std::string> ids;
    for (const auto& r : records) ids.push_back(r.id);
    auto stored = writer_->Lookup(spec, ids);
    EXPECT_TRUE(stored);
    auto txn = state::WriteTransaction::Begin(*db_);
    EXPECT_TRUE(txn);
    auto counts = writer_->Apply(spec, records, *stored, context_);
    EXPECT_TRUE(counts) << counts.error().message;
    EXPECT_TRUE(txn->Commit());
    return counts ? *counts : ApplyCounts{};
  }

  int64_t Count(const std::string& sql) {
    SQLite::Statement q(db_->sql(), sql);
    q.executeStep();
    return q.getColumn(0).getInt64();
  }
  std::string Text(const std::string& sql) {
    SQLite::Statement q(db_->sql(), sql);
    if (!q.executeStep() || q.getColumn(0).isNull()) return "<null>";
    return q.getColumn(0).getString();
  }

  static std::string Submission(const std::string& status,
                                const std::string& modified) {
    return R"({"id":"S1=","job_id":"J1=","applicant_id":"A1=",)"
           R"("submission_status":")" +
           status +
           R"(","pipeline_status":"Screening","pay_rate":"65",)"
           R"("modified_date":")" +
           modified + R"(","team":"Blue"})";
  }

  std::filesystem::path dir_;
  Catalogue catalogue_ = DefaultCatalogue();
  std::vector<std::string> hired_ = {"Hired", "Placed"};
  std::unique_ptr<state::Database> db_;
  std::unique_ptr<MirrorWriter> writer_;
  ChangeContext context_;
};

TEST_F(MirrorWriterTest, InsertWritesRowAndOneChangeRow) {
  auto counts = Apply(
      "submissions",
      {Record("submissions", Submission("Submitted", "2026-11-01 10:00:00"))});
  EXPECT_EQ(counts.inserts, 1);
  EXPECT_EQ(Count("SELECT count(*) FROM submissions"), 1);
  EXPECT_EQ(Text("SELECT status FROM submissions"), "Submitted");
  EXPECT_EQ(Text("SELECT modified_at FROM submissions"),
            "2026-11-01T10:00:00Z");
  EXPECT_EQ(Count("SELECT count(*) FROM change_log WHERE op = 'insert'"), 1);
  EXPECT_EQ(Text("SELECT before_json FROM change_log"), "<null>");
  EXPECT_EQ(Text("SELECT value FROM custom_fields WHERE name = 'team'"),
            "Blue");
}

TEST_F(MirrorWriterTest, UnchangedRecordWritesNothing) {
  auto rec =
      Record("submissions", Submission("Submitted", "2026-11-01 10:00:00"));
  Apply("submissions", {rec});
  auto counts = Apply("submissions", {rec});
  EXPECT_EQ(counts.unchanged, 1);
  EXPECT_EQ(counts.changes, 0);
  EXPECT_EQ(Count("SELECT count(*) FROM change_log"), 1);
}

TEST_F(MirrorWriterTest, ChangedFieldIsDiffedWithBeforeAndAfter) {
  Apply(
      "submissions",
      {Record("submissions", Submission("Submitted", "2026-11-01 10:00:00"))});
  auto changed = Submission("Submitted", "2026-11-01 10:00:00");
  changed.replace(changed.find("\"65\""), 4, "\"70\"");
  auto counts = Apply("submissions", {Record("submissions", changed)});
  EXPECT_EQ(counts.updates, 1);
  EXPECT_EQ(Text("SELECT changed_fields FROM change_log WHERE op = 'update'"),
            R"(["pay_rate"])");
  EXPECT_NE(Text("SELECT before_json FROM change_log WHERE op = 'update'")
                .find(R"("pay_rate":"65")"),
            std::string::npos);
  EXPECT_NE(Text("SELECT after_json FROM change_log WHERE op = 'update'")
                .find(R"("pay_rate":"70")"),
            std::string::npos);
  EXPECT_EQ(Text("SELECT event FROM change_log WHERE op = 'update'"), "<null>");
}

TEST_F(MirrorWriterTest, StatusEnteringHiredSetIsAHire) {
  Apply(
      "submissions",
      {Record("submissions", Submission("Submitted", "2026-11-01 10:00:00"))});
  auto counts = Apply(
      "submissions",
      {Record("submissions", Submission("hired", "2026-11-02 10:00:00"))});
  EXPECT_EQ(counts.hires, 1);
  EXPECT_EQ(Text("SELECT event || ':' || status_from || '>' || status_to "
                 "FROM change_log WHERE op = 'update'"),
            "hired:Submitted>hired");
}

TEST_F(MirrorWriterTest, OtherStatusMoveIsStatusChanged) {
  Apply(
      "submissions",
      {Record("submissions", Submission("Submitted", "2026-11-01 10:00:00"))});
  Apply("submissions",
        {Record("submissions", Submission("Rejected", "2026-11-02 10:00:00"))});
  EXPECT_EQ(Text("SELECT event FROM change_log WHERE op = 'update'"),
            "status_changed");
}

TEST_F(MirrorWriterTest, HiredToPlacedIsNotASecondHire) {
  Apply("submissions",
        {Record("submissions", Submission("Hired", "2026-11-01 10:00:00"))});
  auto counts = Apply(
      "submissions",
      {Record("submissions", Submission("Placed", "2026-11-02 10:00:00"))});
  EXPECT_EQ(counts.hires, 0);
  EXPECT_EQ(Text("SELECT event FROM change_log WHERE op = 'update'"),
            "status_changed");
}

TEST_F(MirrorWriterTest, FirstSeenAlreadyHiredAfterLoadIsAHire) {
  auto counts = Apply(
      "submissions",
      {Record("submissions", Submission("Hired", "2026-11-01 10:00:00"))});
  EXPECT_EQ(counts.hires, 1);
  EXPECT_EQ(Count("SELECT snapshot FROM change_log"), 0);
}

TEST_F(MirrorWriterTest, FirstLoadRowsAreSnapshotsUnlessChangedDuringLoad) {
  context_.first_load = true;
  context_.live_after_unix = 1761998400;  // 2025-11-01T12:00:00Z
  auto old_hire =
      Record("submissions", Submission("Hired", "2025-11-01 10:00:00"));
  auto new_hire =
      Record("submissions", Submission("Hired", "2025-11-01 13:00:00"));
  new_hire.id = "S2=";
  auto counts = Apply("submissions", {old_hire, new_hire});
  EXPECT_EQ(counts.hires, 1);
  EXPECT_EQ(Text("SELECT snapshot FROM change_log WHERE record_id = 'S1='"),
            "1");
  EXPECT_EQ(Text("SELECT snapshot || event FROM change_log "
                 "WHERE record_id = 'S2='"),
            "0hired");
}

TEST_F(MirrorWriterTest, DuplicateIdInOnePageIsDiffedAgainstTheFirst) {
  auto first =
      Record("submissions", Submission("Submitted", "2026-11-01 10:00:00"));
  auto second =
      Record("submissions", Submission("Hired", "2026-11-01 10:00:01"));
  auto counts = Apply("submissions", {first, first, second});
  EXPECT_EQ(counts.inserts, 1);
  EXPECT_EQ(counts.unchanged, 1);
  EXPECT_EQ(counts.updates, 1);
  EXPECT_EQ(Count("SELECT count(*) FROM change_log"), 2);
}

TEST_F(MirrorWriterTest, DeleteTombstonesAndAReturnIsAnUndelete) {
  auto rec =
      Record("submissions", Submission("Submitted", "2026-11-01 10:00:00"));
  Apply("submissions", {rec});
  auto txn = state::WriteTransaction::Begin(*db_);
  ASSERT_TRUE(txn);
  auto deleted =
      writer_->Delete(*catalogue_.Find("submissions"), "S1=", context_);
  ASSERT_TRUE(deleted && *deleted);
  ASSERT_TRUE(txn->Commit());
  EXPECT_EQ(Text("SELECT deleted_at FROM submissions"), "2026-12-01T00:00:00Z");

  auto counts = Apply("submissions", {rec});
  EXPECT_EQ(counts.undeletes, 1);
  EXPECT_EQ(Text("SELECT group_concat(op) FROM change_log"),
            "insert,delete,undelete");
  EXPECT_EQ(Text("SELECT deleted_at FROM submissions"), "<null>");
}

// A run may delete before it applies anything: a resumed sweep whose pages
// were all read by a killed run only confirms. A fresh writer must manage.
TEST_F(MirrorWriterTest, DeleteIsTheFirstWriteOfAFreshWriter) {
  Apply(
      "submissions",
      {Record("submissions", Submission("Submitted", "2026-11-01 10:00:00"))});
  writer_ = std::make_unique<MirrorWriter>(db_->sql(), catalogue_);
  context_.run_id = 2;
  auto txn = state::WriteTransaction::Begin(*db_);
  ASSERT_TRUE(txn);
  auto deleted =
      writer_->Delete(*catalogue_.Find("submissions"), "S1=", context_);
  ASSERT_TRUE(deleted) << deleted.error().message;
  EXPECT_TRUE(*deleted);
  ASSERT_TRUE(txn->Commit());
  EXPECT_EQ(Text("SELECT group_concat(op) FROM change_log"), "insert,delete");
  EXPECT_EQ(Count("SELECT count(*) FROM change_log WHERE run_id = 2"), 1);
}

TEST_F(MirrorWriterTest, ChildRowsFollowTheirParent) {
  std::string job =
      R"({"id":"J1=","job_code":"JPC - 1","position_title":"Dev",)"
      R"("job_status":"Active","modified":"2026-11-01T10:00:00Z",)"
      R"("pay_rates":[{"pay_rate":"60-70","min_pay_rate":"60",)"
      R"("max_pay_rate":"N/A","pay_rate_currency":"USD"}]})";
  Apply("job_postings", {Record("job_postings", job)});
  EXPECT_EQ(Count("SELECT count(*) FROM job_pay_rates WHERE job_id = 'J1='"),
            1);
  EXPECT_EQ(Text("SELECT min_pay_rate FROM job_pay_rates"), "60.0");
  EXPECT_EQ(Text("SELECT max_pay_rate FROM job_pay_rates"), "<null>");

  std::string two = job;
  two.replace(two.find("}]}"), 3,
              R"(},{"pay_rate":"80","pay_rate_currency":"EUR"}]})");
  Apply("job_postings", {Record("job_postings", two)});
  EXPECT_EQ(Count("SELECT count(*) FROM job_pay_rates"), 2);
  EXPECT_EQ(Text("SELECT changed_fields FROM change_log WHERE op = 'update'"),
            R"(["job_pay_rates"])");
}

}  // namespace
}  // namespace ceipal::engine
