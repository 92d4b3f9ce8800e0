// The list and detail endpoints of the sandbox: envelope, paging, limits,
// filters, sorting and details, over real HTTP.
#include <gtest/gtest.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <ctime>
#include <set>

#include "tests/tools/sandbox_session.h"

namespace ceipal::test {
namespace {

constexpr const char* kApplicants = "/v2/getApplicantsList/";

// A modified value as the naive server-clock text, for a server at +00:00
// or at `offset_hours` (ISO values are UTC).
std::string Naive(const std::string& value, int offset_hours = 0) {
  if (!value.ends_with("Z")) return value;
  std::tm tm{};
  strptime(value.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  time_t t = timegm(&tm) + offset_hours * 3600;
  char text[32];
  strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", gmtime(&t));
  return text;
}

std::string Shift(const std::string& naive, int seconds) {
  std::tm tm{};
  strptime(naive.c_str(), "%Y-%m-%d %H:%M:%S", &tm);
  time_t t = timegm(&tm) + seconds;
  char text[32];
  strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", gmtime(&t));
  return text;
}

int ApplicantNumber(const rapidjson::Value& record) {
  return std::stoi(Str(record, "applicant_id").substr(4));
}

std::string Message(const HttpResult& result) {
  return Str(ParseJson(result.body), "message");
}

TEST(SandboxList, EnvelopeHasExactlyTheDocumentedFields) {
  SandboxSession session;
  rapidjson::Document page = session.Page(kApplicants);
  std::vector<std::string> keys;
  for (const auto& member : page.GetObject()) {
    keys.emplace_back(member.name.GetString());
  }
  EXPECT_EQ(keys,
            (std::vector<std::string>{"count", "num_pages", "page_number",
                                      "limit", "next", "previous", "results"}));
  EXPECT_EQ(page["count"].GetInt(), 60);
  EXPECT_EQ(page["num_pages"].GetInt(), 3);
  EXPECT_EQ(page["page_number"].GetInt(), 1);
  EXPECT_EQ(page["limit"].GetInt(), 20);
  EXPECT_EQ(page["results"].Size(), 20u);
}

TEST(SandboxList, NextAndPreviousAreAbsoluteUrlsOrEmptyAtTheEnds) {
  SandboxSession session;
  rapidjson::Document first =
      session.Page(std::string(kApplicants) + "?limit=25&sortOrder=asc");
  EXPECT_EQ(Str(first, "previous"), "");
  EXPECT_EQ(Str(first, "next"),
            session.url() + kApplicants + "?limit=25&sortOrder=asc&page=2");

  rapidjson::Document last =
      session.Page(std::string(kApplicants) + "?page=3&limit=25&sortOrder=asc");
  EXPECT_EQ(Str(last, "next"), "");
  EXPECT_EQ(Str(last, "previous"),
            session.url() + kApplicants + "?page=2&limit=25&sortOrder=asc");
  EXPECT_EQ(last["results"].Size(), 10u);
}

TEST(SandboxList, FollowingNextReadsEveryRecordOnce) {
  SandboxSession session;
  for (const char* resource : {"applicants", "job_postings", "interviews",
                               "placements", "clients", "users"}) {
    std::string endpoint =
        std::string("/v2/") +
        (std::string(resource) == "applicants"     ? "getApplicantsList"
         : std::string(resource) == "job_postings" ? "getJobPostingsList"
         : std::string(resource) == "interviews"   ? "getInterviewsList"
         : std::string(resource) == "placements"   ? "getPlacementsList"
         : std::string(resource) == "clients"      ? "getClientsList"
                                                   : "getUsersList") +
        "/?limit=7";
    std::vector<std::string> listed = session.ReadAllIds(endpoint);
    std::vector<std::string> truth = session.TruthIds(resource);
    ASSERT_FALSE(truth.empty()) << resource;
    EXPECT_EQ(std::set(listed.begin(), listed.end()).size(), listed.size());
    std::sort(listed.begin(), listed.end());
    std::sort(truth.begin(), truth.end());
    EXPECT_EQ(listed, truth) << resource;
  }
}

TEST(SandboxList, PathsWithoutTheTrailingSlashAre404) {
  SandboxSession session;
  EXPECT_EQ(session.Api("/v2/getApplicantsList").status, 404);
  EXPECT_EQ(session.Api("/v2/getApplicantsList?limit=5").status, 404);
  std::string id = session.TruthIds("applicants").front();
  EXPECT_EQ(session.Api("/v2/getApplicantDetails/" + id).status, 404);
  EXPECT_EQ(session.Api("/v2/getApplicantDetails/" + id + "/").status, 200);
  EXPECT_EQ(session.Api("/v1/getApplicantsList/").status, 404);
  EXPECT_EQ(session.Api("/v2/getCandidates/").status, 404);
}

TEST(SandboxList, LimitIsClampedBetween5And50) {
  SandboxSession session;
  for (auto [asked, used] :
       {std::pair{"1", 5}, std::pair{"-3", 5}, std::pair{"5", 5},
        std::pair{"33", 33}, std::pair{"50", 50}, std::pair{"500", 50}}) {
    rapidjson::Document page =
        session.Page(std::string(kApplicants) + "?limit=" + asked);
    EXPECT_EQ(page["limit"].GetInt(), used) << asked;
    EXPECT_EQ(page["results"].Size(), static_cast<unsigned>(used)) << asked;
  }
  EXPECT_EQ(session.Api(std::string(kApplicants) + "?limit=ten").status, 400);
}

TEST(SandboxList, APagePastTheEndIs404NoRecordsFound) {
  SandboxSession session;
  EXPECT_EQ(session.Api(std::string(kApplicants) + "?page=3").status, 200);
  HttpResult past = session.Api(std::string(kApplicants) + "?page=4");
  EXPECT_EQ(past.status, 404);
  EXPECT_EQ(Message(past), "No records found");
  EXPECT_EQ(session.Api(std::string(kApplicants) + "?page=0").status, 400);
  EXPECT_EQ(session.Api(std::string(kApplicants) + "?page=x").status, 400);
}

TEST(SandboxList, AFlagTurnsEmptyPagesInto200) {
  SandboxSession session({"--empty-page-200"});
  rapidjson::Document past = session.Page(std::string(kApplicants) + "?page=9");
  EXPECT_EQ(past["results"].Size(), 0u);
  EXPECT_EQ(past["count"].GetInt(), 60);
  rapidjson::Document none = session.Page(
      std::string(kApplicants) + "?modifiedAfter=2030-01-01%2000:00:00");
  EXPECT_EQ(none["count"].GetInt(), 0);
  EXPECT_EQ(Str(none, "next"), "");
}

TEST(SandboxList, SubmissionsAreListedPerJobOnly) {
  SandboxSession session;
  HttpResult without = session.Api("/v2/getSubmissionsList/");
  EXPECT_EQ(without.status, 400);
  EXPECT_EQ(Message(without), "Invalid parameters or filters.");

  // Each job's submissions, together, are all submissions.
  size_t listed = 0;
  for (const std::string& job : session.TruthIds("job_postings")) {
    HttpResult result =
        session.Api("/v2/getSubmissionsList/?limit=50&jobId=" + UrlEncode(job));
    if (result.status == 404) continue;
    ASSERT_EQ(result.status, 200) << result.body;
    rapidjson::Document page = ParseJson(result.body);
    for (const auto& submission : page["results"].GetArray()) {
      EXPECT_EQ(Str(submission, "job_id"), job);
      ++listed;
    }
  }
  EXPECT_EQ(listed, session.TruthIds("submissions").size());
  EXPECT_GT(listed, 0u);

  std::string applicant = session.TruthIds("applicants").front();
  EXPECT_EQ(session.Api("/v2/getSubmissionsList/?jobId=" + applicant).status,
            404);
}

TEST(SandboxList, AnUnescapedIdInTheQueryStillWorks) {
  SandboxSession session;
  rapidjson::Document truth = session.Truth("submissions");
  std::string job = Str(truth["records"][0], "job_id");
  EXPECT_EQ(session.Api("/v2/getSubmissionsList/?jobId=" + job).status, 200);
}

class SandboxModifiedFilter : public ::testing::Test {
 protected:
  // Every applicant's naive modified time, in the truth's order.
  std::vector<std::string> Modified(int offset_hours = 0) {
    std::vector<std::string> times;
    rapidjson::Document truth = session_.Truth("applicants");
    for (const auto& record : truth["records"].GetArray()) {
      times.push_back(Naive(Str(record, "modified_date"), offset_hours));
    }
    return times;
  }

  int64_t CountWhere(const std::string& query) {
    HttpResult result = session_.Api(std::string(kApplicants) + "?" + query);
    if (result.status == 404) return 0;
    EXPECT_EQ(result.status, 200) << query << ": " << result.body;
    return ParseJson(result.body)["count"].GetInt64();
  }

  SandboxSession session_;
};

TEST_F(SandboxModifiedFilter, AfterAndBeforeAreStrict) {
  std::vector<std::string> times = Modified();
  std::string pivot = times[30];
  int64_t after = std::count_if(times.begin(), times.end(),
                                [&](const auto& t) { return t > pivot; });
  int64_t before = std::count_if(times.begin(), times.end(),
                                 [&](const auto& t) { return t < pivot; });
  int64_t at = std::count(times.begin(), times.end(), pivot);
  std::string encoded = UrlEncode(pivot);

  EXPECT_EQ(CountWhere("modifiedAfter=" + encoded), after);
  EXPECT_EQ(CountWhere("modifiedBefore=" + encoded), before);
  EXPECT_EQ(CountWhere("modifiedAfter=" + UrlEncode(Shift(pivot, -1))),
            after + at);
  EXPECT_EQ(after + before + at, 60);
}

TEST_F(SandboxModifiedFilter, BothTogetherSelectARange) {
  std::vector<std::string> times = Modified();
  std::sort(times.begin(), times.end());
  std::string low = times[10], high = times[40];
  int64_t inside = std::count_if(times.begin(), times.end(),
                                 [&](auto& t) { return t > low && t < high; });
  EXPECT_EQ(CountWhere("modifiedAfter=" + UrlEncode(low) +
                       "&modifiedBefore=" + UrlEncode(high)),
            inside);
  // A plus is a space in a query, as form encoding has it.
  std::string plus = low;
  std::replace(plus.begin(), plus.end(), ' ', '+');
  EXPECT_EQ(CountWhere("modifiedAfter=" + plus),
            std::count_if(times.begin(), times.end(),
                          [&](auto& t) { return t > low; }));
}

TEST_F(SandboxModifiedFilter, AnyOtherFormatIs400) {
  for (const char* value :
       {"2025-01-01T00:00:00Z", "2025-01-01T00:00:00", "2025-01-01",
        "2025-01-01%2000:00:00.000", "2025-13-01%2000:00:00", "yesterday",
        "1735689600", ""}) {
    HttpResult result =
        session_.Api(std::string(kApplicants) + "?modifiedAfter=" + value);
    EXPECT_EQ(result.status, 400) << value;
    EXPECT_EQ(Message(result), "Invalid parameters or filters.");
    EXPECT_EQ(
        session_.Api(std::string(kApplicants) + "?modifiedBefore=" + value)
            .status,
        400)
        << value;
  }
}

TEST_F(SandboxModifiedFilter, UsersTakeNoModifiedFilter) {
  EXPECT_EQ(
      session_.Api("/v2/getUsersList/?modifiedAfter=2024-01-01%2000:00:00")
          .status,
      400);
  EXPECT_EQ(session_.Api("/v2/getUsersList/?sortBy=modify_date").status, 400);
  EXPECT_EQ(session_.Api("/v2/getUsersList/?sortBy=id").status, 200);
}

TEST(SandboxList, NaiveTimesAndFiltersFollowTheServerZone) {
  SandboxSession session({"--utc-offset", "-06:00"});
  rapidjson::Document truth = session.Truth("applicants");
  int iso = 0;
  std::vector<std::string> times;
  for (const auto& record : truth["records"].GetArray()) {
    std::string modified = Str(record, "modified_date");
    iso += modified.ends_with("Z");
    times.push_back(Naive(modified, -6));
  }
  ASSERT_GT(iso, 0);
  std::string pivot = times[20];
  int64_t after = std::count_if(times.begin(), times.end(),
                                [&](auto& t) { return t > pivot; });
  rapidjson::Document page = session.Page(std::string(kApplicants) +
                                          "?modifiedAfter=" + UrlEncode(pivot));
  EXPECT_EQ(page["count"].GetInt(), after);
}

TEST(SandboxList, DefaultOrderIsIdDescending) {
  SandboxSession session;
  rapidjson::Document page =
      session.Page(std::string(kApplicants) + "?limit=50");
  const auto& results = page["results"];
  EXPECT_EQ(ApplicantNumber(results[0]), 10060);
  for (unsigned i = 1; i < results.Size(); ++i) {
    EXPECT_EQ(ApplicantNumber(results[i]), ApplicantNumber(results[i - 1]) - 1);
  }
  rapidjson::Document ascending =
      session.Page(std::string(kApplicants) + "?sortBy=id&sortOrder=asc");
  EXPECT_EQ(ApplicantNumber(ascending["results"][0]), 10001);
}

TEST(SandboxList, ModifyDateOrderBreaksTiesById) {
  SandboxSession session;
  std::vector<std::pair<std::string, int>> seen;
  for (int page_number = 1; page_number <= 6; ++page_number) {
    rapidjson::Document page =
        session.Page(std::string(kApplicants) +
                     "?sortBy=modify_date&sortOrder=asc&limit=10"
                     "&page=" +
                     std::to_string(page_number));
    for (const auto& record : page["results"].GetArray()) {
      seen.emplace_back(Naive(Str(record, "modified_date")),
                        ApplicantNumber(record));
    }
  }
  ASSERT_EQ(seen.size(), 60u);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  int ties = 0;
  for (size_t i = 1; i < seen.size(); ++i) {
    ties += seen[i].first == seen[i - 1].first;
  }
  EXPECT_GT(ties, 0) << "the dataset should share some modified seconds";

  rapidjson::Document descending = session.Page(
      std::string(kApplicants) + "?sortBy=modify_date&sortOrder=desc&limit=5");
  EXPECT_EQ(ApplicantNumber(descending["results"][0]), seen.back().second);
}

TEST(SandboxList, CreatedAtOrderFollowsCreation) {
  SandboxSession session;
  rapidjson::Document page = session.Page(
      std::string(kApplicants) + "?sortBy=created_at&sortOrder=asc&limit=50");
  std::vector<std::string> created;
  for (const auto& record : page["results"].GetArray()) {
    created.push_back(Str(record, "created_at"));
  }
  EXPECT_TRUE(std::is_sorted(created.begin(), created.end()));
}

TEST(SandboxList, UnknownSortFieldsOrOrdersAre400) {
  SandboxSession session;
  EXPECT_EQ(session.Api(std::string(kApplicants) + "?sortBy=name").status, 400);
  EXPECT_EQ(session.Api(std::string(kApplicants) + "?sortOrder=up").status,
            400);
}

TEST(SandboxDetails, EachDetailServesTheListedRecord) {
  SandboxSession session;
  struct Endpoints {
    const char* list;
    const char* detail;
  };
  for (Endpoints e : {Endpoints{"getApplicantsList", "getApplicantDetails"},
                      {"getInterviewsList", "getInterviewDetails"},
                      {"getPlacementsList", "getPlacementDetails"},
                      {"getClientsList", "getClientDetails"},
                      {"getUsersList", "getUserDetails"}}) {
    HttpResult list = session.Api(std::string("/v2/") + e.list + "/?limit=5");
    ASSERT_EQ(list.status, 200);
    rapidjson::Document page = ParseJson(list.body);
    rapidjson::StringBuffer expected;
    rapidjson::Writer<rapidjson::StringBuffer> writer(expected);
    page["results"][2].Accept(writer);
    HttpResult detail = session.Api(std::string("/v2/") + e.detail + "/" +
                                    Str(page["results"][2], "id") + "/");
    EXPECT_EQ(detail.status, 200);
    EXPECT_EQ(detail.body, expected.GetString()) << e.detail;
  }

  rapidjson::Document truth = session.Truth("submissions");
  std::string submission = Str(truth["records"][0], "id");
  HttpResult detail =
      session.Api("/v2/getSubmissionDetails/" + submission + "/");
  EXPECT_EQ(detail.status, 200);
  EXPECT_EQ(Str(ParseJson(detail.body), "id"), submission);
}

TEST(SandboxDetails, JobClientAppearsOnlyInTheDetail) {
  SandboxSession session;
  rapidjson::Document page = session.Page("/v2/getJobPostingsList/");
  for (const auto& job : page["results"].GetArray()) {
    EXPECT_FALSE(job.HasMember("client"));
  }
  std::string id = Str(page["results"][0], "id");
  rapidjson::Document detail =
      ParseJson(session.Api("/v2/getJobPostingDetails/" + id + "/").body);
  std::set<std::string> clients;
  rapidjson::Document truth = session.Truth("clients");
  for (const auto& client : truth["records"].GetArray()) {
    clients.insert(Str(client, "name"));
  }
  EXPECT_TRUE(clients.contains(Str(detail, "client"))) << Str(detail, "client");
}

TEST(SandboxDetails, UnknownIdsAre404WithAMessage) {
  SandboxSession session;
  std::string applicant = session.TruthIds("applicants").front();
  for (const std::string& path :
       {std::string("/v2/getApplicantDetails/nope/"),
        "/v2/getApplicantDetails/" + applicant.substr(0, 43) + "A/",
        "/v2/getUserDetails/" + applicant + "/"}) {
    HttpResult result = session.Api(path);
    EXPECT_EQ(result.status, 404) << path;
    EXPECT_FALSE(Message(result).starts_with("<")) << path;
  }
}

TEST(SandboxDeterminism, SameSeedServesTheSameBytes) {
  SandboxSession a({"--seed", "7"}), b({"--seed", "7"}), c({"--seed", "8"});
  for (const char* path :
       {"/v2/getApplicantsList/?limit=50&page=2", "/v2/getJobPostingsList/",
        "/v2/getClientsList/", "/v2/getPlacementsList/", "/v2/getUsersList/",
        "/v2/getInterviewsList/?sortBy=modify_date&sortOrder=asc"}) {
    std::string from_a = a.Api(path).body;
    std::string from_b = b.Api(path).body;
    // next/previous carry each server's own port.
    size_t at = 0;
    while ((at = from_b.find(b.url(), at)) != std::string::npos) {
      from_b.replace(at, b.url().size(), a.url());
    }
    EXPECT_EQ(from_a, from_b) << path;
    EXPECT_NE(from_a, c.Api(path).body) << path;
  }
  EXPECT_EQ(a.Truth("submissions")["records"].Size(),
            b.Truth("submissions")["records"].Size());
}

}  // namespace
}  // namespace ceipal::test
