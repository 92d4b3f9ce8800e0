// The state store's one clock format: UTC as YYYY-MM-DDTHH:MM:SSZ, the form
// of every engine-clock column (recorded_at, started_at, seen_at...). Fixed
// width, so these strings sort and compare as the instants they name. Pure
// functions; safe from any thread.
#ifndef CEIPAL_STATE_UTC_TIME_H_
#define CEIPAL_STATE_UTC_TIME_H_

#include <chrono>
#include <string>
#include <string_view>

namespace ceipal::state {

// The current time, to the second.
std::string UtcNow();

// time, truncated to the second.
std::string FormatUtc(std::chrono::system_clock::time_point time);

// True for YYYY-MM-DDTHH:MM:SSZ with digits where digits belong. It checks
// the shape, not the calendar: 2026-02-31 passes.
bool IsUtcTimestamp(std::string_view text);

// True for YYYY-MM-DD, a day that compares below every timestamp of that day.
bool IsUtcDate(std::string_view text);

}  // namespace ceipal::state

#endif  // CEIPAL_STATE_UTC_TIME_H_
