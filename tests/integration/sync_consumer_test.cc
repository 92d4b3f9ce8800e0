// The change log from a consumer's side (DESIGN.md section 4): a hire shows
// up in `changes --event hired` and in the `hires` view, `ack` moves the
// offset and never backwards, `prune` drops what every consumer has read,
// and the first load's rows are snapshots except a hire made while it ran
// (issue 4).
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "support/mirror_oracle.h"

namespace ceipal::test {
namespace {

using ::testing::IsEmpty;

const std::vector<std::string> kDataset = {
    "--seed",       "47", "--applicants", "90", "--jobs",    "10",
    "--interviews", "12", "--placements", "8",  "--clients", "6",
    "--users",      "5"};

constexpr const char* kEveryRun =
    R"("inactive_jobs_minutes": 0, "full_refresh_minutes": 0)";

struct Hire {
  std::string submission;
  std::string applicant;
  std::string job;
};

// Submissions not yet hired, of a live applicant and job, in truth order.
std::vector<Hire> HireCandidates(SyncHarness& world) {
  std::vector<Hire> candidates;
  rapidjson::Document truth = FetchTruth(world.sandbox(), "submissions");
  for (const auto& record : truth["records"].GetArray()) {
    std::string status = StringField(record, "submission_status");
    std::string pipeline = StringField(record, "pipeline_status");
    Hire hire{StringField(record, "id"), StringField(record, "applicant_id"),
              StringField(record, "job_id")};
    if (status != "Hired" && status != "Placed" && pipeline != "Hired" &&
        pipeline != "Placed" && !hire.applicant.empty() && !hire.job.empty()) {
      candidates.push_back(hire);
    }
  }
  return candidates;
}

void HireNow(SyncHarness& world, const std::string& id,
             int after_requests = 0) {
  world.Mutate(
      fmt::format(R"({{"kind": "hire", "id": "{}", "after_requests": {}}})", id,
                  after_requests));
}

// stdout of `changes`: one JSON object per line and nothing else. A blank
// line is reported once and skipped, so the checks after it still run.
std::vector<rapidjson::Document> JsonLines(const std::string& out) {
  std::vector<rapidjson::Document> lines;
  int64_t blank = 0;
  size_t start = 0;
  while (start < out.size()) {
    size_t end = out.find('\n', start);
    if (end == std::string::npos) {
      ADD_FAILURE() << "the last line has no newline: " << out.substr(start);
      end = out.size();
    }
    std::string line = out.substr(start, end - start);
    start = end + 1;
    if (line.empty()) {
      ++blank;
      continue;
    }
    rapidjson::Document doc;
    doc.Parse(line.c_str());
    if (doc.HasParseError() || !doc.IsObject()) {
      ADD_FAILURE() << "not a JSON object line: '" << line << "'";
      continue;
    }
    lines.push_back(std::move(doc));
  }
  EXPECT_EQ(blank, 0) << "blank lines among " << lines.size()
                      << " JSON lines: not one object per line";
  return lines;
}

const rapidjson::Value* Find(const rapidjson::Document& truth,
                             const std::string& id) {
  for (const auto& record : truth["records"].GetArray()) {
    if (StringField(record, "id") == id) return &record;
  }
  return nullptr;
}

std::string Tomorrow() {
  auto day =
      std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now()) +
      std::chrono::days(1);
  std::chrono::year_month_day date(day);
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()),
                     static_cast<unsigned>(date.day()));
}

int64_t Offset(const SyncHarness& world, const std::string& consumer) {
  return QueryInt(world.db_path(),
                  "SELECT last_seq FROM consumer_offsets WHERE consumer = '" +
                      consumer + "'");
}

