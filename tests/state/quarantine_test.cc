#include "state/quarantine.h"

#include <gtest/gtest.h>

#include "state/state_test_util.h"
#include "state/utc_time.h"

namespace ceipal::state {
namespace {

class QuarantineTest : public testing::StateTest {};

TEST_F(QuarantineTest, KeepsTheRawRecordAndTheReason) {
  const std::string raw = "{\"applicant_id\": 12, \"name\": \"\xff\"}";
  auto id =
      AddQuarantine(db(), 3, "applicants", "A1=", raw, "invalid UTF-8 in name");
  ASSERT_TRUE(id) << id.error().message;

  SQLite::Statement row(db().sql(),
                        "SELECT run_id, resource, record_id, raw, error,"
                        " seen_at FROM quarantine WHERE id = ?");
  row.bind(1, *id);
  ASSERT_TRUE(row.executeStep());
  EXPECT_EQ(row.getColumn(0).getInt64(), 3);
  EXPECT_EQ(row.getColumn(1).getString(), "applicants");
  EXPECT_EQ(row.getColumn(2).getString(), "A1=");
  EXPECT_EQ(row.getColumn(3).getString(), raw);
  EXPECT_EQ(row.getColumn(4).getString(), "invalid UTF-8 in name");
  EXPECT_TRUE(IsUtcTimestamp(row.getColumn(5).getString()));
}

TEST_F(QuarantineTest, RecordWithoutAnIdIsKeptWithANullId) {
  auto id = AddQuarantine(db(), 1, "clients", std::nullopt, "{}", "no id");
  ASSERT_TRUE(id);
  EXPECT_TRUE(
      db().sql().execAndGet("SELECT record_id FROM quarantine").isNull());
}

TEST_F(QuarantineTest, RowRollsBackWithItsPage) {
  {
    auto page = WriteTransaction::Begin(db());
    ASSERT_TRUE(page);
    ASSERT_TRUE(AddQuarantine(db(), 1, "clients", "c", "{}", "bad"));
  }
  EXPECT_EQ(CountRows("quarantine"), 0);
}

}  // namespace
}  // namespace ceipal::state
