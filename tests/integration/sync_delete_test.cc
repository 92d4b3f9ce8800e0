// Deletes: Ceipal publishes none, so sweeps find them. A record deleted at
// the source is tombstoned with one 'delete' change row within two sweeps,
// and a sweep that is cut short or paged while records move tombstones
// nothing (issue 4, DESIGN.md section 5).
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "support/mirror_oracle.h"

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

}  // namespace
}  // namespace ceipal::test
