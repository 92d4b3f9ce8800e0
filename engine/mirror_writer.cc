#include "engine/mirror_writer.h"

#include <fmt/format.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>

#include "engine/config.h"
#include "state/storage_error.h"

namespace ceipal::engine {
namespace {

// A record as key -> JSON text, in a fixed key order, so the stored and the
// new form compare key by key and print as the change row's JSON.
using RowImage = std::vector<std::pair<std::string, std::string>>;

void WriteValue(rapidjson::Writer<rapidjson::StringBuffer>& w,
                const SqlValue& v) {
  if (std::holds_alternative<int64_t>(v)) {
    w.Int64(std::get<int64_t>(v));
  } else if (std::holds_alternative<double>(v)) {
    w.Double(std::get<double>(v));
  } else if (std::holds_alternative<std::string>(v)) {
    const auto& s = std::get<std::string>(v);
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  } else {
    w.Null();
  }
}

std::string ValueJson(const SqlValue& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  WriteValue(w, v);
  return {buf.GetString(), buf.GetSize()};
}

std::string ObjectJson(const std::vector<std::string>& keys,
                       const std::vector<SqlValue>& values) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  for (size_t i = 0; i < keys.size() && i < values.size(); ++i) {
    w.Key(keys[i].c_str());
    WriteValue(w, values[i]);
  }
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

// Child rows print sorted, so an order change alone is not a field change.
std::string ArrayJson(std::vector<std::string> rows) {
  std::sort(rows.begin(), rows.end());
  std::string out = "[";
  for (size_t i = 0; i < rows.size(); ++i) {
    if (i) out += ',';
    out += rows[i];
  }
  return out + "]";
}

std::string CustomJson(
    const std::vector<std::pair<std::string, std::string>>& fields) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  for (const auto& [name, value] : fields) {
    w.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
    w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
  }
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

std::string ImageJson(const RowImage& image) {
  std::string out = "{";
  for (size_t i = 0; i < image.size(); ++i) {
    if (i) out += ',';
    out += ValueJson(std::string(image[i].first));
    out += ':';
    out += image[i].second;
  }
  return out + "}";
}

std::vector<std::string> AllColumns(const ResourceSpec& spec) {
  std::vector<std::string> names;
  for (const auto& f : spec.columns) names.push_back(f.column);
  for (const auto& f : spec.detail_columns) names.push_back(f.column);
  return names;
}

std::vector<std::string> ChildColumns(const ChildSpec& child) {
  std::vector<std::string> names;
  if (child.has_ordinal) names.push_back("ordinal");
  for (const auto& f : child.columns) names.push_back(f.column);
  return names;
}

std::string Join(const std::vector<std::string>& parts, std::string_view sep,
                 std::string_view prefix = "") {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += sep;
    out += prefix;
    out += parts[i];
  }
  return out;
}

std::string Placeholders(size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += i ? ",?" : "?";
  return out;
}

void Bind(SQLite::Statement& stmt, int index, const SqlValue& v) {
  if (std::holds_alternative<int64_t>(v)) {
    stmt.bind(index, std::get<int64_t>(v));
  } else if (std::holds_alternative<double>(v)) {
    stmt.bind(index, std::get<double>(v));
  } else if (std::holds_alternative<std::string>(v)) {
    stmt.bindNoCopy(index, std::get<std::string>(v));
  } else {
    stmt.bind(index);
  }
}

SqlValue ColumnValue(const SQLite::Column& column) {
  if (column.isInteger()) return column.getInt64();
  if (column.isFloat()) return column.getDouble();
  if (column.isNull()) return std::monostate{};
  return column.getString();
}

std::string IdsJson(const std::vector<std::string>& ids) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartArray();
  for (const auto& id : ids) {
    w.String(id.data(), static_cast<rapidjson::SizeType>(id.size()));
  }
  w.EndArray();
  return {buf.GetString(), buf.GetSize()};
}

std::string StatusText(const SqlValue& v) {
  if (std::holds_alternative<std::string>(v)) return std::get<std::string>(v);
  if (std::holds_alternative<std::monostate>(v)) return {};
  return ValueJson(v);
}

}  // namespace

