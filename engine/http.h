// The HTTP seam: one request in, one response (or a network error) out.
// The Ceipal client talks to an HttpTransport, so tests can script answers
// and failures; CurlTransport is the real one, on libcurl.
//
// A transport is owned by its caller and is NOT thread-safe: use one per
// thread. CurlTransport keeps its connection alive between requests, so a
// thread that reuses its transport reuses its TCP and TLS connection.
#ifndef CEIPAL_ENGINE_HTTP_H_
#define CEIPAL_ENGINE_HTTP_H_

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/error.h"

namespace ceipal::engine {

struct HttpRequest {
  std::string method;                // "GET", "POST", ...
  std::string url;                   // absolute, query string included
  std::vector<std::string> headers;  // "Name: value"
  std::string body;                  // sent when not empty
};

struct HttpResponse {
  long status = 0;
  std::string body;         // decoded (gzip and friends undone)
  std::string retry_after;  // the Retry-After header's value, or ""
};

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;

  // Sends `request` and waits for the whole response. Any HTTP status is a
  // response; an error means no usable response arrived: kNetwork for a
  // refused or reset connection, a timeout or a truncated body, kParse for
  // a body larger than the transport accepts. Error messages name the
  // method and the URL's path and query, never headers or the body.
  virtual Result<HttpResponse> Perform(const HttpRequest& request) = 0;
};

struct CurlTransportOptions {
  std::chrono::milliseconds connect_timeout{10'000};
  // The whole exchange, connect included.
  std::chrono::milliseconds total_timeout{60'000};
  // A decoded body larger than this fails the request.
  std::size_t max_body_bytes = std::size_t{64} << 20;
  std::string user_agent = "ceipal-sync/0.1";
};

// HttpTransport on one libcurl easy handle, reused for every request so the
// connection stays open. Asks for compressed bodies and decodes them,
// verifies TLS peers and host names (there is no switch to turn that off),
// never follows redirects and never raises signals.
class CurlTransport final : public HttpTransport {
 public:
  explicit CurlTransport(CurlTransportOptions options = {});
  ~CurlTransport() override;

  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  Result<HttpResponse> Perform(const HttpRequest& request) override;

 private:
  CurlTransportOptions options_;
  void* handle_;  // CURL*, kept opaque so curl.h stays out of this header
};

// The path and query of an absolute URL ("https://h/v2/x/?a=1" ->
// "/v2/x/?a=1"): what error messages and logs name, since the host is
// configuration and any user:password part must never be shown.
std::string UrlPathAndQuery(std::string_view url);

// Percent-encodes everything but RFC 3986's unreserved characters, for a
// query parameter's name or value.
std::string EncodeQueryComponent(std::string_view text);

// How long a Retry-After value asks to wait: delay-seconds, or an HTTP date
// taken relative to `now`. nullopt when empty or not understood; a date in
// the past means zero.
std::optional<std::chrono::seconds> ParseRetryAfter(
    std::string_view value, std::chrono::system_clock::time_point now);

}  // namespace ceipal::engine

#endif  // CEIPAL_ENGINE_HTTP_H_
