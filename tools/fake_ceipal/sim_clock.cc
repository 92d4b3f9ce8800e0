#include "tools/fake_ceipal/sim_clock.h"

#include <fmt/format.h>

namespace ceipal::fake {
namespace {

using std::chrono::days;
using std::chrono::sys_days;
using std::chrono::year_month_day;

struct WallClock {
  year_month_day date;
  int64_t second_of_day;
};

WallClock Split(EpochSeconds seconds) {
  int64_t day = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400;
  return {year_month_day{sys_days{days{day}}}, seconds - day * 86400};
}

// Reads n decimal digits at text[pos]; -1 if any is not a digit.
int Digits(std::string_view text, size_t pos, size_t n) {
  int value = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (text[i] < '0' || text[i] > '9') return -1;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

std::string FormatDateOf(const year_month_day& date) {
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()),
                     static_cast<unsigned>(date.day()));
}

}  // namespace

std::string FormatNaive(EpochSeconds utc, int offset_seconds) {
  WallClock wall = Split(utc + offset_seconds);
  int64_t s = wall.second_of_day;
  return fmt::format("{} {:02}:{:02}:{:02}", FormatDateOf(wall.date), s / 3600,
                     s / 60 % 60, s % 60);
}

std::string FormatIsoUtc(EpochSeconds utc) {
  WallClock wall = Split(utc);
  int64_t s = wall.second_of_day;
  return fmt::format("{}T{:02}:{:02}:{:02}Z", FormatDateOf(wall.date), s / 3600,
                     s / 60 % 60, s % 60);
}

std::string FormatDate(EpochSeconds utc, int offset_seconds) {
  return FormatDateOf(Split(utc + offset_seconds).date);
}

std::optional<EpochSeconds> ParseNaive(std::string_view text,
                                       int offset_seconds) {
  // The shape first: separators at fixed places, digits everywhere else.
  if (text.size() != 19 || text[4] != '-' || text[7] != '-' ||
      text[10] != ' ' || text[13] != ':' || text[16] != ':') {
    return std::nullopt;
  }
  int year = Digits(text, 0, 4);
  int month = Digits(text, 5, 2);
  int day = Digits(text, 8, 2);
  int hour = Digits(text, 11, 2);
  int minute = Digits(text, 14, 2);
  int second = Digits(text, 17, 2);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 ||
      second < 0) {
    return std::nullopt;
  }

  // Then the calendar: no 2025-02-30, no 24:00:00, no leap seconds.
  year_month_day date{std::chrono::year{year},
                      std::chrono::month{static_cast<unsigned>(month)},
                      std::chrono::day{static_cast<unsigned>(day)}};
  if (!date.ok() || hour > 23 || minute > 59 || second > 59) {
    return std::nullopt;
  }
  int64_t day_number = sys_days{date}.time_since_epoch().count();
  return day_number * 86400 + hour * 3600 + minute * 60 + second -
         offset_seconds;
}

std::optional<int> ParseUtcOffset(std::string_view text) {
  if (text.size() != 6 || (text[0] != '+' && text[0] != '-') ||
      text[3] != ':') {
    return std::nullopt;
  }
  int hours = Digits(text, 1, 2);
  int minutes = Digits(text, 4, 2);
  if (hours < 0 || minutes < 0 || hours > 14 || minutes > 59) {
    return std::nullopt;
  }
  int seconds = hours * 3600 + minutes * 60;
  return text[0] == '-' ? -seconds : seconds;
}

SimClock::SimClock(EpochSeconds start, bool realtime)
    : start_(start),
      realtime_(realtime),
      base_(start),
      anchor_(Steady::now()) {}

EpochSeconds SimClock::Now() const {
  if (!realtime_) return base_;
  auto elapsed =
      std::chrono::duration_cast<std::chrono::seconds>(Steady::now() - anchor_);
  return base_ + elapsed.count();
}

void SimClock::Advance(int64_t seconds) { base_ += seconds; }

void SimClock::Set(EpochSeconds utc) {
  base_ = utc;
  anchor_ = Steady::now();
}

void SimClock::Reset() { Set(start_); }

}  // namespace ceipal::fake
