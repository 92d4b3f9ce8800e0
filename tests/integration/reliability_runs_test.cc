// How runs behave as units of work (DESIGN.md sections 5 and 6, issue 5):
// retries are bounded, a run that keeps being refused stops at its deadline
// with its progress kept, only one run holds a database at a time (and a
// dead holder's lock is taken over), and runs bounded by --max-requests or
// --deadline stop at a page boundary, say what is left, and are finished by
// the runs after them without a repeated change row.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "support/sync_inspection.h"
#include "support/sync_process.h"
#include "support/sync_world.h"

namespace ceipal::test::reliability {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;

bool Finished(const CliResult& run) {
  return std::regex_search(run.out, std::regex("run [0-9]+: ok"));
}

// What a run may have moved: change rows, cursors, completed scopes. "0"
// before the database exists.
std::string Progress(const std::string& db) {
  if (access(db.c_str(), F_OK) != 0) return "0";
  std::string text =
      std::to_string(Count(db, "SELECT count(*) FROM change_log"));
  for (const auto& line : Checkpoints(db)) text += "\n" + line;
  return text;
}

// Every page is one transaction: whatever a bounded run committed, each
// record it holds came with its insert row.
void ExpectWholePages(const std::string& db) {
  for (const auto& resource : Resources()) {
    EXPECT_EQ(Count(db, "SELECT count(*) FROM " + resource),
              Count(db,
                    "SELECT count(*) FROM change_log WHERE op = 'insert' "
                    "AND resource = '" +
                        resource + "'"))
        << resource;
  }
}

// With the retry policy of the config file (three attempts, short
// backoffs), a server failing every request ends the run with exit code 2,
// an error naming the resource and the attempts, and no more requests than
// the attempts allow.
TEST(RetriesAreBounded, FailingServerEndsTheRunWithExit2AfterNAttempts) {
  SyncWorld world(SmallDataset({"--error-rate", "1"}),
                  R"("max_attempts": 3, "base_backoff_ms": 20)");
  CliResult run = world.Run();
  EXPECT_EQ(run.exit_code, 2) << RunOutput(run);
  EXPECT_THAT(run.out + run.err,
              ContainsRegex("(users|clients|job_postings|applicants|"
                            "submissions|interviews|placements)[^\n]*"
                            "after 3 attempts"))
      << "the error must name the resource and the attempts\n"
      << RunOutput(run);

  // At most a probe and a first page per resource are asked before every
  // one of them has failed, each three times.
  int64_t bound = 3 * 2 * static_cast<int64_t>(Resources().size());
  EXPECT_LE(SandboxDataRequests(world.sandbox()), bound);
  EXPECT_GE(SandboxDataRequests(world.sandbox()), 3);
}

// A server that keeps answering 429 makes the run slow down (the 429s stay
// a fraction of what it asks) and stop at its deadline with its pages kept.
TEST(RetriesAreBounded, PersistentRateLimitStopsAtTheDeadlineWithProgressKept) {
  SyncWorld world(SmallDataset({"--rate", "4", "--burst", "1"}));
  CliResult run = world.Run({"--deadline", "5s"});
  EXPECT_EQ(run.exit_code, 0) << RunOutput(run);
  EXPECT_THAT(run.out, HasSubstr("deadline")) << RunOutput(run);
  EXPECT_GT(Count(world.db(), "SELECT count(*) FROM change_log"), 0)
      << "nothing was kept";
  ExpectWholePages(world.db());

  int64_t refused = SandboxRequests(world.sandbox(), "", "429");
  int64_t served = SandboxRequests(world.sandbox(), "", "200");
  EXPECT_GT(refused, 0) << "the sandbox never limited the run";
  EXPECT_LE(refused, served + 10) << "the run hammered a limited server";
  ExpectNothingLostAfterCleanRun(world, "after a rate-limited run");
}

// While a run is active, a second one exits with code 4 at once (the first
// is still running when it returns), naming the holder's pid.
TEST(RunLock, SecondRunExitsWith4NamingTheHolder) {
  SyncWorld world(SmallDataset({"--latency-ms", "300"}));
  SyncProcess first = world.Start();

  // The first run holds the lock once it is asking the sandbox for data.
  auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (SandboxDataRequests(world.sandbox()) == 0 && first.Running() &&
         std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(first.Running()) << "the first run ended too soon";

  CliResult second = world.Run();
  EXPECT_TRUE(first.Running()) << "the second run waited for the first";
  EXPECT_EQ(second.exit_code, 4) << RunOutput(second);
  EXPECT_THAT(second.err, HasSubstr(std::to_string(first.pid())))
      << "the message must name the holder";

  CliResult done = first.Wait();
  EXPECT_EQ(done.exit_code, 0) << RunOutput(done);
  ExpectNothingLostAfterCleanRun(world, "after a refused second run");
}

// The kernel drops the lock of a killed run: the next run takes it over.
TEST(RunLock, LockOfAKilledRunIsTakenOver) {
  SyncWorld world(SmallDataset({"--latency-ms", "100"}));
  SyncProcess first = world.Start();
  auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (SandboxDataRequests(world.sandbox()) < 3 && first.Running() &&
         std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(first.Running()) << "the first run ended too soon";
  first.Signal(SIGKILL);
  EXPECT_EQ(first.Wait().exit_code, 128 + SIGKILL);

  CliResult next = world.Run();
  EXPECT_EQ(next.exit_code, 0) << RunOutput(next);
  EXPECT_TRUE(Finished(next)) << RunOutput(next);
  ExpectNothingLostAfterCleanRun(world, "after a killed holder");
}

// Runs `extra` again and again until the mirror holds the whole source
// (one bounded run may never cover every resource, so no single run need
// end "ok"). Each run must exit 0, stop at a page boundary, say what it
// left and why (`reason`) unless it ended "ok", and, while the mirror is
// incomplete, move something forward, as DESIGN.md section 5 promises for
// any budget. Gives up after three runs in a row without progress. Returns
// the number of runs, or 0 when the mirror never became complete.
int RunUntilMirrored(const SyncWorld& world,
                     const std::vector<std::string>& extra,
                     const std::string& reason, int max_runs,
                     int64_t max_requests = 0) {
  int stalled = 0;
  for (int runs = 1; runs <= max_runs && stalled < 3; ++runs) {
    SCOPED_TRACE("run " + std::to_string(runs));
    std::string before = Progress(world.db());
    int64_t requests = SandboxDataRequests(world.sandbox());
    CliResult run = world.Run(extra);
    EXPECT_EQ(run.exit_code, 0) << RunOutput(run);
    if (max_requests > 0) {
      EXPECT_LE(SandboxDataRequests(world.sandbox()) - requests, max_requests)
          << "the run went over its budget";
    }
    ExpectWholePages(world.db());
    if (!Finished(run)) {
      EXPECT_THAT(run.out, HasSubstr("incomplete")) << RunOutput(run);
      EXPECT_THAT(run.out, HasSubstr(reason)) << RunOutput(run);
    }
    if (CompareWithTruth(world.sandbox(), world.db()).empty()) return runs;
    bool moved = Progress(world.db()) != before;
    EXPECT_TRUE(moved) << "the run made no progress:\n" << RunOutput(run);
    stalled = moved ? 0 : stalled + 1;
  }
  ADD_FAILURE() << "the mirror never became complete";
  return 0;
}

TEST(BoundedRuns, MaxRequestsStopsAtPageBoundariesAndLaterRunsFinish) {
  SyncWorld world(SmallDataset());
  int runs = RunUntilMirrored(world, {"--max-requests", "5"}, "budget", 60, 5);
  EXPECT_NE(runs, 1) << "the budget never bound: the case was not exercised";
  ExpectNothingLostAfterCleanRun(world, "after runs of 5 requests");
}

TEST(BoundedRuns, DeadlineStopsAtPageBoundariesAndLaterRunsFinish) {
  // Answers of 400 ms: the login, the job list and then the jobs' polls
  // follow one another, so no first load fits in one second however many
  // requests go side by side.
  SyncWorld world(SmallDataset({"--latency-ms", "400"}));
  int runs = RunUntilMirrored(world, {"--deadline", "1s"}, "deadline", 40);
  EXPECT_NE(runs, 1) << "the deadline never bound: the case was not exercised";
  ExpectNothingLostAfterCleanRun(world, "after runs of one second");
}

}  // namespace
}  // namespace ceipal::test::reliability
