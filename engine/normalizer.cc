#include "engine/normalizer.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstring>

#include "engine/page_decoder.h"

namespace ceipal::engine {
namespace {

using rapidjson::Value;

constexpr size_t kIdExcerpt = 64;

// Why a value did not convert, without the field: the caller names it.
using Converted = std::expected<SqlValue, std::string>;

// ---- Small helpers --------------------------------------------------------

std::string_view View(const Value& v) {
  return {v.GetString(), v.GetStringLength()};
}

std::string_view Trim(std::string_view text) {
  auto space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
  };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  return text;
}

bool IsSentinel(std::string_view text) {
  text = Trim(text);
  return text.empty() || text == "NA" || text == "N/A" || text == "n/a";
}

const char* TypeName(const Value& v) {
  switch (v.GetType()) {
    case rapidjson::kNullType:
      return "null";
    case rapidjson::kFalseType:
    case rapidjson::kTrueType:
      return "a boolean";
    case rapidjson::kObjectType:
      return "an object";
    case rapidjson::kArrayType:
      return "an array";
    case rapidjson::kStringType:
      return "a string";
    case rapidjson::kNumberType:
      return "a number";
  }
  return "a value";
}

// A JSON number as text: integers exactly, doubles in the shortest form
// that reads back to the same value.
std::string NumberText(const Value& v) {
  std::array<char, 32> buffer;
  std::to_chars_result end;
  if (v.IsInt64()) {
    end = std::to_chars(buffer.begin(), buffer.end(), v.GetInt64());
  } else if (v.IsUint64()) {
    end = std::to_chars(buffer.begin(), buffer.end(), v.GetUint64());
  } else {
    end = std::to_chars(buffer.begin(), buffer.end(), v.GetDouble());
  }
  return std::string(buffer.data(), end.ptr);
}

// A scalar as text: strings as received, numbers as NumberText prints
// them, booleans as "true"/"false".
std::string ScalarText(const Value& v) {
  if (v.IsString()) return std::string(View(v));
  if (v.IsNumber()) return NumberText(v);
  return v.GetBool() ? "true" : "false";
}

// ---- UTF-8 ----------------------------------------------------------------

// True when `text` is well-formed UTF-8 (Unicode 15, table 3-7): no
// overlong forms, no surrogates, nothing above U+10FFFF.
bool IsValidUtf8(std::string_view text) {
  constexpr uint64_t kHighBits = 0x8080808080808080;
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  while (p < end) {
    // Most text is ASCII: skip it eight bytes at a time.
    if (end - p >= 8) {
      uint64_t word;
      std::memcpy(&word, p, sizeof word);
      if ((word & kHighBits) == 0) {
        p += sizeof word;
        continue;
      }
    }
    unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    int extra = 0;
    unsigned char low = 0x80;
    unsigned char high = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      extra = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
      extra = 2;
      if (c == 0xE0) low = 0xA0;   // overlong
      if (c == 0xED) high = 0x9F;  // surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      extra = 3;
      if (c == 0xF0) low = 0x90;   // overlong
      if (c == 0xF4) high = 0x8F;  // above U+10FFFF
    } else {
      return false;
    }
    if (end - p <= extra) return false;
    if (p[1] < low || p[1] > high) return false;
    for (int i = 2; i <= extra; ++i) {
      if (p[i] < 0x80 || p[i] > 0xBF) return false;
    }
    p += extra + 1;
  }
  return true;
}

// Finds the first key or string value that is not UTF-8 and writes where
// it is ("pay_rates.1.currency", "a key in contacts.0") into `where`.
// Nesting beyond kMaxJsonDepth counts as a failure, so hand-built values
// cannot recurse without bound.
bool FindInvalidUtf8(const Value& v, int depth, std::string& where) {
  if (depth > kMaxJsonDepth) {
    where = "(nested too deep)";
    return true;
  }
  if (v.IsString()) return !IsValidUtf8(View(v));
  if (v.IsArray()) {
    for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
      if (FindInvalidUtf8(v[i], depth + 1, where)) {
        where = std::to_string(i) + (where.empty() ? "" : "." + where);
        return true;
      }
    }
  }
  if (v.IsObject()) {
    for (const auto& member : v.GetObject()) {
      std::string_view name = View(member.name);
      if (!IsValidUtf8(name)) {
        where = "a key";
        return true;
      }
      if (FindInvalidUtf8(member.value, depth + 1, where)) {
        where = std::string(name) + (where.empty() ? "" : "." + where);
        return true;
      }
    }
  }
  return false;
}

