// Counts of the API requests the sandbox answered, per endpoint (detail
// paths folded into one template, "/v2/getApplicantDetails/{id}/") and in
// total: requests, responses by status and 429s. A dropped connection counts
// under status 0. Control requests are not counted. Not thread-safe: the
// server guards it.
#ifndef CEIPAL_TOOLS_FAKE_CEIPAL_REQUEST_STATS_H_
#define CEIPAL_TOOLS_FAKE_CEIPAL_REQUEST_STATS_H_

#include <cstdint>
#include <map>
#include <string>

#include "tools/fake_ceipal/json_writer.h"

namespace ceipal::fake {

class RequestStats {
 public:
  void Record(const std::string& endpoint, int status);
  // {"endpoints": {path: counts}, "totals": counts}, where counts is
  // {"requests", "statuses": {"200": n, ...}, "rate_limited"}.
  void Write(JsonWriter& out) const;
  void Reset();

 private:
  struct Counts {
    int64_t requests = 0;
    int64_t rate_limited = 0;
    std::map<int, int64_t> statuses;

    void Add(int status);
    void Write(JsonWriter& out) const;
  };

  std::map<std::string, Counts> endpoints_;
  Counts totals_;
};

}  // namespace ceipal::fake

#endif  // CEIPAL_TOOLS_FAKE_CEIPAL_REQUEST_STATS_H_
