#include "tools/fake_ceipal/config.h"

#include <gtest/gtest.h>

#include <chrono>
#include <vector>

namespace ceipal::fake {
namespace {

Result<CommandLine> Parse(std::vector<const char*> args) {
  args.insert(args.begin(), "fake-ceipal");
  return ParseCommandLine(static_cast<int>(args.size()), args.data());
}

TEST(FakeCeipalConfig, DefaultsMakeASmallDemoDataset) {
  auto line = Parse({});
  ASSERT_TRUE(line.has_value()) << line.error().message;
  const Config& c = line->config;
  EXPECT_EQ(c.host, "127.0.0.1");
  EXPECT_EQ(c.port, 0);
  EXPECT_EQ(c.seed, 42u);
  EXPECT_EQ(c.sizes.applicants, 500);
  EXPECT_EQ(c.sizes.job_postings, 60);
  EXPECT_EQ(c.email, "demo@example.com");
  EXPECT_EQ(c.password, "demo-password");
  EXPECT_EQ(c.api_key, "demo-api-key");
  EXPECT_EQ(c.token_ttl, 3600);
  EXPECT_EQ(c.utc_offset_seconds, 0);
  EXPECT_EQ(c.start, kSandboxStart);
  EXPECT_FALSE(line->show_help);
}

TEST(FakeCeipalConfig, ReadsEveryKindOfFlag) {
  auto line = Parse({"--seed",
                     "7",
                     "--applicants",
                     "1000000",
                     "--jobs",
                     "3",
                     "--submissions",
                     "10",
                     "--utc-offset",
                     "-06:00",
                     "--token-ttl",
                     "60",
                     "--rate",
                     "2.5",
                     "--burst",
                     "4",
                     "--retry-after",
                     "1",
                     "--company-disabled",
                     "--empty-page-200",
                     "--inject",
                     "applicants:no_id",
                     "--inject",
                     "jobs:wrong_type"});
  ASSERT_TRUE(line.has_value()) << line.error().message;
  const Config& c = line->config;
  EXPECT_EQ(c.seed, 7u);
  EXPECT_EQ(c.sizes.applicants, 1'000'000);
  EXPECT_EQ(c.sizes.submissions, 10);
  EXPECT_EQ(c.utc_offset_seconds, -21600);
  EXPECT_EQ(c.token_ttl, 60);
  EXPECT_DOUBLE_EQ(c.faults.rate, 2.5);
  EXPECT_EQ(c.faults.burst, 4);
  EXPECT_EQ(c.faults.retry_after, 1);
  EXPECT_TRUE(c.faults.company_disabled);
  EXPECT_TRUE(c.empty_page_ok);
  ASSERT_EQ(c.faults.injections.size(), 2u);
  EXPECT_EQ(c.faults.injections[1].resource, Resource::kJobPostings);
  EXPECT_EQ(c.faults.injections[1].kind, HostileKind::kWrongType);
}

TEST(FakeCeipalConfig, StartIsNaiveInTheServerZoneOrNow) {
  auto fixed = Parse({"--start", "2030-01-15 12:00:00"});
  ASSERT_TRUE(fixed.has_value()) << fixed.error().message;
  EXPECT_EQ(fixed->config.start, 1894708800);

  // The zone applies whichever flag comes first.
  auto zoned =
      Parse({"--start", "2030-01-15 12:00:00", "--utc-offset", "-06:00"});
  ASSERT_TRUE(zoned.has_value()) << zoned.error().message;
  EXPECT_EQ(zoned->config.start, 1894708800 + 6 * 3600);

  auto system_now = [] {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
  EpochSeconds before = system_now();
  auto now = Parse({"--start", "now"});
  EpochSeconds after = system_now();
  ASSERT_TRUE(now.has_value()) << now.error().message;
  EXPECT_GE(now->config.start, before);
  EXPECT_LE(now->config.start, after);
}

TEST(FakeCeipalConfig, HelpDocumentsEveryFlag) {
  auto line = Parse({"--help"});
  ASSERT_TRUE(line.has_value());
  EXPECT_TRUE(line->show_help);
  for (const char* flag : {"--port",
                           "--seed",
                           "--email",
                           "--password",
                           "--api-key",
                           "--token-ttl",
                           "--utc-offset",
                           "--start",
                           "--realtime-clock",
                           "--empty-page-200",
                           "--verbose",
                           "--applicants",
                           "--jobs",
                           "--submissions-per-job",
                           "--submissions",
                           "--interviews",
                           "--placements",
                           "--clients",
                           "--users",
                           "--rate",
                           "--burst",
                           "--retry-after",
                           "--latency-ms",
                           "--error-rate",
                           "--fail-next",
                           "--truncate-next",
                           "--reset-next",
                           "--company-disabled",
                           "--refuse-refresh",
                           "--bad-envelope-next",
                           "--empty-body-next",
                           "--huge-count-next",
                           "--inject"}) {
    EXPECT_NE(line->help.find(flag), std::string::npos) << flag;
  }
}

TEST(FakeCeipalConfig, RejectsBadValuesNamingTheFlag) {
  struct Case {
    std::vector<const char*> args;
    const char* mentions;
  };
  for (const Case& bad : std::vector<Case>{
           {{"--no-such-flag"}, "no-such-flag"},
           {{"--applicants", "-1"}, "applicants"},
           {{"--port", "70000"}, "port"},
           {{"--utc-offset", "6"}, "utc-offset"},
           {{"--token-ttl", "0"}, "token-ttl"},
           {{"--error-rate", "2"}, "error-rate"},
           {{"--inject", "applicants"}, "inject"},
           {{"--inject", "applicants:exploding"}, "inject"},
           {{"--seed", "abc"}, "seed"},
           {{"--start", "2030-01-15T12:00:00"}, "start"},
           {{"--start", "2030-02-30 12:00:00"}, "start"},
           {{"--start", "yesterday"}, "start"},
           {{"--start", "1970-01-01 00:00:00"}, "start"},
       }) {
    auto line = Parse(bad.args);
    ASSERT_FALSE(line.has_value()) << bad.mentions;
    EXPECT_EQ(line.error().kind, ErrorKind::kConfig);
    EXPECT_NE(line.error().message.find(bad.mentions), std::string::npos)
        << line.error().message;
  }
}

}  // namespace
}  // namespace ceipal::fake
