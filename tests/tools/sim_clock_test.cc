#include "tools/fake_ceipal/sim_clock.h"

#include <gtest/gtest.h>

namespace ceipal::fake {
namespace {

TEST(SimClock, FormatsBothTimestampForms) {
  EXPECT_EQ(FormatNaive(kSandboxStart, 0), "2025-06-02 09:00:00");
  EXPECT_EQ(FormatIsoUtc(kSandboxStart), "2025-06-02T09:00:00Z");
  EXPECT_EQ(FormatDate(kSandboxStart, 0), "2025-06-02");
}

TEST(SimClock, NaiveTimestampsFollowTheServerZone) {
  EXPECT_EQ(FormatNaive(kSandboxStart, -6 * 3600), "2025-06-02 03:00:00");
  EXPECT_EQ(FormatNaive(kSandboxStart, -10 * 3600), "2025-06-01 23:00:00");
  EXPECT_EQ(FormatDate(kSandboxStart, -10 * 3600), "2025-06-01");
  EXPECT_EQ(ParseNaive("2025-06-02 03:00:00", -6 * 3600), kSandboxStart);
}

TEST(SimClock, ParseNaiveRoundTripsAcrossYears) {
  for (EpochSeconds t : {EpochSeconds{0}, EpochSeconds{951782400},
                         kSandboxStart, EpochSeconds{4102444799}}) {
    EXPECT_EQ(ParseNaive(FormatNaive(t, 3600), 3600), t);
  }
  EXPECT_EQ(FormatNaive(951782400, 0), "2000-02-29 00:00:00");
}

TEST(SimClock, ParseNaiveRejectsEveryOtherShape) {
  for (const char* text :
       {"2025-06-02T09:00:00Z", "2025-06-02T09:00:00", "2025-06-02",
        "2025-06-02 09:00:00.5", "2025-06-02 09:00", "2025-6-2 9:00:00",
        "2025-02-30 00:00:00", "2025-06-02 24:00:00", "2025-06-02 09:60:00",
        "2025-06-02 09:00:60", "garbage", "", " 2025-06-02 09:00:00",
        "2025-06-02 09:00:00+00:00", "2025/06/02 09:00:00"}) {
    EXPECT_EQ(ParseNaive(text, 0), std::nullopt) << text;
  }
}

TEST(SimClock, ParsesUtcOffsets) {
  EXPECT_EQ(ParseUtcOffset("+00:00"), 0);
  EXPECT_EQ(ParseUtcOffset("-06:00"), -21600);
  EXPECT_EQ(ParseUtcOffset("+05:30"), 19800);
  EXPECT_EQ(ParseUtcOffset("05:30"), std::nullopt);
  EXPECT_EQ(ParseUtcOffset("+5:30"), std::nullopt);
  EXPECT_EQ(ParseUtcOffset("+15:00"), std::nullopt);
}

TEST(SimClock, StandsStillUntilMoved) {
  SimClock clock(kSandboxStart, false);
  EXPECT_EQ(clock.Now(), kSandboxStart);
  clock.Advance(90);
  EXPECT_EQ(clock.Now(), kSandboxStart + 90);
  clock.Set(1000);
  EXPECT_EQ(clock.Now(), 1000);
  clock.Reset();
  EXPECT_EQ(clock.Now(), kSandboxStart);
}

TEST(SimClock, RealtimeClockNeverRunsBackwards) {
  SimClock clock(kSandboxStart, true);
  EXPECT_GE(clock.Now(), kSandboxStart);
  clock.Advance(60);
  EXPECT_GE(clock.Now(), kSandboxStart + 60);
}

}  // namespace
}  // namespace ceipal::fake
