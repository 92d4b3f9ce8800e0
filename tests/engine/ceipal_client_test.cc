#include "engine/ceipal_client.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/sinks/ostream_sink.h>

#include <atomic>
#include <chrono>
#include <deque>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "engine/clock.h"
#include "engine/http.h"
#include "engine/rate_limiter.h"

namespace ceipal::engine {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr char kBase[] = "https://ceipal.test";
constexpr char kApplicants[] = "/v2/getApplicantsList/";
constexpr char kLogin[] = "/v2/createAuthtoken/";
constexpr char kRefresh[] = "/v2/refreshToken/";

std::string Base64Url(const std::string& bytes) {
  constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (const unsigned char c : bytes) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kAlphabet[(buffer >> bits) & 0x3F]);
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(buffer << (6 - bits)) & 0x3F]);
  return out;
}

// An unsigned JWT whose claims say it lives `lifetime`; `tag` makes tokens
// tell apart.
std::string Jwt(const std::string& tag, seconds lifetime) {
  const int64_t issued = 1767225600;
  return Base64Url(R"({"alg":"HS256","typ":"JWT"})") + "." +
         Base64Url(R"({"user_id":")" + tag + R"(","iat":)" +
                   std::to_string(issued) + R"(,"exp":)" +
                   std::to_string(issued + lifetime.count()) + "}") +
         ".c2lnbmF0dXJl";
}

std::string TokenBody(const std::string& access,
                      const std::string& refresh = "") {
  std::string body = R"({"access_token":")" + access + "\"";
  if (!refresh.empty()) body += R"(,"refresh_token":")" + refresh + "\"";
  return body + "}";
}

// An error body {"message": text}, escaped as JSON.
std::string Message(const std::string& text) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartObject();
  writer.Key("message");
  writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
  writer.EndObject();
  return buffer.GetString();
}

std::string PathOf(const HttpRequest& request) {
  const std::string path = UrlPathAndQuery(request.url);
  return path.substr(0, path.find('?'));
}

bool HasHeader(const HttpRequest& request, const std::string& header) {
  for (const std::string& sent : request.headers) {
    if (sent == header) return true;
  }
  return false;
}

// Answers requests from a script, in order, and remembers what was sent.
class ScriptedTransport : public HttpTransport {
 public:
  ScriptedTransport& Answer(long status, std::string body = "",
                            std::string retry_after = "") {
    script_.push_back(
        HttpResponse{status, std::move(body), std::move(retry_after)});
    return *this;
  }
  ScriptedTransport& LoginOk(const std::string& access,
                             const std::string& refresh = "") {
    return Answer(200, TokenBody(access, refresh));
  }
  ScriptedTransport& FailWith(ErrorKind kind, std::string message) {
    script_.push_back(std::unexpected(Error{kind, std::move(message), 0}));
    return *this;
  }

  Result<HttpResponse> Perform(const HttpRequest& request) override {
    requests_.push_back(request);
    if (script_.empty()) {
      ADD_FAILURE() << "unscripted request to " << request.url;
      return HttpResponse{599, "", ""};
    }
    Result<HttpResponse> next = std::move(script_.front());
    script_.pop_front();
    return next;
  }

  const std::vector<HttpRequest>& requests() const { return requests_; }
  std::vector<std::string> paths() const {
    std::vector<std::string> paths;
    for (const HttpRequest& request : requests_) {
      paths.push_back(PathOf(request));
    }
    return paths;
  }
  bool done() const { return script_.empty(); }

 private:
  std::deque<Result<HttpResponse>> script_;
  std::vector<HttpRequest> requests_;
};

Credentials TestCredentials() {
  return Credentials{"recruiter@example.com", "pa\"ss\\word-9F3k",
                     "api-key-7Qx2"};
}

// A client over a scripted transport and a fake clock, with a limiter fast
// enough to stay out of the way and backoffs at their upper bound.
struct Harness {
  explicit Harness(ClientOptions options = {})
      : limiter(clock, RateLimiterOptions{1000.0, 100, 0.05, 0.05}),
        logger("test", std::make_shared<spdlog::sinks::ostream_sink_mt>(log)) {
    logger.set_level(spdlog::level::debug);
    options.base_url = kBase;
    if (!options.jitter) options.jitter = [] { return 1.0; };
    client = std::make_unique<CeipalClient>(transport, TestCredentials(),
                                            std::move(options), limiter, clock,
                                            logger);
  }

