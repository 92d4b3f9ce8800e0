// --start over real HTTP: the clock starts at the given instant, the whole
// base dataset moves by the same amount, filters, mutations and reset follow
// the moved times, and without the flag nothing changes.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tests/tools/sandbox_session.h"
#include "tools/fake_ceipal/sim_clock.h"

namespace ceipal::test {
namespace {

using fake::EpochSeconds;

constexpr const char* kApplicants = "/v2/getApplicantsList/";
constexpr EpochSeconds kDay = 86400;
constexpr const char* kStartText = "2030-01-15 12:00:00";
// kStartText at +00:00, and how far it lies after the default start.
constexpr EpochSeconds kStart = 1894708800;
constexpr EpochSeconds kShift = kStart - fake::kSandboxStart;

// A served timestamp, naive (in a +00:00 server) or ISO UTC; nullopt for
// any other text.
std::optional<EpochSeconds> ReadTime(std::string text) {
  if (text.size() == 20 && text[10] == 'T' && text.back() == 'Z') {
    text[10] = ' ';
    text.pop_back();
  }
  return fake::ParseNaive(text, 0);
}

// A served "YYYY-MM-DD" as the epoch of its midnight; nullopt otherwise.
std::optional<EpochSeconds> ReadDate(const std::string& text) {
  if (text.size() != 10) return std::nullopt;
  return fake::ParseNaive(text + " 00:00:00", 0);
}

EpochSeconds ClockEpoch(SandboxSession& session) {
  rapidjson::Document clock =
      ParseJson(session.process().ControlGet("clock").body);
  return clock["epoch"].GetInt64();
}

std::string Naive(EpochSeconds utc) { return fake::FormatNaive(utc, 0); }

// A 200 page's body with the server's own address taken out, so pages of
// two servers compare byte for byte.
std::string PortFree(const SandboxSession& session, const std::string& query) {
  HttpResult result = session.Api(query);
  EXPECT_EQ(result.status, 200) << query << ": " << result.body;
  std::string body = result.body;
  const std::string& url = session.url();
  for (size_t at = body.find(url); at != std::string::npos;
       at = body.find(url, at)) {
    body.replace(at, url.size(), "URL");
  }
  return body;
}

// How the values of one resource compared between the default sandbox and
// a moved one.
struct Tally {
  int moved_exactly = 0;     // timestamps moved by kShift
  int moved_whole_days = 0;  // interview dates, which keep their hour
  int dates = 0;             // calendar dates
  int unchanged = 0;         // everything else, equal
};

// Expects `after` to be `before` with every timestamp moved by kShift.
// Interview dates are drawn at business hours, days after their record's
// creation, so they move by whole days, within a day of kShift.
// A calendar date moves by the whole days kShift covers, give or take the
// day its instant was in.
void ExpectMoved(const rapidjson::Value& before, const rapidjson::Value& after,
                 const std::string& path, Tally& tally) {
  if (before.IsObject()) {
    ASSERT_TRUE(after.IsObject()) << path;
    ASSERT_EQ(before.MemberCount(), after.MemberCount()) << path;
    for (const auto& member : before.GetObject()) {
      std::string name = member.name.GetString();
      ASSERT_TRUE(after.HasMember(name.c_str())) << path << "." << name;
      ExpectMoved(member.value, after[name.c_str()], path + "." + name, tally);
    }
    return;
  }
  if (before.IsArray()) {
    ASSERT_TRUE(after.IsArray()) << path;
    ASSERT_EQ(before.Size(), after.Size()) << path;
    for (rapidjson::SizeType i = 0; i < before.Size(); ++i) {
      ExpectMoved(before[i], after[i], path, tally);
    }
    return;
  }
  if (!before.IsString()) {
    EXPECT_TRUE(before == after) << path;
    ++tally.unchanged;
    return;
  }

  std::string old_text = before.GetString();
  std::string new_text = after.IsString() ? after.GetString() : "<not text>";
  if (std::optional<EpochSeconds> old_time = ReadTime(old_text)) {
    std::optional<EpochSeconds> new_time = ReadTime(new_text);
    ASSERT_TRUE(new_time.has_value()) << path << ": " << new_text;
    EpochSeconds moved = *new_time - *old_time;
    if (path.ends_with(".interview_date")) {
      EXPECT_EQ(moved % kDay, 0)
          << path << ": " << old_text << " -> " << new_text;
      EXPECT_LT(std::abs(moved - kShift), kDay) << path;
      ++tally.moved_whole_days;
    } else {
      EXPECT_EQ(moved, kShift)
          << path << ": " << old_text << " -> " << new_text;
      ++tally.moved_exactly;
    }
  } else if (std::optional<EpochSeconds> old_date = ReadDate(old_text)) {
    std::optional<EpochSeconds> new_date = ReadDate(new_text);
    ASSERT_TRUE(new_date.has_value()) << path << ": " << new_text;
    EpochSeconds days = (*new_date - *old_date) / kDay;
    EXPECT_TRUE(days == kShift / kDay || days == kShift / kDay + 1)
        << path << ": " << old_text << " -> " << new_text;
    ++tally.dates;
  } else {
    EXPECT_EQ(old_text, new_text) << path;
    ++tally.unchanged;
  }
}

TEST(SandboxStart, ClockStartsThereAndResetReturnsThere) {
  SandboxSession session({"--start", kStartText});
  rapidjson::Document clock =
      ParseJson(session.process().ControlGet("clock").body);
  EXPECT_EQ(Str(clock, "now"), kStartText);
  EXPECT_EQ(Str(clock, "utc"), "2030-01-15T12:00:00Z");
  EXPECT_EQ(clock["epoch"].GetInt64(), kStart);

  session.process().Control("clock", R"({"advance": 7200})");
  EXPECT_EQ(ClockEpoch(session), kStart + 7200);
  EXPECT_EQ(session.process().Control("reset").status, 200);
  EXPECT_EQ(ClockEpoch(session), kStart);
}

TEST(SandboxStart, IsReadInTheServerZone) {
  SandboxSession session({"--start", kStartText, "--utc-offset", "-06:00"});
  rapidjson::Document clock =
      ParseJson(session.process().ControlGet("clock").body);
  EXPECT_EQ(Str(clock, "now"), kStartText);
  EXPECT_EQ(Str(clock, "utc"), "2030-01-15T18:00:00Z");
}

TEST(SandboxStart, NewestRecordsLieShortlyBeforeTheClock) {
  SandboxSession session({"--start", kStartText, "--applicants", "500"});
  rapidjson::Document page = session.Page(std::string(kApplicants) +
                                          "?sortBy=modify_date&sortOrder=desc");
  ASSERT_GT(page["results"].Size(), 0u);

  // 500 records over two years put the newest within two days of the end,
  // which is an hour before the clock.
  std::optional<EpochSeconds> newest =
      ReadTime(Str(page["results"][0], "modified_date"));
  ASSERT_TRUE(newest.has_value());
  EXPECT_LE(*newest, kStart - 3600);
  EXPECT_GT(*newest, kStart - 2 * kDay);

  // Nothing in the base lies after the clock.
  for (const char* resource : {"applicants", "clients"}) {
    rapidjson::Document truth = session.Truth(resource);
    for (const auto& record : truth["records"].GetArray()) {
      for (const char* field : {"created_at", "modified_date", "updated_at"}) {
        if (!record.HasMember(field)) continue;
        std::optional<EpochSeconds> time = ReadTime(Str(record, field));
        ASSERT_TRUE(time.has_value()) << resource << "." << field;
        EXPECT_LT(*time, kStart) << resource << "." << field;
      }
    }
  }
}

TEST(SandboxStart, EveryRecordIsTheDefaultMovedByTheSameAmount) {
  SandboxSession original;
  SandboxSession moved({"--start", kStartText});
  std::map<std::string, Tally> tallies;
  for (const char* resource :
       {"applicants", "job_postings", "submissions", "interviews", "placements",
        "clients", "users"}) {
    rapidjson::Document before = original.Truth(resource);
    rapidjson::Document after = moved.Truth(resource);
    ASSERT_GT(before["records"].Size(), 0u) << resource;
    Tally& tally = tallies[resource];
    ExpectMoved(before, after, resource, tally);
    EXPECT_GT(tally.unchanged, 0) << resource;
    if (std::string(resource) != "users") {
      EXPECT_GT(tally.moved_exactly, 0) << resource;
    }
  }

  // The times and dates derived from a record's creation were compared too.
  EXPECT_GT(tallies["interviews"].moved_whole_days, 0);
  EXPECT_GT(tallies["job_postings"].dates, 0);
  EXPECT_GT(tallies["placements"].dates, 0);
  EXPECT_GT(tallies["applicants"].dates, 0);
}

TEST(SandboxStart, ModifiedFiltersSelectTheMovedRange) {
  SandboxSession original({"--applicants", "500"});
  SandboxSession moved({"--start", kStartText, "--applicants", "500"});
  auto window = [](EpochSeconds end) {
    return std::string(kApplicants) +
           "?limit=50&modifiedAfter=" + UrlEncode(Naive(end - 60 * kDay)) +
           "&modifiedBefore=" + UrlEncode(Naive(end - 20 * kDay));
  };

  // What the moved server answers is what its own records say.
  std::vector<std::string> served = moved.ReadAllIds(window(kStart));
  std::vector<std::string> expected;
  rapidjson::Document truth = moved.Truth("applicants");
  for (const auto& record : truth["records"].GetArray()) {
    EpochSeconds modified = *ReadTime(Str(record, "modified_date"));
    if (modified > kStart - 60 * kDay && modified < kStart - 20 * kDay) {
      expected.push_back(Str(record, "id"));
    }
  }
  std::sort(served.begin(), served.end());
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(served, expected);
  EXPECT_GT(served.size(), 10u);
  EXPECT_LT(served.size(), 500u);

  // And it is the default server's answer for the same window there.
  std::vector<std::string> unmoved =
      original.ReadAllIds(window(fake::kSandboxStart));
  std::sort(unmoved.begin(), unmoved.end());
  EXPECT_EQ(served, unmoved);
}

TEST(SandboxStart, MutationsJournalAndResetFollowTheMovedClock) {
  SandboxSession session({"--start", kStartText});
  session.process().Control("clock", R"({"advance": 60})");
  rapidjson::Document created =
      session.Mutate(R"({"kind": "create", "resource": "applicants"})");
  ASSERT_EQ(created["changes"].Size(), 1u);
  std::string id = Str(created["changes"][0], "id");
  EXPECT_EQ(Str(created["changes"][0], "at"), "2030-01-15 12:01:00");

  // The new record is the only one modified after the start, and the
  // newest by creation.
  std::string after_start =
      std::string(kApplicants) + "?modifiedAfter=" + UrlEncode(kStartText);
  EXPECT_EQ(session.ReadAllIds(after_start), std::vector<std::string>{id});
  rapidjson::Document newest = session.Page(
      std::string(kApplicants) + "?sortBy=created_at&sortOrder=desc");
  EXPECT_EQ(Str(newest["results"][0], "id"), id);
  EXPECT_EQ(Str(newest["results"][0], "created_at"), "2030-01-15 12:01:00");

  // A reset forgets it and puts the clock back at the start.
  session.process().Control("reset");
  EXPECT_EQ(ClockEpoch(session), kStart);
  EXPECT_EQ(session.Api(after_start).status, 404);
}

TEST(SandboxStart, NowStartsAtTheMachinesTime) {
  auto system_now = [] {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
  EpochSeconds before = system_now();
  SandboxSession session(
      {"--start", "now", "--realtime-clock", "--applicants", "500"});
  EpochSeconds clock = ClockEpoch(session);
  EpochSeconds after = system_now();
  EXPECT_GE(clock, before);
  EXPECT_LE(clock, after);

  rapidjson::Document page = session.Page(std::string(kApplicants) +
                                          "?sortBy=modify_date&sortOrder=desc");
  std::optional<EpochSeconds> newest =
      ReadTime(Str(page["results"][0], "modified_date"));
  ASSERT_TRUE(newest.has_value());
  EXPECT_LT(*newest, clock);
  EXPECT_GT(*newest, before - 2 * kDay - 3600);
}

TEST(SandboxStart, WithoutTheFlagTheDatasetIsUnchanged) {
  SandboxSession original;
  SandboxSession explicit_default({"--start", "2025-06-02 09:00:00"});
  const std::string query =
      std::string(kApplicants) + "?sortBy=modify_date&sortOrder=desc&limit=5";
  std::string body = PortFree(original, query);
  EXPECT_EQ(body, PortFree(explicit_default, query));
  EXPECT_EQ(PortFree(original, "/v2/getPlacementsList/"),
            PortFree(explicit_default, "/v2/getPlacementsList/"));

  // The newest and oldest of that page, as the sandbox served them before
  // --start existed.
  rapidjson::Document page = ParseJson(body);
  ASSERT_EQ(page["results"].Size(), 5u);
  const rapidjson::Value& first = page["results"][0];
  const rapidjson::Value& last = page["results"][4];
  EXPECT_EQ(Str(first, "id"), "9bIH-jaJHUWAPmWHyZ6qJZeImiCAX8Sd3-cYLqSsrKg=");
  EXPECT_EQ(Str(first, "created_at"), "2025-02-20 04:00:00");
  EXPECT_EQ(Str(first, "modified_date"), "2025-05-21 04:00:00");
  EXPECT_EQ(Str(last, "id"), "9bIH-jaJHUWAPmWHyZ6qJQacr0aIjTMZ3UH6Whbpi8s=");
  EXPECT_EQ(Str(last, "created_at"), "2025-01-02 12:00:00");
  EXPECT_EQ(Str(last, "modified_date"), "2025-04-02 12:00:00");
}

}  // namespace
}  // namespace ceipal::test
