#include "support/mirror_oracle.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>

namespace ceipal::test {
namespace {

// ---- The oracle's own field table ----------------------------------------
// Written from DESIGN.md section 3 and the sandbox's field list: mirror
// column <- source path, and the conversion the contract promises.

enum class Kind { kText, kInteger, kReal, kTimestamp, kDate };

struct Column {
  const char* column;
  const char* path;  // "field" or "array.0.field"
  Kind kind;
};

struct Child {
  const char* table;
  const char* array_field;
  const char* parent_column;
  const char* key_column;  // orders the rows: "ordinal" or a column
  std::vector<Column> columns;
};

struct Resource {
  const char* name;
  const char* modified_field;  // "" when the source has none
  std::vector<Column> columns;
  std::vector<Child> children;
  // Fields of the truth that the list does not carry (a detail call's).
  std::vector<const char*> detail_only;
};

const std::vector<Resource>& Table() {
  using K = Kind;
  static const std::vector<Resource> kTable = {
      {"users",
       "",
       {{"display_name", "display_name", K::kText},
        {"email", "email_id", K::kText},
        {"first_name", "first_name", K::kText},
        {"last_name", "last_name", K::kText},
        {"role", "role", K::kText},
        {"status", "status", K::kText}},
       {},
       {}},
      {"clients",
       "updated_at",
       {{"name", "name", K::kText},
        {"status", "status", K::kText},
        {"industry", "industry_exp", K::kText},
        {"category", "category", K::kText},
        {"city", "city", K::kText},
        {"state", "state", K::kText},
        {"country", "country", K::kText},
        {"created_at", "created_at", K::kTimestamp}},
       {{"client_contacts",
         "contacts",
         "client_id",
         "id",
         {{"id", "id", K::kText},
          {"first_name", "first_name", K::kText},
          {"last_name", "last_name", K::kText},
          {"email", "email", K::kText},
          {"phone", "phone", K::kText}}}},
       {}},
      {"job_postings",
       "modified",
       {{"job_code", "job_code", K::kText},
        {"title", "position_title", K::kText},
        {"public_title", "public_job_title", K::kText},
        {"status", "job_status", K::kText},
        {"employment_type", "employment_type", K::kText},
        {"client_name", "client", K::kText},
        {"business_unit_id", "business_unit_id", K::kInteger},
        {"city", "city", K::kText},
        {"state", "state", K::kText},
        {"country", "country", K::kText},
        {"positions", "number_of_positions", K::kInteger},
        {"primary_recruiter", "primary_recruiter", K::kText},
        {"start_date", "job_start_date", K::kDate},
        {"end_date", "job_end_date", K::kDate},
        {"created_at", "created", K::kTimestamp}},
       {{"job_pay_rates",
         "pay_rates",
         "job_id",
         "ordinal",
         {{"pay_rate", "pay_rate", K::kText},
          {"min_pay_rate", "min_pay_rate", K::kReal},
          {"max_pay_rate", "max_pay_rate", K::kReal},
          {"currency", "pay_rate_currency", K::kText},
          {"frequency", "pay_rate_pay_frequency_type", K::kText},
          {"employment_type", "pay_rate_employment_type", K::kText}}}},
       {"client"}},
      {"applicants",
       "modified_date",
       {{"applicant_number", "applicant_id", K::kText},
        {"first_name", "firstname", K::kText},
        {"middle_name", "middlename", K::kText},
        {"last_name", "lastname", K::kText},
        {"email", "email", K::kText},
        {"mobile_phone", "mobile_number", K::kText},
        {"city", "city", K::kText},
        {"state", "state", K::kText},
        {"country", "country", K::kText},
        {"job_title", "job_title", K::kText},
        {"skills", "skills", K::kText},
        {"source", "source", K::kText},
        {"status", "applicant_status", K::kText},
        {"work_authorization", "work_authorization", K::kText},
        {"created_by", "created_by", K::kText},
        {"created_at", "created_at", K::kTimestamp}},
       {},
       {}},
      {"submissions",
       "modified_date",
       {{"job_id", "job_id", K::kText},
        {"applicant_id", "applicant_id", K::kText},
        {"status", "submission_status", K::kText},
        {"pipeline_status", "pipeline_status", K::kText},
        {"source", "source", K::kText},
        {"submitted_by", "submitted_by", K::kText},
        {"submitted_at", "submitted_on", K::kTimestamp},
        {"pay_rate", "pay_rate", K::kText}},
       {},
       {}},
      {"interviews",
       "modified",
       {{"submission_id", "submission_id", K::kText},
        {"job_id", "job_id", K::kText},
        {"applicant_id", "applicant_id", K::kText},
        {"round", "interview_round", K::kText},
        {"type", "interview_type", K::kText},
        {"status", "interview_status", K::kText},
        {"scheduled_at", "interview_date", K::kTimestamp},
        {"interviewer", "interviewer", K::kText},
        {"created_at", "created", K::kTimestamp}},
       {},
       {}},
      {"placements",
       "modified",
       {{"applicant_id", "applicant_id", K::kText},
        {"job_id", "job_id", K::kText},
        {"employee_name", "employee_name", K::kText},
        {"employee_number", "employee_number", K::kText},
        {"email", "email", K::kText},
        {"status", "placement_status", K::kText},
        {"start_date", "placement_details.0.job_start_date", K::kDate},
        {"end_date", "placement_details.0.job_end_date", K::kDate},
        {"client_name", "client_details.0.client_name", K::kText},
        {"pay_rate", "payment_details.0.pay_rate", K::kText},
        {"bill_rate", "payment_details.0.bill_rate", K::kText},
        {"currency", "payment_details.0.currency", K::kText},
        {"created_at", "created", K::kTimestamp}},
       {},
       {}},
  };
  return kTable;
}

constexpr size_t kMaxMismatches = 60;

// ---- JSON helpers ----------------------------------------------------------

const rapidjson::Value* Member(const rapidjson::Value& object,
                               std::string_view name) {
  if (!object.IsObject()) return nullptr;
  for (const auto& member : object.GetObject()) {
    if (std::string_view(member.name.GetString(),
                         member.name.GetStringLength()) == name) {
      return &member.value;
    }
  }
  return nullptr;
}

// Follows "a.0.b": names into objects, numbers into arrays.
const rapidjson::Value* Resolve(const rapidjson::Value& root,
                                std::string_view path) {
  const rapidjson::Value* at = &root;
  while (at != nullptr && !path.empty()) {
    size_t dot = path.find('.');
    std::string_view step = path.substr(0, dot);
    path = dot == std::string_view::npos ? "" : path.substr(dot + 1);
    if (at->IsArray()) {
      size_t index = 0;
      auto [end, error] =
          std::from_chars(step.data(), step.data() + step.size(), index);
      at = error == std::errc() && index < at->Size()
               ? &(*at)[static_cast<rapidjson::SizeType>(index)]
               : nullptr;
    } else {
      at = Member(*at, step);
    }
  }
  return at;
}

std::string_view TopField(std::string_view path) {
  return path.substr(0, path.find('.'));
}

bool IsSentinel(const rapidjson::Value& value) {
  if (!value.IsString()) return false;
  std::string_view text(value.GetString(), value.GetStringLength());
  return text.empty() || text == "NA" || text == "N/A";
}

// A scalar's text as a custom field keeps it: strings as they are, numbers
// in their JSON spelling, booleans as words.
std::string ScalarText(const rapidjson::Value& value) {
  if (value.IsString()) return {value.GetString(), value.GetStringLength()};
  if (value.IsBool()) return value.GetBool() ? "true" : "false";
  return JsonText(value);
}

// ---- Conversions -----------------------------------------------------------

bool Digits(std::string_view text, size_t at, size_t count, int& out) {
  if (at + count > text.size()) return false;
  out = 0;
  for (size_t i = at; i < at + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    out = out * 10 + (text[i] - '0');
  }
  return true;
}

bool IsDate(std::string_view text) {
  int year, month, day;
  if (text.size() != 10 || !Digits(text, 0, 4, year) || text[4] != '-' ||
      !Digits(text, 5, 2, month) || text[7] != '-' || !Digits(text, 8, 2, day))
    return false;
  namespace chrono = std::chrono;
  return chrono::year_month_day(chrono::year(year),
                                chrono::month(static_cast<unsigned>(month)),
                                chrono::day(static_cast<unsigned>(day)))
      .ok();
}

struct Expected {
  SqlCell cell;
  bool from_sentinel = false;
  bool iso = false;
  bool naive = false;
  std::string error;  // the oracle could not convert the source value
};

Expected Convert(const rapidjson::Value* value, Kind kind, int offset) {
  Expected out;
  if (value == nullptr || value->IsNull()) return out;
  if (IsSentinel(*value)) {
    out.from_sentinel = true;
    return out;
  }
  std::string text = ScalarText(*value);
  switch (kind) {
    case Kind::kText:
      if (value->IsObject() || value->IsArray()) {
        out.error = "not a scalar";
      } else {
        out.cell = text;
      }
      return out;
    case Kind::kInteger: {
      int64_t number = 0;
      auto [end, error] =
          std::from_chars(text.data(), text.data() + text.size(), number);
      if (error != std::errc() || end != text.data() + text.size()) {
        out.error = "not an integer: " + text;
      } else {
        out.cell = number;
      }
      return out;
    }
    case Kind::kReal: {
      double number = 0;
      auto [end, error] =
          std::from_chars(text.data(), text.data() + text.size(), number);
      if (error != std::errc() || end != text.data() + text.size()) {
        out.error = "not a number: " + text;
      } else {
        out.cell = number;
      }
      return out;
    }
    case Kind::kTimestamp: {
      auto utc = OracleUtc(text, offset);
      if (!utc) {
        out.error = "not a timestamp: " + text;
      } else {
        out.cell = *utc;
        out.iso = text.back() == 'Z';
        out.naive = !out.iso;
      }
      return out;
    }
    case Kind::kDate:
      if (!IsDate(text)) {
        out.error = "not a date: " + text;
      } else {
        out.cell = text;
      }
      return out;
  }
  return out;
}

// ---- SQLite ----------------------------------------------------------------

SqlCell CellOf(const SQLite::Column& column) {
  if (column.isNull()) return std::monostate{};
  if (column.isInteger()) return column.getInt64();
  if (column.isFloat()) return column.getDouble();
  return column.getString();
}

std::map<std::string, SqlCell> RowOf(SQLite::Statement& query) {
  std::map<std::string, SqlCell> row;
  for (int i = 0; i < query.getColumnCount(); ++i) {
    row[query.getColumnName(i)] = CellOf(query.getColumn(i));
  }
  return row;
}

bool IsUtcStamp(const SqlCell& cell) {
  const auto* text = std::get_if<std::string>(&cell);
  if (text == nullptr) return false;
  auto again = OracleUtc(*text, 0);
  return again && *again == *text;
}

// Collects mismatches up to a cap, then only counts them.
class Mismatches {
 public:
  explicit Mismatches(std::vector<std::string>& out) : out_(out) {}
  ~Mismatches() {
    if (dropped_ > 0) {
      out_.push_back(fmt::format("... and {} more mismatches", dropped_));
    }
  }
  template <typename... Args>
  void Add(fmt::format_string<Args...> format, Args&&... args) {
    if (out_.size() >= kMaxMismatches) {
      ++dropped_;
      return;
    }
    out_.push_back(fmt::format(format, std::forward<Args>(args)...));
  }