  Result<ApiResponse> Fetch(const QueryParams& query = {{"page", "1"}}) {
    return client->Get(kApplicants, query, "fetch applicants page 1");
  }

  FakeClock clock;
  ScriptedTransport transport;
  RateLimiter limiter;
  std::ostringstream log;
  spdlog::logger logger;
  std::unique_ptr<CeipalClient> client;
};

ClientOptions WithAttempts(int attempts) {
  ClientOptions options;
  options.max_attempts = attempts;
  return options;
}

TEST(CeipalClient, LogsInLazilyAndSendsTheBearerToken) {
  Harness h;
  h.transport.LoginOk("token-1").Answer(200, R"({"results":[]})");

  auto response =
      h.Fetch({{"page", "2"}, {"modifiedAfter", "2026-01-01 10:00:00"}});

  ASSERT_TRUE(response.has_value()) << response.error().message;
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, R"({"results":[]})");
  ASSERT_EQ(h.transport.requests().size(), 2u);
  const HttpRequest& login = h.transport.requests()[0];
  EXPECT_EQ(login.method, "POST");
  EXPECT_EQ(login.url, std::string(kBase) + kLogin);
  EXPECT_TRUE(HasHeader(login, "Content-Type: application/json"));
  const HttpRequest& data = h.transport.requests()[1];
  EXPECT_EQ(data.method, "GET");
  EXPECT_EQ(data.url, std::string(kBase) + kApplicants +
                          "?page=2&modifiedAfter=2026-01-01%2010%3A00%3A00");
  EXPECT_TRUE(HasHeader(data, "Authorization: Bearer token-1"));
  EXPECT_TRUE(HasHeader(data, "Accept: application/json"));
  EXPECT_EQ(h.client->stats().logins, 1);
  EXPECT_EQ(h.client->stats().data_requests, 1);
}

TEST(CeipalClient, LoginBodyIsJsonWithEscapedCredentials) {
  Harness h;
  h.transport.LoginOk("token-1").Answer(200, "{}");

  ASSERT_TRUE(h.Fetch().has_value());

  rapidjson::Document body;
  body.Parse(h.transport.requests()[0].body.c_str());
  ASSERT_FALSE(body.HasParseError());
  const Credentials credentials = TestCredentials();
  EXPECT_EQ(std::string(body["email"].GetString()), credentials.email);
  EXPECT_EQ(std::string(body["password"].GetString()), credentials.password);
  EXPECT_EQ(std::string(body["apiKey"].GetString()), credentials.api_key);
}

TEST(CeipalClient, ReusesTheTokenForLaterRequests) {
  Harness h;
  h.transport.LoginOk("token-1").Answer(200, "{}").Answer(200, "{}");

  ASSERT_TRUE(h.Fetch().has_value());
  ASSERT_TRUE(h.Fetch().has_value());

  EXPECT_EQ(h.client->stats().logins, 1);
  EXPECT_EQ(h.client->stats().data_requests, 2);
  EXPECT_TRUE(h.transport.done());
}

TEST(CeipalClient, RefreshesBeforeTheTokenExpires) {
  Harness h;
  const std::string first = Jwt("a", seconds(600));
  const std::string second = Jwt("b", seconds(600));
  h.transport.LoginOk(first).Answer(200, "{}");
  h.transport.Answer(200, TokenBody(second)).Answer(200, "{}");

  ASSERT_TRUE(h.Fetch().has_value());
  // 600 s tokens are renewed a fifth of their life early, after 480 s.
  h.clock.Advance(seconds(500));
  ASSERT_TRUE(h.Fetch().has_value());

  EXPECT_EQ(
      h.transport.paths(),
      (std::vector<std::string>{kLogin, kApplicants, kRefresh, kApplicants}));
  EXPECT_TRUE(HasHeader(h.transport.requests()[2], "Token: Bearer " + first));
  EXPECT_TRUE(
      HasHeader(h.transport.requests()[3], "Authorization: Bearer " + second));
  EXPECT_EQ(h.client->stats().refreshes, 1);
  EXPECT_EQ(h.client->stats().logins, 1);
}

TEST(CeipalClient, KeepsAFreshTokenWithoutRefreshing) {
  Harness h;
  h.transport.LoginOk(Jwt("a", seconds(600))).Answer(200, "{}");
  h.transport.Answer(200, "{}");

  ASSERT_TRUE(h.Fetch().has_value());
  h.clock.Advance(seconds(470));
  ASSERT_TRUE(h.Fetch().has_value());

  EXPECT_EQ(h.client->stats().refreshes, 0);
}

