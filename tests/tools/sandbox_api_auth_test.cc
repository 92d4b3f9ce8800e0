// Login, refresh, token lifetimes and the 401/403 answers of the sandbox,
// over real HTTP.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "tests/tools/sandbox_session.h"

namespace ceipal::test {
namespace {

std::string Credentials(const std::string& email, const std::string& password,
                        const std::string& api_key) {
  return R"({"email":")" + email + R"(","password":")" + password +
         R"(","apiKey":")" + api_key + R"("})";
}

std::string DefaultCredentials() {
  return Credentials(FakeCeipalProcess::kEmail, FakeCeipalProcess::kPassword,
                     FakeCeipalProcess::kApiKey);
}

HttpResult RefreshWith(const SandboxSession& session,
                       const std::string& token) {
  return Post(session.url() + "/v2/refreshToken/", "",
              {{"Token", "Bearer " + token}});
}

void AdvanceClock(SandboxSession& session, int seconds) {
  HttpResult result = session.process().Control(
      "clock", R"({"advance": )" + std::to_string(seconds) + "}");
  ASSERT_EQ(result.status, 200) << result.body;
}

constexpr const char* kList = "/v2/getUsersList/";

TEST(SandboxAuth, LoginReturnsFreshJwtLookingTokens) {
  SandboxSession session;
  HttpResult first =
      Post(session.url() + "/v2/createAuthtoken/", DefaultCredentials());
  HttpResult second =
      Post(session.url() + "/v2/createAuthtoken/", DefaultCredentials());
  ASSERT_EQ(first.status, 200) << first.body;
  rapidjson::Document body = ParseJson(first.body);
  std::string access = Str(body, "access_token");
  std::string refresh = Str(body, "refresh_token");
  EXPECT_EQ(std::count(access.begin(), access.end(), '.'), 2);
  EXPECT_EQ(std::count(refresh.begin(), refresh.end(), '.'), 2);
  EXPECT_NE(access, Str(ParseJson(second.body), "access_token"));
  EXPECT_EQ(Get(session.url() + kList, Bearer(access)).status, 200);
}

TEST(SandboxAuth, WrongCredentialsAre401WithAMessage) {
  SandboxSession session;
  for (const std::string& body :
       {Credentials("demo@example.com", "wrong", "demo-api-key"),
        Credentials("someone@example.com", "demo-password", "demo-api-key"),
        Credentials("demo@example.com", "demo-password", "wrong-key")}) {
    HttpResult result = Post(session.url() + "/v2/createAuthtoken/", body);
    EXPECT_EQ(result.status, 401) << body;
    EXPECT_FALSE(Str(ParseJson(result.body), "message").starts_with("<"));
  }
}

TEST(SandboxAuth, MissingCredentialsAre400) {
  SandboxSession session;
  for (const std::string& body :
       {std::string(""), std::string("{}"), std::string("not json"),
        std::string(R"({"email":"demo@example.com","password":"x"})"),
        std::string(R"({"email":"demo@example.com","password":"demo-password",)"
                    R"("api_key":"demo-api-key"})"),
        Credentials("", "demo-password", "demo-api-key")}) {
    HttpResult result = Post(session.url() + "/v2/createAuthtoken/", body);
    EXPECT_EQ(result.status, 400) << body;
    EXPECT_EQ(Str(ParseJson(result.body), "message"), "credentials mandatory");
  }
}

TEST(SandboxAuth, CredentialsComeFromTheFlags) {
  SandboxSession session({"--email", "ops@agency.example", "--password",
                          "s3cret", "--api-key", "k-123"});
  EXPECT_TRUE(session.token().empty());
  EXPECT_EQ(Post(session.url() + "/v2/createAuthtoken/",
                 Credentials("ops@agency.example", "s3cret", "k-123"))
                .status,
            200);
}

TEST(SandboxAuth, MissingInvalidAndExpiredTokensEachGetTheirOwn401) {
  SandboxSession session({"--token-ttl", "100"});
  HttpResult missing = Get(session.url() + kList);
  HttpResult not_bearer = Get(session.url() + kList,
                              {{"Authorization", "Basic " + session.token()}});
  HttpResult invalid = Get(session.url() + kList, Bearer("eyJforged.x.y"));
  AdvanceClock(session, 100);
  HttpResult expired = session.Api(kList);

  std::set<std::string> messages;
  for (const HttpResult* result : {&missing, &not_bearer, &invalid, &expired}) {
    EXPECT_EQ(result->status, 401) << result->body;
    messages.insert(Str(ParseJson(result->body), "message"));
  }
  EXPECT_EQ(messages.size(), 3u);
  EXPECT_EQ(Str(ParseJson(invalid.body), "message"),
            Str(ParseJson(not_bearer.body), "message"));
}

TEST(SandboxAuth, TokensExpireOnTheSimulatedClock) {
  SandboxSession session({"--token-ttl", "100"});
  AdvanceClock(session, 99);
  EXPECT_EQ(session.Api(kList).status, 200);
  AdvanceClock(session, 1);
  EXPECT_EQ(session.Api(kList).status, 401);
}

