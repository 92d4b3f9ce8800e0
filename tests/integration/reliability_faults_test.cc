// The fault matrix of DESIGN.md section 6 (issue 5): for each way the
// network or the API can misbehave, a sync meets it in the middle of a run
// and the test checks the outcome the design promises (retried,
// quarantined, resource failed with exit code 2, run stopped with exit code
// 3) and that, after a clean follow-up run, nothing is lost and no change
// row is repeated.
//
// Each test first runs a sync cut short by --max-requests, so the fault,
// set next, meets the pages of a run already under way rather than only
// the probes of a first load.
#include <SQLiteCpp/SQLiteCpp.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "support/sync_inspection.h"
#include "support/sync_world.h"

namespace ceipal::test::reliability {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;

constexpr const char* kLogin = "/v2/createAuthtoken/";
constexpr const char* kRefresh = "/v2/refreshToken/";

// Calls `act` once the sandbox has answered `count` more data requests, or
// after 30 seconds if it never does. It watches from outside, so a fast run
// may finish its requests before `act` lands: use it only where the run
// waits for the act (a latency the run cannot outlast), and the sandbox's
// own schedules (revoke_tokens_after) where the act must meet a request.
class Trigger {
 public:
  Trigger(const SyncWorld& world, int64_t count, std::function<void()> act) {
    int64_t target = SandboxDataRequests(world.sandbox()) + count;
    thread_ = std::thread([&world, target, act, this] {
      auto give_up =
          std::chrono::steady_clock::now() + std::chrono::seconds(30);
      while (!stop_ && std::chrono::steady_clock::now() < give_up &&
             SandboxDataRequests(world.sandbox()) < target) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
      fired_ = !stop_;
      act();
    });
  }
  ~Trigger() { Join(); }

  // Waits for the action to have run; true when it ran before the test
  // gave up on it.
  bool Join() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    return fired_;
  }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<bool> fired_{false};
  std::thread thread_;
};

class FaultMatrix : public ::testing::Test {
 protected:
  // Starts the world and runs a sync cut short after three requests, which
  // cannot read all eight pages of applicants.
  void Begin(std::vector<std::string> sandbox_extra = {},
             const std::string& config_members = "") {
    sandbox_extra.insert(sandbox_extra.begin(), {"--applicants", "400"});
    world_ = std::make_unique<SyncWorld>(SmallDataset(std::move(sandbox_extra)),
                                         config_members);
    CliResult first = world_->Run({"--max-requests", "3"});
    ASSERT_EQ(first.exit_code, 0) << RunOutput(first);
    ASSERT_GT(Count(world_->db(), "SELECT count(*) FROM change_log"), 0)
        << "the first, cut-short run made no progress";
    ASSERT_LT(Count(world_->db(), "SELECT count(*) FROM applicants"),
              TruthCount(world_->sandbox(), "applicants"))
        << "the first run was meant to leave applicants to read";
  }

  // Injected records fire once, on the next page that has records.
  void ExpectInjectionFired() {
    EXPECT_THAT(sandbox().ControlGet("faults").body,
                HasSubstr(R"("inject":[])"))
        << "the hostile record was never served: the case was not exercised";
  }

  const SyncWorld& world() const { return *world_; }
  const std::string& db() const { return world_->db(); }
  const FakeCeipalProcess& sandbox() const { return world_->sandbox(); }

  // The run must have finished every resource as if nothing happened.
  void ExpectCompleteRun(const CliResult& run) {
    EXPECT_EQ(run.exit_code, 0) << RunOutput(run);
    TruthDiff diff = CompareWithTruth(sandbox(), db());
    EXPECT_TRUE(diff.empty())
        << "right after the disturbed run: " << diff.Describe();
  }

  std::unique_ptr<SyncWorld> world_;
};

TEST_F(FaultMatrix, RateLimitWithRetryAfterIsWaitedOut) {
  Begin();
  world().SetFaults(R"({"rate": 20, "burst": 2, "retry_after": 1})");
  CliResult run = world().Run();
  ExpectCompleteRun(run);
  EXPECT_GT(SandboxRequests(sandbox(), "", "429"), 0)
      << "the sandbox never limited the run: the case was not exercised";
  ExpectNothingLostAfterCleanRun(world(), "429 with Retry-After");
}

