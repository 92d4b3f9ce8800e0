#include "tools/fake_ceipal/request_stats.h"

#include <algorithm>

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

void RequestStats::Enter(const std::string& endpoint) {
  ++in_flight_[endpoint];
  ++in_flight_total_;
  peak_ = std::max(peak_, in_flight_total_);
  peak_endpoints_ =
      std::max(peak_endpoints_, static_cast<int64_t>(in_flight_.size()));
}

void RequestStats::Leave(const std::string& endpoint) {
  auto found = in_flight_.find(endpoint);
  if (found == in_flight_.end()) return;  // entered before a reset
  if (--found->second == 0) in_flight_.erase(found);
  --in_flight_total_;
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
  out.Key("in_flight");
  out.BeginObject();
  out.Field("peak", peak_);
  out.Field("peak_endpoints", peak_endpoints_);
  out.EndObject();
  out.EndObject();
}

// Requests in flight stay counted, so their answers leave cleanly; the
// peaks start again from them.
void RequestStats::Reset() {
  endpoints_.clear();
  totals_ = Counts{};
  peak_ = in_flight_total_;
  peak_endpoints_ = static_cast<int64_t>(in_flight_.size());
}

}  // namespace ceipal::fake
