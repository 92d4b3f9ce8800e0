#include "state/sync_meta.h"

#include "state/sqlite_util.h"

namespace ceipal::state {

Result<std::optional<std::string>> SyncMeta::Get(std::string_view key) {
  return Guard("read meta " + std::string(key),
               [&]() -> Result<std::optional<std::string>> {
                 SQLite::Statement select(
                     database_.sql(),
                     "SELECT value FROM sync_meta WHERE key = ?");
                 internal::BindText(select, 1, key);
                 if (!select.executeStep()) return std::nullopt;
                 return internal::OptionalText(select.getColumn(0));
               });
}

Result<void> SyncMeta::Set(std::string_view key, std::string_view value) {
  return Guard("write meta " + std::string(key), [&]() -> Result<void> {
    SQLite::Statement upsert(database_.sql(),
                             "INSERT INTO sync_meta (key, value) VALUES (?, ?)"
                             " ON CONFLICT (key) DO UPDATE SET"
                             " value = excluded.value");
    internal::BindText(upsert, 1, key);
    internal::BindText(upsert, 2, value);
    upsert.exec();
    return {};
  });
}

}  // namespace ceipal::state