TEST(SandboxAuth, AnExpiredTokenRefreshesThroughTheTokenHeader) {
  SandboxSession session({"--token-ttl", "100"});
  AdvanceClock(session, 7200);
  HttpResult refreshed = RefreshWith(session, session.token());
  ASSERT_EQ(refreshed.status, 200) << refreshed.body;
  std::string fresh = Str(ParseJson(refreshed.body), "access_token");
  EXPECT_NE(fresh, session.token());
  EXPECT_EQ(Get(session.url() + kList, Bearer(fresh)).status, 200);
  EXPECT_EQ(session.Api(kList).status, 401);
}

TEST(SandboxAuth, RefreshNeedsAnIssuedTokenInTheTokenHeader) {
  SandboxSession session;
  EXPECT_EQ(Post(session.url() + "/v2/refreshToken/", "").status, 400);
  EXPECT_EQ(
      Post(session.url() + "/v2/refreshToken/", "", Bearer(session.token()))
          .status,
      400);
  EXPECT_EQ(RefreshWith(session, "eyJnever.issued.token").status, 401);
  EXPECT_EQ(RefreshWith(session, session.token()).status, 200);
}

TEST(SandboxAuth, TheRefreshWindowClosesAfterSevenDays) {
  SandboxSession session;
  AdvanceClock(session, 7 * 86400 - 1);
  HttpResult refreshed = RefreshWith(session, session.token());
  ASSERT_EQ(refreshed.status, 200);
  AdvanceClock(session, 1);
  std::string fresh = Str(ParseJson(refreshed.body), "access_token");
  EXPECT_EQ(RefreshWith(session, fresh).status, 401);
  EXPECT_EQ(RefreshWith(session, session.token()).status, 401);
}

TEST(SandboxAuth, RevokedTokensFailEverywhereUntilTheNextLogin) {
  SandboxSession session;
  ASSERT_EQ(
      session.process().Control("faults", R"({"revoke_tokens": true})").status,
      200);
  EXPECT_EQ(session.Api(kList).status, 401);
  EXPECT_EQ(RefreshWith(session, session.token()).status, 401);
  std::string again = session.process().Login();
  EXPECT_EQ(Get(session.url() + kList, Bearer(again)).status, 200);
}

// A scheduled revocation lets exactly the named number of data requests
// through, whatever they answered, and then works like revoke_tokens.
TEST(SandboxAuth, ScheduledRevocationLandsAfterTheNamedDataRequests) {
  SandboxSession session;
  ASSERT_EQ(session.process()
                .Control("faults", R"({"revoke_tokens_after": 2})")
                .status,
            200);
  EXPECT_EQ(session.Api("/v2/getUserDetails/999999999/").status, 404);
  EXPECT_EQ(session.Api(kList).status, 200);
  EXPECT_EQ(session.Api(kList).status, 401);
  EXPECT_EQ(RefreshWith(session, session.token()).status, 401);
  std::string again = session.process().Login();
  EXPECT_EQ(Get(session.url() + kList, Bearer(again)).status, 200)
      << "the schedule fires once";
  EXPECT_NE(session.process().ControlGet("faults").body.find(
                R"("revoke_tokens_after":0)"),
            std::string::npos);
}

// A scheduled expiry turns live access tokens into expired ones, which a
// refresh still renews.
TEST(SandboxAuth, ScheduledExpiryLeavesRefreshWorking) {
  SandboxSession session;
  session.process().Control("faults", R"({"expire_tokens_after": 1})");
  EXPECT_EQ(session.Api(kList).status, 200);
  HttpResult expired = session.Api(kList);
  EXPECT_EQ(expired.status, 401);
  HttpResult refreshed = RefreshWith(session, session.token());
  ASSERT_EQ(refreshed.status, 200) << refreshed.body;
  std::string fresh = Str(ParseJson(refreshed.body), "access_token");
  EXPECT_EQ(Get(session.url() + kList, Bearer(fresh)).status, 200);
}

TEST(SandboxAuth, RefusedRefreshLeavesLiveTokensWorking) {
  SandboxSession session({"--refuse-refresh"});
  EXPECT_EQ(RefreshWith(session, session.token()).status, 401);
  EXPECT_EQ(session.Api(kList).status, 200);
  session.process().Control("faults", R"({"refuse_refresh": false})");
  EXPECT_EQ(RefreshWith(session, session.token()).status, 200);
}

TEST(SandboxAuth, DisabledCompanyGets403OnDataCallsButStillLogsIn) {
  SandboxSession session;
  session.process().Control("faults", R"({"company_disabled": true})");
  HttpResult result = session.Api(kList);
  EXPECT_EQ(result.status, 403);
  EXPECT_EQ(Str(ParseJson(result.body), "message"),
            "Your company access is temporarily disabled.");
  EXPECT_FALSE(session.process().Login().empty());
  session.process().Control("faults", R"({"company_disabled": false})");
  EXPECT_EQ(session.Api(kList).status, 200);
}

TEST(SandboxAuth, AuthPathsNeedTheTrailingSlashAndPost) {
  SandboxSession session;
  EXPECT_EQ(
      Post(session.url() + "/v2/createAuthtoken", DefaultCredentials()).status,
      404);
  EXPECT_EQ(
      Post(session.url() + "/v1/createAuthtoken/", DefaultCredentials()).status,
      404);
  EXPECT_EQ(Get(session.url() + "/v2/createAuthtoken/").status, 405);
}

}  // namespace
}  // namespace ceipal::test