// ---- Paths ----------------------------------------------------------------

// Follows one alternative ("placement_details.0.job_start_date"): names
// step into objects, numbers into arrays.
const Value* ResolveOne(const Value& root, std::string_view path) {
  const Value* current = &root;
  while (current != nullptr) {
    size_t dot = path.find('.');
    std::string_view step = path.substr(0, dot);
    if (current->IsObject()) {
      Value key(rapidjson::StringRef(step.data(), step.size()));
      auto member = current->FindMember(key);
      current = member == current->MemberEnd() ? nullptr : &member->value;
    } else if (current->IsArray()) {
      size_t index = 0;
      auto [end, error] =
          std::from_chars(step.data(), step.data() + step.size(), index);
      bool ok = error == std::errc() && end == step.data() + step.size() &&
                index < current->Size();
      current =
          ok ? &(*current)[static_cast<rapidjson::SizeType>(index)] : nullptr;
    } else {
      current = nullptr;
    }
    if (dot == std::string_view::npos) break;
    path.remove_prefix(dot + 1);
  }
  return current;
}

// The first alternative that is present and not null, or nullptr.
const Value* Resolve(const Value& root, std::string_view path) {
  while (true) {
    size_t bar = path.find('|');
    const Value* found = ResolveOne(root, path.substr(0, bar));
    if (found != nullptr && !found->IsNull()) return found;
    if (bar == std::string_view::npos) return nullptr;
    path.remove_prefix(bar + 1);
  }
}

// True when some alternative of `path` starts at the top-level field
// `name`.
bool PathStartsAt(std::string_view path, std::string_view name) {
  while (true) {
    size_t bar = path.find('|');
    std::string_view alternative = path.substr(0, bar);
    if (alternative.substr(0, alternative.find('.')) == name) return true;
    if (bar == std::string_view::npos) return false;
    path.remove_prefix(bar + 1);
  }
}

bool TakenByChild(const ResourceSpec& spec, std::string_view name) {
  return std::any_of(spec.children.begin(), spec.children.end(),
                     [&](const ChildSpec& child) {
                       return PathStartsAt(child.array_field, name);
                     });
}

// ---- Conversions ----------------------------------------------------------

Converted ToInteger(const Value& v) {
  if (v.IsBool()) return int64_t{v.GetBool() ? 1 : 0};
  if (v.IsInt64()) return v.GetInt64();
  double number = 0;
  if (v.IsNumber()) {
    if (v.IsUint64()) return std::unexpected("integer out of range");
    number = v.GetDouble();
  } else if (v.IsString()) {
    std::string_view text = Trim(View(v));
    if (IsSentinel(text)) return SqlValue{};
    if (text.size() > 1 && text.front() == '+') text.remove_prefix(1);
    const char* end = text.data() + text.size();
    int64_t exact = 0;
    auto parsed = std::from_chars(text.data(), end, exact);
    if (parsed.ec == std::errc() && parsed.ptr == end) return exact;
    parsed = std::from_chars(text.data(), end, number);
    if (parsed.ec != std::errc() || parsed.ptr != end) {
      return std::unexpected("not an integer");
    }
  } else {
    return std::unexpected(std::string("expected an integer, got ") +
                           TypeName(v));
  }
  // 3.0 and "3.0" are integers; 3.5 and 1e300 are not.
  constexpr double kLimit = 9223372036854775808.0;  // 2^63
  if (!std::isfinite(number) || number != std::trunc(number) ||
      number < -kLimit || number >= kLimit) {
    return std::unexpected("not an integer in range");
  }
  return static_cast<int64_t>(number);
}

Converted ToReal(const Value& v) {
  if (v.IsBool()) return v.GetBool() ? 1.0 : 0.0;
  if (v.IsNumber()) return v.GetDouble();
  if (!v.IsString()) {
    return std::unexpected(std::string("expected a number, got ") +
                           TypeName(v));
  }
  std::string_view text = Trim(View(v));
  if (IsSentinel(text)) return SqlValue{};
  if (text.size() > 1 && text.front() == '+') text.remove_prefix(1);
  double number = 0;
  const char* end = text.data() + text.size();
  auto parsed = std::from_chars(text.data(), end, number);
  if (parsed.ec != std::errc() || parsed.ptr != end || !std::isfinite(number)) {
    return std::unexpected("not a number");
  }
  return number;
}