// The prepared statements of one resource, built on first use.
struct MirrorWriter::Statements {
  std::vector<std::string> columns;
  std::vector<size_t> status_index;  // into columns
  std::unique_ptr<SQLite::Statement> lookup, upsert, touch, select_row,
      tombstone, delete_custom, insert_custom, select_custom;
  struct Child {
    std::vector<std::string> columns;
    std::unique_ptr<SQLite::Statement> remove, insert, select;
  };
  std::vector<Child> children;
};

MirrorWriter::MirrorWriter(SQLite::Database& db, const Catalogue& catalogue)
    : db_(db), catalogue_(catalogue) {}

MirrorWriter::~MirrorWriter() = default;

MirrorWriter::Statements& MirrorWriter::For(const ResourceSpec& spec) {
  auto& slot = statements_[spec.name];
  if (slot) return *slot;

  auto s = std::make_unique<Statements>();
  const std::string& t = spec.name;
  s->columns = AllColumns(spec);
  for (const auto& status : spec.status_columns) {
    auto it = std::find(s->columns.begin(), s->columns.end(), status);
    if (it != s->columns.end())
      s->status_index.push_back(it - s->columns.begin());
  }

  auto prepare = [this](const std::string& sql) {
    return std::make_unique<SQLite::Statement>(db_, sql);
  };
  s->lookup = prepare(
      fmt::format("SELECT id, content_hash, deleted_at IS NOT NULL FROM {} "
                  "WHERE id IN (SELECT value FROM json_each(?))",
                  t));
  s->upsert = prepare(fmt::format(
      "INSERT INTO {0} (id, {1}, modified_at, raw_json, content_hash, "
      "first_seen_at, last_seen_at, last_seen_run, deleted_at) "
      "VALUES (?, {2}, ?, ?, ?, ?, ?, ?, NULL) ON CONFLICT(id) DO UPDATE SET "
      "{3}, modified_at = excluded.modified_at, "
      "raw_json = excluded.raw_json, content_hash = excluded.content_hash, "
      "last_seen_at = excluded.last_seen_at, "
      "last_seen_run = excluded.last_seen_run, deleted_at = NULL",
      t, Join(s->columns, ", "), Placeholders(s->columns.size()), [&] {
        std::vector<std::string> sets;
        for (const auto& c : s->columns) sets.push_back(c + " = excluded." + c);
        return Join(sets, ", ");
      }()));
  s->touch =
      prepare(fmt::format("UPDATE {} SET last_seen_at = ?, last_seen_run = ? "
                          "WHERE id IN (SELECT value FROM json_each(?))",
                          t));
  s->select_row = prepare(
      fmt::format("SELECT {} FROM {} WHERE id = ?", Join(s->columns, ", "), t));
  s->tombstone = prepare(fmt::format(
      "UPDATE {} SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL", t));
  s->delete_custom =
      prepare("DELETE FROM custom_fields WHERE resource = ? AND record_id = ?");
  s->insert_custom = prepare(
      "INSERT OR REPLACE INTO custom_fields (resource, record_id, name, value) "
      "VALUES (?, ?, ?, ?)");
  s->select_custom = prepare(
      "SELECT name, value FROM custom_fields WHERE resource = ? AND "
      "record_id = ? ORDER BY name");

  for (const auto& child : spec.children) {
    Statements::Child c;
    c.columns = ChildColumns(child);
    c.remove = prepare(fmt::format("DELETE FROM {} WHERE {} = ?", child.table,
                                   child.parent_column));
    c.insert = prepare(
        fmt::format("INSERT OR IGNORE INTO {} ({}, {}) VALUES (?, {})",
                    child.table, child.parent_column, Join(c.columns, ", "),
                    Placeholders(c.columns.size())));
    c.select = prepare(fmt::format("SELECT {} FROM {} WHERE {} = ?",
                                   Join(c.columns, ", "), child.table,
                                   child.parent_column));
    s->children.push_back(std::move(c));
  }

  slot = std::move(s);
  return *slot;
}