 private:
  std::vector<std::string>& out_;
  int64_t dropped_ = 0;
};

// The truth record as the list serves it: without the detail-only fields.
rapidjson::Document ListForm(const Resource& resource,
                             const rapidjson::Value& truth) {
  rapidjson::Document list;
  list.CopyFrom(truth, list.GetAllocator());
  for (const char* field : resource.detail_only) list.RemoveMember(field);
  return list;
}

std::set<std::string> MappedFields(const Resource& resource) {
  std::set<std::string> mapped = {"id"};
  if (*resource.modified_field) mapped.insert(resource.modified_field);
  for (const Column& c : resource.columns) {
    mapped.insert(std::string(TopField(c.path)));
  }
  for (const Child& child : resource.children) {
    mapped.insert(child.array_field);
  }
  return mapped;
}

void CompareCell(Mismatches& out, MirrorComparison& stats,
                 const std::string& where, const Expected& expected,
                 const SqlCell& actual) {
  if (!expected.error.empty()) {
    out.Add("{}: the oracle cannot convert the source value ({})", where,
            expected.error);
    return;
  }
  stats.sentinel_nulls += expected.from_sentinel;
  stats.iso_timestamps += expected.iso;
  stats.naive_timestamps += expected.naive;
  if (expected.cell != actual) {
    out.Add("{}: expected {}, mirror has {}", where, Describe(expected.cell),
            Describe(actual));
  }
}

void CompareChildren(SQLite::Database& db, Mismatches& out,
                     MirrorComparison& stats, const Resource& resource,
                     const std::string& id, const rapidjson::Value& record,
                     const OracleOptions& options) {
  for (const Child& child : resource.children) {
    std::string where = fmt::format("{} {} {}", resource.name, id, child.table);
    SQLite::Statement query(
        db, fmt::format("SELECT * FROM {} WHERE {} = ? ORDER BY {}",
                        child.table, child.parent_column, child.key_column));
    query.bind(1, id);
    std::vector<std::map<std::string, SqlCell>> rows;
    while (query.executeStep()) rows.push_back(RowOf(query));

    const rapidjson::Value* items = Member(record, child.array_field);
    std::vector<const rapidjson::Value*> expected;
    if (items != nullptr && items->IsArray()) {
      for (const auto& item : items->GetArray()) expected.push_back(&item);
    }
    // Rows keyed by a column come back in that column's order.
    bool by_ordinal = std::string_view(child.key_column) == "ordinal";
    if (!by_ordinal) {
      std::sort(expected.begin(), expected.end(), [&](auto* a, auto* b) {
        return StringField(*a, child.key_column) <
               StringField(*b, child.key_column);
      });
    }
    if (rows.size() != expected.size()) {
      out.Add("{}: expected {} rows, mirror has {}", where, expected.size(),
              rows.size());
      continue;
    }
    for (size_t i = 0; i < rows.size(); ++i) {
      ++stats.child_rows;
      if (by_ordinal) {
        // Ordinals follow the array's order, one apart.
        auto first = std::get_if<int64_t>(&rows[0]["ordinal"]);
        auto ordinal = std::get_if<int64_t>(&rows[i]["ordinal"]);
        if (first == nullptr || ordinal == nullptr ||
            *ordinal != *first + static_cast<int64_t>(i) ||
            (*first != 0 && *first != 1)) {
          out.Add("{} row {}: ordinal {} does not follow the array order",
                  where, i, Describe(rows[i]["ordinal"]));
        }
      }
      for (const Column& c : child.columns) {
        Expected want = Convert(Resolve(*expected[i], c.path), c.kind,
                                options.utc_offset_minutes);
        CompareCell(out, stats, fmt::format("{} row {} {}", where, i, c.column),
                    want, rows[i][c.column]);
      }
    }
  }
}

void CompareCustomFields(SQLite::Database& db, Mismatches& out,
                         MirrorComparison& stats, const Resource& resource,
                         const std::string& id, const rapidjson::Value& list) {
  std::set<std::string> mapped = MappedFields(resource);
  std::map<std::string, std::string> expected;
  for (const auto& member : list.GetObject()) {
    const auto& value = member.value;
    if (value.IsNull() || value.IsObject() || value.IsArray()) continue;
    std::string name(member.name.GetString(), member.name.GetStringLength());
    if (mapped.count(name)) continue;
    expected[name] = ScalarText(value);
  }

  std::map<std::string, SqlCell> actual;
  SQLite::Statement query(db,
                          "SELECT name, value FROM custom_fields "
                          "WHERE resource = ? AND record_id = ?");
  query.bind(1, resource.name);
  query.bind(2, id);
  while (query.executeStep()) {
    actual[query.getColumn(0).getString()] = CellOf(query.getColumn(1));
  }

  std::string where = fmt::format("{} {} custom_fields", resource.name, id);
  for (const auto& [name, value] : expected) {
    ++stats.custom_values;
    auto found = actual.find(name);
    if (found == actual.end()) {
      out.Add("{}: '{}' missing (source value '{}')", where, name, value);
    } else if (found->second != SqlCell(value)) {
      out.Add("{}: '{}' expected '{}', mirror has {}", where, name, value,
              Describe(found->second));
    }
  }
  for (const auto& [name, value] : actual) {
    if (!expected.count(name)) {
      out.Add("{}: '{}' is not an unmapped scalar of the record (value {})",
              where, name, Describe(value));
    }
  }
}

void CompareRecord(SQLite::Database& db, Mismatches& out,
                   MirrorComparison& stats, const Resource& resource,
                   const rapidjson::Value& truth,
                   const OracleOptions& options) {
  std::string id = StringField(truth, "id");
  std::string where = fmt::format("{} {}", resource.name, id);
  SQLite::Statement query(
      db, fmt::format("SELECT * FROM {} WHERE id = ?", resource.name));
  query.bind(1, id);
  if (!query.executeStep()) {
    out.Add("{}: missing from the mirror", where);
    return;
  }
  std::map<std::string, SqlCell> row = RowOf(query);
  ++stats.records[resource.name];

  // raw_json is the list record exactly as received.
  rapidjson::Document list = ListForm(resource, truth);
  rapidjson::Document raw;
  const auto* raw_text = std::get_if<std::string>(&row["raw_json"]);
  if (raw_text == nullptr || raw.Parse(raw_text->c_str()).HasParseError()) {
    out.Add("{}: raw_json is not JSON text: {}", where,
            Describe(row["raw_json"]));
  } else if (raw != list) {
    out.Add("{}: raw_json {} differs from the list record {}", where,
            JsonText(raw), JsonText(list));
  }

  // Typed columns, then the bookkeeping columns of DESIGN.md section 3.
  for (const Column& c : resource.columns) {
    Expected want =
        Convert(Resolve(truth, c.path), c.kind, options.utc_offset_minutes);
    CompareCell(out, stats, fmt::format("{} {}", where, c.column), want,
                row[c.column]);
  }
  Expected modified;
  if (*resource.modified_field) {
    modified = Convert(Member(truth, resource.modified_field), Kind::kTimestamp,
                       options.utc_offset_minutes);
  }
  CompareCell(out, stats, where + " modified_at", modified, row["modified_at"]);
  if (!std::holds_alternative<std::monostate>(row["deleted_at"])) {
    out.Add("{}: live at the source but deleted_at is {}", where,
            Describe(row["deleted_at"]));
  }
  for (const char* stamp : {"first_seen_at", "last_seen_at"}) {
    if (!IsUtcStamp(row[stamp])) {
      out.Add("{}: {} is {}, not UTC YYYY-MM-DDTHH:MM:SSZ", where, stamp,
              Describe(row[stamp]));
    }
  }

  CompareChildren(db, out, stats, resource, id, truth, options);
  CompareCustomFields(db, out, stats, resource, id, list);
}

// Rows the truth does not have: none, or only tombstones.
void CompareExtraRows(SQLite::Database& db, Mismatches& out,
                      const Resource& resource,
                      const std::set<std::string>& ids,
                      const OracleOptions& options) {
  SQLite::Statement query(
      db, fmt::format("SELECT id, deleted_at FROM {}", resource.name));
  while (query.executeStep()) {
    std::string id = query.getColumn(0).getString();
    if (ids.count(id)) continue;
    if (!options.allow_tombstones) {
      out.Add("{} {}: in the mirror but not at the source", resource.name, id);
    } else if (query.getColumn(1).isNull()) {
      out.Add("{} {}: gone from the source but not tombstoned", resource.name,
              id);
    }
  }

  // Child rows and custom fields of live records only belong to them.
  std::string live = fmt::format("(SELECT id FROM {} WHERE deleted_at IS NULL)",
                                 resource.name);
  for (const Child& child : resource.children) {
    SQLite::Statement orphans(
        db, fmt::format("SELECT count(*) FROM {} WHERE {} NOT IN (SELECT id "
                        "FROM {})",
                        child.table, child.parent_column, resource.name));
    if (orphans.executeStep() && orphans.getColumn(0).getInt64() != 0) {
      out.Add("{}: {} rows without a parent record", child.table,
              orphans.getColumn(0).getInt64());
    }
  }
  if (!options.allow_tombstones) {
    SQLite::Statement orphans(
        db,
        "SELECT count(*) FROM custom_fields WHERE resource = ? AND record_id "
        "NOT IN " +
            live);
    orphans.bind(1, resource.name);
    if (orphans.executeStep() && orphans.getColumn(0).getInt64() != 0) {
      out.Add("custom_fields of {}: {} rows of records not at the source",
              resource.name, orphans.getColumn(0).getInt64());
    }
  }
}

int64_t CountOf(const rapidjson::Value& object, const char* name) {
  const rapidjson::Value* value = Member(object, name);
  return value != nullptr && value->IsInt64() ? value->GetInt64() : 0;
}

}  // namespace

const std::vector<std::string>& MirroredResources() {
  static const std::vector<std::string> kNames = {
      "users",       "clients",    "job_postings", "applicants",
      "submissions", "interviews", "placements"};
  return kNames;
}

std::string Describe(const SqlCell& cell) {
  if (std::holds_alternative<std::monostate>(cell)) return "NULL";
  if (const auto* i = std::get_if<int64_t>(&cell)) {
    return fmt::format("{} (INTEGER)", *i);
  }
  if (const auto* d = std::get_if<double>(&cell)) {
    return fmt::format("{} (REAL)", *d);
  }
  return fmt::format("'{}' (TEXT)", std::get<std::string>(cell));
}

std::optional<std::string> OracleUtc(const std::string& source,
                                     int utc_offset_minutes) {
  int year, month, day, hour, minute, second;
  std::string_view text = source;
  bool iso = text.size() == 20 && text[10] == 'T' && text[19] == 'Z';
  bool naive = text.size() == 19 && text[10] == ' ';
  if ((!iso && !naive) || !Digits(text, 0, 4, year) || text[4] != '-' ||
      !Digits(text, 5, 2, month) || text[7] != '-' ||
      !Digits(text, 8, 2, day) || !Digits(text, 11, 2, hour) ||
      text[13] != ':' || !Digits(text, 14, 2, minute) || text[16] != ':' ||
      !Digits(text, 17, 2, second) || hour > 23 || minute > 59 || second > 59 ||
      !IsDate(text.substr(0, 10))) {
    return std::nullopt;
  }

  namespace chrono = std::chrono;
  chrono::sys_days days{chrono::year_month_day(
      chrono::year(year), chrono::month(static_cast<unsigned>(month)),
      chrono::day(static_cast<unsigned>(day)))};
  chrono::sys_seconds instant = days + chrono::hours(hour) +
                                chrono::minutes(minute) +
                                chrono::seconds(second);
  if (naive) instant -= chrono::minutes(utc_offset_minutes);

  auto midnight = chrono::floor<chrono::days>(instant);
  chrono::year_month_day date(midnight);
  chrono::hh_mm_ss time(instant - midnight);
  return fmt::format(
      "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", static_cast<int>(date.year()),
      static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
      time.hours().count(), time.minutes().count(), time.seconds().count());
}

rapidjson::Document FetchTruth(const FakeCeipalProcess& sandbox,
                               const std::string& resource) {
  rapidjson::Document doc;
  HttpResult answer = sandbox.ControlGet("truth?resource=" + resource);
  doc.Parse(answer.body.c_str());
  const rapidjson::Value* records =
      doc.HasParseError() ? nullptr : Member(doc, "records");
  if (answer.status != 200 || records == nullptr || !records->IsArray()) {
    ADD_FAILURE() << "truth of " << resource << ": HTTP " << answer.status
                  << " " << answer.body.substr(0, 200);
    doc.SetObject();
    doc.AddMember("records", rapidjson::Value(rapidjson::kArrayType),
                  doc.GetAllocator());
  }
  return doc;
}

std::vector<JournalEntry> FetchJournal(const FakeCeipalProcess& sandbox) {
  std::vector<JournalEntry> entries;
  HttpResult answer = sandbox.ControlGet("journal");
  rapidjson::Document doc;
  doc.Parse(answer.body.c_str());
  if (answer.status != 200 || doc.HasParseError() || !doc.IsArray()) {
    ADD_FAILURE() << "journal: HTTP " << answer.status << " "
                  << answer.body.substr(0, 200);
    return entries;
  }
  for (const auto& item : doc.GetArray()) {
    JournalEntry entry;
    entry.seq = CountOf(item, "seq");
    entry.resource = StringField(item, "resource");
    entry.id = StringField(item, "id");
    entry.kind = StringField(item, "kind");
    entry.at = StringField(item, "at");
    const rapidjson::Value* fields = Member(item, "fields");
    if (fields != nullptr && fields->IsArray()) {
      for (const auto& field : fields->GetArray()) {
        entry.fields.push_back(ScalarText(field));
      }
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

std::vector<JournalEntry> JournalSince(const FakeCeipalProcess& sandbox,
                                       int64_t after_seq) {
  std::vector<JournalEntry> entries = FetchJournal(sandbox);
  std::erase_if(entries, [&](const JournalEntry& entry) {
    return entry.seq <= after_seq;
  });
  return entries;
}

int64_t DataRequests(const FakeCeipalProcess& sandbox) {
  HttpResult answer = sandbox.ControlGet("stats");
  rapidjson::Document doc;
  doc.Parse(answer.body.c_str());
  const rapidjson::Value* endpoints =
      doc.HasParseError() ? nullptr : Member(doc, "endpoints");
  if (answer.status != 200 || endpoints == nullptr || !endpoints->IsObject()) {
    ADD_FAILURE() << "stats: HTTP " << answer.status << " "
                  << answer.body.substr(0, 200);
    return -1;
  }
  int64_t total = 0;
  for (const auto& endpoint : endpoints->GetObject()) {
    std::string_view path(endpoint.name.GetString(),
                          endpoint.name.GetStringLength());
    if (path.find("List/") != std::string_view::npos ||
        path.find("Details/") != std::string_view::npos) {
      total += CountOf(endpoint.value, "requests");
    }
  }
  return total;
}

MirrorComparison CompareMirrorWithTruth(const std::string& db_path,
                                        const FakeCeipalProcess& sandbox,
                                        const OracleOptions& options) {
  MirrorComparison result;
  try {
    SQLite::Database db(db_path, SQLite::OPEN_READONLY);
    Mismatches out(result.mismatches);
    for (const Resource& resource : Table()) {
      rapidjson::Document truth = FetchTruth(sandbox, resource.name);
      std::set<std::string> ids;
      for (const auto& record : truth["records"].GetArray()) {
        ids.insert(StringField(record, "id"));
        CompareRecord(db, out, result, resource, record, options);
      }
      CompareExtraRows(db, out, resource, ids, options);
      result.records[resource.name] += 0;  // a resource with no record shows
    }
  } catch (const std::exception& e) {
    result.mismatches.push_back(
        fmt::format("read mirror {}: {}", db_path, e.what()));
  }
  return result;
}

SqlCell QueryValue(const std::string& db_path, const std::string& sql) {
  try {
    SQLite::Database db(db_path, SQLite::OPEN_READONLY);
    SQLite::Statement query(db, sql);
    if (query.executeStep()) return CellOf(query.getColumn(0));
    ADD_FAILURE() << "no row from: " << sql;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "query " << sql << " on " << db_path << ": " << e.what();
  }
  return std::monostate{};
}

int64_t QueryInt(const std::string& db_path, const std::string& sql) {
  SqlCell cell = QueryValue(db_path, sql);
  if (const auto* value = std::get_if<int64_t>(&cell)) return *value;
  ADD_FAILURE() << "not an integer (" << Describe(cell) << ") from: " << sql;
  return -1;
}

std::vector<std::map<std::string, SqlCell>> QueryRows(
    const std::string& db_path, const std::string& sql) {
  std::vector<std::map<std::string, SqlCell>> rows;
  try {
    SQLite::Database db(db_path, SQLite::OPEN_READONLY);
    SQLite::Statement query(db, sql);
    while (query.executeStep()) rows.push_back(RowOf(query));
  } catch (const std::exception& e) {
    ADD_FAILURE() << "query " << sql << " on " << db_path << ": " << e.what();
  }
  return rows;
}

std::vector<LoggedChange> ChangesSince(const std::string& db_path,
                                       int64_t after_seq) {
  std::vector<LoggedChange> changes;
  auto text = [](const SqlCell& cell) -> std::optional<std::string> {
    if (const auto* s = std::get_if<std::string>(&cell)) return *s;
    return std::nullopt;
  };
  auto rows = QueryRows(
      db_path, fmt::format("SELECT seq, run_id, resource, record_id, op, "
                           "event, status_from, status_to, "
                           "source_modified_at, snapshot FROM change_log "
                           "WHERE seq > {} ORDER BY seq",
                           after_seq));
  for (auto& row : rows) {
    LoggedChange change;
    change.seq = std::get<int64_t>(row["seq"]);
    change.run_id = std::get<int64_t>(row["run_id"]);
    change.resource = text(row["resource"]).value_or("");
    change.record_id = text(row["record_id"]).value_or("");
    change.op = text(row["op"]).value_or("");
    change.event = text(row["event"]);
    change.status_from = text(row["status_from"]);
    change.status_to = text(row["status_to"]);
    change.source_modified_at = text(row["source_modified_at"]);
    change.snapshot = row["snapshot"] == SqlCell(int64_t{1});
    changes.push_back(std::move(change));
  }
  return changes;
}

int64_t LastSeq(const std::string& db_path) {
  return QueryInt(db_path, "SELECT ifnull(max(seq), 0) FROM change_log");
}

std::vector<std::string> CompareChangesWithJournal(
    const std::vector<LoggedChange>& changes,
    const std::vector<JournalEntry>& journal) {
  std::vector<std::string> differences;
  std::map<std::pair<std::string, std::string>, std::string> expected;
  for (const JournalEntry& entry : journal) {
    std::string op = entry.kind == "create"   ? "insert"
                     : entry.kind == "delete" ? "delete"
                                              : "update";
    auto [at, fresh] =
        expected.emplace(std::pair(entry.resource, entry.id), op);
    if (!fresh) {
      differences.push_back(fmt::format(
          "journal seq {}: {} {} mutated twice between runs; the test must "
          "mutate each record once",
          entry.seq, entry.resource, entry.id));
    }
  }

  std::map<std::pair<std::string, std::string>, int> seen;
  for (const LoggedChange& change : changes) {
    auto key = std::pair(change.resource, change.record_id);
    int times = ++seen[key];
    auto want = expected.find(key);
    if (want == expected.end()) {
      differences.push_back(fmt::format(
          "change seq {}: {} {} of {} matches no journaled mutation",
          change.seq, change.op, change.resource, change.record_id));
    } else if (times > 1) {
      differences.push_back(fmt::format("change seq {}: a second row for {} {}",
                                        change.seq, change.resource,
                                        change.record_id));
    } else if (change.op != want->second) {
      differences.push_back(fmt::format(
          "change seq {}: op '{}' for {} {}, the journal says '{}'", change.seq,
          change.op, change.resource, change.record_id, want->second));
    }
  }
  for (const auto& [key, op] : expected) {
    if (!seen.count(key)) {
      differences.push_back(fmt::format("no change row for the {} of {} {}", op,
                                        key.first, key.second));
    }
  }
  return differences;
}

// ---- SyncHarness -----------------------------------------------------------

namespace {

std::string MakeTempDir() {
  std::string pattern =
      (std::filesystem::temp_directory_path() / "ceipal-integ-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    ADD_FAILURE() << "mkdtemp " << pattern << " failed";
  }
  return pattern;
}

}  // namespace

SyncHarness::SyncHarness(std::vector<std::string> sandbox_args,
                         const std::string& config_members)
    : dir_(MakeTempDir()),
      db_path_(dir_ + "/ceipal.db"),
      config_path_(dir_ + "/ceipal-sync.json"),
      sandbox_(std::move(sandbox_args)) {
  // The config may hold secrets, so the engine refuses one others can read.
  std::string members = R"("rate": 1000, "burst": 100)";
  if (!config_members.empty()) members += ", " + config_members;
  {
    std::ofstream config(config_path_);
    config << "{" << members << "}\n";
  }
  ::chmod(config_path_.c_str(), 0600);
}

SyncHarness::~SyncHarness() {
  sandbox_.Stop();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

CliResult SyncHarness::Cli(std::vector<std::string> args) const {
  args.insert(args.end(), {"--db", db_path_, "--config", config_path_});
  return RunCeipalSync(args, SandboxEnv(sandbox_.url()));
}

CliResult SyncHarness::Sync(std::vector<std::string> extra) const {
  extra.insert(extra.begin(), "run");
  CliResult result = Cli(extra);
  EXPECT_EQ(result.exit_code, 0) << "ceipal-sync run failed\nstdout:\n"
                                 << result.out << "\nstderr:\n"
                                 << result.err;
  return result;
}

rapidjson::Document SyncHarness::Mutate(const std::string& json) const {
  HttpResult answer = sandbox_.Control("mutate", json);
  EXPECT_EQ(answer.status, 200) << "mutate " << json << ": " << answer.body;
  rapidjson::Document doc;
  doc.Parse(answer.body.c_str());
  if (doc.HasParseError()) doc.SetObject();
  return doc;
}

void SyncHarness::AdvanceClock(int64_t seconds) const {
  HttpResult answer =
      sandbox_.Control("clock", fmt::format(R"({{"advance": {}}})", seconds));
  EXPECT_EQ(answer.status, 200) << "advance clock: " << answer.body;
}

std::string JsonText(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return {buffer.GetString(), buffer.GetSize()};
}

std::string StringField(const rapidjson::Value& object, const char* name) {
  const rapidjson::Value* value = Member(object, name);
  if (value == nullptr || !value->IsString()) return "";
  return {value->GetString(), value->GetStringLength()};
}

}  // namespace ceipal::test
