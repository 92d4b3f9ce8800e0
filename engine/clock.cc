#include "engine/clock.h"

#include <numeric>
#include <thread>

namespace ceipal::engine {

std::chrono::system_clock::time_point SystemClock::Now() {
  return std::chrono::system_clock::now();
}

std::chrono::steady_clock::time_point SystemClock::Monotonic() {
  return std::chrono::steady_clock::now();
}

void SystemClock::SleepFor(std::chrono::milliseconds duration) {
  if (duration.count() > 0) std::this_thread::sleep_for(duration);
}

namespace {

// 2026-01-01T00:00:00Z as seconds since the Unix epoch.
constexpr std::chrono::seconds kFakeEpoch{1767225600};

}  // namespace

FakeClock::FakeClock()
    : FakeClock(std::chrono::system_clock::time_point(kFakeEpoch)) {}

FakeClock::FakeClock(std::chrono::system_clock::time_point start)
    : now_(start), monotonic_(std::chrono::hours(1)) {}

std::chrono::system_clock::time_point FakeClock::Now() {
  std::lock_guard lock(mutex_);
  return now_;
}

std::chrono::steady_clock::time_point FakeClock::Monotonic() {
  std::lock_guard lock(mutex_);
  return monotonic_;
}

void FakeClock::SleepFor(std::chrono::milliseconds duration) {
  if (duration.count() <= 0) return;
  std::lock_guard lock(mutex_);
  now_ += duration;
  monotonic_ += duration;
  sleeps_.push_back(duration);
}

void FakeClock::Advance(std::chrono::milliseconds duration) {
  std::lock_guard lock(mutex_);
  now_ += duration;
  monotonic_ += duration;
}

std::vector<std::chrono::milliseconds> FakeClock::sleeps() const {
  std::lock_guard lock(mutex_);
  return sleeps_;
}

std::chrono::milliseconds FakeClock::total_slept() const {
  std::lock_guard lock(mutex_);
  return std::accumulate(sleeps_.begin(), sleeps_.end(),
                         std::chrono::milliseconds(0));
}

}  // namespace ceipal::engine
