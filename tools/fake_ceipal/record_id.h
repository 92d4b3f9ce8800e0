// Opaque record ids in Ceipal's style: 44 URL-safe base64-like characters
// ending in "=", sharing a long tenant prefix, stable per (seed, resource,
// index). Behind the noise an id is an invertible encoding, so the sandbox
// maps an id back to its record without holding a table. Immutable after
// construction; safe to share across threads.
#ifndef CEIPAL_TOOLS_FAKE_CEIPAL_RECORD_ID_H_
#define CEIPAL_TOOLS_FAKE_CEIPAL_RECORD_ID_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "tools/fake_ceipal/resource.h"

namespace ceipal::fake {

struct RecordRef {
  Resource resource;
  int64_t index;

  bool operator==(const RecordRef&) const = default;
};

class IdCodec {
 public:
  static constexpr size_t kIdLength = 44;
  // Indexes must stay below this bound (2^40).
  static constexpr int64_t kMaxIndex = int64_t{1} << 40;

  explicit IdCodec(uint64_t seed);

  // REQUIRES: 0 <= index < kMaxIndex.
  std::string Encode(Resource resource, int64_t index) const;

  // nullopt for anything Encode did not produce with this seed.
  std::optional<RecordRef> Decode(std::string_view id) const;

  // An id of the same shape for things that are no resource of their own
  // (client contacts); not decodable.
  std::string Opaque(uint64_t a, uint64_t b) const;

 private:
  uint64_t Scramble(uint64_t block) const;
  uint64_t Unscramble(uint64_t block) const;
  uint32_t Round(int round, uint32_t half) const;

  uint64_t seed_;
  std::string prefix_;
};

}  // namespace ceipal::fake

#endif  // CEIPAL_TOOLS_FAKE_CEIPAL_RECORD_ID_H_
