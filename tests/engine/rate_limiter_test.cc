#include "engine/rate_limiter.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <thread>
#include <vector>

#include "engine/clock.h"

namespace ceipal::engine {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

RateLimiterOptions Options(double rate, int burst) {
  RateLimiterOptions options;
  options.rate = rate;
  options.burst = burst;
  return options;
}

TEST(RateLimiter, LetsABurstGoThenPacesAtTheRate) {
  FakeClock clock;
  RateLimiter limiter(clock, Options(2.0, 3));

  for (int i = 0; i < 3; ++i) limiter.Acquire();
  EXPECT_EQ(clock.total_slept(), milliseconds(0));

  limiter.Acquire();
  limiter.Acquire();
  EXPECT_EQ(clock.total_slept(), milliseconds(1000));
}

TEST(RateLimiter, RefillsNoMoreThanTheBurstWhileIdle) {
  FakeClock clock;
  RateLimiter limiter(clock, Options(1.0, 2));
  limiter.Acquire();
  limiter.Acquire();

  clock.Advance(std::chrono::minutes(10));
  limiter.Acquire();
  limiter.Acquire();
  EXPECT_EQ(clock.total_slept(), milliseconds(0));
  limiter.Acquire();
  EXPECT_EQ(clock.total_slept(), milliseconds(1000));
}

TEST(RateLimiter, HalvesRateOn429) {
  FakeClock clock;
  RateLimiter limiter(clock, Options(4.0, 1));
  limiter.Acquire();

  limiter.OnRateLimited(clock.Monotonic(), std::nullopt);
  EXPECT_DOUBLE_EQ(limiter.rate(), 2.0);

  // The bucket was emptied, so the next token takes a full period at the
  // halved rate.
  limiter.Acquire();
  EXPECT_EQ(clock.total_slept(), milliseconds(500));
}

TEST(RateLimiter, NeverGoesBelowTheFloorRate) {
  FakeClock clock;
  RateLimiterOptions options = Options(1.0, 1);
  options.min_rate = 0.05;
  RateLimiter limiter(clock, options);

  // Twenty 429s, each to a request sent after the one before was answered.
  for (int i = 0; i < 20; ++i) {
    if (i > 0) clock.Advance(milliseconds(10));
    limiter.OnRateLimited(clock.Monotonic(), std::nullopt);
  }
  EXPECT_DOUBLE_EQ(limiter.rate(), 0.05);

  limiter.Acquire();
  EXPECT_EQ(clock.total_slept(), seconds(20));
}

TEST(RateLimiter, RequestsInFlightWhenTheRateIsCutDoNotCutItAgain) {
  FakeClock clock;
  RateLimiter limiter(clock, Options(8.0, 8));
  // Eight requests go at once and all overshoot the server's limit.
  const auto sent = clock.Monotonic();
  for (int i = 0; i < 8; ++i) limiter.Acquire();
  clock.Advance(milliseconds(300));
  for (int i = 0; i < 8; ++i) {
    limiter.OnRateLimited(sent, std::nullopt);
    clock.Advance(milliseconds(1));
  }
  EXPECT_DOUBLE_EQ(limiter.rate(), 4.0);

  // A request sent after the cut and refused again cuts it once more.
  limiter.Acquire();
  const auto after = clock.Monotonic();
  clock.Advance(milliseconds(300));
  limiter.OnRateLimited(after, std::nullopt);
  EXPECT_DOUBLE_EQ(limiter.rate(), 2.0);
}

TEST(RateLimiter, HoldsEveryRequestUntilRetryAfterHasPassed) {
  FakeClock clock;
  RateLimiter limiter(clock, Options(1.0, 5));
  limiter.Acquire();

  limiter.OnRateLimited(clock.Monotonic(), seconds(10));
  limiter.Acquire();
  EXPECT_EQ(clock.total_slept(), seconds(10));

  // No burst saved up during the wait: the one after is paced at the
  // halved rate.
  limiter.Acquire();
  EXPECT_EQ(clock.total_slept(), seconds(12));
}

TEST(RateLimiter, AShorterRetryAfterDoesNotShortenALongerOne) {
  FakeClock clock;
  RateLimiter limiter(clock, Options(1.0, 1));

  limiter.OnRateLimited(clock.Monotonic(), seconds(30));
  limiter.OnRateLimited(clock.Monotonic(), seconds(5));
  limiter.Acquire();
  EXPECT_GE(clock.total_slept(), seconds(30));
}

TEST(RateLimiter, RecoversGraduallyUpToTheConfiguredRate) {
  FakeClock clock;
  RateLimiter limiter(clock, Options(1.0, 1));
  limiter.OnRateLimited(clock.Monotonic(), std::nullopt);
  ASSERT_DOUBLE_EQ(limiter.rate(), 0.5);

  limiter.OnSuccess();
  EXPECT_NEAR(limiter.rate(), 0.525, 1e-9);
  for (int i = 0; i < 8; ++i) limiter.OnSuccess();
  EXPECT_NEAR(limiter.rate(), 0.5 * std::pow(1.05, 9), 1e-9);

  for (int i = 0; i < 20; ++i) limiter.OnSuccess();
  EXPECT_DOUBLE_EQ(limiter.rate(), 1.0);
}

TEST(RateLimiter, A429CutsTheRateToWhatTheServerAcceptedLately) {
  FakeClock clock;
  RateLimiter limiter(clock, Options(1000.0, 10));
  // The server took 10 requests in the last second, then refused one.
  for (int i = 0; i < 10; ++i) {
    limiter.OnSuccess();
    clock.Advance(milliseconds(100));
  }
  limiter.OnRateLimited(clock.Monotonic(), std::nullopt);
  EXPECT_DOUBLE_EQ(limiter.rate(), 10.0);  // 10 successes over 1 second
}

TEST(RateLimiter, SuccessNeverRaisesTheRateAboveTheConfiguredOne) {
  FakeClock clock;
  RateLimiter limiter(clock, Options(3.0, 1));
  for (int i = 0; i < 10; ++i) limiter.OnSuccess();
  EXPECT_DOUBLE_EQ(limiter.rate(), 3.0);
}

TEST(RateLimiter, ThreadsSharingItStayWithinTheRate) {
  FakeClock clock;
  RateLimiter limiter(clock, Options(5.0, 2));
  const auto start = clock.Monotonic();
  constexpr int kThreads = 4;
  constexpr int kEach = 10;

  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&limiter] {
      for (int i = 0; i < kEach; ++i) limiter.Acquire();
    });
  }
  for (std::thread& thread : threads) thread.join();

  // 40 tokens, 2 of them in the initial bucket, at 5 per second: the fake
  // time must have moved by at least 38 / 5 seconds.
  EXPECT_GE(clock.Monotonic() - start,
            milliseconds((kThreads * kEach - 2) * 1000 / 5));
}

}  // namespace
}  // namespace ceipal::engine
