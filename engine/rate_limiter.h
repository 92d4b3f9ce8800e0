// Paces the requests of one Ceipal account: a token bucket that every
// request of the account draws from, whichever thread sends it. It slows
// down when the server answers 429 and speeds up again slowly while
// requests succeed (additive increase, multiplicative decrease).
//
// The limiter borrows its Clock, which must outlive it. Thread-safe: one
// limiter is shared by all the threads fetching for the account.
#ifndef CEIPAL_ENGINE_RATE_LIMITER_H_
#define CEIPAL_ENGINE_RATE_LIMITER_H_

#include <chrono>
#include <deque>
#include <mutex>
#include <optional>

#include "engine/clock.h"

namespace ceipal::engine {

struct RateLimiterOptions {
  double rate = 1.0;  // requests per second when all is well; > 0
  int burst = 1;      // requests that may go at once after a quiet spell; >= 1
  double min_rate = 0.05;  // 429s never push the rate below this
  // Each success gives back this fraction of `rate`, up to `rate`.
  double recovery_fraction = 0.05;
};

class RateLimiter {
 public:
  // Starts with a full bucket. Options out of range are clamped.
  RateLimiter(Clock& clock, RateLimiterOptions options);

  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  // Blocks, through the clock's SleepFor, until the next request may go, and
  // takes its token.
  void Acquire();

  // The server answered 429 to a request sent at `sent` (clock_.Monotonic()
  // when it went): empty the bucket, and when the server said how long to
  // wait, let no request go before that. Halve the rate too (not below
  // min_rate), unless the request went before the last cut: the requests
  // in flight when a limit is hit all come back 429, and they report one
  // overshoot, not one each.
  void OnRateLimited(std::chrono::steady_clock::time_point sent,
                     std::optional<std::chrono::seconds> retry_after);

  // A request went through: recover a step of the rate lost to 429s.
  void OnSuccess();

  // The current rate, in requests per second.
  double rate() const;

 private:
  // Adds the tokens earned since the last refill. REQUIRES: mutex_ held.
  void Refill(std::chrono::steady_clock::time_point now);
  // Drops successes older than kAcceptedWindow. REQUIRES: mutex_ held.
  void ForgetOldSuccesses(std::chrono::steady_clock::time_point now);

  // How far back successes count as the rate the server accepts.
  static constexpr std::chrono::seconds kAcceptedWindow{2};

  Clock& clock_;
  const RateLimiterOptions options_;

  mutable std::mutex mutex_;
  double rate_;
  double tokens_;
  std::chrono::steady_clock::time_point refilled_at_;
  std::chrono::steady_clock::time_point blocked_until_;
  // When a 429 last cut the rate; none yet is the distant past.
  std::chrono::steady_clock::time_point cut_at_ =
      std::chrono::steady_clock::time_point::min();
  std::deque<std::chrono::steady_clock::time_point> successes_;
};

}  // namespace ceipal::engine

#endif  // CEIPAL_ENGINE_RATE_LIMITER_H_
