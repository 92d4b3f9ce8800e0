// libFuzzer target for the code that reads what a server sends (issue 5):
// each input is a response body. It goes through the page decoder and, when
// it decodes, every record of the page through the normalizer of every
// resource of the catalogue, then through ApplyDetail as its own detail;
// and through the detail decoder, whose object is normalized the same way.
//
// Errors are the expected outcome for most inputs. Crashes, sanitizer
// reports (ASan, UBSan), hangs and leaks are the bugs this target finds.
// The seed corpus is tests/fuzz/corpus (see its README).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/catalogue.h"
#include "engine/normalizer.h"
#include "engine/page_decoder.h"
#include "engine/timestamp.h"

namespace {

using ceipal::engine::Catalogue;
using ceipal::engine::SourceClock;

// One element of a page, or a detail object, read by every resource's
// rules: a record meant for one resource may reach another's through a
// tenant's catalogue overrides.
void NormalizeEverywhere(const Catalogue& catalogue,
                         const rapidjson::Value& record, std::string_view raw,
                         const SourceClock& clock) {
  for (const auto& spec : catalogue.resources()) {
    auto normalized = ceipal::engine::Normalize(spec, record, raw, clock);
    if (!normalized) continue;
    (void)ceipal::engine::ContentHash(*normalized);
    if (spec.NeedsDetail()) {
      (void)ceipal::engine::ApplyDetail(spec, record, *normalized, clock);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Catalogue catalogue = ceipal::engine::DefaultCatalogue();
  std::string body(reinterpret_cast<const char*>(data), size);

  // The tenant's zone varies with the input, so naive timestamps are read
  // in zones from -12:00 to +14:00, quarter hours included.
  SourceClock clock;
  clock.utc_offset_minutes = static_cast<int>(size % 105) * 15 - 720;

  // As a list page.
  auto page = ceipal::engine::DecodePage(body, "fuzz page");
  if (page) {
    const rapidjson::Value& records = (*page)->records();
    for (rapidjson::SizeType i = 0; i < records.Size(); ++i) {
      NormalizeEverywhere(catalogue, records[i], (*page)->raw_records[i],
                          clock);
    }
  }

  // As a detail record.
  auto object = ceipal::engine::DecodeObject(body, "fuzz detail");
  if (object) NormalizeEverywhere(catalogue, *object, body, clock);
  return 0;
}
