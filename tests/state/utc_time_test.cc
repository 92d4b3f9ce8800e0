#include "state/utc_time.h"

#include <gtest/gtest.h>

#include <chrono>

namespace ceipal::state {
namespace {

TEST(UtcTime, FormatsAnInstantToTheSecond) {
  using std::chrono::seconds;
  const std::chrono::system_clock::time_point instant(
      seconds(1767323045) + std::chrono::milliseconds(999));
  EXPECT_EQ(FormatUtc(instant), "2026-01-02T03:04:05Z");
  EXPECT_EQ(FormatUtc(std::chrono::system_clock::time_point()),
            "1970-01-01T00:00:00Z");
}

TEST(UtcTime, NowHasTheTimestampShape) {
  EXPECT_TRUE(IsUtcTimestamp(UtcNow())) << UtcNow();
}

TEST(UtcTime, RecognisesTimestampsAndDatesByShape) {
  EXPECT_TRUE(IsUtcTimestamp("2026-01-02T03:04:05Z"));
  EXPECT_FALSE(IsUtcTimestamp("2026-01-02 03:04:05"));
  EXPECT_FALSE(IsUtcTimestamp("2026-01-02T03:04:05"));
  EXPECT_FALSE(IsUtcTimestamp("2026-01-02T03:04:05.000Z"));
  EXPECT_FALSE(IsUtcTimestamp("2026-01-0xT03:04:05Z"));

  EXPECT_TRUE(IsUtcDate("2026-01-02"));
  EXPECT_FALSE(IsUtcDate("2026-1-02"));
  EXPECT_FALSE(IsUtcDate("2026-01-02T00:00:00Z"));
  EXPECT_FALSE(IsUtcDate(""));
}

}  // namespace
}  // namespace ceipal::state
