// The sandbox's simulated clock, and the two timestamp forms Ceipal serves:
// naive "YYYY-MM-DD HH:MM:SS" in the server's zone and ISO "...Z" in UTC.
// The clock stands still unless told to move (or built in realtime mode), so
// tests control time without sleeping. Not thread-safe: the server guards it.
#ifndef CEIPAL_TOOLS_FAKE_CEIPAL_SIM_CLOCK_H_
#define CEIPAL_TOOLS_FAKE_CEIPAL_SIM_CLOCK_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ceipal::fake {

// Seconds since the Unix epoch, UTC.
using EpochSeconds = int64_t;

// Where a sandbox clock starts unless --start moves it: 2025-06-02 09:00:00
// UTC, after the newest generated base record.
inline constexpr EpochSeconds kSandboxStart = 1748854800;

// "YYYY-MM-DD HH:MM:SS" as a wall clock offset_seconds east of UTC shows it.
std::string FormatNaive(EpochSeconds utc, int offset_seconds);

// "YYYY-MM-DDTHH:MM:SSZ".
std::string FormatIsoUtc(EpochSeconds utc);

// "YYYY-MM-DD" of the wall clock offset_seconds east of UTC.
std::string FormatDate(EpochSeconds utc, int offset_seconds);

// Reads exactly "YYYY-MM-DD HH:MM:SS" (a valid calendar instant) as a wall
// clock offset_seconds east of UTC. Anything else, ISO forms and fractions
// included, gives nullopt.
std::optional<EpochSeconds> ParseNaive(std::string_view text,
                                       int offset_seconds);

// Reads "+HH:MM" or "-HH:MM" into seconds east of UTC; nullopt otherwise.
std::optional<int> ParseUtcOffset(std::string_view text);

class SimClock {
 public:
  // A realtime clock also moves with the machine's steady clock.
  SimClock(EpochSeconds start, bool realtime);

  EpochSeconds Now() const;
  void Advance(int64_t seconds);
  void Set(EpochSeconds utc);

  // Back to the instant the clock was built with.
  void Reset();

 private:
  using Steady = std::chrono::steady_clock;

  EpochSeconds start_;
  bool realtime_;
  EpochSeconds base_;  // the reading at anchor_
  Steady::time_point anchor_;
};

}  // namespace ceipal::fake

#endif  // CEIPAL_TOOLS_FAKE_CEIPAL_SIM_CLOCK_H_
