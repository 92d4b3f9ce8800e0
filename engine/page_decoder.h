// The page decoder: turns the body of a list response into its envelope and
// its records, and the body of a detail response into one object, without
// trusting either. A malformed body (invalid JSON, a wrong envelope, nesting
// deeper than kMaxJsonDepth, more than kMaxBodyBytes, nothing at all) is a
// kParse error naming the page and the offset, never a crash and never an
// empty page. A malformed record inside a well-formed page is not the
// decoder's business: it reaches the normalizer, which quarantines it.
//
// RapidJSON 1.1 parses recursively by default and overflows the stack on
// deep input, so parsing here is iterative and the depth is capped while
// parsing. UTF-8 is not validated at this stage: one record with a bad byte
// must not fail its page, so the normalizer checks each record instead.
//
// Functions are pure and thread-safe; a DecodedPage is owned by its caller
// and not meant to be shared across threads while it is being read.
#ifndef CEIPAL_ENGINE_PAGE_DECODER_H_
#define CEIPAL_ENGINE_PAGE_DECODER_H_

#include <rapidjson/document.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/error.h"

namespace ceipal::engine {

inline constexpr int kMaxJsonDepth = 64;
inline constexpr size_t kMaxBodyBytes = size_t{64} << 20;

// The paging fields of a list response, each checked for type. next and
// previous are "" at the ends (null is read as "").
struct PageEnvelope {
  int64_t count = 0;
  int64_t num_pages = 0;
  int64_t page_number = 0;
  int64_t limit = 0;
  std::string next;
  std::string previous;
};

struct DecodedPage {
  PageEnvelope envelope;
  std::string body;  // owns the bytes raw_records point into
  rapidjson::Document doc;
  // The exact bytes of results[i] as received, views into `body`: they stay
  // valid as long as this DecodedPage lives (it is not copyable or movable,
  // and lives behind a unique_ptr for that reason).
  std::vector<std::string_view> raw_records;

  // doc["results"]: records()[i] is the parsed form of raw_records[i].
  // Not to be called after DropTree().
  const rapidjson::Value& records() const;

  // Frees the parsed tree, several times the size of the body, once the
  // records are normalized; the envelope and raw_records stay.
  void DropTree();

  DecodedPage() = default;
  DecodedPage(const DecodedPage&) = delete;
  DecodedPage& operator=(const DecodedPage&) = delete;
};

// Decodes a list response body. `what` names the page for error messages
// ("applicants page 7"): "decode applicants page 7: invalid JSON at offset
// 18211: Missing a comma or '}' after an object member.", "decode ...:
// envelope field 'results' missing". The records may be of any JSON type.
Result<std::unique_ptr<DecodedPage>> DecodePage(std::string body,
                                                std::string_view what);

// Decodes a body that must be one JSON object (a detail record, a token
// response), with the same limits and error messages as DecodePage.
Result<rapidjson::Document> DecodeObject(std::string_view body,
                                         std::string_view what);

}  // namespace ceipal::engine

#endif  // CEIPAL_ENGINE_PAGE_DECODER_H_
