#include "tools/fake_ceipal/json_object.h"

#include <fmt/format.h>
#include <rapidjson/error/en.h>

namespace ceipal::fake {
namespace {

auto WrongType(std::string_view key, std::string_view expected) {
  return Fail(ErrorKind::kParse,
              fmt::format("field \"{}\" must be {}", key, expected));
}

}  // namespace

JsonObject::JsonObject(std::shared_ptr<const rapidjson::Document> document,
                       const rapidjson::Value* value)
    : document_(std::move(document)), value_(value) {}

Result<JsonObject> JsonObject::Parse(std::string_view text) {
  auto document = std::make_shared<rapidjson::Document>();
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    document->SetObject();
  } else {
    document->Parse<rapidjson::kParseIterativeFlag>(text.data(), text.size());
    if (document->HasParseError()) {
      return Fail(
          ErrorKind::kParse,
          fmt::format("invalid JSON at offset {}: {}",
                      document->GetErrorOffset(),
                      rapidjson::GetParseError_En(document->GetParseError())));
    }
    if (!document->IsObject()) {
      return Fail(ErrorKind::kParse, "the body must be a JSON object");
    }
  }
  const rapidjson::Value* root = document.get();
  return JsonObject(std::move(document), root);
}

const rapidjson::Value* JsonObject::Member(std::string_view key) const {
  rapidjson::Value name(rapidjson::StringRef(
      key.data(), static_cast<rapidjson::SizeType>(key.size())));
  auto it = value_->FindMember(name);
  return it == value_->MemberEnd() ? nullptr : &it->value;
}

bool JsonObject::Has(std::string_view key) const {
  return Member(key) != nullptr;
}

std::vector<std::string> JsonObject::Keys() const {
  std::vector<std::string> keys;
  for (const auto& member : value_->GetObject()) {
    keys.emplace_back(member.name.GetString(), member.name.GetStringLength());
  }
  return keys;
}

Result<std::optional<std::string>> JsonObject::GetString(
    std::string_view key) const {
  const rapidjson::Value* value = Member(key);
  if (value == nullptr) return std::nullopt;
  if (!value->IsString()) return WrongType(key, "a string");
  return std::string(value->GetString(), value->GetStringLength());
}

Result<std::optional<int64_t>> JsonObject::GetInt(std::string_view key) const {
  const rapidjson::Value* value = Member(key);
  if (value == nullptr) return std::nullopt;
  if (!value->IsInt64()) return WrongType(key, "an integer");
  return value->GetInt64();
}

Result<std::optional<double>> JsonObject::GetNumber(
    std::string_view key) const {
  const rapidjson::Value* value = Member(key);
  if (value == nullptr) return std::nullopt;
  if (!value->IsNumber()) return WrongType(key, "a number");
  return value->GetDouble();
}

Result<std::optional<bool>> JsonObject::GetBool(std::string_view key) const {
  const rapidjson::Value* value = Member(key);
  if (value == nullptr) return std::nullopt;
  if (!value->IsBool()) return WrongType(key, "true or false");
  return value->GetBool();
}

Result<std::vector<JsonObject>> JsonObject::GetObjects(
    std::string_view key) const {
  std::vector<JsonObject> objects;
  const rapidjson::Value* value = Member(key);
  if (value == nullptr) return objects;
  if (value->IsObject()) {
    objects.push_back(JsonObject(document_, value));
    return objects;
  }
  if (!value->IsArray()) return WrongType(key, "an object or an array");
  for (const rapidjson::Value& item : value->GetArray()) {
    if (!item.IsObject()) return WrongType(key, "an array of objects");
    objects.push_back(JsonObject(document_, &item));
  }
  return objects;
}

}  // namespace ceipal::fake