Converted ToText(const Value& v) {
  if (v.IsObject() || v.IsArray()) {
    return std::unexpected(std::string("expected a scalar, got ") +
                           TypeName(v));
  }
  if (v.IsString() && IsSentinel(View(v))) return SqlValue{};
  return ScalarText(v);
}

Converted ToTimestamp(const Value& v, const SourceClock& clock) {
  if (!v.IsString()) {
    return std::unexpected(std::string("expected a timestamp, got ") +
                           TypeName(v));
  }
  std::string_view text = Trim(View(v));
  if (IsSentinel(text)) return SqlValue{};
  auto instant = ParseSourceTime(text, clock);
  if (!instant) return std::unexpected(instant.error().message);
  return FormatUtc(*instant);
}

Converted ToDate(const Value& v) {
  if (!v.IsString()) {
    return std::unexpected(std::string("expected a date, got ") + TypeName(v));
  }
  std::string_view text = Trim(View(v));
  if (IsSentinel(text)) return SqlValue{};
  auto date = NormalizeDate(text);
  if (!date) return std::unexpected(date.error().message);
  return std::move(*date);
}

// The column value of `field` in `source`. With `check_utf8`, strings are
// validated here (a detail object is not checked as a whole).
Converted ConvertField(const Value& source, const FieldMap& field,
                       const SourceClock& clock, bool check_utf8) {
  const Value* v = Resolve(source, field.path);
  if (v == nullptr) return SqlValue{};
  if (check_utf8 && v->IsString() && !IsValidUtf8(View(*v))) {
    return std::unexpected("invalid UTF-8");
  }
  switch (field.type) {
    case FieldType::kText:
      return ToText(*v);
    case FieldType::kInteger:
      return ToInteger(*v);
    case FieldType::kReal:
      return ToReal(*v);
    case FieldType::kTimestamp:
      return ToTimestamp(*v, clock);
    case FieldType::kDate:
      return ToDate(*v);
  }
  return std::unexpected("unknown column type");
}

// ---- Errors ---------------------------------------------------------------

// "<resource> record <id>: <why>", the id cut short: it is untrusted.
std::unexpected<Error> RecordError(const ResourceSpec& spec,
                                   std::string_view id, std::string_view why) {
  std::string message = spec.name + " record";
  if (!id.empty()) {
    message += ' ';
    message += id.substr(0, kIdExcerpt);
    if (id.size() > kIdExcerpt) message += "...";
  }
  message += ": ";
  message += why;
  return std::unexpected(Error{ErrorKind::kSchema, std::move(message)});
}

std::string FieldError(const FieldMap& field, std::string_view why) {
  return "column '" + field.column + "' from '" + field.path +
         "': " + std::string(why);
}

// ---- Record parts ---------------------------------------------------------

Result<std::string> ReadId(const ResourceSpec& spec, const Value& record) {
  const Value* id = Resolve(record, spec.id_field);
  if (id == nullptr) {
    return RecordError(spec, "", "no id field '" + spec.id_field + "'");
  }
  if (!id->IsString()) {
    return RecordError(
        spec, "", std::string("id is ") + TypeName(*id) + ", not a string");
  }
  if (Trim(View(*id)).empty()) return RecordError(spec, "", "empty id");
  return std::string(View(*id));
}

// Reads the modified field into rec.modified_source and modified_unix.
Result<void> ReadModified(const ResourceSpec& spec, const Value& record,
                          const SourceClock& clock, NormalizedRecord& rec) {
  if (spec.modified_field.empty()) return {};
  const Value* modified = Resolve(record, spec.modified_field);
  if (modified == nullptr) return {};
  if (!modified->IsString()) {
    return RecordError(spec, rec.id,
                       "modified field '" + spec.modified_field + "' is " +
                           TypeName(*modified) + ", not a timestamp");
  }
  std::string_view text = View(*modified);
  if (IsSentinel(text)) return {};
  auto instant = ParseSourceTime(Trim(text), clock);
  if (!instant) {
    return RecordError(spec, rec.id,
                       "modified field '" + spec.modified_field +
                           "': " + instant.error().message);
  }
  rec.modified_source = text;
  rec.modified_unix = *instant;
  return {};
}

