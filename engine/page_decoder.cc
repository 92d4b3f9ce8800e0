#include "engine/page_decoder.h"

#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <algorithm>
#include <array>
#include <string>
#include <utility>

namespace ceipal::engine {
namespace {

constexpr size_t kMessageExcerpt = 200;
constexpr std::array<const char*, 4> kEnvelopeIntegers = {
    "count", "num_pages", "page_number", "limit"};

bool IsJsonSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// Forwards the parser's SAX events to a Document, stops the parse when the
// nesting passes kMaxJsonDepth, and, when `records` is given, notes the
// byte range of every element of the root object's first "results" array.
// An element ends where the parser's stream stands when the element's last
// event arrives (the iterative parser reports the end of an object or array
// before it consumes the bracket, so the bracket is stepped over); it starts
// at the first byte after the previous element (or the '[') that is neither
// white space nor a comma.
class TrackingHandler {
 public:
  TrackingHandler(rapidjson::Document& doc,
                  const rapidjson::MemoryStream& stream, std::string_view body,
                  std::vector<std::string_view>* records)
      : doc_(doc), stream_(stream), body_(body), records_(records) {}

  bool too_deep() const { return too_deep_; }

  bool Null() { return Scalar() && doc_.Null(); }
  bool Bool(bool b) { return Scalar() && doc_.Bool(b); }
  bool Int(int i) { return Scalar() && doc_.Int(i); }
  bool Uint(unsigned u) { return Scalar() && doc_.Uint(u); }
  bool Int64(int64_t i) { return Scalar() && doc_.Int64(i); }
  bool Uint64(uint64_t u) { return Scalar() && doc_.Uint64(u); }
  bool Double(double d) { return Scalar() && doc_.Double(d); }
  bool RawNumber(const char* str, rapidjson::SizeType length, bool copy) {
    return Scalar() && doc_.RawNumber(str, length, copy);
  }
  bool String(const char* str, rapidjson::SizeType length, bool copy) {
    return Scalar() && doc_.String(str, length, copy);
  }
  bool Key(const char* str, rapidjson::SizeType length, bool copy) {
    if (depth_ == 1 && records_ != nullptr) {
      results_next_ =
          !results_seen_ && std::string_view(str, length) == "results";
    }
    return doc_.Key(str, length, copy);
  }

  bool StartObject() { return Open(false) && doc_.StartObject(); }
  bool StartArray() { return Open(true) && doc_.StartArray(); }
  bool EndObject(rapidjson::SizeType members) {
    Close('}');
    return doc_.EndObject(members);
  }
  bool EndArray(rapidjson::SizeType elements) {
    Close(']');
    return doc_.EndArray(elements);
  }

 private:
  // A scalar at depth 1 is a member of the root; at depth 2 inside the
  // results array it is a whole record.
  bool Scalar() {
    if (depth_ == 1) MemberValueSeen();
    if (depth_ == 2 && in_results_) EndRecord(stream_.Tell());
    return true;
  }

  bool Open(bool is_array) {
    if (depth_ == 1) {
      if (is_array && results_next_) {
        in_results_ = true;
        previous_end_ = Past(stream_.Tell(), '[');
      }
      MemberValueSeen();
    }
    if (++depth_ > kMaxJsonDepth) {
      too_deep_ = true;
      return false;
    }
    return true;
  }

  void Close(char bracket) {
    --depth_;
    if (depth_ == 1) in_results_ = false;
    if (depth_ == 2 && in_results_) EndRecord(Past(stream_.Tell(), bracket));
  }

  // `pos`, or the byte after it when `pos` holds `bracket`.
  size_t Past(size_t pos, char bracket) const {
    return pos < body_.size() && body_[pos] == bracket ? pos + 1 : pos;
  }

  void MemberValueSeen() {
    if (results_next_) results_seen_ = true;
    results_next_ = false;
  }

  void EndRecord(size_t end) {
    size_t start = previous_end_;
    while (start < end && (IsJsonSpace(body_[start]) || body_[start] == ',')) {
      ++start;
    }
    records_->push_back(body_.substr(start, end - start));
    previous_end_ = end;
  }

