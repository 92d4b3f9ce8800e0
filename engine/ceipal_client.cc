#include "engine/ceipal_client.h"

#include <fmt/format.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cctype>
#include <cmath>

namespace ceipal::engine {

namespace {

constexpr std::string_view kLoginPath = "/v2/createAuthtoken/";
constexpr std::string_view kRefreshPath = "/v2/refreshToken/";
// Server messages are shown, not stored: a long one is cut to this.
constexpr std::size_t kMaxMessageChars = 300;
// Tokens replaced long ago are forgotten, so a long-lived client does not
// scrub messages against an ever-growing list.
constexpr std::size_t kMaxRememberedSecrets = 16;

std::string Lowercase(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return lower;
}

// Parses a small JSON object, or returns nullopt; never throws or recurses
// deeply, whatever the server sent.
std::optional<rapidjson::Document> ParseObject(std::string_view text) {
  rapidjson::Document document;
  document.Parse<rapidjson::kParseIterativeFlag>(text.data(), text.size());
  if (document.HasParseError() || !document.IsObject()) return std::nullopt;
  return document;
}

std::string StringMember(const rapidjson::Document& document,
                         const char* name) {
  const auto member = document.FindMember(name);
  if (member == document.MemberEnd() || !member->value.IsString()) return "";
  return std::string(member->value.GetString(),
                     member->value.GetStringLength());
}

// The `message` of an error body ({"message": "..."}), or "".
std::string BodyMessage(std::string_view body) {
  const auto document = ParseObject(body);
  if (!document) return "";
  std::string message = StringMember(*document, "message");
  if (message.size() > kMaxMessageChars) {
    message.resize(kMaxMessageChars);
    message += "...";
  }
  return message;
}

// ": message", or nothing when the server gave none.
std::string Detail(const std::string& message) {
  return message.empty() ? "" : ": " + message;
}

// What a 404 means, from its message (ceipal-api.md 1.5): usually "no rows"
// or "gone", but some tenants answer an auth problem with 404 too.
enum class NotFound { kNothing, kTokenRejected, kCompanyDisabled };

NotFound ClassifyNotFound(const std::string& message) {
  const std::string lower = Lowercase(message);
  if (lower.find("token") != std::string::npos ||
      lower.find("unauthori") != std::string::npos) {
    return NotFound::kTokenRejected;
  }
  if (lower.find("company access") != std::string::npos ||
      lower.find("disabled") != std::string::npos) {
    return NotFound::kCompanyDisabled;
  }
  return NotFound::kNothing;
}

bool IsCompanyDisabled(const std::string& message) {
  return ClassifyNotFound(message) == NotFound::kCompanyDisabled;
}

std::optional<std::string> DecodeBase64Url(std::string_view text) {
  std::string decoded;
  uint32_t buffer = 0;
  int bits = 0;
  for (const char c : text) {
    int value;
    if (c >= 'A' && c <= 'Z') {
      value = c - 'A';
    } else if (c >= 'a' && c <= 'z') {
      value = c - 'a' + 26;
    } else if (c >= '0' && c <= '9') {
      value = c - '0' + 52;
    } else if (c == '-' || c == '+') {
      value = 62;
    } else if (c == '_' || c == '/') {
      value = 63;
    } else if (c == '=') {
      break;
    } else {
      return std::nullopt;
    }
    buffer = (buffer << 6) | static_cast<uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      decoded.push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  return decoded;
}

// How long a JWT access token lives, from its claims: exp - iat when both
// are there (immune to a skew between our clock and the server's), else
// exp - now. nullopt when the token is not a readable JWT.
std::optional<std::chrono::seconds> TokenLifetime(
    std::string_view token, std::chrono::system_clock::time_point now) {
  const std::size_t first_dot = token.find('.');
  if (first_dot == std::string_view::npos) return std::nullopt;
  const std::size_t second_dot = token.find('.', first_dot + 1);
  if (second_dot == std::string_view::npos) return std::nullopt;
  const auto payload =
      DecodeBase64Url(token.substr(first_dot + 1, second_dot - first_dot - 1));
  if (!payload) return std::nullopt;
  const auto claims = ParseObject(*payload);
  if (!claims) return std::nullopt;

  const auto exp = claims->FindMember("exp");
  if (exp == claims->MemberEnd() || !exp->value.IsNumber()) {
    return std::nullopt;
  }
  const auto expires = static_cast<int64_t>(exp->value.GetDouble());
  const auto iat = claims->FindMember("iat");
  if (iat != claims->MemberEnd() && iat->value.IsNumber()) {
    const auto issued = static_cast<int64_t>(iat->value.GetDouble());
    if (expires > issued) return std::chrono::seconds(expires - issued);
  }
  const int64_t left =
      expires -
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch())
          .count();
  if (left <= 0) return std::nullopt;
  return std::chrono::seconds(left);
}

std::string LoginBody(const Credentials& credentials) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartObject();
  writer.Key("email");
  writer.String(credentials.email.data(),
                static_cast<rapidjson::SizeType>(credentials.email.size()));
  writer.Key("password");
  writer.String(credentials.password.data(),
                static_cast<rapidjson::SizeType>(credentials.password.size()));
  writer.Key("apiKey");
  writer.String(credentials.api_key.data(),
                static_cast<rapidjson::SizeType>(credentials.api_key.size()));
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string TrimTrailingSlash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

}  // namespace

std::string CeipalClient::Retryable::Cause() const {
  return summary + Detail(detail);
}

RateLimiterOptions LimiterOptions(const ClientOptions& options) {
  RateLimiterOptions limiter;
  limiter.rate = options.rate;
  limiter.burst = options.burst;
  return limiter;
}

CeipalClient::CeipalClient(HttpTransport& transport, Credentials credentials,
                           ClientOptions options, RateLimiter& limiter,
                           Clock& clock, spdlog::logger& logger)
    : transport_(transport),
      credentials_(std::move(credentials)),
      options_(std::move(options)),
      base_url_(TrimTrailingSlash(options_.base_url)),
      limiter_(limiter),
      clock_(clock),
      logger_(logger),
      random_(std::random_device{}()) {
  for (const std::string* secret :
       {&credentials_.password, &credentials_.api_key}) {
    if (!secret->empty()) secrets_.push_back(*secret);
  }
}

Result<ApiResponse> CeipalClient::Get(std::string_view path,
                                      const QueryParams& query,
                                      std::string_view what) {
  std::lock_guard lock(transport_mutex_);
  return Get(transport_, path, query, what);
}

Result<ApiResponse> CeipalClient::Get(HttpTransport& transport,
                                      std::string_view path,
                                      const QueryParams& query,
                                      std::string_view what) {
  const std::string url = Url(path, query);
  const std::string prefix = fmt::format("{} ({}): ", what, path);
  int attempts = 0;    // tries that ended in a retryable failure
  int recoveries = 0;  // token renewals after a rejection
  while (true) {
    if (auto late = PastDeadline(what, path)) return std::unexpected(*late);

    // Authenticate, wait for our turn, send.
    auto token = CurrentToken(transport);
    if (!token) {
      return std::unexpected(token.error().Context(std::string(what)));
    }
    HttpRequest request{
        "GET",
        url,
        {"Authorization: Bearer " + *token, "Accept: application/json"},
        ""};
    limiter_.Acquire();
    ++data_requests_;
    const auto started = clock_.Monotonic();
    auto response = transport.Perform(request);

    // No answer: retry network failures, give up on the rest.
    if (!response) {
      LogRequest("GET", path, 0, started);
      const Error& error = response.error();
      if (error.kind != ErrorKind::kNetwork) {
        return std::unexpected(
            Error{error.kind, prefix + Scrub(error.message), 0});
      }
      ++attempts;
      const Retryable failure{ErrorKind::kNetwork, 0, "network failure",
                              Scrub(error.message), std::nullopt};
      if (auto stop = BackOff(failure, attempts, what, path)) {
        return std::unexpected(*stop);
      }
      continue;
    }
    LogRequest("GET", path, response->status, started);

    // An answer: success, "nothing here", or a failure to classify.
    const long status = response->status;
    if (status >= 200 && status < 300) {
      limiter_.OnSuccess();
      return ApiResponse{status, std::move(response->body)};
    }
    const std::string message = Scrub(BodyMessage(response->body));
    NotFound not_found = NotFound::kNothing;
    if (status == 404) {
      not_found = ClassifyNotFound(message);
      if (not_found == NotFound::kNothing) {
        limiter_.OnSuccess();
        return ApiResponse{status, std::move(response->body)};
      }
    }
    if (status == 403 || not_found == NotFound::kCompanyDisabled) {
      return Fail(ErrorKind::kForbidden,
                  prefix + fmt::format("HTTP {}{}", status, Detail(message)),
                  static_cast<int>(status));
    }

    // The token was refused: refresh it, then log in again, then give up.
    if (status == 401 || not_found == NotFound::kTokenRejected) {
      if (recoveries == 2) {
        return Fail(ErrorKind::kAuth,
                    prefix + fmt::format("HTTP {} after a token refresh and "
                                         "a new login{}",
                                         status, Detail(message)),
                    static_cast<int>(status));
      }
      ++recoveries;
      auto renewed = RecoverFromRejection(transport, *token, recoveries);
      if (!renewed) {
        return std::unexpected(renewed.error().Context(std::string(what)));
      }
      continue;
    }

    // Too many requests, or a server in trouble: back off and retry.
    if (status == 429 || status >= 500) {
      ++attempts;
      Retryable failure{ErrorKind::kHttpStatus, status,
                        fmt::format("HTTP {}", status), message, std::nullopt};
      if (status == 429) {
        ++rate_limited_;
        failure.kind = ErrorKind::kRateLimited;
        failure.retry_after =
            ParseRetryAfter(response->retry_after, clock_.Now());
        limiter_.OnRateLimited(started, failure.retry_after);
      }
      if (auto stop = BackOff(failure, attempts, what, path)) {
        return std::unexpected(*stop);
      }
      continue;
    }

    return Fail(ErrorKind::kHttpStatus,
                prefix + fmt::format("HTTP {}{}", status, Detail(message)),
                static_cast<int>(status));
  }
}

ClientStats CeipalClient::stats() const {
  return ClientStats{data_requests_.load(), logins_.load(), refreshes_.load(),
                     retries_.load(), rate_limited_.load()};
}

void CeipalClient::SetDeadline(std::chrono::steady_clock::time_point deadline) {
  std::lock_guard lock(state_mutex_);
  deadline_ = deadline;
}

Result<void> CeipalClient::Authenticate() {
  std::lock_guard lock(transport_mutex_);
  auto token = CurrentToken(transport_);
  if (!token) return std::unexpected(token.error());
  return {};
}

Result<std::string> CeipalClient::CurrentToken(HttpTransport& transport) {
  const auto usable = [this]() -> std::optional<std::string> {
    std::lock_guard lock(state_mutex_);
    if (access_token_.empty() || clock_.Monotonic() >= renew_at_) {
      return std::nullopt;
    }
    return access_token_;
  };
  if (auto token = usable()) return *token;

  // Renew under the auth lock; a thread that waited for it may find the
  // token already renewed by the one that held it.
  std::lock_guard auth(auth_mutex_);
  if (auto token = usable()) return *token;
  bool have_token;
  {
    std::lock_guard lock(state_mutex_);
    have_token = !access_token_.empty();
  }
  Result<void> renewed = have_token ? Refresh(transport) : LogIn(transport);
  if (!renewed && have_token) renewed = LogIn(transport);
  if (!renewed) return std::unexpected(renewed.error());

  std::lock_guard lock(state_mutex_);
  return access_token_;
}

Result<void> CeipalClient::RecoverFromRejection(HttpTransport& transport,
                                                const std::string& rejected,
                                                int recoveries) {
  std::lock_guard auth(auth_mutex_);
  {
    std::lock_guard lock(state_mutex_);
    if (access_token_ != rejected) return {};
  }
  if (recoveries == 1) {
    auto refreshed = Refresh(transport);
    if (refreshed) return refreshed;
  }
  return LogIn(transport);
}

Result<void> CeipalClient::LogIn(HttpTransport& transport) {
  {
    std::lock_guard lock(state_mutex_);
    if (refused_) return std::unexpected(*refused_);
  }
  auto done = SendLogIn(transport);
  if (!done && (done.error().kind == ErrorKind::kAuth ||
                done.error().kind == ErrorKind::kForbidden)) {
    std::lock_guard lock(state_mutex_);
    refused_ = done.error();
  }
  return done;
}

Result<void> CeipalClient::SendLogIn(HttpTransport& transport) {
  auto response =
      PostAuth(transport, kLoginPath,
               {"Content-Type: application/json", "Accept: application/json"},
               LoginBody(credentials_), "log in");
  if (!response) return std::unexpected(response.error());

  const std::string prefix = fmt::format("log in ({}): ", kLoginPath);
  const long status = response->status;
  if (status >= 200 && status < 300) {
    const auto document = ParseObject(response->body);
    const std::string access =
        document ? StringMember(*document, "access_token") : "";
    if (access.empty()) {
      return Fail(ErrorKind::kParse, prefix + "answer carries no access_token");
    }
    {
      std::lock_guard lock(state_mutex_);
      refresh_token_ = StringMember(*document, "refresh_token");
      if (!refresh_token_.empty()) secrets_.push_back(refresh_token_);
      StoreToken(access);
    }
    logger_.debug("Logged in path={}", kLoginPath);
    return {};
  }

  const std::string message = Scrub(BodyMessage(response->body));
  const std::string cause =
      fmt::format("refused with HTTP {}{}", status, Detail(message));
  if (status == 403 && IsCompanyDisabled(message)) {
    return Fail(ErrorKind::kForbidden, prefix + cause, 403);
  }
  if (status == 400 || status == 401 || status == 403) {
    return Fail(ErrorKind::kAuth, prefix + cause, static_cast<int>(status));
  }
  return Fail(ErrorKind::kHttpStatus, prefix + cause, static_cast<int>(status));
}

Result<void> CeipalClient::Refresh(HttpTransport& transport) {
  std::string token;
  {
    std::lock_guard lock(state_mutex_);
    token = access_token_;
  }
  auto response =
      PostAuth(transport, kRefreshPath,
               {"Token: Bearer " + token, "Accept: application/json"}, "",
               "refresh token");

  // Any failure leads the caller to log in again, so say why at debug.
  const std::string prefix = fmt::format("refresh token ({}): ", kRefreshPath);
  if (!response) {
    logger_.debug("Token refresh failed, logging in again: {}",
                  response.error().message);
    return std::unexpected(response.error());
  }
  const auto document = ParseObject(response->body);
  const std::string access =
      document ? StringMember(*document, "access_token") : "";
  if (response->status < 200 || response->status >= 300 || access.empty()) {
    logger_.debug("Token refresh refused status={}, logging in again",
                  response->status);
    return Fail(ErrorKind::kAuth,
                prefix + fmt::format("refused with HTTP {}", response->status),
                static_cast<int>(response->status));
  }

  {
    std::lock_guard lock(state_mutex_);
    const std::string refresh = StringMember(*document, "refresh_token");
    if (!refresh.empty()) {
      refresh_token_ = refresh;
      secrets_.push_back(refresh);
    }
    StoreToken(access);
  }
  logger_.debug("Refreshed token path={}", kRefreshPath);
  return {};
}

Result<HttpResponse> CeipalClient::PostAuth(HttpTransport& transport,
                                            std::string_view path,
                                            std::vector<std::string> headers,
                                            std::string body,
                                            std::string_view what) {
  // A refresh gets one try: when it fails, logging in again is the remedy,
  // and that has retries of its own.
  const bool is_login = path == kLoginPath;
  const std::string prefix = fmt::format("{} ({}): ", what, path);
  const HttpRequest request{"POST", base_url_ + std::string(path),
                            std::move(headers), std::move(body)};
  int attempts = 0;
  while (true) {
    limiter_.Acquire();
    ++(is_login ? logins_ : refreshes_);
    const auto started = clock_.Monotonic();
    auto response = transport.Perform(request);
    LogRequest("POST", path, response ? response->status : 0, started);

    // Decide whether this attempt is worth another.
    Retryable failure{ErrorKind::kNetwork, 0, "network failure", "",
                      std::nullopt};
    if (!response) {
      const Error& error = response.error();
      if (error.kind != ErrorKind::kNetwork || !is_login) {
        return std::unexpected(
            Error{error.kind, prefix + Scrub(error.message), 0});
      }
      failure.detail = Scrub(error.message);
    } else if (response->status == 429 || response->status >= 500) {
      failure = Retryable{ErrorKind::kHttpStatus, response->status,
                          fmt::format("HTTP {}", response->status),
                          Scrub(BodyMessage(response->body)), std::nullopt};
      if (response->status == 429) {
        ++rate_limited_;
        failure.kind = ErrorKind::kRateLimited;
        failure.retry_after =
            ParseRetryAfter(response->retry_after, clock_.Now());
        limiter_.OnRateLimited(started, failure.retry_after);
      }
      if (!is_login) {
        return Fail(failure.kind, prefix + failure.Cause(),
                    static_cast<int>(failure.status));
      }
    } else {
      if (response->status >= 200 && response->status < 300) {
        limiter_.OnSuccess();
      }
      return response;
    }

    ++attempts;
    if (auto stop = BackOff(failure, attempts, what, path)) {
      return std::unexpected(*stop);
    }
  }
}

void CeipalClient::StoreToken(std::string access_token) {
  const auto lifetime = TokenLifetime(access_token, clock_.Now())
                            .value_or(options_.default_token_lifetime);
  const auto margin =
      std::min<std::chrono::seconds>(options_.refresh_margin, lifetime / 5);
  renew_at_ = clock_.Monotonic() + lifetime - margin;
  access_token_ = std::move(access_token);
  secrets_.push_back(access_token_);

  // Forget the oldest tokens, never the password or the API key, which sit
  // at the front.
  const std::size_t fixed = (credentials_.password.empty() ? 0 : 1) +
                            (credentials_.api_key.empty() ? 0 : 1);
  while (secrets_.size() > fixed + kMaxRememberedSecrets) {
    secrets_.erase(secrets_.begin() + static_cast<std::ptrdiff_t>(fixed));
  }
}

std::optional<Error> CeipalClient::BackOff(const Retryable& failure,
                                           int attempts, std::string_view what,
                                           std::string_view path) {
  const std::string prefix = fmt::format("{} ({}): ", what, path);
  const int status = static_cast<int>(failure.status);
  if (attempts >= options_.max_attempts) {
    return Error{failure.kind,
                 prefix + fmt::format("{} after {} attempts{}", failure.summary,
                                      attempts, Detail(failure.detail)),
                 status};
  }

  // Retry-After wins over our own schedule, unless it is unreasonable.
  std::chrono::milliseconds delay = Jittered(attempts);
  if (failure.retry_after) {
    if (*failure.retry_after > options_.max_retry_after) {
      return Error{
          ErrorKind::kRateLimited,
          prefix + fmt::format("{}; the server asks to wait {} s, "
                               "more than the {} s allowed",
                               failure.Cause(), failure.retry_after->count(),
                               options_.max_retry_after.count()),
          status};
    }
    delay = *failure.retry_after;
  }

  {
    std::lock_guard lock(state_mutex_);
    if (deadline_ && clock_.Monotonic() + delay > *deadline_) {
      return Error{ErrorKind::kCancelled,
                   prefix + fmt::format("deadline reached, not retrying "
                                        "after {}",
                                        failure.Cause()),
                   status};
    }
  }
  ++retries_;
  logger_.debug("Retrying request path={} attempt={} delay_ms={} cause={}",
                path, attempts + 1, delay.count(), failure.Cause());
  clock_.SleepFor(delay);
  return std::nullopt;
}

std::chrono::milliseconds CeipalClient::Jittered(int attempts) {
  const double exponential =
      static_cast<double>(options_.base_backoff.count()) *
      std::pow(2.0, std::max(0, attempts - 1));
  const double cap =
      std::min(exponential, static_cast<double>(options_.max_backoff.count()));
  double scale;
  if (options_.jitter) {
    scale = std::clamp(options_.jitter(), 0.0, 1.0);
  } else {
    std::lock_guard lock(state_mutex_);
    scale = std::uniform_real_distribution<double>(0.0, 1.0)(random_);
  }
  return std::chrono::milliseconds(std::llround(cap * scale));
}

std::optional<Error> CeipalClient::PastDeadline(std::string_view what,
                                                std::string_view path) {
  std::lock_guard lock(state_mutex_);
  if (!deadline_ || clock_.Monotonic() < *deadline_) return std::nullopt;
  return Error{
      ErrorKind::kCancelled,
      fmt::format("{} ({}): deadline reached before the request", what, path),
      0};
}

void CeipalClient::LogRequest(std::string_view method, std::string_view path,
                              long status,
                              std::chrono::steady_clock::time_point started) {
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      clock_.Monotonic() - started);
  if (status == 0) {
    logger_.debug("Request failed method={} path={} ms={}", method, path,
                  elapsed.count());
  } else {
    logger_.debug("Request done method={} path={} status={} ms={}", method,
                  path, status, elapsed.count());
  }
}

std::string CeipalClient::Scrub(std::string text) const {
  std::lock_guard lock(state_mutex_);
  for (const std::string& secret : secrets_) {
    for (std::size_t at = text.find(secret); at != std::string::npos;
         at = text.find(secret, at)) {
      text.replace(at, secret.size(), "[redacted]");
    }
  }
  return text;
}

std::string CeipalClient::Url(std::string_view path,
                              const QueryParams& query) const {
  std::string url = base_url_;
  if (!path.starts_with('/')) url += '/';
  url += path;
  char separator = '?';
  for (const auto& [name, value] : query) {
    url += separator;
    url += EncodeQueryComponent(name);
    url += '=';
    url += EncodeQueryComponent(value);
    separator = '&';
  }
  return url;
}

}  // namespace ceipal::engine