TEST(CeipalClient, AssumesAnHourForATokenItCannotDecode) {
  Harness h;
  h.transport.LoginOk("opaque-token").Answer(200, "{}").Answer(200, "{}");
  h.transport.Answer(200, TokenBody("opaque-2")).Answer(200, "{}");

  ASSERT_TRUE(h.Fetch().has_value());
  h.clock.Advance(seconds(3200));
  ASSERT_TRUE(h.Fetch().has_value());
  EXPECT_EQ(h.client->stats().refreshes, 0);
  // Renewed 300 s before the assumed 3600 s are up.
  h.clock.Advance(seconds(200));
  ASSERT_TRUE(h.Fetch().has_value());
  EXPECT_EQ(h.client->stats().refreshes, 1);
}

TEST(CeipalClient, LogsInAgainWhenRefreshIsRefused) {
  Harness h;
  h.transport.LoginOk(Jwt("a", seconds(600))).Answer(200, "{}");
  h.transport.Answer(401, Message("Invalid token"));
  h.transport.LoginOk("token-2").Answer(200, "{}");

  ASSERT_TRUE(h.Fetch().has_value());
  h.clock.Advance(seconds(590));
  ASSERT_TRUE(h.Fetch().has_value());

  EXPECT_EQ(h.transport.paths(),
            (std::vector<std::string>{kLogin, kApplicants, kRefresh, kLogin,
                                      kApplicants}));
  EXPECT_TRUE(
      HasHeader(h.transport.requests()[4], "Authorization: Bearer token-2"));
}

TEST(CeipalClient, On401RefreshesOnceThenLogsInAgain) {
  Harness h;
  h.transport.LoginOk("token-1").Answer(401, Message("Token expired"));
  h.transport.Answer(200, TokenBody("token-2")).Answer(401);
  h.transport.LoginOk("token-3").Answer(200, "{}");

  auto response = h.Fetch();

  ASSERT_TRUE(response.has_value()) << response.error().message;
  EXPECT_EQ(h.transport.paths(),
            (std::vector<std::string>{kLogin, kApplicants, kRefresh,
                                      kApplicants, kLogin, kApplicants}));
  EXPECT_TRUE(HasHeader(h.transport.requests()[2], "Token: Bearer token-1"));
  EXPECT_TRUE(
      HasHeader(h.transport.requests()[3], "Authorization: Bearer token-2"));
  EXPECT_TRUE(
      HasHeader(h.transport.requests()[5], "Authorization: Bearer token-3"));
}

TEST(CeipalClient, FailsWithAuthWhenTheTokenIsRefusedAfterReLogin) {
  Harness h;
  h.transport.LoginOk("token-1").Answer(401);
  h.transport.Answer(200, TokenBody("token-2")).Answer(401);
  h.transport.LoginOk("token-3").Answer(401, Message("Unauthorized"));

  auto response = h.Fetch();

  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().kind, ErrorKind::kAuth);
  EXPECT_EQ(response.error().http_status, 401);
  EXPECT_EQ(response.error().message.find("fetch applicants page 1 (" +
                                          std::string(kApplicants) + "): "),
            0u)
      << response.error().message;
  EXPECT_TRUE(h.transport.done());
}

TEST(CeipalClient, RefusedLoginIsAnAuthError) {
  Harness h;
  h.transport.Answer(401, Message("Invalid credentials"));

  auto response = h.Fetch();

  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().kind, ErrorKind::kAuth);
  const std::string& message = response.error().message;
  EXPECT_NE(message.find("fetch applicants page 1"), std::string::npos);
  EXPECT_NE(message.find(kLogin), std::string::npos) << message;
  EXPECT_NE(message.find("Invalid credentials"), std::string::npos);
  EXPECT_EQ(h.client->stats().data_requests, 0);
}

// Credentials refused once are not sent again: other threads of the run
// waiting for a token, or later requests, fail with the same answer.
TEST(CeipalClient, RefusedLoginIsNotSentAgain) {
  Harness h;
  h.transport.Answer(401, Message("Invalid credentials"));

  auto first = h.Fetch();
  auto second = h.Fetch();
  auto authenticated = h.client->Authenticate();

  ASSERT_FALSE(first.has_value());
  ASSERT_FALSE(second.has_value());
  ASSERT_FALSE(authenticated.has_value());
  EXPECT_EQ(second.error().kind, ErrorKind::kAuth);
  EXPECT_EQ(authenticated.error().kind, ErrorKind::kAuth);
  EXPECT_NE(second.error().message.find("Invalid credentials"),
            std::string::npos);
  EXPECT_EQ(h.transport.requests().size(), 1u);
}

