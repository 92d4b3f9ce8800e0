#include "engine/fetcher.h"

#include <algorithm>
#include <atomic>
#include <optional>
#include <thread>

namespace ceipal::engine {

Fetcher::Fetcher(CeipalClient& client, int concurrency,
                 CurlTransportOptions transport_options)
    : client_(client), concurrency_(std::max(1, concurrency)) {
  if (concurrency_ > 1) {
    for (int i = 0; i < concurrency_; ++i) {
      transports_.push_back(std::make_unique<CurlTransport>(transport_options));
    }
  }
}

Fetcher::~Fetcher() = default;

std::vector<Result<ApiResponse>> Fetcher::FetchAll(
    const std::vector<FetchRequest>& requests) {
  std::vector<std::optional<Result<ApiResponse>>> slots(requests.size());
  auto send = [&](size_t i, HttpTransport* transport) {
    const auto& r = requests[i];
    slots[i] = transport ? client_.Get(*transport, r.path, r.query, r.what)
                         : client_.Get(r.path, r.query, r.what);
  };

  size_t workers = std::min<size_t>(transports_.size(), requests.size());
  if (workers <= 1) {
    for (size_t i = 0; i < requests.size(); ++i) send(i, nullptr);
  } else {
    // Workers take the next request by index, so order of sending follows
    // order of requests and results land in their own slots.
    std::atomic<size_t> next{0};
    std::vector<std::thread> threads;
    threads.reserve(workers);
    for (size_t w = 0; w < workers; ++w) {
      threads.emplace_back([&, w] {
        for (size_t i = next++; i < requests.size(); i = next++) {
          send(i, transports_[w].get());
        }
      });
    }
    for (auto& t : threads) t.join();
  }

  std::vector<Result<ApiResponse>> results;
  results.reserve(requests.size());
  for (auto& slot : slots) results.push_back(std::move(*slot));
  return results;
}

}  // namespace ceipal::engine
