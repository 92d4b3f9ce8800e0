// Sends independent requests of one run several at a time: the detail calls
// of a page, the first page of each job's submissions, the confirmations of
// a sweep. Each worker has its own connection (CurlTransport); the client's
// rate limiter and token are shared, so the account's rate still holds.
//
// Owned by the Syncer for one run. FetchAll is called from one thread at a
// time; it runs its workers and joins them before returning.
#ifndef CEIPAL_ENGINE_FETCHER_H_
#define CEIPAL_ENGINE_FETCHER_H_

#include <memory>
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
  // concurrency: requests in flight at once (>= 1). With 1, every request
  // goes through the client's own transport on the calling thread.
  Fetcher(CeipalClient& client, int concurrency,
          CurlTransportOptions transport_options = {});
  ~Fetcher();
  Fetcher(const Fetcher&) = delete;
  Fetcher& operator=(const Fetcher&) = delete;

  // Sends every request and returns their results in request order. A
  // failed request fails only its own slot.
  std::vector<Result<ApiResponse>> FetchAll(
      const std::vector<FetchRequest>& requests);

  int concurrency() const { return concurrency_; }

  // The connection of worker i, for a caller running its own workers; null
  // when there is none (concurrency 1, or i out of range): then use the
  // client's own transport, which serializes callers.
  HttpTransport* transport(size_t i) {
    return i < transports_.size() ? transports_[i].get() : nullptr;
  }

 private:
  CeipalClient& client_;
  int concurrency_;
  std::vector<std::unique_ptr<CurlTransport>> transports_;
};

}  // namespace ceipal::engine

#endif  // CEIPAL_ENGINE_FETCHER_H_