TEST(CeipalClient, AuthenticateLogsInOnceAndKeepsTheToken) {
  Harness h;
  h.transport.LoginOk("token-1").Answer(200, R"({"results": []})");

  ASSERT_TRUE(h.client->Authenticate().has_value());
  ASSERT_TRUE(h.client->Authenticate().has_value());
  auto response = h.Fetch();

  ASSERT_TRUE(response.has_value());
  ASSERT_EQ(h.transport.requests().size(), 2u);
  EXPECT_EQ(h.client->stats().logins, 1);
  EXPECT_TRUE(h.transport.done());
}

TEST(CeipalClient, LoginAnswerWithoutATokenIsAParseError) {
  Harness h;
  h.transport.Answer(200, R"({"status":"ok"})");

  auto response = h.Fetch();

  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().kind, ErrorKind::kParse);
}

TEST(CeipalClient, LoginIsRetriedOnServerErrors) {
  Harness h;
  h.transport.Answer(503).LoginOk("token-1").Answer(200, "{}");

  ASSERT_TRUE(h.Fetch().has_value());

  EXPECT_EQ(h.client->stats().logins, 2);
  EXPECT_EQ(h.client->stats().data_requests, 1);
  EXPECT_EQ(h.client->stats().retries, 1);
}

TEST(CeipalClient, ForbiddenCarriesTheServersMessage) {
  Harness h;
  h.transport.LoginOk("token-1").Answer(
      403, Message("Your company access is temporarily disabled."));

  auto response = h.Fetch();

  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().kind, ErrorKind::kForbidden);
  EXPECT_EQ(response.error().http_status, 403);
  EXPECT_NE(response.error().message.find("company access is temporarily"),
            std::string::npos);
  EXPECT_EQ(h.client->stats().data_requests, 1);
}

TEST(CeipalClient, NotFoundWithNoRecordsIsAnAnswer) {
  Harness h;
  h.transport.LoginOk("token-1").Answer(404, Message("No records found"));

  auto response = h.Fetch();

  ASSERT_TRUE(response.has_value()) << response.error().message;
  EXPECT_EQ(response->status, 404);
  EXPECT_EQ(response->body, Message("No records found"));
}

TEST(CeipalClient, NotFoundSayingCompanyAccessIsDisabledIsForbidden) {
  Harness h;
  h.transport.LoginOk("token-1").Answer(
      404, Message("company access is temporarily disabled"));

  auto response = h.Fetch();

  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().kind, ErrorKind::kForbidden);
  EXPECT_EQ(response.error().http_status, 404);
}

TEST(CeipalClient, NotFoundAskingForTheTokenRenewsIt) {
  Harness h;
  h.transport.LoginOk("token-1").Answer(
      404, Message("please provide the access token"));
  h.transport.Answer(200, TokenBody("token-2")).Answer(200, "{}");

  auto response = h.Fetch();

  ASSERT_TRUE(response.has_value()) << response.error().message;
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(h.client->stats().refreshes, 1);
}

TEST(CeipalClient, BadRequestIsAnHttpStatusErrorWithoutRetry) {
  Harness h;
  h.transport.LoginOk("token-1").Answer(
      400, Message("Invalid parameters or filters."));

  auto response = h.Fetch();

  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().kind, ErrorKind::kHttpStatus);
  EXPECT_EQ(response.error().http_status, 400);
  EXPECT_EQ(response.error().message,
            "fetch applicants page 1 (/v2/getApplicantsList/): HTTP 400: "
            "Invalid parameters or filters.");
  EXPECT_EQ(h.client->stats().retries, 0);
}

TEST(CeipalClient, RetriesServerErrorsWithExponentialBackoff) {
  Harness h;
  h.transport.LoginOk("token-1").Answer(503).Answer(502).Answer(500);
  h.transport.Answer(200, "{}");

  auto response = h.Fetch();

  ASSERT_TRUE(response.has_value()) << response.error().message;
  EXPECT_EQ(h.clock.sleeps(),
            (std::vector<milliseconds>{milliseconds(500), milliseconds(1000),
                                       milliseconds(2000)}));
  EXPECT_EQ(h.client->stats().retries, 3);
  EXPECT_EQ(h.client->stats().data_requests, 4);
}