  rapidjson::Document& doc_;
  const rapidjson::MemoryStream& stream_;
  std::string_view body_;
  std::vector<std::string_view>* records_;
  int depth_ = 0;
  bool too_deep_ = false;
  bool results_next_ = false;  // the last root key was the first "results"
  bool results_seen_ = false;
  bool in_results_ = false;
  size_t previous_end_ = 0;
};

auto ParseError(std::string_view what, std::string_view why) {
  return Fail(ErrorKind::kParse,
              "decode " + std::string(what) + ": " + std::string(why));
}

// Parses `body` into `doc` under the depth and size caps.
Result<void> Parse(std::string_view body, std::string_view what,
                   rapidjson::Document& doc,
                   std::vector<std::string_view>* records) {
  if (body.size() > kMaxBodyBytes) {
    return ParseError(what, "body of " + std::to_string(body.size()) +
                                " bytes exceeds the limit of " +
                                std::to_string(kMaxBodyBytes));
  }
  if (std::all_of(body.begin(), body.end(), IsJsonSpace)) {
    return ParseError(what, "empty body");
  }

  rapidjson::MemoryStream stream(body.data(), body.size());
  rapidjson::Reader reader;
  rapidjson::ParseResult result;
  bool too_deep = false;
  auto generate = [&](rapidjson::Document& handler) {
    TrackingHandler tracker(handler, stream, body, records);
    result = reader.Parse<rapidjson::kParseIterativeFlag>(stream, tracker);
    too_deep = tracker.too_deep();
    return !result.IsError();
  };
  doc.Populate(generate);

  if (too_deep) {
    return ParseError(
        what, "nesting deeper than " + std::to_string(kMaxJsonDepth) +
                  " levels at offset " + std::to_string(result.Offset()));
  }
  if (result.IsError()) {
    return ParseError(what, "invalid JSON at offset " +
                                std::to_string(result.Offset()) + ": " +
                                rapidjson::GetParseError_En(result.Code()));
  }
  return {};
}

// " (server message: "...")" when a wrong envelope carries Ceipal's error
// body, so that "200 with an error inside" reads as what it is.
std::string ServerMessage(const rapidjson::Value& root) {
  auto message = root.FindMember("message");
  if (message == root.MemberEnd() || !message->value.IsString()) return "";
  std::string_view text(message->value.GetString(),
                        message->value.GetStringLength());
  std::string out = " (server message: \"";
  for (char c : text.substr(0, kMessageExcerpt)) {
    unsigned char u = static_cast<unsigned char>(c);
    out += (u < 0x20 || u == 0x7F) ? '?' : c;
  }
  out += text.size() > kMessageExcerpt ? "...\")" : "\")";
  return out;
}

Result<PageEnvelope> CheckEnvelope(const rapidjson::Value& root,
                                   std::string_view what) {
  if (!root.IsObject()) return ParseError(what, "envelope is not an object");
  auto results = root.FindMember("results");
  if (results == root.MemberEnd()) {
    return ParseError(what,
                      "envelope field 'results' missing" + ServerMessage(root));
  }
  if (!results->value.IsArray()) {
    return ParseError(what, "envelope field 'results' is not an array");
  }

  PageEnvelope envelope;
  std::array<int64_t*, 4> targets = {&envelope.count, &envelope.num_pages,
                                     &envelope.page_number, &envelope.limit};
  for (size_t i = 0; i < kEnvelopeIntegers.size(); ++i) {
    std::string field = kEnvelopeIntegers[i];
    auto member = root.FindMember(kEnvelopeIntegers[i]);
    if (member == root.MemberEnd()) {
      return ParseError(what, "envelope field '" + field + "' missing");
    }
    if (!member->value.IsInt64() || member->value.GetInt64() < 0) {
      return ParseError(
          what, "envelope field '" + field + "' is not a non-negative integer");
    }
    *targets[i] = member->value.GetInt64();
  }

  for (auto [field, target] : {std::pair{"next", &envelope.next},
                               std::pair{"previous", &envelope.previous}}) {
    auto member = root.FindMember(field);
    if (member == root.MemberEnd()) {
      return ParseError(what,
                        "envelope field '" + std::string(field) + "' missing");
    }
    if (member->value.IsString()) {
      target->assign(member->value.GetString(),
                     member->value.GetStringLength());
    } else if (!member->value.IsNull()) {
      return ParseError(what, "envelope field '" + std::string(field) +
                                  "' is neither a string nor null");
    }
  }
  return envelope;
}

}  // namespace

const rapidjson::Value& DecodedPage::records() const {
  return doc.FindMember("results")->value;
}

void DecodedPage::DropTree() {
  rapidjson::Document empty;
  doc.Swap(empty);  // `empty` takes the tree and its allocator away
}

Result<std::unique_ptr<DecodedPage>> DecodePage(std::string body,
                                                std::string_view what) {
  auto page = std::make_unique<DecodedPage>();
  page->body = std::move(body);

  auto parsed = Parse(page->body, what, page->doc, &page->raw_records);
  if (!parsed) return std::unexpected(parsed.error());

  auto envelope = CheckEnvelope(page->doc, what);
  if (!envelope) return std::unexpected(envelope.error());
  page->envelope = std::move(*envelope);

  // The tracker and the DOM saw the same events; a mismatch would mean a
  // record's raw bytes are not the record, which must never be stored.
  if (page->raw_records.size() != page->records().Size()) {
    return ParseError(what, "could not locate the bytes of every record");
  }
  return page;
}

Result<rapidjson::Document> DecodeObject(std::string_view body,
                                         std::string_view what) {
  rapidjson::Document doc;
  auto parsed = Parse(body, what, doc, nullptr);
  if (!parsed) return std::unexpected(parsed.error());
  if (!doc.IsObject()) return ParseError(what, "expected a JSON object");
  return doc;
}

}  // namespace ceipal::engine
