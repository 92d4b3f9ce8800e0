#include "tools/fake_ceipal/json_writer.h"

namespace ceipal::fake {
namespace {

rapidjson::SizeType Size(std::string_view text) {
  return static_cast<rapidjson::SizeType>(text.size());
}

}  // namespace

JsonWriter::JsonWriter() : writer_(buffer_) {}

void JsonWriter::BeginObject() { writer_.StartObject(); }
void JsonWriter::EndObject() { writer_.EndObject(); }
void JsonWriter::BeginArray() { writer_.StartArray(); }
void JsonWriter::EndArray() { writer_.EndArray(); }

void JsonWriter::Key(std::string_view key) {
  writer_.Key(key.data(), Size(key));
}

void JsonWriter::String(std::string_view value) {
  writer_.String(value.data(), Size(value));
}

void JsonWriter::Int(int64_t value) { writer_.Int64(value); }
void JsonWriter::Double(double value) { writer_.Double(value); }
void JsonWriter::Bool(bool value) { writer_.Bool(value); }
void JsonWriter::Null() { writer_.Null(); }

void JsonWriter::Raw(std::string_view json) {
  writer_.RawValue(json.data(), json.size(), rapidjson::kObjectType);
}

void JsonWriter::Field(std::string_view key, std::string_view value) {
  Key(key);
  String(value);
}

void JsonWriter::Field(std::string_view key, int64_t value) {
  Key(key);
  Int(value);
}

std::string JsonWriter::Take() {
  return std::string(buffer_.GetString(), buffer_.GetSize());
}

std::string MessageJson(std::string_view message) {
  JsonWriter out;
  out.BeginObject();
  out.Field("message", message);
  out.EndObject();
  return out.Take();
}

}  // namespace ceipal::fake
