// The sandbox's faults, switched at run time through /_fake/faults or at
// start by flags, observed over real HTTP.
#include <curl/curl.h>
#include <gtest/gtest.h>

#include <set>

#include "tests/tools/sandbox_session.h"

namespace ceipal::test {
namespace {

constexpr const char* kApplicants = "/v2/getApplicantsList/";

void SetFaults(SandboxSession& session, const std::string& json) {
  HttpResult result = session.process().Control("faults", json);
  ASSERT_EQ(result.status, 200) << json << ": " << result.body;
}

TEST(SandboxFaults, RateLimitAnswers429WithTheDocumentedMessage) {
  SandboxSession session;
  SetFaults(session, R"({"rate": 0.001, "burst": 3, "retry_after": 7})");
  for (int i = 0; i < 3; ++i) EXPECT_EQ(session.Api(kApplicants).status, 200);

  HttpResult limited = session.Api(kApplicants);
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(Str(ParseJson(limited.body), "message"),
            "Request limit exceeded. Please try again later.");
  EXPECT_EQ(limited.Header("Retry-After"), "7");
  EXPECT_TRUE(session.process().Login().empty()) << "auth is limited too";

  rapidjson::Document stats =
      ParseJson(session.process().ControlGet("stats").body);
  EXPECT_EQ(stats["totals"]["rate_limited"].GetInt(), 2);
  EXPECT_EQ(
      stats["endpoints"]["/v2/getApplicantsList/"]["statuses"]["429"].GetInt(),
      1);

  SetFaults(session, R"({"rate": 0})");
  EXPECT_EQ(session.Api(kApplicants).status, 200);
}

TEST(SandboxFaults, RetryAfterIsOptional) {
  SandboxSession session;
  SetFaults(session, R"({"rate": 0.001, "burst": 1})");
  session.Api(kApplicants);
  HttpResult limited = session.Api(kApplicants);
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.Header("Retry-After"), "");
}

TEST(SandboxFaults, LatencyHoldsEveryDataAnswerBack) {
  SandboxSession session;
  SetFaults(session, R"({"latency_ms": 3000})");
  HttpResult slow = Get(session.url() + kApplicants, Bearer(session.token()),
                        /*timeout_ms=*/500);
  EXPECT_EQ(slow.curl_code, CURLE_OPERATION_TIMEDOUT) << slow.error;
  // Control calls are never delayed.
  EXPECT_EQ(Get(session.url() + "/_fake/clock", {}, 2000).status, 200);
  SetFaults(session, R"({"latency_ms": 0})");
  EXPECT_EQ(session.Api(kApplicants).status, 200);
}

TEST(SandboxFaults, ErrorRateFailsDataCallsWith5xx) {
  SandboxSession session;
  SetFaults(session, R"({"error_rate": 1})");
  for (int i = 0; i < 5; ++i) {
    HttpResult result = session.Api(kApplicants);
    EXPECT_GE(result.status, 500);
    EXPECT_LE(result.status, 504);
  }
  EXPECT_FALSE(session.process().Login().empty());
  SetFaults(session, R"({"error_rate": 0})");
  EXPECT_EQ(session.Api(kApplicants).status, 200);
}

TEST(SandboxFaults, RandomErrorsRepeatWithTheSeed) {
  auto statuses = [](SandboxSession& session) {
    SetFaults(session, R"({"error_rate": 0.5})");
    std::vector<long> seen;
    for (int i = 0; i < 20; ++i)
      seen.push_back(session.Api(kApplicants).status);
    return seen;
  };
  SandboxSession a({"--seed", "3"}), b({"--seed", "3"});
  std::vector<long> from_a = statuses(a);
  EXPECT_EQ(from_a, statuses(b));
  EXPECT_EQ(std::set<long>(from_a.begin(), from_a.end()).count(200), 1u);
  EXPECT_GT(std::set<long>(from_a.begin(), from_a.end()).size(), 1u);
}

TEST(SandboxFaults, FailNextAnswers503ThatManyTimes) {
  SandboxSession session;
  SetFaults(session, R"({"fail_next": 2})");
  EXPECT_EQ(session.Api(kApplicants).status, 503);
  EXPECT_EQ(session.Api("/v2/getUsersList/").status, 503);
  EXPECT_EQ(session.Api(kApplicants).status, 200);
}

TEST(SandboxFaults, FaultsCanBeSetByStartFlags) {
  SandboxSession session({"--fail-next", "1", "--huge-count-next", "1"});
  EXPECT_EQ(session.Api(kApplicants).status, 503);
  rapidjson::Document page = session.Page(kApplicants);
  EXPECT_EQ(page["count"].GetInt64(), 1'000'000'000'000);
}

TEST(SandboxFaults, TruncatedBodiesAreCutInHalf) {
  SandboxSession session;
  std::string whole = session.Api(kApplicants).body;
  SetFaults(session, R"({"truncate_next": 1})");
  HttpResult cut = session.Api(kApplicants);
  EXPECT_EQ(cut.status, 200);
  EXPECT_EQ(cut.body, whole.substr(0, whole.size() / 2));
  EXPECT_TRUE(ParseJson(cut.body).HasParseError());
  EXPECT_EQ(session.Api(kApplicants).body, whole);
}

TEST(SandboxFaults, ResetConnectionsGetNoResponseAtAll) {
  SandboxSession session;
  SetFaults(session, R"({"reset_next": 1})");
  HttpResult dropped = session.Api(kApplicants);
  EXPECT_EQ(dropped.status, 0);
  EXPECT_NE(dropped.curl_code, CURLE_OK);
  EXPECT_EQ(session.Api(kApplicants).status, 200);
  rapidjson::Document stats =
      ParseJson(session.process().ControlGet("stats").body);
  EXPECT_EQ(
      stats["endpoints"]["/v2/getApplicantsList/"]["statuses"]["0"].GetInt(),
      1);
}

TEST(SandboxFaults, BadEnvelopesAndEmptyBodiesAnswer200) {
  SandboxSession session;
  SetFaults(session, R"({"bad_envelope_next": 1, "empty_body_next": 1})");
  HttpResult empty = session.Api(kApplicants);
  EXPECT_EQ(empty.status, 200);
  EXPECT_EQ(empty.body, "");

  HttpResult wrong = session.Api(kApplicants);
  EXPECT_EQ(wrong.status, 200);
  rapidjson::Document body = ParseJson(wrong.body);
  ASSERT_FALSE(body.HasParseError());
  EXPECT_FALSE(body.HasMember("results"));
  EXPECT_FALSE(body.HasMember("count"));

  EXPECT_TRUE(session.Page(kApplicants).HasMember("results"));
}

TEST(SandboxFaults, HugeCountClaimsATrillionRecords) {
  SandboxSession session;
  SetFaults(session, R"({"huge_count_next": 1})");
  rapidjson::Document page = session.Page(kApplicants);
  EXPECT_EQ(page["count"].GetInt64(), 1'000'000'000'000);
  EXPECT_EQ(page["num_pages"].GetInt64(), 50'000'000'000);
  EXPECT_EQ(page["results"].Size(), 20u);
  EXPECT_EQ(session.Page(kApplicants)["count"].GetInt(), 60);
}

class SandboxInjection : public ::testing::TestWithParam<std::string> {};

TEST_P(SandboxInjection, PutsOneHostileRecordIntoTheNextPage) {
  SandboxSession session;
  SetFaults(session, R"({"inject": {"resource": "applicants", "kind": ")" +
                         GetParam() + R"("}})");
  // Another resource's pages are untouched.
  EXPECT_EQ(session.Page("/v2/getUsersList/?limit=5")["results"].Size(), 5u);

  HttpResult result = session.Api(std::string(kApplicants) + "?limit=5");
  ASSERT_EQ(result.status, 200);
  rapidjson::Document page = ParseJson(result.body);
  ASSERT_FALSE(page.HasParseError()) << GetParam();
  const auto& results = page["results"];
  ASSERT_EQ(results.Size(), 6u);
  const auto& hostile = results[5];

  const std::string& kind = GetParam();
  if (kind == "no_id") {
    EXPECT_TRUE(hostile.IsObject() && !hostile.HasMember("id"));
  } else if (kind == "invalid_utf8") {
    EXPECT_NE(result.body.find("\xC3\x28"), std::string::npos);
  } else if (kind == "huge_field") {
    EXPECT_GE(hostile["notes"].GetStringLength(), 2u << 20);
  } else if (kind == "null_record") {
    EXPECT_TRUE(hostile.IsNull());
  } else if (kind == "array_record") {
    EXPECT_TRUE(hostile.IsArray());
  } else if (kind == "duplicate_id") {
    EXPECT_STREQ(hostile["id"].GetString(), results[4]["id"].GetString());
  } else if (kind == "wrong_type") {
    EXPECT_TRUE(hostile["id"].IsNumber());
  }

  // Once only, and never in the ground truth.
  EXPECT_EQ(
      session.Page(std::string(kApplicants) + "?limit=5")["results"].Size(),
      5u);
  EXPECT_EQ(session.TruthIds("applicants").size(), 60u);
}

