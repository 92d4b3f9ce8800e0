#include "tools/fake_ceipal/faults.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "tools/fake_ceipal/seeded_hash.h"

namespace ceipal::fake {
namespace {

constexpr std::array<std::pair<HostileKind, std::string_view>, 7> kHostile = {{
    {HostileKind::kNoId, "no_id"},
    {HostileKind::kInvalidUtf8, "invalid_utf8"},
    {HostileKind::kHugeField, "huge_field"},
    {HostileKind::kNullRecord, "null_record"},
    {HostileKind::kArrayRecord, "array_record"},
    {HostileKind::kDuplicateId, "duplicate_id"},
    {HostileKind::kWrongType, "wrong_type"},
}};

// Reads an optional integer field into `target`, which must stay >= 0.
Result<void> ReadCount(const JsonObject& body, std::string_view key,
                       int64_t& target) {
  auto value = body.GetInt(key);
  if (!value) return std::unexpected(value.error());
  if (!*value) return {};
  if (**value < 0) {
    return Fail(ErrorKind::kConfig,
                fmt::format("field \"{}\" must not be negative", key));
  }
  target = **value;
  return {};
}

Result<void> ReadFlag(const JsonObject& body, std::string_view key,
                      bool& target) {
  auto value = body.GetBool(key);
  if (!value) return std::unexpected(value.error());
  if (*value) target = **value;
  return {};
}

Result<void> ReadInjections(const JsonObject& body,
                            std::vector<Injection>& target) {
  auto items = body.GetObjects("inject");
  if (!items) return std::unexpected(items.error());
  for (const JsonObject& item : *items) {
    auto resource_name = item.GetString("resource");
    auto kind_name = item.GetString("kind");
    if (!resource_name || !kind_name || !*resource_name || !*kind_name) {
      return Fail(ErrorKind::kConfig,
                  "inject needs string fields \"resource\" and \"kind\"");
    }
    std::optional<Resource> resource = ResourceByName(**resource_name);
    std::optional<HostileKind> kind = HostileKindByName(**kind_name);
    if (!resource || !kind) {
      return Fail(ErrorKind::kConfig,
                  fmt::format("inject: unknown resource \"{}\" or kind \"{}\"",
                              **resource_name, **kind_name));
    }
    target.push_back({*resource, *kind});
  }
  return {};
}

}  // namespace

std::optional<HostileKind> HostileKindByName(std::string_view name) {
  for (const auto& [kind, text] : kHostile) {
    if (text == name) return kind;
  }
  return std::nullopt;
}

std::string_view HostileKindName(HostileKind kind) {
  for (const auto& [known, text] : kHostile) {
    if (known == kind) return text;
  }
  return "";
}

Result<FaultSettings> MergeFaults(const JsonObject& body,
                                  const FaultSettings& settings,
                                  bool& revoke_tokens) {
  static constexpr std::string_view kKnown[] = {"rate",
                                                "burst",
                                                "retry_after",
                                                "latency_ms",
                                                "error_rate",
                                                "fail_next",
                                                "truncate_next",
                                                "reset_next",
                                                "company_disabled",
                                                "revoke_tokens",
                                                "refuse_refresh",
                                                "inject",
                                                "bad_envelope_next",
                                                "empty_body_next",
                                                "huge_count_next",
                                                "revoke_tokens_after",
                                                "expire_tokens_after"};
  for (const std::string& key : body.Keys()) {
    if (std::find(std::begin(kKnown), std::end(kKnown), key) ==
        std::end(kKnown)) {
      return Fail(ErrorKind::kConfig, fmt::format("unknown fault \"{}\"", key));
    }
  }

  FaultSettings merged = settings;
  auto rate = body.GetNumber("rate");
  auto error_rate = body.GetNumber("error_rate");
  auto retry_after = body.GetInt("retry_after");
  if (!rate) return std::unexpected(rate.error());
  if (!error_rate) return std::unexpected(error_rate.error());
  if (!retry_after) return std::unexpected(retry_after.error());
  if (*rate) merged.rate = std::max(0.0, **rate);
  if (*error_rate) merged.error_rate = std::clamp(**error_rate, 0.0, 1.0);
  if (*retry_after) merged.retry_after = **retry_after;

  for (auto [key, target] : {
           std::pair<std::string_view, int64_t*>{"burst", &merged.burst},
           {"latency_ms", &merged.latency_ms},
           {"fail_next", &merged.fail_next},
           {"truncate_next", &merged.truncate_next},
           {"reset_next", &merged.reset_next},
           {"bad_envelope_next", &merged.bad_envelope_next},
           {"empty_body_next", &merged.empty_body_next},
           {"huge_count_next", &merged.huge_count_next},
           {"revoke_tokens_after", &merged.revoke_tokens_after},
           {"expire_tokens_after", &merged.expire_tokens_after},
       }) {
    if (auto read = ReadCount(body, key, *target); !read) {
      return std::unexpected(read.error());
    }
  }
  for (auto [key, target] : {
           std::pair<std::string_view, bool*>{"company_disabled",
                                              &merged.company_disabled},
           {"refuse_refresh", &merged.refuse_refresh},
           {"revoke_tokens", &revoke_tokens},
       }) {
    if (auto read = ReadFlag(body, key, *target); !read) {
      return std::unexpected(read.error());
    }
  }
  if (auto read = ReadInjections(body, merged.injections); !read) {
    return std::unexpected(read.error());
  }
  return merged;
}

void WriteFaults(const FaultSettings& settings, JsonWriter& out) {
  out.BeginObject();
  out.Key("rate");
  out.Double(settings.rate);
  out.Field("burst", settings.burst);
  out.Field("retry_after", settings.retry_after);
  out.Field("latency_ms", settings.latency_ms);
  out.Key("error_rate");
  out.Double(settings.error_rate);
  out.Field("fail_next", settings.fail_next);
  out.Field("truncate_next", settings.truncate_next);
  out.Field("reset_next", settings.reset_next);
  out.Key("company_disabled");
  out.Bool(settings.company_disabled);
  out.Key("refuse_refresh");
  out.Bool(settings.refuse_refresh);
  out.Field("bad_envelope_next", settings.bad_envelope_next);
  out.Field("empty_body_next", settings.empty_body_next);
  out.Field("huge_count_next", settings.huge_count_next);
  out.Field("revoke_tokens_after", settings.revoke_tokens_after);
  out.Field("expire_tokens_after", settings.expire_tokens_after);
  out.Key("inject");
  out.BeginArray();
  for (const Injection& injection : settings.injections) {
    out.BeginObject();
    out.Field("resource", Info(injection.resource).name);
    out.Field("kind", HostileKindName(injection.kind));
    out.EndObject();
  }
  out.EndArray();
  out.EndObject();
}

FaultState::FaultState(uint64_t seed, FaultSettings initial)
    : seed_(seed), initial_(std::move(initial)) {
  Reset();
}

void FaultState::Configure(FaultSettings settings) {
  bool limit_changed =
      settings.rate != settings_.rate || settings.burst != settings_.burst;
  settings_ = std::move(settings);
  if (limit_changed) Refill();
}

void FaultState::Reset() {
  random_.seed(Hash({seed_, Tag("faults")}));
  settings_ = initial_;
  Refill();
}

double FaultState::Capacity() const {
  return settings_.burst > 0 ? static_cast<double>(settings_.burst)
                             : std::max(1.0, settings_.rate);
}

void FaultState::Refill() {
  tokens_ = Capacity();
  refilled_ = Clock::now();
}

bool FaultState::Admit(Clock::time_point now) {
  if (settings_.rate <= 0) return true;

  // Refill for the time since the last request, up to the bucket size.
  std::chrono::duration<double> elapsed = now - refilled_;
  refilled_ = now;
  tokens_ = std::min(Capacity(), tokens_ + elapsed.count() * settings_.rate);

  if (tokens_ < 1.0) return false;
  tokens_ -= 1.0;
  return true;
}

std::optional<HostileKind> FaultState::TakeInjection(Resource resource) {
  auto& pending = settings_.injections;
  auto it =
      std::find_if(pending.begin(), pending.end(),
                   [&](const Injection& i) { return i.resource == resource; });
  if (it == pending.end()) return std::nullopt;
  HostileKind kind = it->kind;
  pending.erase(it);
  return kind;
}

std::optional<int> FaultState::RandomError() {
  if (settings_.error_rate <= 0) return std::nullopt;
  static constexpr int kStatuses[] = {500, 502, 503, 504};
  std::uniform_real_distribution<double> odds(0.0, 1.0);
  if (odds(random_) >= settings_.error_rate) return std::nullopt;
  return kStatuses[random_() % std::size(kStatuses)];
}

bool FaultState::Take(int64_t& pending) {
  if (pending <= 0) return false;
  --pending;
  return true;
}

bool FaultState::CountDown(int64_t& remaining) {
  if (remaining <= 0) return false;
  return --remaining == 0;
}

}  // namespace ceipal::fake
