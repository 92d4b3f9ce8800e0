#include "state/utc_time.h"

#include <fmt/format.h>

#include <ctime>

namespace ceipal::state {
namespace {

// pattern uses '9' for a digit; every other character must match itself.
bool MatchesPattern(std::string_view text, std::string_view pattern) {
  if (text.size() != pattern.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    const bool digit = text[i] >= '0' && text[i] <= '9';
    if (pattern[i] == '9' ? !digit : text[i] != pattern[i]) return false;
  }
  return true;
}

}  // namespace

std::string UtcNow() { return FormatUtc(std::chrono::system_clock::now()); }

std::string FormatUtc(std::chrono::system_clock::time_point time) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
                     parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
                     parts.tm_hour, parts.tm_min, parts.tm_sec);
}

bool IsUtcTimestamp(std::string_view text) {
  return MatchesPattern(text, "9999-99-99T99:99:99Z");
}

bool IsUtcDate(std::string_view text) {
  return MatchesPattern(text, "9999-99-99");
}

}  // namespace ceipal::state
