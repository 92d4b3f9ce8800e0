#include "state/run_ledger.h"

#include <gtest/gtest.h>

#include "state/state_test_util.h"
#include "state/utc_time.h"

namespace ceipal::state {
namespace {

class RunLedgerTest : public testing::StateTest {
 protected:
  RunRecord OnlyRun() {
    auto runs = RunLedger(db()).LastRuns(10);
    EXPECT_TRUE(runs) << runs.error().message;
    EXPECT_EQ(runs->size(), 1u);
    return runs->empty() ? RunRecord{} : runs->front();
  }
};

TEST_F(RunLedgerTest, BeginRunRecordsARunningRunOfThePid) {
  RunLedger ledger(db());
  auto run_id = ledger.BeginRun(4321);
  ASSERT_TRUE(run_id) << run_id.error().message;

  const RunRecord run = OnlyRun();
  EXPECT_EQ(run.id, *run_id);
  EXPECT_EQ(run.status, RunStatus::kRunning);
  EXPECT_EQ(run.pid, 4321);
  EXPECT_TRUE(IsUtcTimestamp(run.started_at)) << run.started_at;
  EXPECT_FALSE(run.ended_at);
  EXPECT_EQ(run.counters, RunCounters{});
}

TEST_F(RunLedgerTest, CountersAccumulateAndFinishRecordsTheOutcome) {
  RunLedger ledger(db());
  auto run_id = ledger.BeginRun(1);
  ASSERT_TRUE(run_id);

  ASSERT_TRUE(ledger.AddCounters(
      *run_id, {.requests = 2, .records = 50, .inserts = 40, .updates = 3}));
  ASSERT_TRUE(ledger.AddCounters(
      *run_id, {.requests = 1, .records = 10, .deletes = 2, .errors = 1}));
  ASSERT_TRUE(ledger.FinishRun(*run_id, RunStatus::kPartial, "clients failed"));

  const RunRecord run = OnlyRun();
  EXPECT_EQ(run.status, RunStatus::kPartial);
  EXPECT_EQ(run.message, "clients failed");
  ASSERT_TRUE(run.ended_at);
  EXPECT_TRUE(IsUtcTimestamp(*run.ended_at));
  EXPECT_EQ(run.counters, (RunCounters{.requests = 3,
                                       .records = 60,
                                       .inserts = 40,
                                       .updates = 3,
                                       .deletes = 2,
                                       .errors = 1}));
}

TEST_F(RunLedgerTest, CountersRollBackWithTheirPage) {
  RunLedger ledger(db());
  auto run_id = ledger.BeginRun(1);
  ASSERT_TRUE(run_id);
  {
    auto page = WriteTransaction::Begin(db());
    ASSERT_TRUE(page);
    ASSERT_TRUE(ledger.AddCounters(*run_id, {.requests = 1, .records = 50}));
  }
  {
    auto page = WriteTransaction::Begin(db());
    ASSERT_TRUE(page);
    ASSERT_TRUE(ledger.AddCounters(*run_id, {.requests = 1, .records = 7}));
    ASSERT_TRUE(page->Commit());
  }
  EXPECT_EQ(OnlyRun().counters, (RunCounters{.requests = 1, .records = 7}));
}

TEST_F(RunLedgerTest, NextBeginRunMarksARunLeftRunningAsFailed) {
  RunLedger ledger(db());
  auto dead = ledger.BeginRun(111);
  ASSERT_TRUE(dead);
  auto next = ledger.BeginRun(222);
  ASSERT_TRUE(next);
  EXPECT_GT(*next, *dead);

  auto runs = ledger.LastRuns(2);
  ASSERT_TRUE(runs);
  ASSERT_EQ(runs->size(), 2u);
  EXPECT_EQ((*runs)[0].id, *next);
  EXPECT_EQ((*runs)[0].status, RunStatus::kRunning);
  EXPECT_EQ((*runs)[1].id, *dead);
  EXPECT_EQ((*runs)[1].status, RunStatus::kFailed);
  EXPECT_EQ((*runs)[1].message, "process died");
  EXPECT_TRUE((*runs)[1].ended_at);

  // The dead run's process cannot report over that verdict.
  auto late = ledger.FinishRun(*dead, RunStatus::kOk, "");
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().kind, ErrorKind::kStorage);
}

TEST_F(RunLedgerTest, FinishedRunsAreLeftAlone) {
  RunLedger ledger(db());
  auto first = ledger.BeginRun(1);
  ASSERT_TRUE(first);
  ASSERT_TRUE(ledger.FinishRun(*first, RunStatus::kOk, ""));
  ASSERT_TRUE(ledger.BeginRun(2));

  auto runs = ledger.LastRuns(2);
  ASSERT_TRUE(runs);
  EXPECT_EQ((*runs)[1].status, RunStatus::kOk);
  EXPECT_FALSE((*runs)[1].message);
}

TEST_F(RunLedgerTest, FinishRunRefusesRunningAsAFinalStatus) {
  RunLedger ledger(db());
  auto run_id = ledger.BeginRun(1);
  ASSERT_TRUE(run_id);
  auto refused = ledger.FinishRun(*run_id, RunStatus::kRunning, "");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::kConfig);
}

TEST_F(RunLedgerTest, UnknownRunIsAnError) {
  RunLedger ledger(db());
  auto counted = ledger.AddCounters(42, {.requests = 1});
  ASSERT_FALSE(counted);
  EXPECT_EQ(counted.error().kind, ErrorKind::kStorage);
  EXPECT_NE(counted.error().message.find("run 42"), std::string::npos);
  EXPECT_FALSE(ledger.FinishRun(42, RunStatus::kOk, ""));
}

TEST_F(RunLedgerTest, LastRunsReturnsTheNewestFirstUpToTheCount) {
  RunLedger ledger(db());
  std::vector<int64_t> ids;
  for (int i = 0; i < 4; ++i) {
    auto run_id = ledger.BeginRun(i);
    ASSERT_TRUE(run_id);
    ASSERT_TRUE(ledger.FinishRun(*run_id, RunStatus::kOk, ""));
    ids.push_back(*run_id);
  }
  auto runs = ledger.LastRuns(3);
  ASSERT_TRUE(runs);
  ASSERT_EQ(runs->size(), 3u);
  EXPECT_EQ((*runs)[0].id, ids[3]);
  EXPECT_EQ((*runs)[1].id, ids[2]);
  EXPECT_EQ((*runs)[2].id, ids[1]);
}

TEST(RunCounters, AddsFieldByField) {
  RunCounters total{.requests = 1,
                    .records = 2,
                    .inserts = 3,
                    .updates = 4,
                    .deletes = 5,
                    .errors = 6};
  total += RunCounters{.requests = 10,
                       .records = 20,
                       .inserts = 30,
                       .updates = 40,
                       .deletes = 50,
                       .errors = 60};
  EXPECT_EQ(total, (RunCounters{.requests = 11,
                                .records = 22,
                                .inserts = 33,
                                .updates = 44,
                                .deletes = 55,
                                .errors = 66}));
}

TEST(RunStatus, NamesMatchTheSqlCheckConstraint) {
  EXPECT_STREQ(RunStatusName(RunStatus::kRunning), "running");
  EXPECT_STREQ(RunStatusName(RunStatus::kOk), "ok");
  EXPECT_STREQ(RunStatusName(RunStatus::kPartial), "partial");
  EXPECT_STREQ(RunStatusName(RunStatus::kFailed), "failed");
  EXPECT_STREQ(RunStatusName(RunStatus::kCancelled), "cancelled");
}

}  // namespace
}  // namespace ceipal::state