Result<std::unordered_map<std::string, StoredRecord>> MirrorWriter::Lookup(
    const ResourceSpec& spec, const std::vector<std::string>& ids) {
  std::unordered_map<std::string, StoredRecord> stored;
  try {
    auto& s = For(spec);
    std::string json = IdsJson(ids);
    s.lookup->reset();
    s.lookup->bindNoCopy(1, json);
    while (s.lookup->executeStep()) {
      stored[s.lookup->getColumn(0).getString()] =
          StoredRecord{static_cast<uint64_t>(s.lookup->getColumn(1).getInt64()),
                       s.lookup->getColumn(2).getInt() != 0};
    }
  } catch (const std::exception& e) {
    return std::unexpected(
        state::StorageError(fmt::format("look up stored {}", spec.name), e));
  }
  return stored;
}

namespace {

// The row image of a normalized record, in the same key order as the
// stored image built by StoredImage.
RowImage NewImage(const ResourceSpec& spec,
                  const std::vector<std::string>& columns,
                  const NormalizedRecord& rec) {
  RowImage image;
  image.reserve(columns.size() + spec.children.size() + 1);
  for (size_t i = 0; i < columns.size() && i < rec.columns.size(); ++i) {
    image.emplace_back(columns[i], ValueJson(rec.columns[i]));
  }
  for (size_t c = 0; c < spec.children.size(); ++c) {
    std::vector<std::string> rows;
    auto names = ChildColumns(spec.children[c]);
    if (c < rec.children.size()) {
      for (size_t r = 0; r < rec.children[c].size(); ++r) {
        std::vector<SqlValue> values;
        if (spec.children[c].has_ordinal) values.emplace_back(int64_t(r));
        values.insert(values.end(), rec.children[c][r].begin(),
                      rec.children[c][r].end());
        rows.push_back(ObjectJson(names, values));
      }
    }
    image.emplace_back(spec.children[c].table, ArrayJson(std::move(rows)));
  }
  image.emplace_back("custom_fields", CustomJson(rec.custom_fields));
  return image;
}

}  // namespace

std::string RecordJson(const ResourceSpec& spec, const NormalizedRecord& rec) {
  return ImageJson(NewImage(spec, AllColumns(spec), rec));
}

