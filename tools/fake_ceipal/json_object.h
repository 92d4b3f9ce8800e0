// Read access to a JSON object from a control request body, the sandbox's
// adapter over RapidJSON's Document. Getters say "absent" with nullopt and
// "present with the wrong type" with an error. Copies share the parsed
// document; a JsonObject is read-only and may be shared across threads.
#ifndef CEIPAL_TOOLS_FAKE_CEIPAL_JSON_OBJECT_H_
#define CEIPAL_TOOLS_FAKE_CEIPAL_JSON_OBJECT_H_

#include <rapidjson/document.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/error.h"

namespace ceipal::fake {

class JsonObject {
 public:
  // An empty body reads as {}. Anything but an object is a kParse error.
  static Result<JsonObject> Parse(std::string_view text);

  bool Has(std::string_view key) const;
  std::vector<std::string> Keys() const;

  Result<std::optional<std::string>> GetString(std::string_view key) const;
  Result<std::optional<int64_t>> GetInt(std::string_view key) const;
  Result<std::optional<double>> GetNumber(std::string_view key) const;
  Result<std::optional<bool>> GetBool(std::string_view key) const;
  // An object, or an array of objects, under key; empty when absent.
  Result<std::vector<JsonObject>> GetObjects(std::string_view key) const;

 private:
  JsonObject(std::shared_ptr<const rapidjson::Document> document,
             const rapidjson::Value* value);
  const rapidjson::Value* Member(std::string_view key) const;

  std::shared_ptr<const rapidjson::Document> document_;
  const rapidjson::Value* value_;
};

}  // namespace ceipal::fake

#endif  // CEIPAL_TOOLS_FAKE_CEIPAL_JSON_OBJECT_H_
