// A small key/value store (table sync_meta) for facts the engine keeps
// between runs that belong to no one resource, such as when the first full
// load began. Values are opaque text to the store.
//
// SyncMeta borrows the Database, which must outlive it. Not thread-safe.
#ifndef CEIPAL_STATE_SYNC_META_H_
#define CEIPAL_STATE_SYNC_META_H_

#include <optional>
#include <string>
#include <string_view>

#include "engine/error.h"
#include "state/database.h"

namespace ceipal::state {

class SyncMeta {
 public:
  explicit SyncMeta(Database& database) : database_(database) {}

  // The value of key, or nullopt when it was never set.
  Result<std::optional<std::string>> Get(std::string_view key);

  // Sets or replaces key. Opens no transaction: inside a WriteTransaction it
  // commits with the rest of it.
  Result<void> Set(std::string_view key, std::string_view value);

 private:
  Database& database_;
};

}  // namespace ceipal::state

#endif  // CEIPAL_STATE_SYNC_META_H_