Result<void> ReadColumns(const ResourceSpec& spec, const Value& record,
                         const SourceClock& clock, NormalizedRecord& rec) {
  rec.columns.reserve(spec.columns.size() + spec.detail_columns.size());
  for (const FieldMap& field : spec.columns) {
    auto value = ConvertField(record, field, clock, false);
    if (!value) {
      return RecordError(spec, rec.id, FieldError(field, value.error()));
    }
    rec.columns.push_back(std::move(*value));
  }
  rec.columns.resize(spec.columns.size() + spec.detail_columns.size());
  return {};
}

Result<void> ReadChild(const ResourceSpec& spec, const ChildSpec& child,
                       const Value& record, const SourceClock& clock,
                       NormalizedRecord& rec) {
  auto& rows = rec.children.emplace_back();
  const Value* items = Resolve(record, child.array_field);
  if (items == nullptr) return {};
  if (!items->IsArray()) {
    return RecordError(spec, rec.id,
                       "'" + child.array_field + "' is " + TypeName(*items) +
                           ", not an array of " + child.table);
  }

  rows.reserve(items->Size());
  for (rapidjson::SizeType i = 0; i < items->Size(); ++i) {
    const Value& item = (*items)[i];
    std::string where = child.table + " row " + std::to_string(i);
    if (!item.IsObject()) {
      return RecordError(spec, rec.id,
                         where + " is " + TypeName(item) + ", not an object");
    }
    auto& row = rows.emplace_back();
    row.reserve(child.columns.size());
    for (const FieldMap& field : child.columns) {
      auto value = ConvertField(item, field, clock, false);
      if (!value) {
        return RecordError(spec, rec.id,
                           where + " " + FieldError(field, value.error()));
      }
      row.push_back(std::move(*value));
    }
  }

  // Without an ordinal the first column keys the row within its parent.
  if (!child.has_ordinal && !child.columns.empty()) {
    for (size_t i = 0; i < rows.size(); ++i) {
      if (std::holds_alternative<std::monostate>(rows[i][0])) {
        return RecordError(spec, rec.id,
                           child.table + " row " + std::to_string(i) +
                               " has no " + child.columns[0].column);
      }
      for (size_t j = 0; j < i; ++j) {
        if (rows[j][0] == rows[i][0]) {
          return RecordError(spec, rec.id,
                             child.table + " rows " + std::to_string(j) +
                                 " and " + std::to_string(i) + " share their " +
                                 child.columns[0].column);
        }
      }
    }
  }
  return {};
}

// ---- Hashing --------------------------------------------------------------

enum HashTag : uint8_t {
  kNullTag = 1,
  kIntegerTag,
  kRealTag,
  kTextTag,
  kFalseTag,
  kTrueTag,
  kArrayTag,
  kObjectTag,
  kMemberTag,
  kUnsignedTag,
};

uint64_t HashBytes(const void* data, size_t size, uint64_t seed) {
  return XXH3_64bits_withSeed(data, size, seed);
}

uint64_t HashInteger(int64_t value, uint64_t seed) {
  return HashBytes(&value, sizeof value, seed);
}

// An order-independent digest of a JSON value: object members are combined
// by addition, so key order does not matter; array order does.
uint64_t CanonicalHash(const Value& v, int depth) {
  if (depth > kMaxJsonDepth) return kNullTag;
  switch (v.GetType()) {
    case rapidjson::kNullType:
      return HashInteger(0, kNullTag);
    case rapidjson::kFalseType:
      return HashInteger(0, kFalseTag);
    case rapidjson::kTrueType:
      return HashInteger(0, kTrueTag);
    case rapidjson::kStringType:
      return HashBytes(v.GetString(), v.GetStringLength(), kTextTag);
    case rapidjson::kNumberType: {
      if (v.IsInt64()) return HashInteger(v.GetInt64(), kIntegerTag);
      if (v.IsUint64()) {
        uint64_t u = v.GetUint64();
        return HashBytes(&u, sizeof u, kUnsignedTag);
      }
      double d = v.GetDouble();
      return HashBytes(&d, sizeof d, kRealTag);
    }
    case rapidjson::kArrayType: {
      uint64_t h = HashInteger(v.Size(), kArrayTag);
      for (const Value& element : v.GetArray()) {
        std::array<uint64_t, 2> pair = {h, CanonicalHash(element, depth + 1)};
        h = HashBytes(pair.data(), sizeof pair, kArrayTag);
      }
      return h;
    }
    case rapidjson::kObjectType: {
      uint64_t sum = 0;
      for (const auto& member : v.GetObject()) {
        sum += HashBytes(member.name.GetString(), member.name.GetStringLength(),
                         CanonicalHash(member.value, depth + 1));
      }
      return HashInteger(static_cast<int64_t>(sum), kObjectTag);
    }
  }
  return 0;
}