TEST(CeipalClient, BackoffStopsGrowingAtItsCap) {
  ClientOptions options = WithAttempts(6);
  options.max_backoff = milliseconds(1500);
  Harness h(options);
  h.transport.LoginOk("token-1");
  for (int i = 0; i < 4; ++i) h.transport.Answer(503);
  h.transport.Answer(200, "{}");

  ASSERT_TRUE(h.Fetch().has_value());

  EXPECT_EQ(h.clock.sleeps(), (std::vector<milliseconds>{
                                  milliseconds(500), milliseconds(1000),
                                  milliseconds(1500), milliseconds(1500)}));
}

TEST(CeipalClient, JitterScalesTheBackoffDown) {
  ClientOptions options;
  options.jitter = [] { return 0.25; };
  Harness h(options);
  h.transport.LoginOk("token-1").Answer(503).Answer(503).Answer(200, "{}");

  ASSERT_TRUE(h.Fetch().has_value());

  EXPECT_EQ(h.clock.sleeps(),
            (std::vector<milliseconds>{milliseconds(125), milliseconds(250)}));
}

TEST(CeipalClient, RandomJitterStaysWithinTheExponentialBound) {
  ClientOptions options = WithAttempts(8);
  options.jitter = nullptr;
  Harness h(options);
  h.client.reset();  // rebuilt below without the harness's fixed jitter
  options.base_url = kBase;
  h.client = std::make_unique<CeipalClient>(
      h.transport, TestCredentials(), options, h.limiter, h.clock, h.logger);
  h.transport.LoginOk("token-1");
  for (int i = 0; i < 7; ++i) h.transport.Answer(503);
  h.transport.Answer(200, "{}");

  ASSERT_TRUE(h.Fetch().has_value());

  const auto sleeps = h.clock.sleeps();
  ASSERT_LE(sleeps.size(), 7u);
  for (std::size_t i = 0; i < sleeps.size(); ++i) {
    EXPECT_LE(sleeps[i], std::min(milliseconds(500 << i), milliseconds(30000)));
  }
  EXPECT_EQ(h.client->stats().retries, 7);
}

TEST(CeipalClient, GivesUpOnServerErrorsAfterMaxAttempts) {
  Harness h;
  h.transport.LoginOk("token-1");
  for (int i = 0; i < 5; ++i) h.transport.Answer(503, Message("Down"));

  auto response = h.Fetch();

  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().kind, ErrorKind::kHttpStatus);
  EXPECT_EQ(response.error().http_status, 503);
  EXPECT_EQ(response.error().message,
            "fetch applicants page 1 (/v2/getApplicantsList/): HTTP 503 after "
            "5 attempts: Down");
  EXPECT_EQ(h.client->stats().data_requests, 5);
  EXPECT_EQ(h.client->stats().retries, 4);
}

TEST(CeipalClient, GivesUpOnNetworkFailuresAfterMaxAttempts) {
  Harness h(WithAttempts(3));
  h.transport.LoginOk("token-1");
  for (int i = 0; i < 3; ++i) {
    h.transport.FailWith(ErrorKind::kNetwork,
                         "GET /v2/getApplicantsList/?page=1: Connection reset");
  }

  auto response = h.Fetch();

  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().kind, ErrorKind::kNetwork);
  EXPECT_NE(response.error().message.find("after 3 attempts"),
            std::string::npos)
      << response.error().message;
  EXPECT_NE(response.error().message.find("Connection reset"),
            std::string::npos);
}

TEST(CeipalClient, NetworkFailureThenSuccessIsASuccess) {
  Harness h;
  h.transport.LoginOk("token-1").FailWith(ErrorKind::kNetwork, "timeout");
  h.transport.Answer(200, "{}");

  ASSERT_TRUE(h.Fetch().has_value());
  EXPECT_EQ(h.client->stats().retries, 1);
}

TEST(CeipalClient, OversizedBodyIsNotRetried) {
  Harness h;
  h.transport.LoginOk("token-1").FailWith(ErrorKind::kParse, "too large");

  auto response = h.Fetch();

  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().kind, ErrorKind::kParse);
  EXPECT_EQ(h.client->stats().data_requests, 1);
}

