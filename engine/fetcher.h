// Sends the requests of one run over a small pool of connections, so that
// several are in flight at once: the pages of resources read side by side,
// the windows of a long read, the detail calls of a page, the first page of
// each job's submissions, the confirmations of a sweep.
//
// The pool holds `concurrency` connections (CurlTransport), and a request
// holds one for as long as it is in flight, so no more than `concurrency`
// requests of the run are in flight at any moment, whichever threads send
// them. The client's rate limiter and token are shared, so the account's
// rate still holds.
//
// Owned by the Syncer for one run. Thread-safe: Get and FetchAll may be
// called from any number of threads at once.
#ifndef CEIPAL_ENGINE_FETCHER_H_
#define CEIPAL_ENGINE_FETCHER_H_

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "engine/ceipal_client.h"
#include "engine/error.h"
#include "engine/http.h"

namespace ceipal::engine {

struct FetchRequest {
  std::string path;
  QueryParams query;
  std::string what;  // names the request in errors
};

class Fetcher {
 public:
  // concurrency: requests in flight at once, over as many connections
  // (at least 1).
  Fetcher(CeipalClient& client, int concurrency,
          CurlTransportOptions transport_options = {});
  ~Fetcher();
  Fetcher(const Fetcher&) = delete;
  Fetcher& operator=(const Fetcher&) = delete;

  // Sends one request on the first connection free, waiting for one.
  Result<ApiResponse> Get(const FetchRequest& request);

  // Sends every request, up to `concurrency` at once (fewer while other
  // callers hold connections), and returns their results in request order.
  // A failed request fails only its own slot.
  std::vector<Result<ApiResponse>> FetchAll(
      const std::vector<FetchRequest>& requests);

  int concurrency() const { return static_cast<int>(transports_.size()); }

 private:
  CurlTransport& Acquire();
  void Release(CurlTransport& transport);

  CeipalClient& client_;
  std::vector<std::unique_ptr<CurlTransport>> transports_;
  std::mutex mu_;
  std::condition_variable freed_;
  std::vector<CurlTransport*> idle_;  // guarded by mu_
};

}  // namespace ceipal::engine

#endif  // CEIPAL_ENGINE_FETCHER_H_
