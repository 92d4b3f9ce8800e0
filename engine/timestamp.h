// Timestamps as Ceipal sends them, converted to the mirror's UTC form.
//
// Ceipal mixes a naive server-local form ("2025-03-14 09:22:10") with ISO
// 8601 carrying a zone ("2025-03-14T09:22:10Z", "...+05:30"), sometimes in
// one page. These functions turn either into Unix seconds and back, with
// proleptic Gregorian arithmetic of their own: no timegm/mktime, no TZ
// variable, no global state. Every function is pure and thread-safe.
#ifndef CEIPAL_ENGINE_TIMESTAMP_H_
#define CEIPAL_ENGINE_TIMESTAMP_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/error.h"

namespace ceipal::engine {

// The zone in which the source writes naive timestamps, as a fixed offset
// from UTC. A fixed offset, not a named zone, because GCC 12's libstdc++ has
// no time zone database (std::chrono::locate_zone is missing): a tenant whose
// server observes daylight saving is off by an hour for part of the year,
// which the cursor lookback absorbs.
struct SourceClock {
  int utc_offset_minutes = 0;  // east of UTC is positive: +05:30 is 330
};

// Parses one source timestamp into Unix seconds (UTC). Accepted forms:
//   YYYY-MM-DD HH:MM:SS          naive, in `clock`'s zone
//   YYYY-MM-DDTHH:MM:SS          naive, in `clock`'s zone
//   either of those followed by a fraction (".123456", dropped) and/or a
//   zone: "Z", "+hh:mm", "-hhmm" or "+hh", which then overrides `clock`
//   YYYY-MM-DD                   midnight, in `clock`'s zone
// Every field is range-checked (month 13, February 30, hour 24 and offsets
// beyond 18 hours are errors). Fails with kSchema naming the cause; the
// caller adds the field it came from.
Result<int64_t> ParseSourceTime(std::string_view text,
                                const SourceClock& clock);

// "YYYY-MM-DDTHH:MM:SSZ", the mirror's form of an instant.
std::string FormatUtc(int64_t unix_seconds);

// "YYYY-MM-DD HH:MM:SS" in the source's zone: the form modifiedAfter takes.
std::string FormatSourceNaive(int64_t unix_seconds, const SourceClock& clock);

// A date column's value: "YYYY-MM-DD". Accepts a bare date or any form
// ParseSourceTime accepts, and keeps the calendar date as written (no zone
// shift: "2025-04-01T23:30:00-05:00" is 2025-04-01). Fails with kSchema.
Result<std::string> NormalizeDate(std::string_view text);

// Parses a configured zone offset: "Z", "+05:30", "-0600" or "+01" into
// minutes east of UTC, at most 18 hours either way. Fails with kConfig.
Result<int> ParseUtcOffset(std::string_view text);

}  // namespace ceipal::engine

#endif  // CEIPAL_ENGINE_TIMESTAMP_H_
