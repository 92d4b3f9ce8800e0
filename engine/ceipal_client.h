// The Ceipal API client: authenticated, paced, retrying GETs against the v2
// API. It logs in lazily, refreshes the access token before it expires and
// when the server rejects it, waits its turn at the account's RateLimiter,
// and retries what is worth retrying (429, 5xx, network failures) with
// exponential backoff and full jitter, honouring Retry-After.
//
// Ownership: the client borrows its transport, limiter, clock and logger;
// all must outlive it. It owns the credentials and the token state.
//
// Thread-safety: Get() with the transport given to the constructor may be
// called from any thread, but those calls take turns on that transport. For
// requests truly in flight together, each thread passes its own transport
// to the Get() overload; the token state, the deadline and the statistics
// are shared and guarded.
//
// Secrets: the password, the API key and the tokens never appear in an
// Error message or a log line; text the server sends back is scrubbed of
// them before it is shown.
#ifndef CEIPAL_ENGINE_CEIPAL_CLIENT_H_
#define CEIPAL_ENGINE_CEIPAL_CLIENT_H_

#include <spdlog/logger.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/clock.h"
#include "engine/error.h"
#include "engine/http.h"
#include "engine/rate_limiter.h"

namespace ceipal::engine {

struct Credentials {
  std::string email;
  std::string password;
  std::string api_key;
};

struct ClientOptions {
  // Scheme and host, e.g. "https://api.ceipal.com"; a trailing slash is
  // ignored.
  std::string base_url;

  // Tries per request, the first included, for 429, 5xx and network
  // failures. A 401 does not count: it earns one refresh and one re-login.
  int max_attempts = 5;
  // The backoff before retry n is drawn from [0, min(max_backoff,
  // base_backoff * 2^(n-1))].
  std::chrono::milliseconds base_backoff{500};
  std::chrono::milliseconds max_backoff{30'000};
  // A Retry-After longer than this is not waited out: the request fails
  // with kRateLimited at once.
  std::chrono::seconds max_retry_after{300};

  // Pacing of the account, for whoever builds the RateLimiter handed to the
  // client (see LimiterOptions); the client itself only uses that limiter.
  double rate = 1.0;
  int burst = 1;

  // The token is renewed this long before it expires (at most a fifth of
  // its lifetime, so short-lived tokens are not renewed on every call).
  std::chrono::seconds refresh_margin{300};
  // Assumed when the access token's expiry cannot be read from it.
  std::chrono::seconds default_token_lifetime{3600};

  // Returns a number in [0, 1] that scales each backoff. Empty: uniformly
  // random. Tests set it to make the waits predictable.
  std::function<double()> jitter;
};

// The limiter options matching a client's rate and burst.
RateLimiterOptions LimiterOptions(const ClientOptions& options);

struct ApiResponse {
  long status = 0;  // 200 (or another 2xx), or 404 meaning "nothing here"
  std::string body;
};

struct ClientStats {
  int64_t data_requests = 0;  // data GETs sent, retries included
  int64_t logins = 0;         // createAuthtoken calls sent
  int64_t refreshes = 0;      // refreshToken calls sent
  int64_t retries = 0;        // backoffs taken, for any request
  int64_t rate_limited = 0;   // 429 answers received
};

using QueryParams = std::vector<std::pair<std::string, std::string>>;

class CeipalClient {
 public:
  CeipalClient(HttpTransport& transport, Credentials credentials,
               ClientOptions options, RateLimiter& limiter, Clock& clock,
               spdlog::logger& logger);

  CeipalClient(const CeipalClient&) = delete;
  CeipalClient& operator=(const CeipalClient&) = delete;

  // GETs base_url + path + "?" + the encoded query with the access token,
  // logging in or refreshing first when needed. `what` names the operation
  // for messages ("fetch applicants page 7").
  //
  // Returns 2xx answers, and 404 answers that mean "no records" or "gone",
  // as an ApiResponse. Fails with
  //   kForbidden   on 403, or a 404 saying company access is disabled;
  //   kAuth        when login is refused, or on 401 after a refresh and a
  //                re-login;
  //   kHttpStatus  on 400 and other unexpected statuses, or 5xx after
  //                max_attempts;
  //   kRateLimited on 429 after max_attempts, or a Retry-After too long;
  //   kNetwork     on network failures after max_attempts;
  //   kParse       on a body too large, or a login answer without a token;
  //   kCancelled   when the deadline has passed or a backoff would cross it.
  // Messages read "<what> (<path>): <cause>[ after N attempts]".
  Result<ApiResponse> Get(std::string_view path, const QueryParams& query,
                          std::string_view what);

