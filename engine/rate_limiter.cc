#include "engine/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace ceipal::engine {

namespace {

RateLimiterOptions Clamped(RateLimiterOptions options) {
  options.min_rate = std::max(options.min_rate, 1e-3);
  options.rate = std::max(options.rate, options.min_rate);
  options.burst = std::max(options.burst, 1);
  options.recovery_fraction = std::clamp(options.recovery_fraction, 0.0, 1.0);
  return options;
}

// Rounds up so that a wait never ends a hair before the token is there,
// which would cost an extra wake-up.
std::chrono::milliseconds CeilMillis(double seconds) {
  return std::chrono::milliseconds(
      std::max<long long>(1, std::llround(std::ceil(seconds * 1000.0))));
}

}  // namespace

RateLimiter::RateLimiter(Clock& clock, RateLimiterOptions options)
    : clock_(clock),
      options_(Clamped(options)),
      rate_(options_.rate),
      tokens_(options_.burst),
      refilled_at_(clock.Monotonic()),
      blocked_until_(refilled_at_) {}

void RateLimiter::Acquire() {
  while (true) {
    std::chrono::milliseconds wait;
    {
      std::lock_guard lock(mutex_);
      const auto now = clock_.Monotonic();
      Refill(now);
      if (now < blocked_until_) {
        wait =
            std::chrono::ceil<std::chrono::milliseconds>(blocked_until_ - now);
      } else if (tokens_ >= 1.0) {
        tokens_ -= 1.0;
        return;
      } else {
        wait = CeilMillis((1.0 - tokens_) / rate_);
      }
    }
    // Sleep without the lock, then look again: another thread may have
    // taken the token, or a 429 may have changed the rate meanwhile.
    clock_.SleepFor(wait);
  }
}

void RateLimiter::OnRateLimited(
    std::chrono::steady_clock::time_point sent,
    std::optional<std::chrono::seconds> retry_after) {
  std::lock_guard lock(mutex_);
  const auto now = clock_.Monotonic();
  Refill(now);
  if (sent >= cut_at_) {
    cut_at_ = now;
    // Halve the rate, and go no faster than the server accepted lately:
    // many requests in flight can overshoot a limit far below the
    // configured rate, and halving alone would need a 429 for each halving
    // to get there.
    double next = rate_ / 2.0;
    ForgetOldSuccesses(now);
    const double span =
        successes_.empty()
            ? 0.0
            : std::chrono::duration<double>(now - successes_.front()).count();
    if (successes_.size() >= 2) {
      // Over the time the successes actually span (a young run has not
      // been sending for the whole window), but at least a second, so a
      // burst that went out at once does not read as an infinite rate.
      next = std::min(
          next, static_cast<double>(successes_.size()) / std::max(span, 1.0));
    }
    rate_ = std::max(options_.min_rate, next);
  }
  tokens_ = 0.0;
  if (!retry_after.has_value()) return;

  // The bucket earns nothing while blocked, or a burst would go out the
  // moment the wait ends; one request may go then, to probe the server.
  blocked_until_ = std::max(blocked_until_, now + *retry_after);
  refilled_at_ = blocked_until_;
  tokens_ = 1.0;
}

void RateLimiter::OnSuccess() {
  std::lock_guard lock(mutex_);
  const auto now = clock_.Monotonic();
  Refill(now);
  successes_.push_back(now);
  ForgetOldSuccesses(now);
  // Each success gives back a fraction of the current rate, so recovery
  // takes about as many requests at 1000 requests/s as at 1.
  rate_ = std::min(options_.rate, rate_ * (1.0 + options_.recovery_fraction));
}

void RateLimiter::ForgetOldSuccesses(
    std::chrono::steady_clock::time_point now) {
  while (!successes_.empty() && now - successes_.front() > kAcceptedWindow) {
    successes_.pop_front();
  }
}

double RateLimiter::rate() const {
  std::lock_guard lock(mutex_);
  return rate_;
}

void RateLimiter::Refill(std::chrono::steady_clock::time_point now) {
  if (now <= refilled_at_) return;
  const double elapsed =
      std::chrono::duration<double>(now - refilled_at_).count();
  tokens_ = std::min<double>(options_.burst, tokens_ + elapsed * rate_);
  refilled_at_ = now;
}

}  // namespace ceipal::engine