TEST_F(FaultMatrix, RateLimitWithoutRetryAfterBacksOff) {
  Begin();
  world().SetFaults(R"({"rate": 20, "burst": 2, "retry_after": -1})");
  CliResult run = world().Run();
  ExpectCompleteRun(run);
  EXPECT_GT(SandboxRequests(sandbox(), "", "429"), 0)
      << "the sandbox never limited the run: the case was not exercised";
  ExpectNothingLostAfterCleanRun(world(), "429 without Retry-After");
}

TEST_F(FaultMatrix, BurstOfServerErrorsIsRetried) {
  Begin();
  world().SetFaults(R"({"fail_next": 4})");
  CliResult run = world().Run();
  ExpectCompleteRun(run);
  EXPECT_EQ(SandboxRequests(sandbox(), "", "503"), 4);
  ExpectNothingLostAfterCleanRun(world(), "a burst of 503");
}

TEST_F(FaultMatrix, RandomServerErrorsAreRetried) {
  Begin();
  world().SetFaults(R"({"error_rate": 0.2})");
  CliResult run = world().Run();
  // A request may draw five errors in a row; then its resource fails and
  // the follow-up run must still repair everything.
  EXPECT_THAT(run.exit_code, ::testing::AnyOf(0, 2)) << RunOutput(run);
  int64_t errors = 0;
  for (const char* status : {"500", "502", "503", "504"}) {
    errors += SandboxRequests(sandbox(), "", status);
  }
  EXPECT_GT(errors, 0) << "no server error was drawn";
  ExpectNothingLostAfterCleanRun(world(), "random 5xx");
}

// The engine's own request timeout must cut a response that takes too long
// and retry it. The latency is lifted once two attempts reached the
// sandbox, so the retries succeed.
TEST_F(FaultMatrix, TimedOutRequestIsRetried) {
  Begin({}, R"("request_timeout_seconds": 1)");
  world().SetFaults(R"({"latency_ms": 3000})");
  Trigger lift(world(), 2,
               [this] { world().SetFaults(R"({"latency_ms": 0})"); });
  CliResult run = world().Run({"--log-level", "debug"});
  EXPECT_TRUE(lift.Join()) << "fewer than two attempts reached the sandbox";
  ExpectCompleteRun(run);
  EXPECT_THAT(run.err,
              ContainsRegex("Retrying request.*(timed out|[Tt]imeout)"))
      << "no request timed out: is \"request_timeout_seconds\" read from "
         "the config file?\n"
      << RunOutput(run);
  ExpectNothingLostAfterCleanRun(world(), "timeouts");
}

TEST_F(FaultMatrix, ConnectionResetsAreRetried) {
  Begin();
  world().SetFaults(R"({"reset_next": 3})");
  CliResult run = world().Run();
  ExpectCompleteRun(run);
  EXPECT_EQ(SandboxRequests(sandbox(), "", "0"), 3);
  ExpectNothingLostAfterCleanRun(world(), "connection resets");
}

// DESIGN.md section 6: a malformed page is retried before it fails its
// resource.
TEST_F(FaultMatrix, TruncatedBodyIsRetried) {
  Begin();
  world().SetFaults(R"({"truncate_next": 1})");
  CliResult run = world().Run();
  ExpectCompleteRun(run);
  ExpectNothingLostAfterCleanRun(world(), "one truncated body");
}

TEST_F(FaultMatrix, WrongEnvelopeIsRetried) {
  Begin();
  world().SetFaults(R"({"bad_envelope_next": 1})");
  CliResult run = world().Run();
  ExpectCompleteRun(run);
  ExpectNothingLostAfterCleanRun(world(), "one wrong envelope");
}

// A 200 with nothing in it is an error, never an empty page.
TEST_F(FaultMatrix, EmptyBodyWith200IsRetriedNotTakenAsEmpty) {
  Begin();
  world().SetFaults(R"({"empty_body_next": 1})");
  CliResult run = world().Run();
  ExpectCompleteRun(run);
  ExpectNothingLostAfterCleanRun(world(), "an empty 200 body");
}