  // The same on the caller's own transport, so several threads can have
  // requests in flight at once.
  Result<ApiResponse> Get(HttpTransport& transport, std::string_view path,
                          const QueryParams& query, std::string_view what);

  // Logs in now, on the client's own transport, unless a usable token is
  // already held. Lets a caller that is about to send from several threads
  // learn of refused credentials once, before any of them asks.
  Result<void> Authenticate();

  // A copy of the counters so far.
  ClientStats stats() const;

  // From now on, a retry whose backoff would end after `deadline` is not
  // taken: the request fails with kCancelled instead, as does a request
  // started after it.
  void SetDeadline(std::chrono::steady_clock::time_point deadline);

 private:
  // The outcome of one attempt that may be retried.
  struct Retryable {
    ErrorKind kind;       // kNetwork, kHttpStatus (5xx) or kRateLimited
    long status;          // 0 for network failures
    std::string summary;  // "HTTP 503", "network failure"
    std::string detail;   // the server's or curl's words; may be ""
    std::optional<std::chrono::seconds> retry_after;

    std::string Cause() const;
  };

  // The access token to send, after logging in or refreshing if needed.
  Result<std::string> CurrentToken(HttpTransport& transport);
  // Renews a token the server rejected: the first time by refreshing, the
  // second by logging in again. Does nothing if another thread already
  // replaced `rejected`.
  Result<void> RecoverFromRejection(HttpTransport& transport,
                                    const std::string& rejected,
                                    int recoveries);

  // The login and refresh calls, with their own retries. REQUIRES:
  // auth_mutex_ held, state_mutex_ not held. A refused login is
  // remembered: LogIn fails with it again without asking.
  Result<void> LogIn(HttpTransport& transport);
  Result<void> SendLogIn(HttpTransport& transport);
  Result<void> Refresh(HttpTransport& transport);
  Result<HttpResponse> PostAuth(HttpTransport& transport, std::string_view path,
                                std::vector<std::string> headers,
                                std::string body, std::string_view what);
  // REQUIRES: state_mutex_ held.
  void StoreToken(std::string access_token);

  // Waits before attempt `attempts` + 1, or says why not to retry: the
  // attempts are used up, the deadline is near, or the server asks for too
  // long a wait.
  std::optional<Error> BackOff(const Retryable& failure, int attempts,
                               std::string_view what, std::string_view path);
  std::chrono::milliseconds Jittered(int attempts);
  std::optional<Error> PastDeadline(std::string_view what,
                                    std::string_view path);

  void LogRequest(std::string_view method, std::string_view path, long status,
                  std::chrono::steady_clock::time_point started);
  // `text` with every credential and token replaced by "[redacted]".
  std::string Scrub(std::string text) const;
  std::string Url(std::string_view path, const QueryParams& query) const;

  HttpTransport& transport_;
  const Credentials credentials_;
  const ClientOptions options_;
  const std::string base_url_;
  RateLimiter& limiter_;
  Clock& clock_;
  spdlog::logger& logger_;

  // Serialises Get() calls that share transport_.
  std::mutex transport_mutex_;

  // Held across a login or refresh, so one thread renews the token while
  // the others wait for it.
  std::mutex auth_mutex_;
  // The token state, guarded by state_mutex_. Secrets remembered here are
  // also scrubbed from messages after they are replaced.
  mutable std::mutex state_mutex_;
  std::string access_token_;
  std::string refresh_token_;
  std::vector<std::string> secrets_;
  // Set when a login is refused: later calls fail with it at once, so
  // threads waiting for a token do not send the refused credentials again.
  std::optional<Error> refused_;
  std::chrono::steady_clock::time_point renew_at_;
  std::optional<std::chrono::steady_clock::time_point> deadline_;
  std::mt19937_64 random_;

  std::atomic<int64_t> data_requests_{0};
  std::atomic<int64_t> logins_{0};
  std::atomic<int64_t> refreshes_{0};
  std::atomic<int64_t> retries_{0};
  std::atomic<int64_t> rate_limited_{0};
};

}  // namespace ceipal::engine

#endif  // CEIPAL_ENGINE_CEIPAL_CLIENT_H_
