// Deletes: Ceipal publishes none, so sweeps find them. A record deleted at
// the source is tombstoned with one 'delete' change row within two sweeps,
// and a sweep that is cut short or paged while records move tombstones
// nothing (issue 4, DESIGN.md section 5).
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <chrono>
#include <csignal>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "support/mirror_oracle.h"
#include "support/sync_inspection.h"
#include "support/sync_process.h"
#include "support/sync_world.h"

namespace ceipal::test {
namespace {

using ::testing::IsEmpty;

const std::vector<std::string> kDataset = {
    "--seed",       "31", "--applicants", "120", "--jobs",    "12",
    "--interviews", "24", "--placements", "12",  "--clients", "8",
    "--users",      "6"};

constexpr const char* kEveryRun =
    R"("inactive_jobs_minutes": 0, "full_refresh_minutes": 0)";

std::string IdAt(SyncHarness& world, const std::string& resource,
                 size_t index) {
  rapidjson::Document truth = FetchTruth(world.sandbox(), resource);
  const auto& records = truth["records"];
  if (index >= records.Size()) {
    ADD_FAILURE() << resource << " has no record " << index;
    return "";
  }
  return StringField(records[static_cast<rapidjson::SizeType>(index)], "id");
}

void Delete(SyncHarness& world, const std::string& resource,
            const std::string& id) {
  world.Mutate(fmt::format(
      R"({{"kind": "delete", "resource": "{}", "id": "{}"}})", resource, id));
}

int64_t Count(const SyncHarness& world, const std::string& sql) {
  return QueryInt(world.db_path(), sql);
}

// The engine stamps last_seen_at and a run's start in whole UTC seconds.
// Waiting for the next second either puts a series of quick runs into one
// second, as a user's back-to-back runs are (see the first test), or puts
// a sweep into a later second than the load it follows.
void WaitForTheNextWallSecond() {
  std::this_thread::sleep_until(std::chrono::ceil<std::chrono::seconds>(
      std::chrono::system_clock::now()));
}

std::vector<std::string> Tombstoned(const SyncHarness& world) {
  std::vector<std::string> ids;
  for (const std::string& resource : MirroredResources()) {
    for (auto& row :
         QueryRows(world.db_path(), "SELECT id FROM " + resource +
                                        " WHERE deleted_at IS NOT NULL")) {
      ids.push_back(resource + " " + std::get<std::string>(row["id"]));
    }
  }
  return ids;
}

// A load and two sweeps right after it, as a user may run them.
TEST(SyncDelete, DeletedRecordsAreTombstonedWithinTwoSweeps) {
  SyncHarness world(kDataset, kEveryRun);
  WaitForTheNextWallSecond();
  world.Sync();
  int64_t seq = LastSeq(world.db_path());

  // A job with submissions (they go with it), a submission of another job
  // (its interviews go with it), and one record of each other resource.
  rapidjson::Document submissions = FetchTruth(world.sandbox(), "submissions");
  const auto& all = submissions["records"];
  ASSERT_GE(all.Size(), 2u);
  std::string job = StringField(all[0], "job_id");
  std::string other;
  for (const auto& submission : all.GetArray()) {
    if (StringField(submission, "job_id") != job) {
      other = StringField(submission, "id");
      break;
    }
  }
  ASSERT_FALSE(other.empty());
  Delete(world, "interviews", IdAt(world, "interviews", 3));
  Delete(world, "placements", IdAt(world, "placements", 2));
  Delete(world, "applicants", IdAt(world, "applicants", 40));
  Delete(world, "clients", IdAt(world, "clients", 5));
  Delete(world, "users", IdAt(world, "users", 4));
  Delete(world, "submissions", other);
  Delete(world, "job_postings", job);

  world.Sync({"--full"});
  world.Sync({"--full"});

  std::vector<JournalEntry> journal = JournalSince(world.sandbox(), 0);
  ASSERT_GE(journal.size(), 8u) << "the job took no submission along";
  std::vector<LoggedChange> changes = ChangesSince(world.db_path(), seq);
  EXPECT_THAT(CompareChangesWithJournal(changes, journal), IsEmpty());
  for (const JournalEntry& entry : journal) {
    EXPECT_EQ(Count(world, fmt::format("SELECT count(*) FROM {} WHERE id = "
                                       "'{}' AND deleted_at IS NOT NULL",
                                       entry.resource, entry.id)),
              1)
        << entry.resource << " " << entry.id << " not tombstoned";
  }
  OracleOptions tombstones;
  tombstones.allow_tombstones = true;
  EXPECT_THAT(
      CompareMirrorWithTruth(world.db_path(), world.sandbox(), tombstones)
          .mismatches,
      IsEmpty());

  // Another sweep neither deletes again nor undeletes.
  seq = LastSeq(world.db_path());
  world.Sync({"--full"});
  EXPECT_EQ(LastSeq(world.db_path()), seq);
}

// A sweep stopped by its request budget, run after run, takes none of the
// records it has not reached yet for deleted; the deleted one is found once
// a read completes.
TEST(SyncDelete, InterruptedSweepsDeleteOnlyWhatIsGone) {
  SyncHarness world(kDataset, kEveryRun);
  world.Sync();
  int64_t seq = LastSeq(world.db_path());
  std::string gone = IdAt(world, "applicants", 17);
  Delete(world, "applicants", gone);
  WaitForTheNextWallSecond();

  for (int run = 0; run < 4; ++run) {
    world.Sync({"--full", "--max-requests", "3"});
    for (const std::string& id : Tombstoned(world)) {
      EXPECT_EQ(id, "applicants " + gone) << "after cut sweep " << run;
    }
  }
  world.Sync({"--full"});
  world.Sync();

  EXPECT_THAT(CompareChangesWithJournal(ChangesSince(world.db_path(), seq),
                                        JournalSince(world.sandbox(), 0)),
              IsEmpty());
  EXPECT_THAT(Tombstoned(world), ::testing::ElementsAre("applicants " + gone));
}

// Records that move while a sweep pages through them (edits and creates
// fire between its pages) are neither taken for deleted nor logged twice,
// while a record really deleted is.
TEST(SyncDelete, SweepOverDriftingPagesDeletesOnlyWhatIsGone) {
  SyncHarness world(kDataset, kEveryRun);
  world.Sync();
  int64_t seq = LastSeq(world.db_path());
  world.AdvanceClock(60);

  Delete(world, "applicants", IdAt(world, "applicants", 5));
  for (int after = 1; after <= 3; ++after) {
    world.Mutate(fmt::format(
        R"({{"kind": "edit", "resource": "applicants", "id": "{}", )"
        R"("after_requests": {}}})",
        IdAt(world, "applicants", static_cast<size_t>(after * 11)), after));
  }
  world.Mutate(
      R"({"kind": "create", "resource": "applicants", "after_requests": 2})");
  WaitForTheNextWallSecond();
  world.Sync({"--full"});
  world.Sync({"--full"});

  std::vector<JournalEntry> journal = JournalSince(world.sandbox(), 0);
  EXPECT_EQ(journal.size(), 5u) << "a scheduled mutation did not fire";
  EXPECT_THAT(
      CompareChangesWithJournal(ChangesSince(world.db_path(), seq), journal),
      IsEmpty());
  OracleOptions tombstones;
  tombstones.allow_tombstones = true;
  EXPECT_THAT(
      CompareMirrorWithTruth(world.db_path(), world.sandbox(), tombstones)
          .mismatches,
      IsEmpty());
  EXPECT_EQ(Tombstoned(world).size(), 1u);
}

// A scheduled sweep cut by its budget goes on run after run from its own
// cursor; the records it met in earlier runs count as seen, so only the
// record deleted at the source is confirmed gone once it completes.
TEST(SyncDelete, SweepResumedAcrossRunsConfirmsOnlyWhatIsGone) {
  SyncHarness world(kDataset,
                    std::string(kEveryRun) + R"(, "sweep_minutes": 0)");
  world.Sync();
  int64_t seq = LastSeq(world.db_path());
  std::string gone = IdAt(world, "applicants", 70);
  Delete(world, "applicants", gone);
  WaitForTheNextWallSecond();

  // One request for the incremental read, the rest for the sweep: pages,
  // then the detail call that confirms the deletion.
  std::string pending =
      "SELECT count(*) FROM sync_state WHERE resource = 'applicants' AND "
      "scope = '#sweep' AND complete = 0";
  world.Sync({"--resources", "applicants", "--max-requests", "3"});
  int runs = 1;
  EXPECT_EQ(Count(world, pending), 1) << "the sweep was not cut";
  EXPECT_THAT(Tombstoned(world), IsEmpty());
  while (Count(world, pending) > 0 && runs < 12) {
    world.Sync({"--resources", "applicants", "--max-requests", "3"});
    ++runs;
  }
  ASSERT_EQ(Count(world, pending), 0) << "the sweep never completed";

  EXPECT_THAT(Tombstoned(world), ::testing::ElementsAre("applicants " + gone));
  EXPECT_THAT(CompareChangesWithJournal(ChangesSince(world.db_path(), seq),
                                        JournalSince(world.sandbox(), 0)),
              IsEmpty());
}

// A scheduled sweep killed at random moments and resumed run after run
// tombstones nothing before it completes, then exactly the record deleted
// at the source. What the killed runs met still counts as seen: their
// sightings commit with their pages and cursor, so the only record asked
// for by id is the deleted one (asked again at most once per kill). One
// request at a time, each taking 20 ms, makes a sweep's 30 pages outlast
// every kill delay, so the kills land inside the sweep on any machine.
TEST(SyncDelete, SweepKilledAndResumedConfirmsOnlyWhatIsGone) {
  reliability::SyncWorld world(
      reliability::SmallDataset(
          {"--seed", "31", "--applicants", "1500", "--latency-ms", "20"}),
      std::string(kEveryRun) +
          R"(, "sweep_minutes": 0, "lookback_seconds": 0, "concurrency": 1)");
  CliResult load = world.Run();
  ASSERT_EQ(load.exit_code, 0) << reliability::RunOutput(load);
  rapidjson::Document truth = FetchTruth(world.sandbox(), "applicants");
  ASSERT_GT(truth["records"].Size(), 700u);
  std::string gone = StringField(truth["records"][700], "id");
  world.Mutate(fmt::format(
      R"({{"kind": "delete", "resource": "applicants", "id": "{}"}})", gone));
  const std::string details = "/v2/getApplicantDetails/{id}/";
  int64_t details_before =
      reliability::SandboxRequests(world.sandbox(), details);

  std::mt19937_64 random(7);
  std::uniform_int_distribution<int> delay(20, 250);
  int kills = 0;
  std::string others = fmt::format(
      "SELECT count(*) FROM applicants WHERE deleted_at IS NOT NULL AND "
      "id <> '{}'",
      gone);
  for (int attempt = 0; attempt < 12; ++attempt) {
    SyncProcess run = world.Start({"--resources", "applicants"});
    std::this_thread::sleep_for(std::chrono::milliseconds(delay(random)));
    if (run.Running()) {
      run.Signal(SIGKILL);
      ++kills;
    }
    run.Wait();
    ASSERT_FALSE(run.timed_out()) << "a resumed run hung";
    ASSERT_EQ(QueryInt(world.db(), others), 0) << "after " << kills << " kills";
  }
  EXPECT_GT(kills, 6) << "the runs ended before they could be killed";
  CliResult last = world.Run({"--resources", "applicants"});
  ASSERT_EQ(last.exit_code, 0) << reliability::RunOutput(last);

  EXPECT_EQ(QueryInt(world.db(), others), 0);
  EXPECT_EQ(QueryInt(world.db(),
                     fmt::format("SELECT count(*) FROM applicants WHERE id = "
                                 "'{}' AND deleted_at IS NOT NULL",
                                 gone)),
            1);
  EXPECT_EQ(QueryInt(world.db(),
                     "SELECT count(*) FROM change_log WHERE op = 'delete'"),
            1);
  int64_t asked =
      reliability::SandboxRequests(world.sandbox(), details) - details_before;
  EXPECT_GE(asked, 1);
  EXPECT_LE(asked, kills + 1);
}

}  // namespace
}  // namespace ceipal::test
