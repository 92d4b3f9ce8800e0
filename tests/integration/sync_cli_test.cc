// The ceipal-sync command line as cron and a person use it: help, exit
// codes for missing or wrong credentials and bad arguments, the dry run and
// verify (issues 3 and 4).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "support/mirror_oracle.h"

namespace ceipal::test {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

const std::vector<std::string> kSmall = {
    "--seed",       "11", "--applicants", "60", "--jobs",    "8",
    "--interviews", "10", "--placements", "6",  "--clients", "5",
    "--users",      "5"};

TEST(SyncCli, HelpOfEachCommandExitsZeroAndNamesItsOptions) {
  const std::map<std::string, std::vector<std::string>> kOptions = {
      {"init", {"--db"}},
      {"run",
       {"--resources", "--full", "--max-requests", "--deadline", "--dry-run",
        "--db", "--config"}},
      {"status", {"--json", "--db"}},
      {"changes", {"--consumer", "--event", "--limit"}},
      {"ack", {"--consumer", "--seq"}},
      {"prune", {"--before"}},
      {"verify", {"--db"}},
  };
  for (const auto& [command, options] : kOptions) {
    CliResult help = RunCeipalSync({command, "--help"}, {});
    EXPECT_EQ(help.exit_code, 0) << command << ": " << help.err;
    for (const std::string& option : options) {
      EXPECT_THAT(help.out, HasSubstr(option)) << command << " --help";
    }
  }

  CliResult overview = RunCeipalSync({"--help"}, {});
  EXPECT_EQ(overview.exit_code, 0);
  for (const auto& [command, options] : kOptions) {
    EXPECT_THAT(overview.out, HasSubstr(command));
  }
}

TEST(SyncCli, RunWithoutCredentialsExitsOneWithClearMessage) {
  SyncHarness world(kSmall);
  CliResult run = RunCeipalSync(
      {"run", "--db", world.db_path(), "--config", world.config_path()},
      {{"CEIPAL_BASE_URL", world.sandbox().url()}});

  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_THAT(run.err, HasSubstr("credentials"));
  EXPECT_THAT(run.err, HasSubstr("CEIPAL_PASSWORD"));
  EXPECT_EQ(DataRequests(world.sandbox()), 0);
}

TEST(SyncCli, WrongPasswordExitsThreeWithoutPrintingIt) {
  SyncHarness world(kSmall);
  auto env = SandboxEnv(world.sandbox().url());
  env["CEIPAL_PASSWORD"] = "not-the-password-417";
  CliResult run = RunCeipalSync(
      {"run", "--db", world.db_path(), "--config", world.config_path()}, env);

  EXPECT_EQ(run.exit_code, 3) << run.out << run.err;
  EXPECT_THAT(run.out + run.err, Not(HasSubstr("not-the-password-417")));
  EXPECT_THAT(run.out + run.err, Not(HasSubstr("demo-api-key")));
  EXPECT_EQ(DataRequests(world.sandbox()), 0);
}

TEST(SyncCli, UnknownResourceExitsOne) {
  SyncHarness world(kSmall);
  CliResult run = world.Cli({"run", "--resources", "applicants,candidates"});

  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_THAT(run.err, HasSubstr("candidates"));
  EXPECT_EQ(DataRequests(world.sandbox()), 0);
}

TEST(SyncCli, DryRunPrintsAPlanAndMakesNoRequest) {
  SyncHarness world(kSmall, R"("inactive_jobs_minutes": 0)");

  // On a new database, then after a sync: neither asks the sandbox anything.
  std::string before = world.sandbox().ControlGet("stats").body;
  CliResult fresh = world.Cli({"run", "--dry-run"});
  EXPECT_EQ(fresh.exit_code, 0) << fresh.err;
  EXPECT_THAT(fresh.out, AllOf(HasSubstr("plan"), HasSubstr("applicants")));
  EXPECT_EQ(world.sandbox().ControlGet("stats").body, before);

  world.Sync();
  int64_t runs = QueryInt(world.db_path(), "SELECT count(*) FROM sync_runs");
  int64_t seq = LastSeq(world.db_path());
  world.Mutate(R"({"kind": "create", "resource": "applicants", "count": 2})");
  before = world.sandbox().ControlGet("stats").body;

  CliResult planned = world.Cli({"run", "--dry-run"});
  EXPECT_EQ(planned.exit_code, 0) << planned.err;
  EXPECT_THAT(planned.out, AllOf(HasSubstr("plan"), HasSubstr("submissions"),
                                 HasSubstr("modifiedAfter")));
  EXPECT_EQ(world.sandbox().ControlGet("stats").body, before);
  EXPECT_EQ(QueryInt(world.db_path(), "SELECT count(*) FROM sync_runs"), runs);
  EXPECT_EQ(LastSeq(world.db_path()), seq);
}

TEST(SyncCli, VerifyFindsDriftUntilTheNextRun) {
  SyncHarness world(kSmall);
  world.Sync();

  CliResult clean = world.Cli({"verify"});
  EXPECT_EQ(clean.exit_code, 0) << clean.out << clean.err;

  world.Mutate(R"({"kind": "create", "resource": "applicants", "count": 3})");
  CliResult drift = world.Cli({"verify"});
  EXPECT_EQ(drift.exit_code, 2) << drift.out << drift.err;
  EXPECT_THAT(drift.out, HasSubstr("applicants"));

  world.Sync();
  CliResult again = world.Cli({"verify"});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
}

}  // namespace
}  // namespace ceipal::test