// Feeds tagged, length-prefixed values to one XXH3 stream.
class Hasher {
 public:
  Hasher() { XXH3_64bits_reset(&state_); }
  void Tag(HashTag tag) { XXH3_64bits_update(&state_, &tag, sizeof tag); }
  void Integer(uint64_t value) {
    XXH3_64bits_update(&state_, &value, sizeof value);
  }
  void Text(std::string_view text) {
    Integer(text.size());
    XXH3_64bits_update(&state_, text.data(), text.size());
  }
  void Sql(const SqlValue& value) {
    if (const auto* i = std::get_if<int64_t>(&value)) {
      Tag(kIntegerTag);
      Integer(static_cast<uint64_t>(*i));
    } else if (const auto* d = std::get_if<double>(&value)) {
      Tag(kRealTag);
      uint64_t bits;
      std::memcpy(&bits, d, sizeof bits);
      Integer(bits);
    } else if (const auto* s = std::get_if<std::string>(&value)) {
      Tag(kTextTag);
      Text(*s);
    } else {
      Tag(kNullTag);
    }
  }
  uint64_t Digest() { return XXH3_64bits_digest(&state_); }

 private:
  XXH3_state_t state_;
};

// Digest of the top-level arrays and objects no child table takes.
uint64_t UnmappedHash(const ResourceSpec& spec, const Value& record) {
  uint64_t sum = 0;
  for (const auto& member : record.GetObject()) {
    if (!member.value.IsObject() && !member.value.IsArray()) continue;
    std::string_view name = View(member.name);
    if (TakenByChild(spec, name)) continue;
    sum += HashBytes(name.data(), name.size(), CanonicalHash(member.value, 1));
  }
  return sum;
}

// The top-level field of every alternative of `path`, appended to `names`.
void AddTopLevelNames(std::string_view path,
                      std::vector<std::string_view>& names) {
  while (true) {
    size_t bar = path.find('|');
    std::string_view alternative = path.substr(0, bar);
    names.push_back(alternative.substr(0, alternative.find('.')));
    if (bar == std::string_view::npos) return;
    path.remove_prefix(bar + 1);
  }
}

// Every top-level field the catalogue reads in any way (the id, the modified
// field, columns, child arrays), listed once per record rather than asked of
// every path for every field: asking cost about a tenth of a no-change
// sweep's CPU.
std::vector<std::string_view> MappedNames(const ResourceSpec& spec) {
  std::vector<std::string_view> names;
  names.reserve(spec.columns.size() + spec.detail_columns.size() + 8);
  AddTopLevelNames(spec.id_field, names);
  if (!spec.modified_field.empty()) {
    AddTopLevelNames(spec.modified_field, names);
  }
  for (const auto& f : spec.columns) AddTopLevelNames(f.path, names);
  for (const auto& f : spec.detail_columns) AddTopLevelNames(f.path, names);
  for (const auto& c : spec.children) AddTopLevelNames(c.array_field, names);
  return names;
}

// Every top-level scalar the catalogue does not read, as received.
void ReadCustomFields(const ResourceSpec& spec, const Value& record,
                      NormalizedRecord& rec) {
  std::vector<std::string_view> mapped = MappedNames(spec);
  for (const auto& member : record.GetObject()) {
    const Value& v = member.value;
    if (v.IsNull() || v.IsObject() || v.IsArray()) continue;
    std::string_view name = View(member.name);
    if (std::find(mapped.begin(), mapped.end(), name) != mapped.end()) {
      continue;
    }
    rec.custom_fields.emplace_back(std::string(name), ScalarText(v));
  }

  // Sorted by name; a key repeated in the JSON keeps its first value, as a
  // lookup of the key would.
  auto by_name = [](const auto& a, const auto& b) { return a.first < b.first; };
  std::stable_sort(rec.custom_fields.begin(), rec.custom_fields.end(), by_name);
  auto same_name = [](const auto& a, const auto& b) {
    return a.first == b.first;
  };
  rec.custom_fields.erase(std::unique(rec.custom_fields.begin(),
                                      rec.custom_fields.end(), same_name),
                          rec.custom_fields.end());
}

}  // namespace

