// A tiny blocking HTTP client for tests, over libcurl (the library the
// engine uses): one request per call, on a fresh connection, no retries, no
// redirects, no decompression. Each call is independent; calls may run on
// several threads at once.
#ifndef CEIPAL_TESTS_SUPPORT_HTTP_CLIENT_H_
#define CEIPAL_TESTS_SUPPORT_HTTP_CLIENT_H_

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ceipal::test {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpResult {
  long status = 0;  // 0 when no response arrived
  std::string body;
  std::map<std::string, std::string> headers;  // names in lower case
  int curl_code = 0;  // CURLE_OK (0) when the transfer completed
  std::string error;  // curl's explanation when it did not

  // The value of a response header, "" when absent; any case.
  std::string Header(std::string_view name) const;
};

// The whole exchange fails with CURLE_OPERATION_TIMEDOUT after timeout_ms.
inline constexpr long kDefaultTimeoutMs = 60'000;

HttpResult Get(const std::string& url, const HttpHeaders& headers = {},
               long timeout_ms = kDefaultTimeoutMs);

// Sends `body` as application/json unless `headers` set a Content-Type.
HttpResult Post(const std::string& url, const std::string& body,
                const HttpHeaders& headers = {},
                long timeout_ms = kDefaultTimeoutMs);

// {"Authorization", "Bearer <token>"}.
HttpHeaders Bearer(const std::string& token);

// Percent-encodes everything but unreserved characters, for query values.
std::string UrlEncode(std::string_view text);

}  // namespace ceipal::test

#endif  // CEIPAL_TESTS_SUPPORT_HTTP_CLIENT_H_
