// The sandbox's view of one HTTP exchange, independent of the HTTP library:
// the Sandbox answers an HttpRequest with an HttpReply, and the server
// adapts both to and from the wire. Plain values; copy freely.
#ifndef CEIPAL_TOOLS_FAKE_CEIPAL_HTTP_EXCHANGE_H_
#define CEIPAL_TOOLS_FAKE_CEIPAL_HTTP_EXCHANGE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ceipal::fake {

struct HttpRequest {
  std::string method;  // "GET", "POST"
  std::string path;    // decoded, without the query
  std::string target;  // path and query exactly as received
  std::string body;
  std::multimap<std::string, std::string> params;  // decoded query
  std::map<std::string, std::string> headers;      // names in lower case

  std::optional<std::string> Param(const std::string& name) const {
    auto it = params.find(name);
    if (it == params.end()) return std::nullopt;
    return it->second;
  }

  // REQUIRES: name in lower case.
  std::optional<std::string> Header(const std::string& name) const {
    auto it = headers.find(name);
    if (it == headers.end()) return std::nullopt;
    return it->second;
  }
};

struct HttpReply {
  int status = 200;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // Close the connection without answering (a fault).
  bool drop_connection = false;
  // Hold the answer back this long (a fault), outside any lock.
  int64_t delay_ms = 0;
  // The API endpoint answered (detail paths folded), for the in-flight
  // statistics; empty for control requests.
  std::string endpoint;
};

}  // namespace ceipal::fake

#endif  // CEIPAL_TOOLS_FAKE_CEIPAL_HTTP_EXCHANGE_H_
