#include "engine/timestamp.h"

#include <algorithm>
#include <chrono>

namespace ceipal::engine {
namespace {

namespace chrono = std::chrono;

constexpr int kMaxOffsetMinutes = 18 * 60;
constexpr size_t kDateLength = 10;      // YYYY-MM-DD
constexpr size_t kDateTimeLength = 19;  // YYYY-MM-DD HH:MM:SS
constexpr size_t kExcerptLength = 40;

// The bounds FormatUtc clamps to: 0000-01-01T00:00:00Z and
// 9999-12-31T23:59:59Z, so that any int64 prints as a four-digit year.
constexpr int64_t kMinUnix = -62167219200;
constexpr int64_t kMaxUnix = 253402300799;

// Reads exactly `count` ASCII digits at `pos`.
bool ReadDigits(std::string_view text, size_t pos, size_t count, int& out) {
  if (pos + count > text.size()) return false;
  int value = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    char c = text[i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  out = value;
  return true;
}

// The offending text, short and printable, for an error message: a value
// can be a megabyte long or hold control bytes.
std::string Excerpt(std::string_view text) {
  std::string out;
  size_t end = std::min(text.size(), kExcerptLength);
  // Do not cut a UTF-8 sequence in two.
  while (end < text.size() && end > 0 &&
         (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) {
    --end;
  }
  for (char c : text.substr(0, end)) {
    unsigned char u = static_cast<unsigned char>(c);
    out += (u < 0x20 || u == 0x7F) ? '?' : c;
  }
  if (end < text.size()) out += "...";
  return out;
}

auto Invalid(std::string_view text, std::string_view why) {
  return Fail(ErrorKind::kSchema, "unparsable timestamp '" + Excerpt(text) +
                                      "': " + std::string(why));
}

// Days since 1970-01-01 of a calendar date, or nothing when the date does
// not exist (month 13, February 30, April 31).
bool DaysFromCivil(int year, int month, int day, int64_t& days) {
  chrono::year_month_day date{chrono::year{year},
                              chrono::month{static_cast<unsigned>(month)},
                              chrono::day{static_cast<unsigned>(day)}};
  if (!date.ok()) return false;
  days = chrono::sys_days{date}.time_since_epoch().count();
  return true;
}

struct CivilDate {
  int year, month, day;
};

// Parses "YYYY-MM-DD" at the start of `text` and checks it exists.
Result<CivilDate> ParseDatePart(std::string_view text) {
  CivilDate d{};
  if (text.size() < kDateLength || !ReadDigits(text, 0, 4, d.year) ||
      text[4] != '-' || !ReadDigits(text, 5, 2, d.month) || text[7] != '-' ||
      !ReadDigits(text, 8, 2, d.day)) {
    return Invalid(text, "expected YYYY-MM-DD");
  }
  if (d.month < 1 || d.month > 12) return Invalid(text, "month out of range");
  int64_t ignored = 0;
  if (!DaysFromCivil(d.year, d.month, d.day, ignored)) {
    return Invalid(text, "day out of range for the month");
  }
  return d;
}

// Parses a zone suffix: "Z", "+hh", "+hh:mm" or "+hhmm". Returns false on
// any other shape; range is checked by the caller.
bool ReadZone(std::string_view zone, int& minutes) {
  if (zone == "Z" || zone == "z") {
    minutes = 0;
    return true;
  }
  if (zone.size() < 3 || (zone[0] != '+' && zone[0] != '-')) return false;
  int hours = 0;
  int mins = 0;
  if (!ReadDigits(zone, 1, 2, hours)) return false;
  std::string_view rest = zone.substr(3);
  if (!rest.empty() && rest[0] == ':') rest.remove_prefix(1);
  if (!rest.empty() && (rest.size() != 2 || !ReadDigits(rest, 0, 2, mins))) {
    return false;
  }
  if (zone.size() == 4) return false;  // "+hh:" with nothing after
  if (mins > 59) return false;
  minutes = (zone[0] == '-' ? -1 : 1) * (hours * 60 + mins);
  return true;
}

// Writes `value` as `width` zero-padded digits at `out`.
void PutDigits(char* out, int value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

// "YYYY-MM-DD?HH:MM:SS" with `separator` between date and time.
std::string FormatCivil(int64_t seconds, char separator) {
  seconds = std::clamp(seconds, kMinUnix, kMaxUnix);
  chrono::sys_seconds instant{chrono::seconds{seconds}};
  auto day_start = chrono::floor<chrono::days>(instant);
  chrono::year_month_day date{day_start};
  chrono::hh_mm_ss time{instant - day_start};

  std::string out(kDateTimeLength, '-');
  PutDigits(&out[0], static_cast<int>(date.year()), 4);
  PutDigits(&out[5], static_cast<int>(static_cast<unsigned>(date.month())), 2);
  PutDigits(&out[8], static_cast<int>(static_cast<unsigned>(date.day())), 2);
  out[10] = separator;
  PutDigits(&out[11], static_cast<int>(time.hours().count()), 2);
  out[13] = ':';
  PutDigits(&out[14], static_cast<int>(time.minutes().count()), 2);
  out[16] = ':';
  PutDigits(&out[17], static_cast<int>(time.seconds().count()), 2);
  return out;
}

}  // namespace

Result<int64_t> ParseSourceTime(std::string_view text,
                                const SourceClock& clock) {
  auto date = ParseDatePart(text);
  if (!date) return std::unexpected(date.error());
  int64_t days = 0;
  DaysFromCivil(date->year, date->month, date->day, days);
  int64_t local = days * 86400;
  if (text.size() == kDateLength) {
    return local - int64_t{clock.utc_offset_minutes} * 60;
  }

  // The time of day.
  int hour = 0;
  int minute = 0;
  int second = 0;
  if ((text[10] != ' ' && text[10] != 'T' && text[10] != 't') ||
      !ReadDigits(text, 11, 2, hour) || text.size() < kDateTimeLength ||
      text[13] != ':' || !ReadDigits(text, 14, 2, minute) || text[16] != ':' ||
      !ReadDigits(text, 17, 2, second)) {
    return Invalid(text, "expected YYYY-MM-DD HH:MM:SS");
  }
  if (hour > 23 || minute > 59 || second > 59) {
    return Invalid(text, "time of day out of range");
  }
  local += hour * 3600 + minute * 60 + second;

  // A fraction of a second is dropped: the mirror keeps whole seconds.
  std::string_view rest = text.substr(kDateTimeLength);
  if (!rest.empty() && (rest[0] == '.' || rest[0] == ',')) {
    size_t digits = 1;
    while (digits < rest.size() && rest[digits] >= '0' && rest[digits] <= '9') {
      ++digits;
    }
    if (digits == 1) return Invalid(text, "empty fraction of a second");
    rest.remove_prefix(digits);
  }

  // An explicit zone wins over the source's clock.
  int offset = clock.utc_offset_minutes;
  if (!rest.empty()) {
    if (!ReadZone(rest, offset)) return Invalid(text, "unrecognised zone");
    if (offset > kMaxOffsetMinutes || offset < -kMaxOffsetMinutes) {
      return Invalid(text, "zone offset out of range");
    }
  }
  return local - int64_t{offset} * 60;
}

std::string FormatUtc(int64_t unix_seconds) {
  std::string out = FormatCivil(unix_seconds, 'T');
  out += 'Z';
  return out;
}

std::string FormatSourceNaive(int64_t unix_seconds, const SourceClock& clock) {
  return FormatCivil(unix_seconds + int64_t{clock.utc_offset_minutes} * 60,
                     ' ');
}

Result<std::string> NormalizeDate(std::string_view text) {
  if (text.size() == kDateLength) {
    auto date = ParseDatePart(text);
    if (!date) return std::unexpected(date.error());
  } else {
    // Validates the whole timestamp; the zone does not move the date.
    auto instant = ParseSourceTime(text, SourceClock{});
    if (!instant) return std::unexpected(instant.error());
  }
  return std::string(text.substr(0, kDateLength));
}

Result<int> ParseUtcOffset(std::string_view text) {
  int minutes = 0;
  if (!ReadZone(text, minutes)) {
    return Fail(ErrorKind::kConfig, "parse UTC offset '" + Excerpt(text) +
                                        "': expected Z, +hh:mm, -hhmm or +hh");
  }
  if (minutes > kMaxOffsetMinutes || minutes < -kMaxOffsetMinutes) {
    return Fail(ErrorKind::kConfig, "parse UTC offset '" + Excerpt(text) +
                                        "': more than 18 hours from UTC");
  }
  return minutes;
}

}  // namespace ceipal::engine
