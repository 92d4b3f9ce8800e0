#include "state/sync_state.h"

#include <gtest/gtest.h>

#include "state/state_test_util.h"
#include "state/utc_time.h"

namespace ceipal::state {
namespace {

class SyncStateTest : public testing::StateTest {};

TEST_F(SyncStateTest, ResourceNeverReadHasNoCursor) {
  auto progress = SyncStateStore(db()).Get("applicants");
  ASSERT_TRUE(progress) << progress.error().message;
  EXPECT_EQ(progress->resource, "applicants");
  EXPECT_EQ(progress->scope, "");
  EXPECT_FALSE(progress->cursor);
  EXPECT_EQ(progress->cursor_page, 0);
  EXPECT_FALSE(progress->complete);
  EXPECT_FALSE(progress->last_run_id);
  EXPECT_EQ(CountRows("sync_state"), 0);
}

TEST_F(SyncStateTest, SavedCursorReadsBack) {
  SyncStateStore store(db());
  ASSERT_TRUE(store.SaveCursor("applicants", "", "2026-03-01 10:00:00", 2, 7));

  auto progress = store.Get("applicants");
  ASSERT_TRUE(progress);
  EXPECT_EQ(progress->cursor, "2026-03-01 10:00:00");
  EXPECT_EQ(progress->cursor_page, 2);
  EXPECT_FALSE(progress->complete);
  EXPECT_EQ(progress->last_run_id, 7);
  ASSERT_TRUE(progress->last_synced_at);
  EXPECT_TRUE(IsUtcTimestamp(*progress->last_synced_at));
}

TEST_F(SyncStateTest, CompletionClearsPageAndErrorButKeepsCursor) {
  SyncStateStore store(db());
  ASSERT_TRUE(store.SaveCursor("clients", "", "2026-03-01 10:00:00", 3, 1));
  ASSERT_TRUE(store.SetError("clients", "", 1, "HTTP 503 after 4 attempts"));
  ASSERT_TRUE(store.MarkComplete("clients", "", 2));

  auto progress = store.Get("clients");
  ASSERT_TRUE(progress);
  EXPECT_TRUE(progress->complete);
  EXPECT_EQ(progress->cursor, "2026-03-01 10:00:00");
  EXPECT_EQ(progress->cursor_page, 0);
  EXPECT_FALSE(progress->last_error);
  EXPECT_EQ(progress->last_run_id, 2);

  // The next pass starts: incomplete again until it reaches the end.
  ASSERT_TRUE(store.SaveCursor("clients", "", "2026-03-02 00:00:00", 0, 3));
  EXPECT_FALSE(store.Get("clients")->complete);
}

TEST_F(SyncStateTest, ErrorKeepsTheCheckpoint) {
  SyncStateStore store(db());
  ASSERT_TRUE(store.SaveCursor("placements", "", "2026-01-01 00:00:00", 1, 4));
  ASSERT_TRUE(store.SetError("placements", "", 5, "decode page 2: bad JSON"));

  auto progress = store.Get("placements");
  ASSERT_TRUE(progress);
  EXPECT_EQ(progress->last_error, "decode page 2: bad JSON");
  EXPECT_EQ(progress->last_run_id, 5);
  EXPECT_EQ(progress->cursor, "2026-01-01 00:00:00");
  EXPECT_EQ(progress->cursor_page, 1);
}

TEST_F(SyncStateTest, ErrorOfAResourceNeverCheckpointedIsKept) {
  SyncStateStore store(db());
  ASSERT_TRUE(store.SetError("users", "", 1, "HTTP 403"));
  auto progress = store.Get("users");
  ASSERT_TRUE(progress);
  EXPECT_EQ(progress->last_error, "HTTP 403");
  EXPECT_FALSE(progress->cursor);
}

TEST_F(SyncStateTest, ScopesOfOneResourceAreIndependent) {
  SyncStateStore store(db());
  ASSERT_TRUE(
      store.SaveCursor("submissions", "job-a", "2026-01-01 00:00:00", 0, 1));
  ASSERT_TRUE(
      store.SaveCursor("submissions", "job-b", "2026-02-02 00:00:00", 0, 1));
  EXPECT_EQ(store.Get("submissions", "job-a")->cursor, "2026-01-01 00:00:00");
  EXPECT_EQ(store.Get("submissions", "job-b")->cursor, "2026-02-02 00:00:00");
  EXPECT_FALSE(store.Get("submissions")->cursor);
}

TEST_F(SyncStateTest, CursorRollsBackWithItsPage) {
  SyncStateStore store(db());
  ASSERT_TRUE(store.SaveCursor("applicants", "", "2026-01-01 00:00:00", 0, 1));
  {
    auto page = WriteTransaction::Begin(db());
    ASSERT_TRUE(page);
    ASSERT_TRUE(
        store.SaveCursor("applicants", "", "2026-09-09 00:00:00", 0, 1));
  }
  EXPECT_EQ(store.Get("applicants")->cursor, "2026-01-01 00:00:00");
}

TEST_F(SyncStateTest, ListOrdersByResourceThenScope) {
  SyncStateStore store(db());
  ASSERT_TRUE(store.SaveCursor("users", "", std::nullopt, 0, 1));
  ASSERT_TRUE(store.SaveCursor("submissions", "job-b", "x", 0, 1));
  ASSERT_TRUE(store.SaveCursor("submissions", "job-a", "y", 0, 1));
  ASSERT_TRUE(store.MarkComplete("applicants", "", 1));

  auto all = store.List();
  ASSERT_TRUE(all) << all.error().message;
  ASSERT_EQ(all->size(), 4u);
  EXPECT_EQ((*all)[0].resource, "applicants");
  EXPECT_TRUE((*all)[0].complete);
  EXPECT_EQ((*all)[1].scope, "job-a");
  EXPECT_EQ((*all)[2].scope, "job-b");
  EXPECT_EQ((*all)[3].resource, "users");
  EXPECT_FALSE((*all)[3].cursor);
}

TEST_F(SyncStateTest, ListUnfinishedReadsOneResourcesPassesUnderWay) {
  SyncStateStore store(db());
  ASSERT_TRUE(store.SaveCursor("applicants", "#w:2", "b", 0, 1));
  ASSERT_TRUE(store.SaveCursor("applicants", "#w:1", "a", 0, 1));
  ASSERT_TRUE(store.MarkComplete("applicants", "", 1));
  ASSERT_TRUE(store.SaveCursor("submissions", "job-a", "y", 0, 1));

  auto unfinished = store.ListUnfinished("applicants");
  ASSERT_TRUE(unfinished) << unfinished.error().message;
  ASSERT_EQ(unfinished->size(), 2u);
  EXPECT_EQ((*unfinished)[0].scope, "#w:1");
  EXPECT_EQ((*unfinished)[1].scope, "#w:2");
  EXPECT_EQ((*unfinished)[1].cursor, "b");
  EXPECT_TRUE(store.ListUnfinished("users")->empty());
}

}  // namespace
}  // namespace ceipal::state
