// Counts of the API requests the sandbox answered, per endpoint (detail
// paths folded into one template, "/v2/getApplicantDetails/{id}/") and in
// total: requests, responses by status and 429s. A dropped connection counts
// under status 0. Control requests are not counted. Also the most API
// requests in flight at once (from their arrival to their answer, latency
// included), and the most distinct endpoints among them, which tell
// whether a client overlaps its requests and its resources. Not
// thread-safe: the server guards it.
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
  // A request to `endpoint` is in flight from Enter to Leave.
  void Enter(const std::string& endpoint);
  void Leave(const std::string& endpoint);
  // {"endpoints": {path: counts}, "totals": counts, "in_flight": {"peak",
  // "peak_endpoints"}}, where counts is {"requests", "statuses": {"200": n,
  // ...}, "rate_limited"}.
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
  std::map<std::string, int64_t> in_flight_;  // by endpoint, never zero
  int64_t in_flight_total_ = 0;
  int64_t peak_ = 0;
  int64_t peak_endpoints_ = 0;
};

}  // namespace ceipal::fake

#endif  // CEIPAL_TOOLS_FAKE_CEIPAL_REQUEST_STATS_H_