// Pages that stay malformed fail their resource, with an error naming the
// page's path and the offset; the resources after it still sync.
TEST_F(FaultMatrix, PersistentlyTruncatedPageFailsOnlyItsResource) {
  // One request at a time, so the truncated answers are one page's every
  // attempt (resources read side by side would share them out).
  Begin({}, R"("concurrency": 1)");
  world().SetFaults(R"({"truncate_next": 5})");
  CliResult run = world().Run();
  EXPECT_EQ(run.exit_code, 2) << RunOutput(run);

  // Each failed resource says where and why; the others went on.
  std::regex failed_line("(^|\n)([a-z_]+): failed[^\n]*");
  int failed = 0;
  for (std::sregex_iterator it(run.out.begin(), run.out.end(), failed_line),
       end;
       it != end; ++it, ++failed) {
    std::string line = (*it)[0].str();
    EXPECT_THAT(line, HasSubstr("offset")) << line;
    EXPECT_THAT(line, ContainsRegex("/v2/[A-Za-z]+/"))
        << "the error must name the page's URL: " << line;
  }
  EXPECT_GE(failed, 1) << RunOutput(run);
  EXPECT_THAT(run.out, ContainsRegex("[a-z_]+: ok"))
      << "the other resources must go on";
  ExpectNothingLostAfterCleanRun(world(), "persistently truncated pages");
}

// A token revoked in the middle of a run: the next request gets 401, the
// refresh is refused too, and a new login lets the run go on. The sandbox
// revokes after the run's first data request, so no request can outrun it.
TEST_F(FaultMatrix, RevokedTokenMidRunRecoversByLoggingInAgain) {
  Begin({"--latency-ms", "20"});
  int64_t logins = SandboxRequests(sandbox(), kLogin, "200");
  world().SetFaults(R"({"revoke_tokens_after": 1})");
  CliResult run = world().Run();
  ExpectCompleteRun(run);
  EXPECT_GT(SandboxRequests(sandbox(), "", "401"), 0)
      << "no request met the revoked token";
  EXPECT_GE(SandboxRequests(sandbox(), kLogin, "200"), logins + 2)
      << "the run did not log in again";
  ExpectNothingLostAfterCleanRun(world(), "401 mid-run");
}

// The access token expires mid-run and the refresh is refused: the engine
// logs in again instead of giving up.
TEST_F(FaultMatrix, RefusedRefreshFallsBackToLogin) {
  Begin({"--latency-ms", "20"});
  world().SetFaults(R"({"refuse_refresh": true, "expire_tokens_after": 1})");
  int64_t logins = SandboxRequests(sandbox(), kLogin, "200");
  CliResult run = world().Run();
  ExpectCompleteRun(run);
  EXPECT_GT(SandboxRequests(sandbox(), kRefresh, "401"), 0)
      << "the engine never tried to refresh";
  EXPECT_GE(SandboxRequests(sandbox(), kLogin, "200"), logins + 2)
      << "the run did not log in again";
  ExpectNothingLostAfterCleanRun(world(), "refresh refused");
}

// 403 company access disabled: the run stops with exit code 3 and a clear
// message, and every checkpoint stays as it was.
TEST_F(FaultMatrix, CompanyDisabledStopsWithExit3AndKeepsCheckpoints) {
  Begin();
  std::vector<std::string> before = Checkpoints(db());
  int64_t changes = Count(db(), "SELECT count(*) FROM change_log");
  ASSERT_FALSE(before.empty());

  world().SetFaults(R"({"company_disabled": true})");
  CliResult run = world().Run();
  EXPECT_EQ(run.exit_code, 3) << RunOutput(run);
  EXPECT_THAT(run.err, ContainsRegex("[Cc]ompany access"))
      << "the message must say why";
  EXPECT_EQ(Checkpoints(db()), before);
  EXPECT_EQ(Count(db(), "SELECT count(*) FROM change_log"), changes);
  EXPECT_EQ(Count(db(), "SELECT count(*) FROM quarantine"), 0);
  ExpectNothingLostAfterCleanRun(world(), "403 company disabled");
}

