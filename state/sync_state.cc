#include "state/sync_state.h"

#include <fmt/format.h>

#include "state/sqlite_util.h"
#include "state/utc_time.h"

namespace ceipal::state {
namespace {

using internal::BindText;
using internal::OptionalInt;
using internal::OptionalText;

constexpr const char* kSelectColumns =
    "SELECT resource, scope, cursor, cursor_page, complete, last_run_id,"
    " last_synced_at, last_error, swept_at FROM sync_state";

ResourceProgress ReadProgress(SQLite::Statement& row) {
  ResourceProgress progress;
  progress.resource = row.getColumn(0).getString();
  progress.scope = row.getColumn(1).getString();
  progress.cursor = OptionalText(row.getColumn(2));
  progress.cursor_page = row.getColumn(3).getInt64();
  progress.complete = row.getColumn(4).getInt() != 0;
  progress.last_run_id = OptionalInt(row.getColumn(5));
  progress.last_synced_at = OptionalText(row.getColumn(6));
  progress.last_error = OptionalText(row.getColumn(7));
  progress.swept_at = OptionalText(row.getColumn(8));
  return progress;
}

std::string Name(std::string_view resource, std::string_view scope) {
  if (scope.empty()) return std::string(resource);
  return fmt::format("{} (scope {})", resource, scope);
}

}  // namespace

Result<ResourceProgress> SyncStateStore::Get(std::string_view resource,
                                             std::string_view scope) {
  return Guard("read progress of " + Name(resource, scope),
               [&]() -> Result<ResourceProgress> {
                 SQLite::Statement select(
                     database_.sql(), std::string(kSelectColumns) +
                                          " WHERE resource = ? AND scope = ?");
                 BindText(select, 1, resource);
                 BindText(select, 2, scope);
                 if (select.executeStep()) return ReadProgress(select);
                 ResourceProgress never_read;
                 never_read.resource = resource;
                 never_read.scope = scope;
                 return never_read;
               });
}

Result<void> SyncStateStore::Remove(std::string_view resource,
                                    std::string_view scope) {
  return Guard("forget progress of " + Name(resource, scope),
               [&]() -> Result<void> {
                 SQLite::Statement remove(
                     database_.sql(),
                     "DELETE FROM sync_state WHERE resource = ? AND scope = ?");
                 BindText(remove, 1, resource);
                 BindText(remove, 2, scope);
                 remove.exec();
                 return {};
               });
}

Result<void> SyncStateStore::MarkSwept(std::string_view resource,
                                       std::string_view scope,
                                       std::string_view at) {
  return Guard("mark sweep of " + Name(resource, scope), [&]() -> Result<void> {
    SQLite::Statement upsert(
        database_.sql(),
        "INSERT INTO sync_state (resource, scope, swept_at) VALUES (?, ?, ?)"
        " ON CONFLICT (resource, scope) DO UPDATE SET swept_at = "
        "excluded.swept_at");
    BindText(upsert, 1, resource);
    BindText(upsert, 2, scope);
    BindText(upsert, 3, at);
    upsert.exec();
    return {};
  });
}

Result<void> SyncStateStore::SaveCursor(
    std::string_view resource, std::string_view scope,
    const std::optional<std::string>& cursor, int64_t cursor_page,
    int64_t run_id) {
  return Guard(
      "save cursor of " + Name(resource, scope), [&]() -> Result<void> {
        SQLite::Statement upsert(
            database_.sql(),
            "INSERT INTO sync_state (resource, scope, cursor, cursor_page,"
            " complete, last_run_id, last_synced_at) VALUES (?, ?, ?, ?, 0, ?, "
            "?)"
            " ON CONFLICT (resource, scope) DO UPDATE SET cursor = "
            "excluded.cursor,"
            " cursor_page = excluded.cursor_page, complete = 0,"
            " last_run_id = excluded.last_run_id,"
            " last_synced_at = excluded.last_synced_at");
        BindText(upsert, 1, resource);
        BindText(upsert, 2, scope);
        BindText(upsert, 3, cursor);
        upsert.bind(4, cursor_page);
        upsert.bind(5, run_id);
        upsert.bind(6, UtcNow());
        upsert.exec();
        return {};
      });
}

Result<void> SyncStateStore::MarkComplete(std::string_view resource,
                                          std::string_view scope,
                                          int64_t run_id) {
  return Guard("mark complete " + Name(resource, scope), [&]() -> Result<void> {
    SQLite::Statement upsert(
        database_.sql(),
        "INSERT INTO sync_state (resource, scope, cursor_page, complete,"
        " last_run_id, last_synced_at) VALUES (?, ?, 0, 1, ?, ?)"
        " ON CONFLICT (resource, scope) DO UPDATE SET cursor_page = 0,"
        " complete = 1, last_run_id = excluded.last_run_id,"
        " last_synced_at = excluded.last_synced_at, last_error = NULL");
    BindText(upsert, 1, resource);
    BindText(upsert, 2, scope);
    upsert.bind(3, run_id);
    upsert.bind(4, UtcNow());
    upsert.exec();
    return {};
  });
}

Result<void> SyncStateStore::SetError(std::string_view resource,
                                      std::string_view scope, int64_t run_id,
                                      std::string_view message) {
  return Guard("record error of " + Name(resource, scope),
               [&]() -> Result<void> {
                 SQLite::Statement upsert(
                     database_.sql(),
                     "INSERT INTO sync_state (resource, scope, last_run_id,"
                     " last_error) VALUES (?, ?, ?, ?)"
                     " ON CONFLICT (resource, scope) DO UPDATE SET"
                     " last_run_id = excluded.last_run_id,"
                     " last_error = excluded.last_error");
                 BindText(upsert, 1, resource);
                 BindText(upsert, 2, scope);
                 upsert.bind(3, run_id);
                 BindText(upsert, 4, message);
                 upsert.exec();
                 return {};
               });
}

Result<std::vector<ResourceProgress>> SyncStateStore::List() {
  return Guard("list progress", [&]() -> Result<std::vector<ResourceProgress>> {
    SQLite::Statement select(database_.sql(), std::string(kSelectColumns) +
                                                  " ORDER BY resource, scope");
    std::vector<ResourceProgress> all;
    while (select.executeStep()) all.push_back(ReadProgress(select));
    return all;
  });
}

Result<std::vector<ResourceProgress>> SyncStateStore::ListUnfinished(
    std::string_view resource) {
  return Guard("list unfinished progress",
               [&]() -> Result<std::vector<ResourceProgress>> {
                 SQLite::Statement select(
                     database_.sql(),
                     std::string(kSelectColumns) +
                         " WHERE resource = ? AND complete = 0 ORDER BY scope");
                 BindText(select, 1, resource);
                 std::vector<ResourceProgress> unfinished;
                 while (select.executeStep())
                   unfinished.push_back(ReadProgress(select));
                 return unfinished;
               });
}

}  // namespace ceipal::state
