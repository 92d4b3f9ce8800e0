// The whole sandbox behind the HTTP transport: the Ceipal v2 API (login,
// refresh, lists, details) with its faults, and the control API under
// /_fake/ (clock, mutations, journal, ground truth, stats, reset, faults).
// Owns the dataset, the clock, the tokens and every counter. Transport-free,
// so tests may drive it directly; the server adapts it to HTTP.
//
// Not thread-safe: the caller serialises Handle(). Handle() never sleeps; a
// reply says how long to hold the answer back and whether to drop the
// connection instead.
#ifndef CEIPAL_TOOLS_FAKE_CEIPAL_SANDBOX_H_
#define CEIPAL_TOOLS_FAKE_CEIPAL_SANDBOX_H_

#include <optional>
#include <string>
#include <string_view>

#include "tools/fake_ceipal/config.h"
#include "tools/fake_ceipal/dataset.h"
#include "tools/fake_ceipal/faults.h"
#include "tools/fake_ceipal/http_exchange.h"
#include "tools/fake_ceipal/mutator.h"
#include "tools/fake_ceipal/record_id.h"
#include "tools/fake_ceipal/record_renderer.h"
#include "tools/fake_ceipal/request_stats.h"
#include "tools/fake_ceipal/sim_clock.h"
#include "tools/fake_ceipal/token_store.h"

namespace ceipal::fake {

class Sandbox {
 public:
  explicit Sandbox(const Config& config);
  Sandbox(const Sandbox&) = delete;
  Sandbox& operator=(const Sandbox&) = delete;

  HttpReply Handle(const HttpRequest& request);
  // The reply of Handle() has been sent (or dropped): it is no longer in
  // flight.
  void Done(const HttpReply& reply);

 private:
  // What a /v2/ path asks for. Every v2 path ends in a slash; a path that
  // does not is unknown, as on the real API.
  struct Route {
    enum class Kind { kUnknown, kLogin, kRefresh, kList, kDetail };
    Kind kind = Kind::kUnknown;
    Resource resource = Resource::kApplicants;
    std::string id;        // of a detail route
    std::string endpoint;  // the key for request stats
  };
  static Route RouteOf(const std::string& path);

  // The Ceipal API (sandbox_api.cc).
  HttpReply ServeApi(const HttpRequest& request, const Route& route);
  HttpReply ServeData(const HttpRequest& request, const Route& route);
  HttpReply Login(const HttpRequest& request);
  HttpReply Refresh(const HttpRequest& request);
  std::optional<HttpReply> Authorize(const HttpRequest& request) const;
  HttpReply List(Resource resource, const HttpRequest& request);
  HttpReply Detail(Resource resource, std::string_view id) const;
  std::string PageUrl(const HttpRequest& request, int64_t page) const;
  std::string Hostile(HostileKind kind, const std::string& record);

  // The control API (sandbox_control.cc).
  HttpReply ServeControl(const HttpRequest& request);
  HttpReply Clock(const HttpRequest& request);
  HttpReply Mutate(const HttpRequest& request);
  HttpReply Truth(const HttpRequest& request) const;
  HttpReply Faults(const HttpRequest& request);
  HttpReply Reset();
  std::string ClockJson() const;

  Config config_;
  IdCodec ids_;
  Dataset dataset_;
  RecordRenderer renderer_;
  SimClock clock_;
  TokenStore tokens_;
  FaultState faults_;
  RequestStats stats_;
  Mutator mutator_;
  uint64_t hostile_serial_ = 0;
};

// A JSON reply: {"message": text} with the given status.
HttpReply MessageReply(int status, std::string_view message);
HttpReply JsonReply(int status, std::string body);

}  // namespace ceipal::fake

#endif  // CEIPAL_TOOLS_FAKE_CEIPAL_SANDBOX_H_