// Records created, edited and deleted while the run pages through them:
// later pages shift under the reader, as on a live server.
TEST_F(FaultMatrix, PageDriftLosesNothing) {
  Begin();
  for (const char* mutation : {
           R"({"kind": "create", "resource": "applicants", "count": 3,
               "after_requests": 1})",
           R"({"kind": "edit", "resource": "applicants", "count": 4,
               "after_requests": 1})",
           R"({"kind": "burst", "resource": "applicants", "count": 3,
               "after_requests": 2})",
           R"({"kind": "delete", "resource": "applicants",
               "after_requests": 2})",
       }) {
    world().Mutate(mutation);
  }
  CliResult run = world().Run();
  EXPECT_EQ(run.exit_code, 0) << RunOutput(run);

  // New and edited records are read in the same run; only the delete waits
  // for a sweep.
  TruthDiff diff = CompareWithTruth(sandbox(), db());
  EXPECT_TRUE(diff.missing.empty() && diff.different.empty())
      << diff.Describe();
  HttpResult journal = sandbox().ControlGet("journal");
  EXPECT_THAT(journal.body, HasSubstr("\"delete\""))
      << "the scheduled mutations never fired";

  WriteSyncConfig(world().dir().path(), R"("sweep_minutes": 0)");
  ExpectNothingLostAfterCleanRun(world(), "page drift");
}

TEST_F(FaultMatrix, HugeCountIsNotTrusted) {
  Begin();
  world().SetFaults(R"({"huge_count_next": 1})");
  CliResult run = world().Run();
  ExpectCompleteRun(run);
  ExpectNothingLostAfterCleanRun(world(), "a huge count");
}

// A record with a 2 MiB field is either kept whole or quarantined; either
// way its page goes on.
TEST_F(FaultMatrix, HugeFieldIsKeptWholeOrQuarantined) {
  Begin();
  world().SetFaults(
      R"({"inject": {"resource": "applicants", "kind": "huge_field"}})");
  CliResult run = world().Run();
  EXPECT_EQ(run.exit_code, 0) << RunOutput(run);
  ExpectInjectionFired();
  int64_t kept = Count(db(),
                       "SELECT count(*) FROM applicants "
                       "WHERE length(raw_json) > 2000000");
  int64_t quarantined = Count(db(),
                              "SELECT count(*) FROM quarantine "
                              "WHERE resource = 'applicants'");
  EXPECT_EQ(kept + quarantined, 1)
      << "kept " << kept << ", quarantined " << quarantined;

  std::set<std::string> hostile;
  if (kept == 1) {
    SQLite::Database sql(db(), SQLite::OPEN_READONLY);
    hostile.insert("applicants " +
                   sql.execAndGet("SELECT id FROM applicants WHERE "
                                  "length(raw_json) > 2000000")
                       .getString());
  }
  TruthDiff diff = CompareWithTruth(sandbox(), db());
  EXPECT_TRUE(diff.missing.empty() && diff.different.empty())
      << "the page did not go on: " << diff.Describe();
  ExpectNothingLostAfterCleanRun(world(), "a 2 MiB field", hostile);
}

// A duplicate id within a page: one record, one change row.
TEST_F(FaultMatrix, DuplicateIdWithinAPageLogsOneChange) {
  Begin();
  world().SetFaults(
      R"({"inject": {"resource": "applicants", "kind": "duplicate_id"}})");
  CliResult run = world().Run();
  ExpectCompleteRun(run);
  ExpectInjectionFired();
  EXPECT_EQ(Count(db(),
                  "SELECT count(*) FROM (SELECT record_id FROM change_log "
                  "WHERE resource = 'applicants' GROUP BY record_id "
                  "HAVING count(*) > 1)"),
            0);
  ExpectNothingLostAfterCleanRun(world(), "a duplicate id");
}

// Malformed records go to quarantine with the reason, and the rest of their
// page is applied.
class HostileRecord : public FaultMatrix,
                      public ::testing::WithParamInterface<const char*> {};

TEST_P(HostileRecord, IsQuarantinedAndThePageGoesOn) {
  Begin();
  world().SetFaults(
      std::string(R"({"inject": {"resource": "applicants", "kind": ")") +
      GetParam() + "\"}}");
  CliResult run = world().Run();
  ExpectCompleteRun(run);
  ExpectInjectionFired();
  EXPECT_EQ(Count(db(),
                  "SELECT count(*) FROM quarantine WHERE resource = "
                  "'applicants' AND length(error) > 0 AND length(raw) > 0"),
            1);
  ExpectNothingLostAfterCleanRun(world(), GetParam());
  EXPECT_EQ(Count(db(), "SELECT count(*) FROM quarantine"), 1)
      << "the follow-up run quarantined more";
}

INSTANTIATE_TEST_SUITE_P(Kinds, HostileRecord,
                         ::testing::Values("invalid_utf8", "null_record",
                                           "array_record", "no_id",
                                           "wrong_type"));

}  // namespace
}  // namespace ceipal::test::reliability
