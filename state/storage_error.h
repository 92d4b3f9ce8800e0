// Converts SQLiteCpp's exceptions into ceipal::Error. The state store is the
// adapter for SQLite: every exception the wrapper throws stops here, and the
// engine's writer, which prepares its own statements on Database::sql(),
// wraps its SQL in Guard so it never sees an exception either. Stateless;
// safe to use from any thread.
#ifndef CEIPAL_STATE_STORAGE_ERROR_H_
#define CEIPAL_STATE_STORAGE_ERROR_H_

#include <exception>
#include <string_view>

#include "engine/error.h"

namespace ceipal::state {

// An Error of kind kStorage whose message is "<operation>: <cause>", the cause
// being SQLite's own message (it names no bound value, so no secret leaks).
Error StorageError(std::string_view operation, const std::exception& cause);

// Runs body, which returns Result<T>, and turns anything it throws into a
// kStorage error naming operation. Typical use:
//   Guard("write applicants page 3", [&]() -> Result<void> { ...; return {}; })
template <typename Body>
auto Guard(std::string_view operation, Body&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const std::exception& e) {
    return std::unexpected(StorageError(operation, e));
  }
}

}  // namespace ceipal::state

#endif  // CEIPAL_STATE_STORAGE_ERROR_H_