TEST(CeipalClient, HonoursRetryAfterOn429) {
  Harness h;
  h.transport.LoginOk("token-1").Answer(429, Message("Request limit"), "7");
  h.transport.Answer(200, "{}");

  ASSERT_TRUE(h.Fetch().has_value());

  EXPECT_EQ(h.clock.sleeps(), (std::vector<milliseconds>{seconds(7)}));
  EXPECT_EQ(h.client->stats().rate_limited, 1);
  EXPECT_EQ(h.client->stats().retries, 1);
  EXPECT_LT(h.limiter.rate(), 1000.0);
}

TEST(CeipalClient, BacksOffAndSlowsTheLimiterOn429WithoutRetryAfter) {
  Harness h;
  h.transport.LoginOk("token-1").Answer(429).Answer(200, "{}");

  ASSERT_TRUE(h.Fetch().has_value());

  EXPECT_EQ(h.clock.sleeps().front(), milliseconds(500));
  EXPECT_LT(h.limiter.rate(), 1000.0);
}

TEST(CeipalClient, PersistentRateLimitingEndsAsRateLimited) {
  Harness h;
  h.transport.LoginOk("token-1");
  for (int i = 0; i < 5; ++i) h.transport.Answer(429, "", "1");

  auto response = h.Fetch();

  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().kind, ErrorKind::kRateLimited);
  EXPECT_EQ(response.error().http_status, 429);
  EXPECT_NE(response.error().message.find("HTTP 429 after 5 attempts"),
            std::string::npos)
      << response.error().message;
  EXPECT_EQ(h.client->stats().rate_limited, 5);
}

TEST(CeipalClient, RetryAfterBeyondTheLimitFailsAtOnce) {
  Harness h;
  h.transport.LoginOk("token-1").Answer(429, "", "3600");

  auto response = h.Fetch();

  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().kind, ErrorKind::kRateLimited);
  EXPECT_TRUE(h.clock.sleeps().empty());
}

TEST(CeipalClient, DeadlineStopsRetriesBeforeASleepWouldCrossIt) {
  Harness h;
  h.client->SetDeadline(h.clock.Monotonic() + seconds(1));
  h.transport.LoginOk("token-1").Answer(503).Answer(503);

  auto response = h.Fetch();

  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().kind, ErrorKind::kCancelled);
  // 500 ms fits before the deadline; the next 1000 ms would not.
  EXPECT_EQ(h.clock.sleeps(), (std::vector<milliseconds>{milliseconds(500)}));
  EXPECT_TRUE(h.transport.done());
}

TEST(CeipalClient, RequestAfterTheDeadlineIsNotSent) {
  Harness h;
  h.client->SetDeadline(h.clock.Monotonic());

  auto response = h.Fetch();

  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().kind, ErrorKind::kCancelled);
  EXPECT_TRUE(h.transport.requests().empty());
}

// Fails the test if any secret of TestCredentials() or `tokens` is in
// `text`.
void ExpectNoSecret(const std::string& text,
                    const std::vector<std::string>& tokens) {
  const Credentials credentials = TestCredentials();
  std::vector<std::string> secrets = tokens;
  secrets.push_back(credentials.password);
  secrets.push_back(credentials.api_key);
  for (const std::string& secret : secrets) {
    EXPECT_EQ(text.find(secret), std::string::npos)
        << "secret " << secret << " in: " << text;
  }
}

TEST(CeipalClient, SecretsNeverAppearInErrorsOrLogs) {
  const Credentials credentials = TestCredentials();
  const std::string first = "tok-AAAA-1111";
  const std::string second = "tok-BBBB-2222";
  const std::string refresh = "refresh-CCCC-3333";
  const std::vector<std::string> tokens = {first, second, refresh};
  std::vector<std::string> errors;

  // A login, a rejected token and its refresh, then a server that echoes
  // secrets back: in a 400, then in 503s until the retries run out.
  Harness h(WithAttempts(2));
  h.transport.LoginOk(first, refresh).Answer(401, Message("bad " + first));
  h.transport.Answer(200, TokenBody(second, refresh));
  h.transport.Answer(400, Message("bad " + second + " " + credentials.api_key));
  h.transport.Answer(503, Message("down " + credentials.password));
  h.transport.Answer(503, Message("down " + second));
  for (int i = 0; i < 2; ++i) {
    auto response = h.Fetch();
    ASSERT_FALSE(response.has_value());
    errors.push_back(response.error().message);
  }

  // A login refused with the password in the answer.
  Harness refused;
  refused.transport.Answer(401, Message("wrong " + credentials.password));
  auto response = refused.Fetch();
  ASSERT_FALSE(response.has_value());
  errors.push_back(response.error().message);

  // The secrets were really in play, and there is output to search.
  ASSERT_TRUE(h.transport.done());
  ASSERT_TRUE(
      HasHeader(h.transport.requests()[3], "Authorization: Bearer " + second));
  const std::string log = h.log.str() + refused.log.str();
  ASSERT_NE(log.find("Request done"), std::string::npos);
  ASSERT_NE(log.find("Retrying request"), std::string::npos);
  ExpectNoSecret(log, tokens);
  for (const std::string& error : errors) {
    EXPECT_NE(error.find("[redacted]"), std::string::npos) << error;
    ExpectNoSecret(error, tokens);
  }
}

