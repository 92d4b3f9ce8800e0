// Internal to state/: small bridges between std types and SQLiteCpp's
// binding and column API, so the stores read as SQL rather than as wrapper
// calls. They throw what SQLiteCpp throws; callers run them inside Guard.
#ifndef CEIPAL_STATE_SQLITE_UTIL_H_
#define CEIPAL_STATE_SQLITE_UTIL_H_

#include <SQLiteCpp/SQLiteCpp.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ceipal::state::internal {

inline void BindText(SQLite::Statement& statement, int index,
                     std::string_view value) {
  statement.bind(index, std::string(value));
}

// Binds SQL NULL for an empty optional.
inline void BindText(SQLite::Statement& statement, int index,
                     const std::optional<std::string>& value) {
  if (value) {
    statement.bind(index, *value);
  } else {
    statement.bind(index);
  }
}

inline void BindInt(SQLite::Statement& statement, int index,
                    const std::optional<int64_t>& value) {
  if (value) {
    statement.bind(index, *value);
  } else {
    statement.bind(index);
  }
}

inline std::optional<std::string> OptionalText(const SQLite::Column& column) {
  if (column.isNull()) return std::nullopt;
  return column.getString();
}

inline std::optional<int64_t> OptionalInt(const SQLite::Column& column) {
  if (column.isNull()) return std::nullopt;
  return column.getInt64();
}

}  // namespace ceipal::state::internal

#endif  // CEIPAL_STATE_SQLITE_UTIL_H_
