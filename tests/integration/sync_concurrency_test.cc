// How a run spreads its requests (issue 6): independent resources are read
// side by side, never with more requests in flight than `concurrency`; a
// request budget keeps them one after another; refused credentials are
// sent once, however many resources wait for a token. The sandbox's own
// in-flight statistics are the witness: every answer is held back by a
// latency, so requests sent together are seen together.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <string>
#include <vector>

#include "support/cli_runner.h"
#include "support/mirror_oracle.h"
#include "support/sync_inspection.h"

namespace ceipal::test {
namespace {

using ::testing::IsEmpty;

// Every resource a few pages long, answers held back 150 ms.
const std::vector<std::string> kSlowDataset = {
    "--seed",       "11", "--applicants", "160", "--jobs",    "6",
    "--interviews", "40", "--placements", "30",  "--clients", "12",
    "--users",      "9",  "--latency-ms", "150"};

struct InFlight {
  int64_t peak = 0;
  int64_t peak_endpoints = 0;
};

InFlight SandboxInFlight(const FakeCeipalProcess& sandbox) {
  HttpResult answer = sandbox.ControlGet("stats");
  EXPECT_EQ(answer.status, 200) << answer.body;
  rapidjson::Document doc;
  doc.Parse(answer.body.c_str());
  InFlight in_flight;
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("in_flight")) {
    ADD_FAILURE() << "no in_flight in /_fake/stats: " << answer.body;
    return in_flight;
  }
  in_flight.peak = doc["in_flight"]["peak"].GetInt64();
  in_flight.peak_endpoints = doc["in_flight"]["peak_endpoints"].GetInt64();
  return in_flight;
}

TEST(SyncConcurrency, ReadsIndependentResourcesSideBySide) {
  SyncHarness world(kSlowDataset, R"("concurrency": 3)");
  world.Sync();

  InFlight seen = SandboxInFlight(world.sandbox());
  // The first pages of several resources were asked at once...
  EXPECT_GE(seen.peak_endpoints, 2);
  // ...yet never more requests at once than the config allows.
  EXPECT_GE(seen.peak, 2);
  EXPECT_LE(seen.peak, 3);
  // And the overlap changed nothing in what was stored.
  EXPECT_THAT(
      CompareMirrorWithTruth(world.db_path(), world.sandbox()).mismatches,
      IsEmpty());
}

TEST(SyncConcurrency, ABudgetReadsOneResourceAtATime) {
  SyncHarness world(kSlowDataset,
                    R"("concurrency": 3, "max_requests": 100000)");
  world.Sync();

  InFlight seen = SandboxInFlight(world.sandbox());
  // Requests of one resource still overlap (details, job polls, windows),
  // but no two resources are read at once.
  EXPECT_EQ(seen.peak_endpoints, 1);
  EXPECT_LE(seen.peak, 3);
  EXPECT_THAT(
      CompareMirrorWithTruth(world.db_path(), world.sandbox()).mismatches,
      IsEmpty());
}

TEST(SyncConcurrency, OneRequestAtATimeWithConcurrencyOne) {
  SyncHarness world(kSlowDataset, R"("concurrency": 1)");
  world.Sync();

  InFlight seen = SandboxInFlight(world.sandbox());
  EXPECT_EQ(seen.peak, 1);
  EXPECT_EQ(seen.peak_endpoints, 1);
}

// Seven resources would each wait for a token; the refused password must
// reach the API once, not once per resource (an account may be locked for
// repeated failed logins).
TEST(SyncConcurrency, RefusedCredentialsAreSentOnce) {
  SyncHarness world(kSlowDataset, R"("concurrency": 4)");
  auto env = SandboxEnv(world.sandbox().url());
  env["CEIPAL_PASSWORD"] += "-wrong";
  CliResult run = RunCeipalSync(
      {"run", "--db", world.db_path(), "--config", world.config_path()}, env);

  EXPECT_EQ(run.exit_code, 3) << run.out << run.err;
  EXPECT_EQ(
      reliability::SandboxRequests(world.sandbox(), "/v2/createAuthtoken/"), 1);
  EXPECT_EQ(reliability::SandboxDataRequests(world.sandbox()), 0);
}

}  // namespace
}  // namespace ceipal::test
