#include "engine/fetcher.h"

#include <algorithm>
#include <atomic>
#include <optional>
#include <thread>

namespace ceipal::engine {

Fetcher::Fetcher(CeipalClient& client, int concurrency,
                 CurlTransportOptions transport_options)
    : client_(client) {
  for (int i = 0; i < std::max(1, concurrency); ++i) {
    transports_.push_back(std::make_unique<CurlTransport>(transport_options));
    idle_.push_back(transports_.back().get());
  }
}

Fetcher::~Fetcher() = default;

CurlTransport& Fetcher::Acquire() {
  std::unique_lock lock(mu_);
  freed_.wait(lock, [&] { return !idle_.empty(); });
  // The connection used most recently is the likeliest to be still open.
  CurlTransport* transport = idle_.back();
  idle_.pop_back();
  return *transport;
}

void Fetcher::Release(CurlTransport& transport) {
  {
    std::lock_guard lock(mu_);
    idle_.push_back(&transport);
  }
  freed_.notify_one();
}

Result<ApiResponse> Fetcher::Get(const FetchRequest& request) {
  CurlTransport& transport = Acquire();
  auto response =
      client_.Get(transport, request.path, request.query, request.what);
  Release(transport);
  return response;
}

std::vector<Result<ApiResponse>> Fetcher::FetchAll(
    const std::vector<FetchRequest>& requests) {
  std::vector<std::optional<Result<ApiResponse>>> slots(requests.size());
  size_t workers = std::min(transports_.size(), requests.size());
  if (workers <= 1) {
    for (size_t i = 0; i < requests.size(); ++i) slots[i] = Get(requests[i]);
  } else {
    // Workers take the next request by index, so the order of sending
    // follows the order of requests, and results land in their own slots.
    std::atomic<size_t> next{0};
    std::vector<std::thread> threads;
    threads.reserve(workers);
    for (size_t w = 0; w < workers; ++w) {
      threads.emplace_back([&] {
        for (size_t i = next++; i < requests.size(); i = next++) {
          slots[i] = Get(requests[i]);
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