TEST(SyncConsumer, HireAppearsInChangesAndInTheHiresView) {
  SyncHarness world(kDataset, kEveryRun);
  world.Sync();
  std::vector<Hire> candidates = HireCandidates(world);
  ASSERT_FALSE(candidates.empty());
  const Hire hire = candidates.front();
  world.AdvanceClock(900);
  HireNow(world, hire.submission);
  world.Sync();

  // changes: JSON lines on stdout only, the hire among them.
  CliResult hired =
      world.Cli({"changes", "--consumer", "payroll", "--event", "hired"});
  ASSERT_EQ(hired.exit_code, 0) << hired.err;
  std::vector<rapidjson::Document> lines = JsonLines(hired.out);
  ASSERT_EQ(lines.size(), 1u) << hired.out;
  EXPECT_EQ(StringField(lines[0], "record_id"), hire.submission);
  EXPECT_EQ(StringField(lines[0], "resource"), "submissions");
  EXPECT_EQ(StringField(lines[0], "event"), "hired");
  EXPECT_EQ(StringField(lines[0], "status_to"), "Hired");
  EXPECT_EQ(StringField(lines[0], "op"), "update");
  ASSERT_TRUE(lines[0].HasMember("snapshot") && lines[0]["snapshot"].IsBool());
  EXPECT_FALSE(lines[0]["snapshot"].GetBool());

  // hires: what payroll needs, as the truth has it.
  rapidjson::Document applicants = FetchTruth(world.sandbox(), "applicants");
  rapidjson::Document jobs = FetchTruth(world.sandbox(), "job_postings");
  const rapidjson::Value* applicant = Find(applicants, hire.applicant);
  const rapidjson::Value* job = Find(jobs, hire.job);
  ASSERT_TRUE(applicant && job);
  auto rows = QueryRows(world.db_path(),
                        "SELECT first_name, last_name, email, job_code, "
                        "job_title, client_name FROM hires WHERE "
                        "submission_id = '" +
                            hire.submission + "'");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["first_name"],
            SqlCell(StringField(*applicant, "firstname")));
  EXPECT_EQ(rows[0]["last_name"], SqlCell(StringField(*applicant, "lastname")));
  EXPECT_EQ(rows[0]["email"], SqlCell(StringField(*applicant, "email")));
  EXPECT_EQ(rows[0]["job_code"], SqlCell(StringField(*job, "job_code")));
  EXPECT_EQ(rows[0]["job_title"], SqlCell(StringField(*job, "position_title")));
  EXPECT_EQ(rows[0]["client_name"], SqlCell(StringField(*job, "client")));
}

TEST(SyncConsumer, AckEmptiesThePendingRowsAndNeverMovesBackwards) {
  SyncHarness world(kDataset, kEveryRun);
  world.Sync();
  std::vector<Hire> candidates = HireCandidates(world);
  ASSERT_GE(candidates.size(), 2u);
  HireNow(world, candidates[0].submission);
  world.Sync();

  CliResult pending = world.Cli({"changes", "--consumer", "payroll"});
  ASSERT_EQ(pending.exit_code, 0) << pending.err;
  std::vector<rapidjson::Document> lines = JsonLines(pending.out);
  ASSERT_FALSE(lines.empty());
  int64_t last = lines.back()["seq"].GetInt64();
  EXPECT_EQ(last, LastSeq(world.db_path()));
  EXPECT_EQ(lines.front()["seq"].GetInt64(), 1);

  CliResult ack = world.Cli(
      {"ack", "--consumer", "payroll", "--seq", std::to_string(last)});
  ASSERT_EQ(ack.exit_code, 0) << ack.err;
  EXPECT_EQ(world.Cli({"changes", "--consumer", "payroll"}).out, "");
  EXPECT_EQ(
      world.Cli({"changes", "--consumer", "payroll", "--event", "hired"}).out,
      "");

  // Backwards changes nothing; past the end is refused.
  CliResult back = world.Cli({"ack", "--consumer", "payroll", "--seq", "1"});
  EXPECT_EQ(back.exit_code, 0) << back.err;
  EXPECT_EQ(Offset(world, "payroll"), last);
  CliResult past = world.Cli(
      {"ack", "--consumer", "payroll", "--seq", std::to_string(last + 50)});
  EXPECT_NE(past.exit_code, 0);
  EXPECT_EQ(Offset(world, "payroll"), last);
  EXPECT_EQ(world.Cli({"changes", "--consumer", "payroll"}).out, "");

  // A new hire is pending again, and only it.
  HireNow(world, candidates[1].submission);
  world.Sync();
  lines = JsonLines(world.Cli({"changes", "--consumer", "payroll"}).out);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(StringField(lines[0], "record_id"), candidates[1].submission);
  EXPECT_GT(lines[0]["seq"].GetInt64(), last);
}

