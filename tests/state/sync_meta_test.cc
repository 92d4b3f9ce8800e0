#include "state/sync_meta.h"

#include <gtest/gtest.h>

#include "state/state_test_util.h"

namespace ceipal::state {
namespace {

class SyncMetaTest : public testing::StateTest {};

TEST_F(SyncMetaTest, UnsetKeyReadsAsNothing) {
  auto value = SyncMeta(db()).Get("first_load_started_at");
  ASSERT_TRUE(value) << value.error().message;
  EXPECT_FALSE(*value);
}

TEST_F(SyncMetaTest, SetValueReadsBackAndCanBeReplaced) {
  SyncMeta meta(db());
  ASSERT_TRUE(meta.Set("first_load_started_at", "2026-01-01T00:00:00Z"));
  EXPECT_EQ(*meta.Get("first_load_started_at"), "2026-01-01T00:00:00Z");

  ASSERT_TRUE(meta.Set("first_load_started_at", "2026-02-01T00:00:00Z"));
  EXPECT_EQ(*meta.Get("first_load_started_at"), "2026-02-01T00:00:00Z");
  EXPECT_EQ(CountRows("sync_meta"), 1);
}

TEST_F(SyncMetaTest, ValueRollsBackWithItsTransaction) {
  SyncMeta meta(db());
  {
    auto transaction = WriteTransaction::Begin(db());
    ASSERT_TRUE(transaction);
    ASSERT_TRUE(meta.Set("k", "v"));
  }
  EXPECT_FALSE(*meta.Get("k"));
}

}  // namespace
}  // namespace ceipal::state
