// The seam for time. Everything in the engine that reads the time or waits
// goes through a Clock, so tests can drive retries, backoff, token expiry
// and rate limiting without sleeping.
//
// A Clock is shared by reference: the owner (the CLI, or a test) keeps it
// alive for as long as anything holds it. Both implementations are
// thread-safe.
#ifndef CEIPAL_ENGINE_CLOCK_H_
#define CEIPAL_ENGINE_CLOCK_H_

#include <chrono>
#include <mutex>
#include <vector>

namespace ceipal::engine {

class Clock {
 public:
  virtual ~Clock() = default;

  // Wall-clock time, for timestamps that leave the process.
  virtual std::chrono::system_clock::time_point Now() = 0;

  // Monotonic time, for durations, expiries and deadlines.
  virtual std::chrono::steady_clock::time_point Monotonic() = 0;

  // Blocks the calling thread for `duration` (no-op when not positive).
  virtual void SleepFor(std::chrono::milliseconds duration) = 0;
};

// The real clocks of the machine.
class SystemClock final : public Clock {
 public:
  std::chrono::system_clock::time_point Now() override;
  std::chrono::steady_clock::time_point Monotonic() override;
  void SleepFor(std::chrono::milliseconds duration) override;
};

// A clock for tests: time stands still until a sleep or Advance() moves it.
// A sleep returns at once, moves both wall and monotonic time forward by its
// duration, and is recorded so tests can assert what was waited.
class FakeClock final : public Clock {
 public:
  // Starts at a fixed, arbitrary instant (2026-01-01T00:00:00Z) so runs are
  // reproducible.
  FakeClock();
  explicit FakeClock(std::chrono::system_clock::time_point start);

  std::chrono::system_clock::time_point Now() override;
  std::chrono::steady_clock::time_point Monotonic() override;
  void SleepFor(std::chrono::milliseconds duration) override;

  // Moves time forward without recording a sleep.
  void Advance(std::chrono::milliseconds duration);

  // Every positive sleep so far, in order.
  std::vector<std::chrono::milliseconds> sleeps() const;

  // The sum of sleeps().
  std::chrono::milliseconds total_slept() const;

 private:
  mutable std::mutex mutex_;
  std::chrono::system_clock::time_point now_;
  std::chrono::steady_clock::time_point monotonic_;
  std::vector<std::chrono::milliseconds> sleeps_;
};

}  // namespace ceipal::engine

#endif  // CEIPAL_ENGINE_CLOCK_H_
