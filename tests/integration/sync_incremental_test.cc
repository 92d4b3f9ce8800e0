// Incremental sync after mutations of every kind: the following runs write
// exactly one change row per journaled mutation and none else, and the
// mirror equals the ground truth again (issue 4). The traps of DESIGN.md
// section 5 each get a test: the boundary second, bursts bigger than a
// page, pages that drift while read, mutations during a run, both
// timestamp forms and a source clock six hours behind UTC.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <chrono>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "support/mirror_oracle.h"

namespace ceipal::test {
namespace {

using ::testing::IsEmpty;

const std::vector<std::string> kDataset = {
    "--seed",       "23", "--applicants", "140", "--jobs",    "14",
    "--interviews", "24", "--placements", "16",  "--clients", "8",
    "--users",      "7"};

// Every job polled every run, users read every run: each mutation is due
// in the very next run.
constexpr const char* kEveryRun =
    R"("inactive_jobs_minutes": 0, "full_refresh_minutes": 0)";

std::vector<std::string> With(std::vector<std::string> args,
                              const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

std::vector<std::string> Ids(const SyncHarness& world,
                             const std::string& resource) {
  std::vector<std::string> ids;
  rapidjson::Document truth = FetchTruth(world.sandbox(), resource);
  for (const auto& record : truth["records"].GetArray()) {
    ids.push_back(StringField(record, "id"));
  }
  return ids;
}

// Submissions neither status of which is already in the hired set, so a
// hire or place is a real transition.
std::vector<std::string> UnhiredSubmissions(SyncHarness& world) {
  std::vector<std::string> ids;
  rapidjson::Document truth = FetchTruth(world.sandbox(), "submissions");
  for (const auto& record : truth["records"].GetArray()) {
    std::string status = StringField(record, "submission_status");
    std::string pipeline = StringField(record, "pipeline_status");
    if (status != "Hired" && status != "Placed" && pipeline != "Hired" &&
        pipeline != "Placed") {
      ids.push_back(StringField(record, "id"));
    }
  }
  return ids;
}

void MutateById(SyncHarness& world, const std::string& kind,
                const std::string& resource, const std::string& id,
                int after_requests = 0) {
  world.Mutate(fmt::format(
      R"({{"kind": "{}", "resource": "{}", "id": "{}", "after_requests": {}}})",
      kind, resource, id, after_requests));
}

int64_t LastJournalSeq(SyncHarness& world) {
  std::vector<JournalEntry> all = FetchJournal(world.sandbox());
  return all.empty() ? 0 : all.back().seq;
}

// Each journaled mutation of a record with a modified time is logged with
// that time in UTC.
void ExpectSourceTimesInUtc(const std::vector<LoggedChange>& changes,
                            const std::vector<JournalEntry>& journal,
                            int utc_offset_minutes) {
  for (const JournalEntry& entry : journal) {
    if (entry.resource == "users" || entry.kind == "delete") continue;
    auto want = OracleUtc(entry.at, utc_offset_minutes);
    ASSERT_TRUE(want) << entry.at;
    for (const LoggedChange& change : changes) {
      if (change.resource == entry.resource && change.record_id == entry.id) {
        EXPECT_EQ(change.source_modified_at.value_or("NULL"), *want)
            << entry.kind << " of " << entry.resource << " " << entry.id;
      }
    }
  }
}

// Runs `runs` times, then checks the change rows since `seq` against the
// journal since `journal_seq`, and the mirror against the truth.
void ExpectRoundTrip(SyncHarness& world, int64_t seq, int64_t journal_seq,
                     int runs = 1, int utc_offset_minutes = 0) {
  for (int i = 0; i < runs; ++i) world.Sync();
  std::vector<JournalEntry> journal =
      JournalSince(world.sandbox(), journal_seq);
  std::vector<LoggedChange> changes = ChangesSince(world.db_path(), seq);
  ASSERT_FALSE(journal.empty()) << "the test mutated nothing";
  EXPECT_THAT(CompareChangesWithJournal(changes, journal), IsEmpty());
  ExpectSourceTimesInUtc(changes, journal, utc_offset_minutes);
  OracleOptions options;
  options.utc_offset_minutes = utc_offset_minutes;
  EXPECT_THAT(CompareMirrorWithTruth(world.db_path(), world.sandbox(), options)
                  .mismatches,
              IsEmpty());
}

// Edits of every resource, hires, places and new records of every kind.
void MutateEverything(SyncHarness& world) {
  std::vector<std::string> applicants = Ids(world, "applicants");
  std::vector<std::string> submissions = UnhiredSubmissions(world);
  ASSERT_GE(applicants.size(), 3u);
  ASSERT_GE(submissions.size(), 4u);
  for (int i = 0; i < 3; ++i) {
    MutateById(world, "edit", "applicants", applicants[i * 20]);
  }
  for (const char* resource :
       {"job_postings", "clients", "users", "interviews", "placements"}) {
    MutateById(world, "edit", resource, Ids(world, resource).back());
  }
  MutateById(world, "edit", "submissions", submissions[0]);
  MutateById(world, "hire", "submissions", submissions[1]);
  MutateById(world, "hire", "submissions", submissions[2]);
  MutateById(world, "place", "submissions", submissions[3]);

  world.Mutate(R"({"kind": "create", "resource": "applicants", "count": 2})");
  world.Mutate(R"({"kind": "create", "resource": "clients"})");
  world.Mutate(R"({"kind": "create", "resource": "job_postings", "count": 2})");
  world.Mutate(fmt::format(R"({{"kind": "create", "resource": "submissions", )"
                           R"("job_id": "{}", "count": 2}})",
                           Ids(world, "job_postings").front()));
  world.Mutate(R"({"kind": "create", "resource": "interviews"})");
  world.Mutate(R"({"kind": "create", "resource": "placements"})");
}

TEST(SyncIncremental, EveryKindOfMutationGivesOneChangeRowEach) {
  SyncHarness world(kDataset, kEveryRun);
  world.Sync();
  int64_t seq = LastSeq(world.db_path());

  world.AdvanceClock(600);
  MutateEverything(world);
  ExpectRoundTrip(world, seq, 0);

  // The hires and the place are hired events, the edit of a submission not.
  int64_t hired = 0;
  for (const LoggedChange& change : ChangesSince(world.db_path(), seq)) {
    if (change.event == "hired") {
      ++hired;
      EXPECT_EQ(change.resource, "submissions");
      EXPECT_FALSE(change.snapshot);
    }
  }
  EXPECT_GE(hired, 3);
}

// The cursor ends on the second of the last mutations; more mutations in
// that same second must still be seen by the next run.
TEST(SyncIncremental, MutationsInTheCursorsOwnSecondAreSeen) {
  SyncHarness world(kDataset, kEveryRun);
  world.Sync();
  world.AdvanceClock(60);
  std::vector<std::string> applicants = Ids(world, "applicants");
  MutateById(world, "edit", "applicants", applicants[5]);
  MutateById(world, "edit", "clients", Ids(world, "clients")[1]);
  world.Sync();

  // The clock has not moved: these share the cursor's second.
  int64_t seq = LastSeq(world.db_path());
  int64_t journal_seq = LastJournalSeq(world);
  MutateById(world, "edit", "applicants", applicants[6]);
  MutateById(world, "edit", "clients", Ids(world, "clients")[2]);
  MutateById(world, "hire", "submissions", UnhiredSubmissions(world)[0]);
  world.Mutate(R"({"kind": "create", "resource": "placements"})");
  ExpectRoundTrip(world, seq, journal_seq);
}

TEST(SyncIncremental, SameSecondBurstsAreAllSeen) {
  SyncHarness world(kDataset, kEveryRun);
  world.Sync();
  int64_t seq = LastSeq(world.db_path());

  // Seventy records in one second: more than a page of fifty.
  world.AdvanceClock(120);
  world.Mutate(R"({"kind": "burst", "resource": "applicants", "count": 70})");
  world.Mutate(R"({"kind": "burst", "resource": "submissions", "count": 6})");
  world.Mutate(R"({"kind": "burst", "resource": "clients", "count": 3})");
  ExpectRoundTrip(world, seq, 0);

  // And a second burst in that same second, now the cursor's.
  seq = LastSeq(world.db_path());
  int64_t journal_seq = LastJournalSeq(world);
  world.Mutate(R"({"kind": "burst", "resource": "applicants", "count": 55})");
  ExpectRoundTrip(world, seq, journal_seq);
}

// Pages shift under a paged read when records move to its end: the edit
// fires right after the first page of the run is answered.
TEST(SyncIncremental, MutationsDuringPagingAreNotLost) {
  SyncHarness world(kDataset, kEveryRun);
  world.Sync();
  int64_t seq = LastSeq(world.db_path());

  // Seventy-five edits over three seconds: more than one page to read.
  std::vector<std::string> applicants = Ids(world, "applicants");
  ASSERT_GE(applicants.size(), 130u);
  for (int batch = 0; batch < 3; ++batch) {
    world.AdvanceClock(1);
    for (int i = 0; i < 25; ++i) {
      MutateById(world, "edit", "applicants", applicants[batch * 25 + i]);
    }
  }
  // Not yet fired: old records that move to the end while the run pages.
  MutateById(world, "edit", "applicants", applicants[100], 1);
  MutateById(world, "edit", "applicants", applicants[101], 2);
  world.Mutate(
      R"({"kind": "create", "resource": "applicants", "after_requests": 1})");
  world.Mutate(
      R"({"kind": "create", "resource": "applicants", "after_requests": 2})");

  // The run that fires them may or may not see them; the next one must.
  ExpectRoundTrip(world, seq, 0, 2);
  EXPECT_EQ(JournalSince(world.sandbox(), 0).size(), 79u)
      << "a scheduled mutation did not fire";
}

// A first load whose pages drift: records edited or created while it pages
// are in the mirror afterwards as the truth has them.
TEST(SyncIncremental, MutationsDuringTheFirstLoadAreNotLost) {
  SyncHarness world(kDataset, kEveryRun);
  std::vector<std::string> applicants = Ids(world, "applicants");
  std::vector<std::string> clients = Ids(world, "clients");
  MutateById(world, "edit", "applicants", applicants[0], 2);
  MutateById(world, "edit", "applicants", applicants[70], 3);
  world.Mutate(
      R"({"kind": "create", "resource": "applicants", "after_requests": 2})");
  MutateById(world, "edit", "clients", clients[0], 1);

  world.Sync();
  world.Sync();
  EXPECT_EQ(FetchJournal(world.sandbox()).size(), 4u)
      << "a scheduled mutation did not fire";
  EXPECT_THAT(
      CompareMirrorWithTruth(world.db_path(), world.sandbox()).mismatches,
      IsEmpty());
  // Each mutated record has exactly one live (snapshot = 0) row.
  for (const JournalEntry& entry : FetchJournal(world.sandbox())) {
    EXPECT_EQ(QueryInt(world.db_path(),
                       fmt::format("SELECT count(*) FROM change_log WHERE "
                                   "snapshot = 0 AND record_id = '{}'",
                                   entry.id)),
              1)
        << entry.kind << " of " << entry.resource << " " << entry.id;
  }
  EXPECT_EQ(QueryInt(world.db_path(),
                     "SELECT count(*) FROM change_log WHERE snapshot = 0"),
            4);
}

// Mutations that fire while a run is in progress, after their resource (or
// the job of their submission) may already have been read.
TEST(SyncIncremental, MutationsWhileARunIsInProgressAreSeenOnce) {
  SyncHarness world(kDataset, kEveryRun);
  world.Sync();
  int64_t seq = LastSeq(world.db_path());
  world.AdvanceClock(300);

  std::vector<std::string> submissions = UnhiredSubmissions(world);
  MutateById(world, "hire", "submissions", submissions[0], 1);
  MutateById(world, "hire", "submissions", submissions[1], 6);
  MutateById(world, "edit", "submissions", submissions[2], 12);
  MutateById(world, "edit", "applicants", Ids(world, "applicants")[9], 1);
  MutateById(world, "edit", "clients", Ids(world, "clients")[3], 1);
  MutateById(world, "edit", "job_postings", Ids(world, "job_postings")[2], 1);
  MutateById(world, "edit", "interviews", Ids(world, "interviews")[4], 1);
  MutateById(world, "edit", "placements", Ids(world, "placements")[5], 1);
  world.Mutate(
      R"({"kind": "create", "resource": "interviews", "after_requests": 1})");

  ExpectRoundTrip(world, seq, 0, 2);
  EXPECT_EQ(JournalSince(world.sandbox(), 0).size(), 9u)
      << "a scheduled mutation did not fire";
}

TEST(SyncIncremental, SourceClockSixHoursBehindUtcLosesNothing) {
  SyncHarness world(
      With(kDataset, {"--utc-offset", "-06:00"}),
      std::string(kEveryRun) + R"(, "source_utc_offset": "-06:00")");
  world.Sync();
  OracleOptions behind;
  behind.utc_offset_minutes = -360;
  MirrorComparison first =
      CompareMirrorWithTruth(world.db_path(), world.sandbox(), behind);
  EXPECT_THAT(first.mismatches, IsEmpty());
  EXPECT_GT(first.iso_timestamps, 0);
  EXPECT_GT(first.naive_timestamps, 0);

  int64_t seq = LastSeq(world.db_path());
  world.AdvanceClock(3600);
  MutateEverything(world);
  ExpectRoundTrip(world, seq, 0, 1, -360);

  // Again within the same second as the cursor.
  seq = LastSeq(world.db_path());
  int64_t journal_seq = LastJournalSeq(world);
  MutateById(world, "edit", "applicants", Ids(world, "applicants")[77]);
  world.Mutate(R"({"kind": "burst", "resource": "placements", "count": 3})");
  ExpectRoundTrip(world, seq, journal_seq, 1, -360);
}

struct Summary {
  int64_t run_id = -1;
  int64_t requests = -1;
  int64_t jobs_polled = 0;
};

// Reads "run N: ok, R requests" and "submissions: ..., K jobs polled" from
// the run summary.
Summary ParseSummary(const std::string& out) {
  Summary summary;
  std::smatch match;
  if (std::regex_search(out, match,
                        std::regex(R"(run (\d+): ok, (\d+) requests)"))) {
    summary.run_id = std::stoll(match[1]);
    summary.requests = std::stoll(match[2]);
  }
  if (std::regex_search(
          out, match, std::regex(R"(submissions:[^\n]*?(\d+) jobs polled)"))) {
    summary.jobs_polled = std::stoll(match[1]);
  }
  return summary;
}

// The incremental resources of DESIGN.md section 5 read by their own
// cursor, one request each when nothing changed.
constexpr int64_t kIncrementalResources = 5;

TEST(SyncIncremental, NoChangeRunWritesNothingAndCountsItsRequests) {
  SyncHarness world(kDataset, R"("inactive_jobs_minutes": 0)");
  world.Sync();
  int64_t seq = LastSeq(world.db_path());
  int64_t served = DataRequests(world.sandbox());

  CliResult run = world.Sync();
  Summary summary = ParseSummary(run.out);
  ASSERT_GE(summary.run_id, 0) << run.out;
  EXPECT_EQ(LastSeq(world.db_path()), seq) << "a no-change run wrote changes";

  // The count printed, stored and served agree, within the floor.
  EXPECT_EQ(QueryInt(world.db_path(),
                     fmt::format("SELECT requests FROM sync_runs WHERE id = {}",
                                 summary.run_id)),
            summary.requests);
  EXPECT_EQ(DataRequests(world.sandbox()) - served, summary.requests);
  EXPECT_EQ(summary.jobs_polled,
            static_cast<int64_t>(Ids(world, "job_postings").size()))
      << run.out;
  EXPECT_LE(summary.requests, kIncrementalResources + summary.jobs_polled)
      << run.out;
}

// With the default cadence only active jobs' submissions are polled.
TEST(SyncIncremental, NoChangeRunPollsOnlyActiveJobs) {
  SyncHarness world(kDataset);
  world.Sync();
  int64_t seq = LastSeq(world.db_path());

  CliResult run = world.Sync();
  Summary summary = ParseSummary(run.out);
  ASSERT_GE(summary.run_id, 0) << run.out;
  EXPECT_EQ(LastSeq(world.db_path()), seq);

  int64_t active = 0;
  rapidjson::Document jobs = FetchTruth(world.sandbox(), "job_postings");
  for (const auto& job : jobs["records"].GetArray()) {
    std::string status = StringField(job, "job_status");
    active += status == "Active" || status == "Open" || status == "On Hold";
  }
  ASSERT_GT(active, 0);
  ASSERT_LT(active, static_cast<int64_t>(jobs["records"].Size()));
  EXPECT_EQ(summary.jobs_polled, active) << run.out;
  EXPECT_LE(summary.requests, kIncrementalResources + active) << run.out;
}

// A budget too small for every due job polls the least recently polled
// first, so successive runs rotate through all of them before any is
// polled twice.
TEST(SyncIncremental, ABudgetTooSmallForEveryJobRotatesThroughThem) {
  SyncHarness world(kDataset,
                    std::string(kEveryRun) +
                        R"(, "active_job_statuses": ["No Such Status"])");
  world.Sync();
  size_t jobs = Ids(world, "job_postings").size();
  ASSERT_GT(jobs, 10u);
  std::string polled_in =
      "SELECT scope FROM sync_state WHERE resource = 'submissions' AND "
      "last_run_id = (SELECT max(id) FROM sync_runs)";

  std::set<std::string> seen;
  size_t per_run = 5;
  for (size_t run = 0; run < (jobs + per_run - 1) / per_run; ++run) {
    // Poll times are whole seconds: runs in one second would tie.
    std::this_thread::sleep_until(std::chrono::ceil<std::chrono::seconds>(
        std::chrono::system_clock::now()));
    world.Sync({"--resources", "submissions", "--max-requests",
                std::to_string(per_run)});
    auto rows = QueryRows(world.db_path(), polled_in);
    ASSERT_EQ(rows.size(), per_run) << "run " << run;
    for (const auto& row : rows) {
      std::string job = std::get<std::string>(row.at("scope"));
      bool fresh = seen.insert(job).second;
      // Only the last run, short of fresh jobs, may poll one again.
      if (run < jobs / per_run) {
        EXPECT_TRUE(fresh) << job << " polled twice before every job was";
      }
    }
  }
  EXPECT_EQ(seen.size(), jobs);
}

}  // namespace
}  // namespace ceipal::test