INSTANTIATE_TEST_SUITE_P(EveryKind, SandboxInjection,
                         ::testing::Values("no_id", "invalid_utf8",
                                           "huge_field", "null_record",
                                           "array_record", "duplicate_id",
                                           "wrong_type"));

TEST(SandboxFaults, UnknownFaultsAreRefused) {
  SandboxSession session;
  EXPECT_EQ(session.process().Control("faults", R"({"fial_next": 1})").status,
            400);
  EXPECT_EQ(session.process()
                .Control("faults", R"({"inject": {"resource": "x",)"
                                   R"( "kind": "no_id"}})")
                .status,
            400);
  rapidjson::Document faults =
      ParseJson(session.process().ControlGet("faults").body);
  EXPECT_EQ(faults["fail_next"].GetInt(), 0);
}

TEST(SandboxFaults, ControlCallsIgnoreFaults) {
  SandboxSession session;
  SetFaults(session,
            R"({"fail_next": 5, "company_disabled": true, "error_rate": 1})");
  EXPECT_EQ(session.process().ControlGet("clock").status, 200);
  EXPECT_EQ(session.process().ControlGet("truth?resource=users").status, 200);
  EXPECT_EQ(session.process().ControlGet("faults").status, 200);
}

}  // namespace
}  // namespace ceipal::test
