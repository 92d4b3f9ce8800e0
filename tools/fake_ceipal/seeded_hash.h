// Deterministic hashing for the sandbox dataset: every generated value is a
// pure function of (seed, resource, index, field, generation), computed by
// these helpers. Stateless and safe to call from any thread.
#ifndef CEIPAL_TOOLS_FAKE_CEIPAL_SEEDED_HASH_H_
#define CEIPAL_TOOLS_FAKE_CEIPAL_SEEDED_HASH_H_

#include <cstdint>
#include <initializer_list>
#include <string_view>

namespace ceipal::fake {

// One round of the SplitMix64 finaliser: a cheap bijective scrambler whose
// output bits each depend on every input bit.
constexpr uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Folds several words into one hash; the order of the words matters.
constexpr uint64_t Hash(std::initializer_list<uint64_t> words) {
  uint64_t h = 0x6a09e667f3bcc909ULL;
  for (uint64_t w : words) h = Mix(h ^ Mix(w));
  return h;
}

// A stable tag for a field name, so generators can say Tag("city").
constexpr uint64_t Tag(std::string_view name) {
  uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a offset basis
  for (char c : name) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

// A value in [0, n) drawn from a hash; n must be positive.
constexpr uint64_t Below(uint64_t hash, uint64_t n) { return hash % n; }

}  // namespace ceipal::fake

#endif  // CEIPAL_TOOLS_FAKE_CEIPAL_SEEDED_HASH_H_
