#include "tools/fake_ceipal/request_stats.h"

namespace ceipal::fake {

void RequestStats::Counts::Add(int status) {
  ++requests;
  ++statuses[status];
  if (status == 429) ++rate_limited;
}

void RequestStats::Counts::Write(JsonWriter& out) const {
  out.BeginObject();
  out.Field("requests", requests);
  out.Key("statuses");
  out.BeginObject();
  for (const auto& [status, count] : statuses) {
    out.Field(std::to_string(status), count);
  }
  out.EndObject();
  out.Field("rate_limited", rate_limited);
  out.EndObject();
}

void RequestStats::Record(const std::string& endpoint, int status) {
  endpoints_[endpoint].Add(status);
  totals_.Add(status);
}

void RequestStats::Write(JsonWriter& out) const {
  out.BeginObject();
  out.Key("endpoints");
  out.BeginObject();
  for (const auto& [endpoint, counts] : endpoints_) {
    out.Key(endpoint);
    counts.Write(out);
  }
  out.EndObject();
  out.Key("totals");
  totals_.Write(out);
  out.EndObject();
}

void RequestStats::Reset() {
  endpoints_.clear();
  totals_ = Counts{};
}

}  // namespace ceipal::fake
