// A streaming JSON writer: the sandbox's one adapter over RapidJSON's
// Writer. Strings are written byte for byte (only quotes, backslashes and
// control characters escaped), so the sandbox can also serve invalid UTF-8
// when a fault asks for it. One writer per response; not thread-safe.
#ifndef CEIPAL_TOOLS_FAKE_CEIPAL_JSON_WRITER_H_
#define CEIPAL_TOOLS_FAKE_CEIPAL_JSON_WRITER_H_

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace ceipal::fake {

class JsonWriter {
 public:
  JsonWriter();
  JsonWriter(const JsonWriter&) = delete;
  JsonWriter& operator=(const JsonWriter&) = delete;

  void BeginObject();
  void EndObject();
  void BeginArray();
  void EndArray();
  void Key(std::string_view key);
  void String(std::string_view value);
  void Int(int64_t value);
  void Double(double value);
  void Bool(bool value);
  void Null();
  // Splices text that is already JSON (or deliberately is not).
  void Raw(std::string_view json);

  void Field(std::string_view key, std::string_view value);
  void Field(std::string_view key, int64_t value);

  // The text written so far; the writer is spent afterwards.
  std::string Take();

 private:
  rapidjson::StringBuffer buffer_;
  rapidjson::Writer<rapidjson::StringBuffer> writer_;
};

// {"message": "<text>"}, the error body of every Ceipal v2 failure.
std::string MessageJson(std::string_view message);

}  // namespace ceipal::fake

#endif  // CEIPAL_TOOLS_FAKE_CEIPAL_JSON_WRITER_H_
