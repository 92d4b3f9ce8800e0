#include "support/sync_inspection.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace ceipal::test::reliability {
namespace {

constexpr const char* kBaseConfig =
    R"({"rate": 1000, "burst": 100, "inactive_jobs_minutes": 0,
        "full_refresh_minutes": 0})";

// Columns that hold the engine's wall clock or run counter, on which two
// syncs that saw the same records need not agree.
bool IsBookkeepingColumn(const std::string& column) {
  return column == "first_seen_at" || column == "last_seen_at" ||
         column == "last_seen_run";
}

std::string CellText(const SQLite::Column& column) {
  return column.isNull() ? std::string("\\N") : column.getString();
}

std::string ColumnOrEmpty(const SQLite::Statement& query, int index) {
  const SQLite::Column column = query.getColumn(index);
  return column.isNull() ? std::string() : column.getString();
}

rapidjson::Document Parse(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(text.c_str(), text.size());
  return doc;
}

std::string ToJson(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return {buffer.GetString(), buffer.GetSize()};
}

}  // namespace

const std::vector<std::string>& Resources() {
  static const std::vector<std::string> kResources = {
      "users",       "clients",    "job_postings", "applicants",
      "submissions", "interviews", "placements"};
  return kResources;
}

ScratchDir::ScratchDir() {
  std::string pattern =
      (std::filesystem::temp_directory_path() / "ceipal-rel-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    ADD_FAILURE() << "mkdtemp " << pattern << " failed";
  }
  path_ = pattern;
}

ScratchDir::~ScratchDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string ScratchDir::File(const std::string& name) const {
  return (std::filesystem::path(path_) / name).string();
}

std::string WriteSyncConfig(const std::string& dir,
                            const std::string& members) {
  // Merge the members into the defaults, so a member may override one.
  rapidjson::Document config = Parse(kBaseConfig);
  if (!members.empty()) {
    rapidjson::Document extra = Parse("{" + members + "}");
    EXPECT_FALSE(extra.HasParseError()) << "config members: " << members;
    if (!extra.HasParseError()) {
      for (auto& member : extra.GetObject()) {
        config.RemoveMember(member.name);
        config.AddMember(rapidjson::Value(member.name, config.GetAllocator()),
                         rapidjson::Value(member.value, config.GetAllocator()),
                         config.GetAllocator());
      }
    }
  }

  // Private before anything is written: the engine refuses it otherwise.
  std::string path = (std::filesystem::path(dir) / "ceipal-sync.json").string();
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << ToJson(config);
  }
  EXPECT_EQ(chmod(path.c_str(), 0600), 0) << "chmod " << path;
  return path;
}

std::vector<ChangeRow> SortedChanges(const std::string& db_path) {
  std::vector<ChangeRow> rows;
  try {
    SQLite::Database db(db_path, SQLite::OPEN_READONLY);
    SQLite::Statement query(
        db,
        "SELECT resource, record_id, op, event, status_from, status_to, "
        "changed_fields, before_json, after_json, source_modified_at, "
        "snapshot FROM change_log");
    while (query.executeStep()) {
      ChangeRow row;
      row.resource = ColumnOrEmpty(query, 0);
      row.record_id = ColumnOrEmpty(query, 1);
      row.op = ColumnOrEmpty(query, 2);
      row.event = ColumnOrEmpty(query, 3);
      row.status_from = ColumnOrEmpty(query, 4);
      row.status_to = ColumnOrEmpty(query, 5);
      row.changed_fields = ColumnOrEmpty(query, 6);
      row.before_json = ColumnOrEmpty(query, 7);
      row.after_json = ColumnOrEmpty(query, 8);
      row.source_modified_at = ColumnOrEmpty(query, 9);
      row.snapshot = query.getColumn(10).getInt64();
      rows.push_back(std::move(row));
    }
  } catch (const std::exception& e) {
    ADD_FAILURE() << "read change_log of " << db_path << ": " << e.what();
  }
  std::sort(rows.begin(), rows.end());
  return rows;
}

