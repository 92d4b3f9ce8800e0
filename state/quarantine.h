// The quarantine: records that could not be normalized (no id, wrong types,
// invalid UTF-8) are kept here with the reason, so the page they came in can
// still be applied and nothing received is lost (DESIGN.md 6).
#ifndef CEIPAL_STATE_QUARANTINE_H_
#define CEIPAL_STATE_QUARANTINE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "engine/error.h"
#include "state/database.h"

namespace ceipal::state {

// Stores raw (the record's bytes as received) with error, stamped with the
// current time, and returns the quarantine row id. record_id is nullopt when
// the record has none. Opens no transaction: called inside the page's
// WriteTransaction, the row commits with the page. Not thread-safe (the
// Database is not).
Result<int64_t> AddQuarantine(Database& database, int64_t run_id,
                              std::string_view resource,
                              const std::optional<std::string>& record_id,
                              std::string_view raw, std::string_view error);

}  // namespace ceipal::state

#endif  // CEIPAL_STATE_QUARANTINE_H_
