// The sandbox's switchable misbehaviour: a token-bucket rate limit, latency,
// random and scheduled 5xx, mangled bodies, dropped connections, disabled
// company access, refused refreshes and hostile records. The same settings
// are start flags and fields of POST /_fake/faults. Random choices come from
// a generator seeded by the dataset seed, so a run is repeatable. Not
// thread-safe: the server guards it.
#ifndef CEIPAL_TOOLS_FAKE_CEIPAL_FAULTS_H_
#define CEIPAL_TOOLS_FAKE_CEIPAL_FAULTS_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string_view>
#include <vector>

#include "engine/error.h"
#include "tools/fake_ceipal/json_object.h"
#include "tools/fake_ceipal/json_writer.h"
#include "tools/fake_ceipal/resource.h"

namespace ceipal::fake {

// Malformed records a list page can carry, for the engine's quarantine.
enum class HostileKind {
  kNoId,
  kInvalidUtf8,
  kHugeField,
  kNullRecord,
  kArrayRecord,
  kDuplicateId,
  kWrongType,
};

std::optional<HostileKind> HostileKindByName(std::string_view name);
std::string_view HostileKindName(HostileKind kind);

struct Injection {
  Resource resource;
  HostileKind kind;
};

struct FaultSettings {
  double rate = 0;            // requests per second; 0 = no limit
  int64_t burst = 0;          // bucket size; 0 = one second's worth
  int64_t retry_after = -1;   // Retry-After seconds on 429; < 0 = none
  int64_t latency_ms = 0;     // added to every data response
  double error_rate = 0;      // share of data requests failing with 5xx
  int64_t fail_next = 0;      // data requests answered 503
  int64_t truncate_next = 0;  // 200 data bodies cut in half
  int64_t reset_next = 0;     // data connections closed without a response
  bool company_disabled = false;
  bool refuse_refresh = false;
  int64_t bad_envelope_next = 0;  // list pages with a wrong envelope
  int64_t empty_body_next = 0;    // data responses 200 with no body
  int64_t huge_count_next = 0;    // list pages claiming 10^12 records
  // Data requests to answer before every token is revoked, or before every
  // access token expires; 0 = nothing scheduled.
  int64_t revoke_tokens_after = 0;
  int64_t expire_tokens_after = 0;
  std::vector<Injection> injections;  // pending, first in first out
};

// Merges a POST /_fake/faults body into `settings`; fields not named keep
// their value. Sets `revoke_tokens` when the body asks for it (an action,
// not a setting). Fails on an unknown field or a wrong type.
Result<FaultSettings> MergeFaults(const JsonObject& body,
                                  const FaultSettings& settings,
                                  bool& revoke_tokens);

void WriteFaults(const FaultSettings& settings, JsonWriter& out);

class FaultState {
 public:
  using Clock = std::chrono::steady_clock;

  FaultState(uint64_t seed, FaultSettings initial);

  const FaultSettings& settings() const { return settings_; }
  // Replaces the settings; a changed rate or burst starts the bucket full.
  void Configure(FaultSettings settings);
  // Back to the start-up settings and random sequence.
  void Reset();

  // Takes one token from the bucket; false means answer 429.
  bool Admit(Clock::time_point now);

  // Each Take* consumes one pending occurrence and says whether there was.
  bool TakeReset() { return Take(settings_.reset_next); }
  bool TakeFail() { return Take(settings_.fail_next); }
  bool TakeTruncate() { return Take(settings_.truncate_next); }
  bool TakeBadEnvelope() { return Take(settings_.bad_envelope_next); }
  bool TakeEmptyBody() { return Take(settings_.empty_body_next); }
  bool TakeHugeCount() { return Take(settings_.huge_count_next); }
  std::optional<HostileKind> TakeInjection(Resource resource);

  // Count one answered data request towards the scheduled token trouble;
  // true when it is due now.
  bool RevokeDue() { return CountDown(settings_.revoke_tokens_after); }
  bool ExpiryDue() { return CountDown(settings_.expire_tokens_after); }

  // A 5xx status for this request, with the configured odds.
  std::optional<int> RandomError();

 private:
  static bool Take(int64_t& pending);
  static bool CountDown(int64_t& remaining);
  double Capacity() const;
  void Refill();

  uint64_t seed_;
  FaultSettings initial_;
  FaultSettings settings_;
  std::mt19937_64 random_;
  double tokens_ = 0;
  Clock::time_point refilled_;
};

}  // namespace ceipal::fake

#endif  // CEIPAL_TOOLS_FAKE_CEIPAL_FAULTS_H_