uint64_t ContentHash(const NormalizedRecord& rec) {
  Hasher hasher;
  if (rec.modified_unix) {
    hasher.Tag(kIntegerTag);
    hasher.Integer(static_cast<uint64_t>(*rec.modified_unix));
  } else {
    hasher.Tag(kNullTag);
  }

  hasher.Integer(rec.columns.size());
  for (const SqlValue& value : rec.columns) hasher.Sql(value);

  hasher.Integer(rec.children.size());
  for (const auto& rows : rec.children) {
    hasher.Integer(rows.size());
    for (const auto& row : rows) {
      hasher.Integer(row.size());
      for (const SqlValue& value : row) hasher.Sql(value);
    }
  }

  hasher.Integer(rec.custom_fields.size());
  for (const auto& [name, value] : rec.custom_fields) {
    hasher.Text(name);
    hasher.Text(value);
  }

  hasher.Integer(rec.unmapped_hash);
  return hasher.Digest();
}

Result<NormalizedRecord> Normalize(const ResourceSpec& spec,
                                   const rapidjson::Value& record,
                                   std::string_view raw,
                                   const SourceClock& clock) {
  // Shape and encoding come first: nothing else can be trusted without them.
  // Valid raw bytes imply valid strings (escapes always decode to UTF-8), so
  // the record is walked only to say where a bad byte is.
  if (!record.IsObject()) {
    return RecordError(
        spec, "", std::string("is ") + TypeName(record) + ", not an object");
  }
  bool raw_is_utf8 = IsValidUtf8(raw);
  if (!raw_is_utf8 || raw.empty()) {
    std::string where;
    if (FindInvalidUtf8(record, 1, where)) {
      return RecordError(spec, "", "invalid UTF-8 in " + where);
    }
    if (!raw_is_utf8) {
      return RecordError(spec, "", "invalid UTF-8 in its raw bytes");
    }
  }

  NormalizedRecord rec;
  auto id = ReadId(spec, record);
  if (!id) return std::unexpected(id.error());
  rec.id = std::move(*id);

  if (auto ok = ReadModified(spec, record, clock, rec); !ok) {
    return std::unexpected(ok.error());
  }
  if (auto ok = ReadColumns(spec, record, clock, rec); !ok) {
    return std::unexpected(ok.error());
  }
  rec.children.reserve(spec.children.size());
  for (const ChildSpec& child : spec.children) {
    if (auto ok = ReadChild(spec, child, record, clock, rec); !ok) {
      return std::unexpected(ok.error());
    }
  }
  ReadCustomFields(spec, record, rec);

  rec.unmapped_hash = UnmappedHash(spec, record);
  rec.raw_json.assign(raw);
  rec.content_hash = ContentHash(rec);
  return rec;
}

Result<void> ApplyDetail(const ResourceSpec& spec,
                         const rapidjson::Value& detail, NormalizedRecord& rec,
                         const SourceClock& clock) {
  if (!detail.IsObject()) {
    return RecordError(
        spec, rec.id,
        std::string("detail is ") + TypeName(detail) + ", not an object");
  }
  const Value* id = Resolve(detail, spec.id_field);
  if (id != nullptr && id->IsString() && View(*id) != rec.id) {
    return RecordError(spec, rec.id, "detail is of another record");
  }
  size_t first = spec.columns.size();
  if (rec.columns.size() != first + spec.detail_columns.size()) {
    return RecordError(spec, rec.id, "was not normalized with this spec");
  }

  // Convert everything before touching rec, so a failure leaves it whole.
  std::vector<SqlValue> values;
  values.reserve(spec.detail_columns.size());
  for (const FieldMap& field : spec.detail_columns) {
    auto value = ConvertField(detail, field, clock, true);
    if (!value) {
      return RecordError(spec, rec.id,
                         "detail " + FieldError(field, value.error()));
    }
    values.push_back(std::move(*value));
  }
  std::move(values.begin(), values.end(), rec.columns.begin() + first);
  rec.content_hash = ContentHash(rec);
  return {};
}

}  // namespace ceipal::engine