TEST(SyncConsumer, PruneDropsOnlyWhatEveryConsumerAcknowledged) {
  SyncHarness world(kDataset, kEveryRun);
  world.Sync();
  std::vector<Hire> candidates = HireCandidates(world);
  ASSERT_GE(candidates.size(), 2u);
  int64_t payroll_seq = LastSeq(world.db_path());
  HireNow(world, candidates[0].submission);
  world.Sync();
  int64_t analytics_seq = LastSeq(world.db_path());
  ASSERT_GT(analytics_seq, payroll_seq);

  ASSERT_EQ(world
                .Cli({"ack", "--consumer", "payroll", "--seq",
                      std::to_string(payroll_seq)})
                .exit_code,
            0);
  ASSERT_EQ(world
                .Cli({"ack", "--consumer", "analytics", "--seq",
                      std::to_string(analytics_seq)})
                .exit_code,
            0);
  CliResult prune = world.Cli({"prune", "--before", Tomorrow()});
  ASSERT_EQ(prune.exit_code, 0) << prune.err;

  EXPECT_EQ(QueryInt(world.db_path(),
                     fmt::format("SELECT count(*) FROM change_log WHERE seq "
                                 "<= {}",
                                 payroll_seq)),
            0);
  EXPECT_EQ(QueryInt(world.db_path(),
                     fmt::format("SELECT count(*) FROM change_log WHERE seq "
                                 "> {}",
                                 payroll_seq)),
            analytics_seq - payroll_seq)
      << "rows payroll has not read were pruned";

  // Seqs are never reused after a prune.
  HireNow(world, candidates[1].submission);
  world.Sync();
  std::vector<LoggedChange> changes =
      ChangesSince(world.db_path(), analytics_seq);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].record_id, candidates[1].submission);
}

// The first load logs history as snapshots; a hire that fires while the
// load runs is a live hired row, whether the load meets the submission
// before or after the hire.
TEST(SyncConsumer, FirstLoadRowsAreSnapshotsAndAMidLoadHireIsLive) {
  SyncHarness world(kDataset, kEveryRun);
  std::vector<Hire> candidates = HireCandidates(world);
  ASSERT_FALSE(candidates.empty());
  // The job with the greatest id is likely polled last: then the load
  // first meets the submission already hired.
  Hire hire = *std::max_element(
      candidates.begin(), candidates.end(),
      [](const Hire& a, const Hire& b) { return a.job < b.job; });
  HireNow(world, hire.submission, 1);

  world.Sync();
  world.Sync();
  ASSERT_EQ(FetchJournal(world.sandbox()).size(), 1u) << "the hire never fired";

  std::vector<LoggedChange> changes = ChangesSince(world.db_path(), 0);
  int64_t records = 0;
  for (const std::string& resource : MirroredResources()) {
    records += FetchTruth(world.sandbox(), resource)["records"].Size();
  }
  int64_t snapshots = 0;
  std::vector<LoggedChange> live;
  for (const LoggedChange& change : changes) {
    if (change.snapshot) {
      ++snapshots;
      EXPECT_EQ(change.op, "insert");
      EXPECT_FALSE(change.event.has_value()) << change.record_id;
    } else {
      live.push_back(change);
    }
  }
  ASSERT_EQ(live.size(), 1u) << "only the hire is a live change";
  EXPECT_EQ(live[0].record_id, hire.submission);
  EXPECT_EQ(live[0].event, "hired");
  // Every record has one snapshot row, but the submission may have none
  // when the load first met it already hired.
  bool met_hired = live[0].op == "insert";
  EXPECT_EQ(snapshots, records - (met_hired ? 1 : 0));
  ::testing::Test::RecordProperty("first_load_met_the_hire", met_hired);

  CliResult hired =
      world.Cli({"changes", "--consumer", "payroll", "--event", "hired"});
  std::vector<rapidjson::Document> lines = JsonLines(hired.out);
  ASSERT_EQ(lines.size(), 1u) << hired.out;
  EXPECT_EQ(StringField(lines[0], "record_id"), hire.submission);
  EXPECT_EQ(QueryInt(world.db_path(),
                     "SELECT count(*) FROM hires WHERE submission_id = '" +
                         hire.submission + "' AND snapshot = 0"),
            1);
  EXPECT_THAT(
      CompareMirrorWithTruth(world.db_path(), world.sandbox()).mismatches,
      IsEmpty());
}

}  // namespace
}  // namespace ceipal::test
