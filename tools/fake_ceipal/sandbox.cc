#include "tools/fake_ceipal/sandbox.h"

#include "tools/fake_ceipal/json_writer.h"

namespace ceipal::fake {

HttpReply MessageReply(int status, std::string_view message) {
  return JsonReply(status, MessageJson(message));
}

HttpReply JsonReply(int status, std::string body) {
  HttpReply reply;
  reply.status = status;
  reply.body = std::move(body);
  return reply;
}

Sandbox::Sandbox(const Config& config)
    : config_(config),
      ids_(config.seed),
      dataset_(config.seed, config.sizes, config.start),
      renderer_(dataset_, ids_, config.utc_offset_seconds),
      clock_(config.start, config.realtime_clock),
      tokens_(config.token_ttl),
      faults_(config.seed, config.faults),
      mutator_(dataset_, renderer_, ids_, clock_, config.seed,
               config.utc_offset_seconds) {}

HttpReply Sandbox::Handle(const HttpRequest& request) {
  if (request.path.starts_with("/_fake/")) return ServeControl(request);

  Route route = RouteOf(request.path);
  HttpReply reply = ServeApi(request, route);
  stats_.Record(route.endpoint, reply.drop_connection ? 0 : reply.status);
  stats_.Enter(route.endpoint);
  reply.endpoint = route.endpoint;
  return reply;
}

void Sandbox::Done(const HttpReply& reply) {
  if (!reply.endpoint.empty()) stats_.Leave(reply.endpoint);
}

Sandbox::Route Sandbox::RouteOf(const std::string& path) {
  Route route;
  route.endpoint = path;
  std::string_view rest(path);
  if (!rest.starts_with("/v2/") || !rest.ends_with("/")) return route;
  rest.remove_prefix(4);
  rest.remove_suffix(1);

  // "name" is an auth or list endpoint, "name/id" a detail endpoint.
  size_t slash = rest.find('/');
  if (slash == std::string_view::npos) {
    std::optional<Resource> list = ResourceByListEndpoint(rest);
    if (rest == "createAuthtoken") {
      route.kind = Route::Kind::kLogin;
    } else if (rest == "refreshToken") {
      route.kind = Route::Kind::kRefresh;
    } else if (list) {
      route.kind = Route::Kind::kList;
      route.resource = *list;
    }
    return route;
  }
  std::string_view name = rest.substr(0, slash);
  std::string_view id = rest.substr(slash + 1);
  std::optional<Resource> detail = ResourceByDetailEndpoint(name);
  if (detail && !id.empty() && id.find('/') == std::string_view::npos) {
    route.kind = Route::Kind::kDetail;
    route.resource = *detail;
    route.id = std::string(id);
    route.endpoint = "/v2/" + std::string(name) + "/{id}/";
  }
  return route;
}

}  // namespace ceipal::fake
