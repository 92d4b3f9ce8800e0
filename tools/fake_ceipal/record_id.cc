#include "tools/fake_ceipal/record_id.h"

#include "tools/fake_ceipal/seeded_hash.h"

namespace ceipal::fake {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr size_t kPrefixLength = 21;
constexpr size_t kWordChars = 11;  // 66 bits: one 64-bit word plus 2 spare
constexpr int kIndexBits = 40;
constexpr int kRounds = 4;

int CharValue(char c) {
  size_t pos = kAlphabet.find(c);
  return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}

// Eleven characters carry the word; the spare two bits come from `spare` so
// the first character does not betray the encoding.
void AppendWord(uint64_t word, uint64_t spare, std::string& out) {
  out += kAlphabet[((spare & 3) << 4) | (word >> 60)];
  for (int shift = 54; shift >= 0; shift -= 6) {
    out += kAlphabet[(word >> shift) & 63];
  }
}

std::optional<uint64_t> ReadWord(std::string_view text) {
  uint64_t word = 0;
  for (size_t i = 0; i < kWordChars; ++i) {
    int value = CharValue(text[i]);
    if (value < 0) return std::nullopt;
    // The first character's top two bits are the spare ones.
    word = (word << 6) | static_cast<uint64_t>(i == 0 ? value & 15 : value);
  }
  return word;
}

}  // namespace

IdCodec::IdCodec(uint64_t seed) : seed_(seed) {
  for (size_t i = 0; i < kPrefixLength; ++i) {
    prefix_ += kAlphabet[Hash({seed, Tag("tenant"), i}) & 63];
  }
}

std::string IdCodec::Encode(Resource resource, int64_t index) const {
  uint64_t block = (static_cast<uint64_t>(Ordinal(resource)) << kIndexBits) |
                   static_cast<uint64_t>(index);
  uint64_t word = Scramble(block);
  uint64_t tail = Hash({seed_, Tag("mac"), word});

  std::string id = prefix_;
  id.reserve(kIdLength);
  AppendWord(word, tail >> 62, id);
  AppendWord(tail, tail >> 60, id);
  id += '=';
  return id;
}

std::optional<RecordRef> IdCodec::Decode(std::string_view id) const {
  if (id.size() != kIdLength || !id.starts_with(prefix_)) return std::nullopt;
  std::optional<uint64_t> word = ReadWord(id.substr(kPrefixLength));
  if (!word) return std::nullopt;

  uint64_t block = Unscramble(*word);
  uint64_t ordinal = block >> kIndexBits;
  if (ordinal >= kResourceCount) return std::nullopt;
  RecordRef ref{AllResources()[ordinal],
                static_cast<int64_t>(block & (kMaxIndex - 1))};

  // The tail is a keyed check: only ids this codec made survive it.
  if (Encode(ref.resource, ref.index) != id) return std::nullopt;
  return ref;
}

std::string IdCodec::Opaque(uint64_t a, uint64_t b) const {
  uint64_t head = Hash({seed_, Tag("opaque"), a, b});
  uint64_t tail = Mix(head);
  std::string id = prefix_;
  AppendWord(head, tail >> 62, id);
  AppendWord(tail, tail >> 60, id);
  id += '=';
  return id;
}

uint32_t IdCodec::Round(int round, uint32_t half) const {
  return static_cast<uint32_t>(
      Hash({seed_, Tag("feistel"), static_cast<uint64_t>(round), half}));
}

uint64_t IdCodec::Scramble(uint64_t block) const {
  uint32_t left = static_cast<uint32_t>(block >> 32);
  uint32_t right = static_cast<uint32_t>(block);
  for (int round = 0; round < kRounds; ++round) {
    uint32_t next = left ^ Round(round, right);
    left = right;
    right = next;
  }
  return (static_cast<uint64_t>(left) << 32) | right;
}

uint64_t IdCodec::Unscramble(uint64_t block) const {
  uint32_t left = static_cast<uint32_t>(block >> 32);
  uint32_t right = static_cast<uint32_t>(block);
  for (int round = kRounds - 1; round >= 0; --round) {
    uint32_t previous = right ^ Round(round, left);
    right = left;
    left = previous;
  }
  return (static_cast<uint64_t>(left) << 32) | right;
}

}  // namespace ceipal::fake
