#include "engine/timestamp.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ceipal::engine {
namespace {

constexpr int64_t kInstant = 1741944130;  // 2025-03-14T09:22:10Z
const SourceClock kUtc{};
const SourceClock kChicago{-6 * 60};  // a fixed -06:00 server clock

int64_t MustParse(std::string_view text, const SourceClock& clock = kUtc) {
  auto parsed = ParseSourceTime(text, clock);
  EXPECT_TRUE(parsed.has_value()) << text << ": " << parsed.error().message;
  return parsed.value_or(-1);
}

TEST(ParseSourceTime, ReadsNaiveFormAsUtcByDefault) {
  EXPECT_EQ(MustParse("2025-03-14 09:22:10"), kInstant);
}

TEST(ParseSourceTime, ReadsNaiveFormInTheSourceZone) {
  EXPECT_EQ(MustParse("2025-03-14 03:22:10", kChicago), kInstant);
  EXPECT_EQ(MustParse("2025-03-14 14:52:10", SourceClock{330}), kInstant);
}

TEST(ParseSourceTime, ReadsIsoWithZAsUtcWhateverTheSourceZone) {
  EXPECT_EQ(MustParse("2025-03-14T09:22:10Z", kChicago), kInstant);
  EXPECT_EQ(MustParse("2025-03-14T09:22:10z"), kInstant);
}

TEST(ParseSourceTime, ReadsIsoWithoutZoneInTheSourceZone) {
  EXPECT_EQ(MustParse("2025-03-14T03:22:10", kChicago), kInstant);
}

TEST(ParseSourceTime, AppliesExplicitOffsetsInEveryForm) {
  EXPECT_EQ(MustParse("2025-03-14T14:52:10+05:30"), kInstant);
  EXPECT_EQ(MustParse("2025-03-14T03:22:10-0600"), kInstant);
  EXPECT_EQ(MustParse("2025-03-14T10:22:10+01"), kInstant);
  EXPECT_EQ(MustParse("2025-03-14 10:22:10+01:00", kChicago), kInstant);
  EXPECT_EQ(MustParse("2025-03-14T09:22:10+00:00", kChicago), kInstant);
}

TEST(ParseSourceTime, DropsFractionalSeconds) {
  EXPECT_EQ(MustParse("2025-03-14T09:22:10.999999Z"), kInstant);
  EXPECT_EQ(MustParse("2025-03-14 09:22:10.5"), kInstant);
  EXPECT_EQ(MustParse("2025-03-14T09:22:10,25+00:00"), kInstant);
  EXPECT_EQ(MustParse("2025-03-14T03:22:10.123-06:00"), kInstant);
}

TEST(ParseSourceTime, ReadsDateOnlyAsMidnightInTheSourceZone) {
  EXPECT_EQ(MustParse("2024-02-29"), 1709164800);
  EXPECT_EQ(MustParse("2024-02-29", kChicago), 1709164800 + 6 * 3600);
}

TEST(ParseSourceTime, HandlesInstantsBeforeTheEpochAndCenturyRules) {
  EXPECT_EQ(MustParse("1969-12-31 23:59:59"), -1);
  EXPECT_EQ(MustParse("2000-03-01 00:00:00"), 951868800);
  EXPECT_EQ(MustParse("2000-02-29"), 951868800 - 86400);
  EXPECT_EQ(MustParse("0001-01-01 00:00:00"), -62135596800);
  EXPECT_EQ(MustParse("9999-12-31 23:59:59"), 253402300799);
}

TEST(ParseSourceTime, RejectsFieldsOutOfRange) {
  for (const char* text : {
           "2025-13-01 00:00:00",  // month 13
           "2025-00-10 00:00:00",  // month 0
           "2025-02-30 00:00:00",  // February 30
           "2023-02-29",           // not a leap year
           "1900-02-29",           // century, not a leap year
           "2025-04-31",           // April has 30 days
           "2025-01-00",           // day 0
           "2025-01-01 24:00:00",  // hour 24
           "2025-01-01 23:60:00",  // minute 60
           "2025-01-01 23:59:60",  // no leap seconds
           "2025-01-01T00:00:00+19:00",
           "2025-01-01T00:00:00+05:60",
       }) {
    auto parsed = ParseSourceTime(text, kUtc);
    ASSERT_FALSE(parsed.has_value()) << text;
    EXPECT_EQ(parsed.error().kind, ErrorKind::kSchema) << text;
    EXPECT_NE(parsed.error().message.find(text), std::string::npos)
        << parsed.error().message;
  }
}

TEST(ParseSourceTime, RejectsMalformedText) {
  for (const char* text : {
           "",
           "2025",
           "2025-3-14",
           "2025/03/14",
           "14-03-2025",
           "2025-03-14 9:22:10",
           "2025-03-14 09:22",
           "2025-03-14_09:22:10",
           "2025-03-14 09:22:10 ",
           " 2025-03-14 09:22:10",
           "2025-03-14 09:22:10.",
           "2025-03-14 09:22:10.Z",
           "2025-03-14T09:22:10+",
           "2025-03-14T09:22:10+5",
           "2025-03-14T09:22:10+05:",
           "2025-03-14T09:22:10+05:3",
           "2025-03-14T09:22:10+05:30:00",
           "2025-03-14T09:22:10 UTC",
           "2025-03-14T09:22:10ZZ",
           "2025-03-14x",
           "NA",
       }) {
    auto parsed = ParseSourceTime(text, kUtc);
    EXPECT_FALSE(parsed.has_value()) << "accepted '" << text << "'";
  }
}

TEST(ParseSourceTime, QuotesOnlyAShortPrintableExcerptOfBadInput) {
  std::string huge = "2025-01-01 00:00:00" + std::string(100000, 'x');
  huge[25] = '\n';
  auto parsed = ParseSourceTime(huge, kUtc);
  ASSERT_FALSE(parsed.has_value());
  EXPECT_LT(parsed.error().message.size(), 200u);
  EXPECT_EQ(parsed.error().message.find('\n'), std::string::npos);
}

TEST(FormatUtc, WritesIsoWithZ) {
  EXPECT_EQ(FormatUtc(kInstant), "2025-03-14T09:22:10Z");
  EXPECT_EQ(FormatUtc(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatUtc(-1), "1969-12-31T23:59:59Z");
  EXPECT_EQ(FormatUtc(951868800 - 1), "2000-02-29T23:59:59Z");
}

TEST(FormatUtc, ClampsToFourDigitYears) {
  EXPECT_EQ(FormatUtc(INT64_MAX), "9999-12-31T23:59:59Z");
  EXPECT_EQ(FormatUtc(INT64_MIN), "0000-01-01T00:00:00Z");
}

TEST(FormatSourceNaive, WritesTheSourceClocksWallTime) {
  EXPECT_EQ(FormatSourceNaive(kInstant, kUtc), "2025-03-14 09:22:10");
  EXPECT_EQ(FormatSourceNaive(kInstant, kChicago), "2025-03-14 03:22:10");
  EXPECT_EQ(FormatSourceNaive(kInstant, SourceClock{330}),
            "2025-03-14 14:52:10");
}

TEST(FormatSourceNaive, RoundTripsThroughParseSourceTime) {
  std::vector<int64_t> instants = {0,          -86401,      951782399,
                                   951868800,  1709251199,  kInstant,
                                   4102444800, 253402214400};
  for (int offset : {0, -360, 330, 840, -720}) {
    SourceClock clock{offset};
    for (int64_t instant : instants) {
      std::string text = FormatSourceNaive(instant, clock);
      EXPECT_EQ(MustParse(text, clock), instant) << text << " " << offset;
      EXPECT_EQ(MustParse(FormatUtc(instant), clock), instant);
    }
  }
}

TEST(NormalizeDate, KeepsABareDate) {
  EXPECT_EQ(NormalizeDate("2025-04-01").value(), "2025-04-01");
  EXPECT_EQ(NormalizeDate("2024-02-29").value(), "2024-02-29");
}

TEST(NormalizeDate, KeepsTheWrittenDateOfATimestamp) {
  EXPECT_EQ(NormalizeDate("2025-04-01 00:00:00").value(), "2025-04-01");
  EXPECT_EQ(NormalizeDate("2025-04-01T23:30:00-05:00").value(), "2025-04-01");
  EXPECT_EQ(NormalizeDate("2025-04-01T00:30:00.5+05:30").value(), "2025-04-01");
}

TEST(NormalizeDate, RejectsInvalidDatesAndTimestamps) {
  for (const char* text : {"2025-02-30", "2025-13-01", "04-01-2025", "",
                           "2025-04-01 25:00:00", "2025-04-01garbage"}) {
    auto date = NormalizeDate(text);
    ASSERT_FALSE(date.has_value()) << text;
    EXPECT_EQ(date.error().kind, ErrorKind::kSchema);
  }
}

TEST(ParseUtcOffset, ReadsEveryConfiguredForm) {
  EXPECT_EQ(ParseUtcOffset("+05:30").value(), 330);
  EXPECT_EQ(ParseUtcOffset("-06:00").value(), -360);
  EXPECT_EQ(ParseUtcOffset("-0600").value(), -360);
  EXPECT_EQ(ParseUtcOffset("+01").value(), 60);
  EXPECT_EQ(ParseUtcOffset("Z").value(), 0);
  EXPECT_EQ(ParseUtcOffset("+00:00").value(), 0);
  EXPECT_EQ(ParseUtcOffset("+18:00").value(), 18 * 60);
}

TEST(ParseUtcOffset, RejectsMalformedOrOutOfRangeOffsets) {
  for (const char* text :
       {"", "5:30", "+5:30", "+05:60", "+19:00", "-18:01", "UTC", "+05:30x"}) {
    auto offset = ParseUtcOffset(text);
    ASSERT_FALSE(offset.has_value()) << text;
    EXPECT_EQ(offset.error().kind, ErrorKind::kConfig) << text;
  }
}

}  // namespace
}  // namespace ceipal::engine
