// The one error currency of ceipal-sync: every fallible engine and state API
// returns Result<T>. Adapters (curl, SQLiteCpp, RapidJSON) convert their own
// failures into an Error at their boundary and nowhere else.
#ifndef CEIPAL_ENGINE_ERROR_H_
#define CEIPAL_ENGINE_ERROR_H_

#include <expected>
#include <string>
#include <utility>

namespace ceipal {

// A closed set: callers branch on the kind, never on the message.
enum class ErrorKind {
  kNetwork,      // connect, reset, timeout: retryable
  kHttpStatus,   // an HTTP status the caller did not expect
  kRateLimited,  // 429 after the retries allowed
  kAuth,         // login refused, token unusable after refresh and re-login
  kForbidden,    // 403: company access disabled or bad API key
  kParse,        // a body that is not the JSON shape expected
  kSchema,       // a record or config that does not fit the catalogue
  kStorage,      // SQLite failed (disk full, locked, corrupt)
  kLocked,       // another run holds the run lock
  kConfig,       // bad command line, config file or environment
  kCancelled,    // budget or deadline reached; progress is committed
};

const char* ErrorKindName(ErrorKind kind);

// What failed and why, in one line that names the operation and the object:
// "fetch applicants page 7 (/v2/getApplicantsList/): HTTP 503 after 4
// attempts". Never carries a token, password or API key.
struct Error {
  ErrorKind kind;
  std::string message;
  int http_status = 0;  // set for kHttpStatus, kRateLimited, kAuth, kForbidden

  // Prefixes the message with the operation that failed.
  Error Context(const std::string& what) const {
    return Error{kind, what + ": " + message, http_status};
  }
};

template <typename T>
using Result = std::expected<T, Error>;

inline std::unexpected<Error> Fail(ErrorKind kind, std::string message,
                                   int http_status = 0) {
  return std::unexpected(Error{kind, std::move(message), http_status});
}

inline const char* ErrorKindName(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kNetwork:
      return "network";
    case ErrorKind::kHttpStatus:
      return "http";
    case ErrorKind::kRateLimited:
      return "rate_limited";
    case ErrorKind::kAuth:
      return "auth";
    case ErrorKind::kForbidden:
      return "forbidden";
    case ErrorKind::kParse:
      return "parse";
    case ErrorKind::kSchema:
      return "schema";
    case ErrorKind::kStorage:
      return "storage";
    case ErrorKind::kLocked:
      return "locked";
    case ErrorKind::kConfig:
      return "config";
    case ErrorKind::kCancelled:
      return "cancelled";
  }
  return "unknown";
}

}  // namespace ceipal

#endif  // CEIPAL_ENGINE_ERROR_H_
