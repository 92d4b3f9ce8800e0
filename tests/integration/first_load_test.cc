// The first load's boundary between history and live changes (DESIGN.md
// section 4): whichever resources the first runs read, records already there
// before the load began are snapshots, and none of them is a hire.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/mirror_oracle.h"

namespace ceipal::test {
namespace {

const std::vector<std::string> kDataset = {
    "--seed",       "53", "--applicants", "60", "--jobs",    "12",
    "--interviews", "10", "--placements", "6",  "--clients", "5",
    "--users",      "4"};

TEST(FirstLoad, SubsetFirstRunDoesNotTurnHistoryIntoLiveHires) {
  SyncHarness world(kDataset, R"("inactive_jobs_minutes": 0)");
  int64_t hired_at_source = 0;
  rapidjson::Document truth = FetchTruth(world.sandbox(), "submissions");
  for (const auto& s : truth["records"].GetArray()) {
    std::string status = StringField(s, "submission_status");
    if (status == "Hired" || status == "Placed") ++hired_at_source;
  }
  ASSERT_GT(hired_at_source, 0) << "the dataset has no hired submission";

  world.Sync({"--resources", "users"});
  world.Sync();

  EXPECT_EQ(QueryInt(world.db_path(),
                     "SELECT count(*) FROM change_log WHERE snapshot = 0"),
            0);
  EXPECT_EQ(QueryInt(world.db_path(),
                     "SELECT count(*) FROM change_log WHERE event = 'hired'"),
            0);
  EXPECT_EQ(QueryInt(world.db_path(), "SELECT count(*) FROM hires"), 0);
  EXPECT_GT(QueryInt(world.db_path(), "SELECT count(*) FROM submissions"), 0);
}

TEST(FirstLoad, HireAfterTheLoadIsLive) {
  SyncHarness world(kDataset, R"("inactive_jobs_minutes": 0)");
  world.Sync();
  world.AdvanceClock(60);
  world.Mutate(R"({"kind": "hire", "resource": "submissions", "count": 1})");
  world.Sync();
  EXPECT_EQ(QueryInt(world.db_path(),
                     "SELECT count(*) FROM change_log WHERE event = 'hired' "
                     "AND snapshot = 0"),
            1);
  EXPECT_EQ(QueryInt(world.db_path(), "SELECT count(*) FROM hires"), 1);
}

}  // namespace
}  // namespace ceipal::test