std::vector<std::string> RepeatedChanges(const std::string& db_path) {
  std::vector<std::string> lines;
  try {
    SQLite::Database db(db_path, SQLite::OPEN_READONLY);
    SQLite::Statement query(
        db,
        "SELECT resource, record_id, op, count(*), group_concat(seq) "
        "FROM change_log GROUP BY resource, record_id, op, "
        "ifnull(after_json, '') HAVING count(*) > 1");
    while (query.executeStep()) {
      lines.push_back(fmt::format(
          "{} {} {} logged {} times (seq {})", ColumnOrEmpty(query, 0),
          ColumnOrEmpty(query, 1), ColumnOrEmpty(query, 2),
          query.getColumn(3).getInt64(), ColumnOrEmpty(query, 4)));
    }
  } catch (const std::exception& e) {
    ADD_FAILURE() << "read change_log of " << db_path << ": " << e.what();
  }
  return lines;
}

std::map<std::string, std::vector<std::string>> MirrorRows(
    const std::string& db_path) {
  std::vector<std::string> tables = Resources();
  tables.insert(tables.end(),
                {"job_pay_rates", "client_contacts", "custom_fields"});
  std::map<std::string, std::vector<std::string>> dump;
  try {
    SQLite::Database db(db_path, SQLite::OPEN_READONLY);
    for (const auto& table : tables) {
      // The columns to compare, from the schema itself.
      std::vector<std::string> columns;
      SQLite::Statement info(db, "SELECT name FROM pragma_table_info(?)");
      info.bind(1, table);
      while (info.executeStep()) {
        std::string column = info.getColumn(0).getString();
        if (!IsBookkeepingColumn(column))
          columns.push_back("\"" + column + "\"");
      }
      EXPECT_FALSE(columns.empty()) << "no table " << table;
      if (columns.empty()) continue;

      std::string list;
      for (const auto& column : columns) {
        list += (list.empty() ? "" : ", ") + column;
      }
      SQLite::Statement rows(db,
                             fmt::format("SELECT {} FROM \"{}\"", list, table));
      auto& out = dump[table];
      while (rows.executeStep()) {
        std::string line;
        for (int i = 0; i < rows.getColumnCount(); ++i) {
          if (i) line += " | ";
          line += CellText(rows.getColumn(i));
        }
        out.push_back(std::move(line));
      }
      std::sort(out.begin(), out.end());
    }
  } catch (const std::exception& e) {
    ADD_FAILURE() << "read the mirror of " << db_path << ": " << e.what();
  }
  return dump;
}

std::string TruthDiff::Describe() const {
  std::ostringstream text;
  text << compared << " truth records compared";
  auto list = [&text](const char* what, const std::vector<std::string>& ids) {
    if (ids.empty()) return;
    text << "; " << ids.size() << " " << what << ":";
    for (size_t i = 0; i < ids.size() && i < 10; ++i) text << " " << ids[i];
    if (ids.size() > 10) text << " ...";
  };
  list("missing from the mirror", missing);
  list("only in the mirror", extra);
  list("different", different);
  return text.str();
}