// Prepared on first use by whichever write comes first: a run may delete
// without having applied a page (a resumed sweep that only confirms).
SQLite::Statement& MirrorWriter::ChangeLogInsert() {
  if (!insert_change_) {
    insert_change_ = std::make_unique<SQLite::Statement>(
        db_,
        "INSERT INTO change_log (run_id, resource, record_id, op, event, "
        "status_from, status_to, changed_fields, before_json, after_json, "
        "source_modified_at, recorded_at, snapshot) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  }
  return *insert_change_;
}

Result<ApplyCounts> MirrorWriter::Apply(
    const ResourceSpec& spec, const std::vector<NormalizedRecord>& records,
    std::unordered_map<std::string, StoredRecord>& stored,
    const ChangeContext& context) {
  ApplyCounts counts;
  std::vector<std::string> unchanged_ids;
  const std::string* current_id = nullptr;
  try {
    auto& s = For(spec);

    for (const auto& rec : records) {
      current_id = &rec.id;
      ++counts.records;
      auto found = stored.find(rec.id);
      bool exists = found != stored.end();
      if (exists && !found->second.deleted &&
          found->second.content_hash == rec.content_hash) {
        ++counts.unchanged;
        unchanged_ids.push_back(rec.id);
        continue;
      }

      // Diff: the stored image, read only for a record that changed.
      RowImage after = NewImage(spec, s.columns, rec);
      RowImage before;
      std::vector<SqlValue> before_columns;
      if (exists) {
        s.select_row->reset();
        s.select_row->bind(1, rec.id);
        if (s.select_row->executeStep()) {
          for (size_t i = 0; i < s.columns.size(); ++i) {
            before_columns.push_back(
                ColumnValue(s.select_row->getColumn(static_cast<int>(i))));
            before.emplace_back(s.columns[i], ValueJson(before_columns.back()));
          }
        }
        for (size_t c = 0; c < s.children.size(); ++c) {
          auto& select = *s.children[c].select;
          select.reset();
          select.bind(1, rec.id);
          std::vector<std::string> rows;
          while (select.executeStep()) {
            std::vector<SqlValue> values;
            for (int i = 0; i < select.getColumnCount(); ++i) {
              values.push_back(ColumnValue(select.getColumn(i)));
            }
            rows.push_back(ObjectJson(s.children[c].columns, values));
          }
          before.emplace_back(spec.children[c].table, ArrayJson(rows));
        }
        std::vector<std::pair<std::string, std::string>> custom;
        s.select_custom->reset();
        s.select_custom->bind(1, spec.name);
        s.select_custom->bind(2, rec.id);
        while (s.select_custom->executeStep()) {
          custom.emplace_back(s.select_custom->getColumn(0).getString(),
                              s.select_custom->getColumn(1).getString());
        }
        before.emplace_back("custom_fields", CustomJson(custom));
      }

      std::vector<std::string> changed;
      if (exists) {
        for (size_t i = 0; i < after.size() && i < before.size(); ++i) {
          if (after[i].second != before[i].second) {
            changed.push_back(after[i].first);
          }
        }
        // Only unmapped nested data differs: the record still changed.
        if (changed.empty()) changed.push_back("raw_json");
      }

      // Classify: op, then the status event of the first status that moved.
      const char* op = !exists                 ? "insert"
                       : found->second.deleted ? "undelete"
                                               : "update";
      std::string event, status_from, status_to;
      const auto& hired = *context.hired_statuses;
      bool tracks_hires = spec.tracks_hires;
      bool snapshot = context.first_load &&
                      !(context.live_after_unix && rec.modified_unix &&
                        *rec.modified_unix > *context.live_after_unix);
      for (size_t index : s.status_index) {
        std::string to = StatusText(rec.columns[index]);
        std::string from = exists && index < before_columns.size()
                               ? StatusText(before_columns[index])
                               : std::string();
        if (exists && from == to) continue;
        bool now_hired = tracks_hires && StatusIn(to, hired);
        bool was_hired = exists && StatusIn(from, hired);
        if (now_hired && !was_hired && !snapshot) {
          event = "hired";
          status_from = from;
          status_to = to;
          break;
        }
        if (exists && event.empty()) {
          event = "status_changed";
          status_from = from;
          status_to = to;
        }
      }

      // Apply: the row, its children, its custom fields.
      auto& upsert = *s.upsert;
      upsert.reset();
      int p = 1;
      upsert.bindNoCopy(p++, rec.id);
      for (const auto& v : rec.columns) Bind(upsert, p++, v);
      if (rec.modified_unix) {
        upsert.bind(p++, FormatUtc(*rec.modified_unix));
      } else {
        upsert.bind(p++);
      }
      upsert.bindNoCopy(p++, rec.raw_json);
      upsert.bind(p++, static_cast<int64_t>(rec.content_hash));
      upsert.bindNoCopy(p++, context.recorded_at);
      upsert.bindNoCopy(p++, context.recorded_at);
      upsert.bind(p++, context.run_id);
      upsert.exec();

      // A record new to the mirror has no rows to replace.
      for (size_t c = 0; c < s.children.size(); ++c) {
        auto& child = s.children[c];
        if (exists) {
          child.remove->reset();
          child.remove->bind(1, rec.id);
          child.remove->exec();
        }
        if (c >= rec.children.size()) continue;
        for (size_t r = 0; r < rec.children[c].size(); ++r) {
          auto& insert = *child.insert;
          insert.reset();
          int q = 1;
          insert.bindNoCopy(q++, rec.id);
          if (spec.children[c].has_ordinal) {
            insert.bind(q++, static_cast<int64_t>(r));
          }
          for (const auto& v : rec.children[c][r]) Bind(insert, q++, v);
          insert.exec();
        }
      }

      if (exists) {
        s.delete_custom->reset();
        s.delete_custom->bind(1, spec.name);
        s.delete_custom->bind(2, rec.id);
        s.delete_custom->exec();
      }
      for (const auto& [name, value] : rec.custom_fields) {
        auto& insert = *s.insert_custom;
        insert.reset();
        insert.bind(1, spec.name);
        insert.bindNoCopy(2, rec.id);
        insert.bindNoCopy(3, name);
        insert.bindNoCopy(4, value);
        insert.exec();
      }

      // Log: one change row.
      std::string changed_json;
      if (exists) {
        changed_json = "[";
        for (size_t i = 0; i < changed.size(); ++i) {
          if (i) changed_json += ',';
          changed_json += ValueJson(std::string(changed[i]));
        }
        changed_json += "]";
      }
      auto& log = ChangeLogInsert();
      log.reset();
      log.bind(1, context.run_id);
      log.bind(2, spec.name);
      log.bindNoCopy(3, rec.id);
      log.bind(4, op);
      event.empty() ? log.bind(5) : log.bind(5, event);
      event.empty() ? log.bind(6) : log.bind(6, status_from);
      event.empty() ? log.bind(7) : log.bind(7, status_to);
      exists ? log.bind(8, changed_json) : log.bind(8);
      exists ? log.bind(9, ImageJson(before)) : log.bind(9);
      log.bind(10, ImageJson(after));
      rec.modified_unix ? log.bind(11, FormatUtc(*rec.modified_unix))
                        : log.bind(11);
      log.bindNoCopy(12, context.recorded_at);
      log.bind(13, snapshot ? 1 : 0);
      log.exec();

      ++counts.changes;
      if (event == "hired") ++counts.hires;
      if (!exists) {
        ++counts.inserts;
      } else if (found->second.deleted) {
        ++counts.undeletes;
      } else {
        ++counts.updates;
      }
      counts.changed_ids.push_back(rec.id);
      stored[rec.id] = StoredRecord{rec.content_hash, false};
    }
    current_id = nullptr;

    if (!unchanged_ids.empty()) {
      std::string json = IdsJson(unchanged_ids);
      s.touch->reset();
      s.touch->bindNoCopy(1, context.recorded_at);
      s.touch->bind(2, context.run_id);
      s.touch->bindNoCopy(3, json);
      s.touch->exec();
    }
  } catch (const std::exception& e) {
    std::string what =
        current_id ? fmt::format("apply {} record {}", spec.name, *current_id)
                   : fmt::format("apply {} page", spec.name);
    return std::unexpected(state::StorageError(what, e));
  }
  return counts;
}

Result<bool> MirrorWriter::Delete(const ResourceSpec& spec,
                                  const std::string& id,
                                  const ChangeContext& context) {
  try {
    auto& s = For(spec);
    std::string before;
    s.select_row->reset();
    s.select_row->bind(1, id);
    if (!s.select_row->executeStep()) return false;
    std::vector<SqlValue> values;
    for (size_t i = 0; i < s.columns.size(); ++i) {
      values.push_back(ColumnValue(s.select_row->getColumn(int(i))));
    }
    before = ObjectJson(s.columns, values);

    s.tombstone->reset();
    s.tombstone->bind(1, context.recorded_at);
    s.tombstone->bind(2, id);
    if (s.tombstone->exec() == 0) return false;

    auto& log = ChangeLogInsert();
    log.reset();
    log.bind(1, context.run_id);
    log.bind(2, spec.name);
    log.bind(3, id);
    log.bind(4, "delete");
    for (int i = 5; i <= 8; ++i) log.bind(i);
    log.bind(9, before);
    log.bind(10);
    log.bind(11);
    log.bind(12, context.recorded_at);
    log.bind(13, 0);
    log.exec();
    return true;
  } catch (const std::exception& e) {
    return std::unexpected(state::StorageError(
        fmt::format("delete {} record {}", spec.name, id), e));
  }
}

Result<void> MirrorWriter::Quarantine(
    int64_t run_id, const std::string& resource, const std::string& record_id,
    std::string_view raw, const std::string& error, const std::string& now) {
  try {
    if (!insert_quarantine_) {
      insert_quarantine_ = std::make_unique<SQLite::Statement>(
          db_,
          "INSERT INTO quarantine (run_id, resource, record_id, raw, error, "
          "seen_at) VALUES (?, ?, ?, ?, ?, ?)");
    }
    auto& q = *insert_quarantine_;
    q.reset();
    q.bind(1, run_id);
    q.bind(2, resource);
    record_id.empty() ? q.bind(3) : q.bind(3, record_id);
    q.bind(4, std::string(raw));
    q.bind(5, error);
    q.bind(6, now);
    q.exec();
  } catch (const std::exception& e) {
    return std::unexpected(state::StorageError(
        fmt::format("quarantine a {} record", resource), e));
  }
  return {};
}

}  // namespace ceipal::engine
