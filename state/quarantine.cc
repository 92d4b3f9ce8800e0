#include "state/quarantine.h"

#include "state/sqlite_util.h"
#include "state/utc_time.h"

namespace ceipal::state {

Result<int64_t> AddQuarantine(Database& database, int64_t run_id,
                              std::string_view resource,
                              const std::optional<std::string>& record_id,
                              std::string_view raw, std::string_view error) {
  return Guard("quarantine a record of " + std::string(resource),
               [&]() -> Result<int64_t> {
                 SQLite::Statement insert(
                     database.sql(),
                     "INSERT INTO quarantine (run_id, resource, record_id, raw,"
                     " error, seen_at) VALUES (?, ?, ?, ?, ?, ?)");
                 insert.bind(1, run_id);
                 internal::BindText(insert, 2, resource);
                 internal::BindText(insert, 3, record_id);
                 internal::BindText(insert, 4, raw);
                 internal::BindText(insert, 5, error);
                 insert.bind(6, UtcNow());
                 insert.exec();
                 return database.sql().getLastInsertRowid();
               });
}

}  // namespace ceipal::state