TruthDiff CompareWithTruth(const FakeCeipalProcess& sandbox,
                           const std::string& db_path) {
  TruthDiff diff;
  try {
    SQLite::Database db(db_path, SQLite::OPEN_READONLY);
    for (const auto& resource : Resources()) {
      // The live mirror, by id.
      std::map<std::string, std::string> mirror;
      SQLite::Statement rows(
          db, fmt::format("SELECT id, raw_json FROM {} WHERE deleted_at IS "
                          "NULL",
                          resource));
      while (rows.executeStep()) {
        mirror[rows.getColumn(0).getString()] = rows.getColumn(1).getString();
      }

      // The truth, record by record.
      HttpResult answer = sandbox.ControlGet("truth?resource=" + resource);
      rapidjson::Document truth = Parse(answer.body);
      if (answer.status != 200 || truth.HasParseError() || !truth.IsObject() ||
          !truth.HasMember("records") || !truth["records"].IsArray()) {
        ADD_FAILURE() << "truth of " << resource << ": HTTP " << answer.status;
        continue;
      }
      for (auto& record : truth["records"].GetArray()) {
        ++diff.compared;
        std::string id = record["id"].GetString();
        std::string name = resource + " " + id;
        auto found = mirror.find(id);
        if (found == mirror.end()) {
          diff.missing.push_back(name);
          continue;
        }
        rapidjson::Document stored = Parse(found->second);
        if (!stored.IsObject()) {
          diff.different.push_back(name);
        } else {
          if (!stored.HasMember("client")) record.RemoveMember("client");
          if (!(stored == record)) diff.different.push_back(name);
        }
        mirror.erase(found);
      }
      for (const auto& [id, raw] : mirror) {
        diff.extra.push_back(resource + " " + id);
      }
    }
  } catch (const std::exception& e) {
    ADD_FAILURE() << "compare " << db_path << " with the truth: " << e.what();
  }
  return diff;
}

std::vector<std::string> Checkpoints(const std::string& db_path) {
  std::vector<std::string> lines;
  try {
    SQLite::Database db(db_path, SQLite::OPEN_READONLY);
    SQLite::Statement query(db,
                            "SELECT resource || ' ' || scope || ' ' || "
                            "ifnull(cursor, '-') || ' ' || complete "
                            "FROM sync_state WHERE cursor IS NOT NULL OR "
                            "complete = 1 ORDER BY resource, scope");
    while (query.executeStep()) {
      lines.push_back(query.getColumn(0).getString());
    }
  } catch (const std::exception& e) {
    ADD_FAILURE() << "read sync_state of " << db_path << ": " << e.what();
  }
  return lines;
}

int64_t TruthCount(const FakeCeipalProcess& sandbox,
                   const std::string& resource) {
  HttpResult answer = sandbox.ControlGet("truth?resource=" + resource);
  rapidjson::Document truth = Parse(answer.body);
  if (answer.status != 200 || !truth.IsObject() ||
      !truth.HasMember("records") || !truth["records"].IsArray()) {
    ADD_FAILURE() << "truth of " << resource << ": HTTP " << answer.status;
    return -1;
  }
  return truth["records"].Size();
}

int64_t Count(const std::string& db_path, const std::string& sql) {
  try {
    SQLite::Database db(db_path, SQLite::OPEN_READONLY);
    SQLite::Statement query(db, sql);
    if (query.executeStep()) return query.getColumn(0).getInt64();
    ADD_FAILURE() << sql << ": no row";
  } catch (const std::exception& e) {
    ADD_FAILURE() << sql << ": " << e.what();
  }
  return -1;
}

int64_t SandboxRequests(const FakeCeipalProcess& sandbox,
                        const std::string& endpoint,
                        const std::string& status) {
  HttpResult answer = sandbox.ControlGet("stats");
  rapidjson::Document stats = Parse(answer.body);
  if (answer.status != 200 || !stats.IsObject() ||
      !stats.HasMember("endpoints") || !stats["endpoints"].IsObject()) {
    ADD_FAILURE() << "sandbox stats: HTTP " << answer.status;
    return -1;
  }
  int64_t total = 0;
  for (const auto& entry : stats["endpoints"].GetObject()) {
    if (!endpoint.empty() && entry.name.GetString() != endpoint) continue;
    const auto& counters = entry.value;
    if (status.empty()) {
      total += counters["requests"].GetInt64();
      continue;
    }
    const auto& statuses = counters["statuses"];
    auto it = statuses.FindMember(status.c_str());
    if (it != statuses.MemberEnd()) total += it->value.GetInt64();
  }
  return total;
}

int64_t SandboxDataRequests(const FakeCeipalProcess& sandbox) {
  return SandboxRequests(sandbox) -
         SandboxRequests(sandbox, "/v2/createAuthtoken/") -
         SandboxRequests(sandbox, "/v2/refreshToken/");
}

std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

}  // namespace ceipal::test::reliability