// Answers any login with one token and any other request with 200, safe to
// use from its own thread; counts logins across all instances.
class AlwaysOkTransport : public HttpTransport {
 public:
  explicit AlwaysOkTransport(std::atomic<int>& logins) : logins_(logins) {}

  Result<HttpResponse> Perform(const HttpRequest& request) override {
    if (PathOf(request) == kLogin) {
      ++logins_;
      return HttpResponse{200, TokenBody("shared-token"), ""};
    }
    if (!HasHeader(request, "Authorization: Bearer shared-token")) {
      return HttpResponse{401, "", ""};
    }
    return HttpResponse{200, "{}", ""};
  }

 private:
  std::atomic<int>& logins_;
};

TEST(CeipalClient, ThreadsWithTheirOwnTransportsShareOneLogin) {
  Harness h;
  std::atomic<int> logins{0};
  std::atomic<int> successes{0};
  constexpr int kThreads = 4;
  constexpr int kEach = 25;

  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      AlwaysOkTransport transport(logins);
      for (int i = 0; i < kEach; ++i) {
        auto response =
            h.client->Get(transport, kApplicants, {{"page", "1"}}, "fetch");
        if (response.has_value()) ++successes;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();

  EXPECT_EQ(successes.load(), kThreads * kEach);
  EXPECT_EQ(logins.load(), 1);
  EXPECT_EQ(h.client->stats().data_requests, kThreads * kEach);
}

// The client over CurlTransport against a small server on 127.0.0.1.
TEST(CeipalClient, LogsInAndFetchesOverRealHttp) {
  httplib::Server server;
  std::string login_body;
  std::string seen_authorization;
  std::string seen_modified_after;
  const std::string page = R"({"count":1,"results":[{"id":"x"}]})";
  server.Post(kLogin, [&](const httplib::Request& request,
                          httplib::Response& response) {
    login_body = request.body;
    response.set_content(TokenBody("real-token"), "application/json");
  });
  server.Get(kApplicants,
             [&](const httplib::Request& request, httplib::Response& response) {
               seen_authorization = request.get_header_value("Authorization");
               seen_modified_after = request.get_param_value("modifiedAfter");
               response.set_content(page, "application/json");
             });
  const int port = server.bind_to_any_port("127.0.0.1");
  std::thread serving([&] { server.listen_after_bind(); });
  while (!server.is_running()) std::this_thread::sleep_for(milliseconds(1));

  std::optional<Result<ApiResponse>> response;
  {
    FakeClock clock;
    RateLimiter limiter(clock, RateLimiterOptions{});
    spdlog::logger logger("test",
                          std::make_shared<spdlog::sinks::null_sink_mt>());
    CurlTransport transport;
    ClientOptions options;
    options.base_url = "http://127.0.0.1:" + std::to_string(port);
    CeipalClient client(transport, TestCredentials(), options, limiter, clock,
                        logger);
    response =
        client.Get(kApplicants, {{"modifiedAfter", "2026-01-01 10:00:00"}},
                   "fetch applicants page 1");
  }
  server.stop();
  serving.join();

  ASSERT_TRUE(response->has_value()) << (*response).error().message;
  EXPECT_EQ((*response)->status, 200);
  EXPECT_EQ((*response)->body, page);
  EXPECT_NE(login_body.find("\"apiKey\""), std::string::npos);
  EXPECT_EQ(seen_authorization, "Bearer real-token");
  EXPECT_EQ(seen_modified_after, "2026-01-01 10:00:00");
}

}  // namespace
}  // namespace ceipal::engine
