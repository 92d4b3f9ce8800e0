#include "engine/http.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <mutex>
#include <utility>

namespace ceipal::engine {

namespace {

// libcurl wants one global initialisation before any handle exists, and it
// is not thread-safe itself, so every transport funnels through here.
void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// What the callbacks of one transfer fill in.
struct Transfer {
  std::string body;
  std::string retry_after;
  std::size_t max_body_bytes = 0;
  bool body_too_large = false;
};

std::size_t OnBody(char* data, std::size_t size, std::size_t count,
                   void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const std::size_t bytes = size * count;
  if (transfer->body.size() + bytes > transfer->max_body_bytes) {
    transfer->body_too_large = true;
    return 0;  // anything but `bytes` makes curl abort the transfer
  }
  transfer->body.append(data, bytes);
  return bytes;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text[0]))) {
    text.remove_prefix(1);
  }
  while (!text.empty() &&
         std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

bool StartsWithNoCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  return std::equal(prefix.begin(), prefix.end(), text.begin(),
                    [](char a, char b) {
                      return std::tolower(static_cast<unsigned char>(a)) ==
                             std::tolower(static_cast<unsigned char>(b));
                    });
}

std::size_t OnHeader(char* data, std::size_t size, std::size_t count,
                     void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const std::string_view line(data, size * count);
  constexpr std::string_view kRetryAfter = "retry-after:";

  // A new status line starts a new header block (after a 1xx answer), whose
  // headers replace those seen before.
  if (line.starts_with("HTTP/")) {
    transfer->retry_after.clear();
  } else if (StartsWithNoCase(line, kRetryAfter)) {
    transfer->retry_after = Trim(line.substr(kRetryAfter.size()));
  }
  return size * count;
}

// Owns the curl_slist built from a request's headers.
class HeaderList {
 public:
  explicit HeaderList(const std::vector<std::string>& headers) {
    for (const std::string& header : headers) Append(header.c_str());
    // curl would otherwise wait for a "100 Continue" before large bodies.
    Append("Expect:");
  }
  ~HeaderList() { curl_slist_free_all(list_); }
  HeaderList(const HeaderList&) = delete;
  HeaderList& operator=(const HeaderList&) = delete;

  curl_slist* get() const { return list_; }
  bool ok() const { return ok_; }

 private:
  void Append(const char* header) {
    curl_slist* grown = curl_slist_append(list_, header);
    if (grown == nullptr) {
      ok_ = false;
      return;
    }
    list_ = grown;
  }

  curl_slist* list_ = nullptr;
  bool ok_ = true;
};

}  // namespace

CurlTransport::CurlTransport(CurlTransportOptions options)
    : options_(std::move(options)), handle_(nullptr) {
  InitCurlOnce();
  handle_ = curl_easy_init();
}

CurlTransport::~CurlTransport() {
  if (handle_ != nullptr) curl_easy_cleanup(static_cast<CURL*>(handle_));
}

Result<HttpResponse> CurlTransport::Perform(const HttpRequest& request) {
  const std::string target =
      request.method + " " + UrlPathAndQuery(request.url);
  if (handle_ == nullptr) {
    return Fail(ErrorKind::kNetwork, target + ": curl handle unavailable");
  }
  CURL* curl = static_cast<CURL*>(handle_);
  HeaderList headers(request.headers);
  if (!headers.ok()) {
    return Fail(ErrorKind::kNetwork, target + ": out of memory for headers");
  }

  // Options are set afresh for every request: a reset clears what the last
  // request set but keeps the open connection for reuse.
  curl_easy_reset(curl);
  Transfer transfer;
  transfer.max_body_bytes = options_.max_body_bytes;
  char error_text[CURL_ERROR_SIZE] = "";
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
  // Ceipal answers gzip. Offering every codec curl knows would also offer
  // brotli, which a server may pick and spend far longer compressing.
  curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "gzip");
  curl_easy_setopt(curl, CURLOPT_USERAGENT, options_.user_agent.c_str());
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options_.connect_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(options_.total_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE,
                   static_cast<curl_off_t>(options_.max_body_bytes));
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_text);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &transfer);

  // The method: GET and POST have their own switches; anything else is sent
  // by name.
  if (request.method == "GET") {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  } else if (request.method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
  } else {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  if (request.method != "GET") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.c_str());
  }

  const CURLcode code = curl_easy_perform(curl);

  // Detach the stack buffer before it goes out of scope: the handle
  // outlives this call.
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);
  if (transfer.body_too_large || code == CURLE_FILESIZE_EXCEEDED) {
    return Fail(ErrorKind::kParse, target + ": response body larger than the " +
                                       std::to_string(options_.max_body_bytes) +
                                       " bytes accepted");
  }
  if (code != CURLE_OK) {
    const std::string cause =
        error_text[0] != '\0' ? error_text : curl_easy_strerror(code);
    return Fail(ErrorKind::kNetwork, target + ": " + cause);
  }

  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  return HttpResponse{status, std::move(transfer.body),
                      std::move(transfer.retry_after)};
}

std::string UrlPathAndQuery(std::string_view url) {
  const std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::string(url);
  const std::size_t path_start = url.find_first_of("/?", scheme_end + 3);
  if (path_start == std::string_view::npos) return "/";
  std::string_view rest = url.substr(path_start);
  // A query without a path is asked of "/".
  std::string result = rest.front() == '?' ? "/" : "";
  result.append(rest);
  return result;
}

std::string EncodeQueryComponent(std::string_view text) {
  constexpr char kHex[] = "0123456789ABCDEF";
  std::string encoded;
  encoded.reserve(text.size());
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) || c == '-' || c == '.' || c == '_' || c == '~') {
      encoded.push_back(c);
    } else {
      encoded.push_back('%');
      encoded.push_back(kHex[byte >> 4]);
      encoded.push_back(kHex[byte & 0x0F]);
    }
  }
  return encoded;
}

std::optional<std::chrono::seconds> ParseRetryAfter(
    std::string_view value, std::chrono::system_clock::time_point now) {
  value = Trim(value);
  if (value.empty()) return std::nullopt;

  // delay-seconds: digits only.
  long long seconds = 0;
  const char* end = value.data() + value.size();
  const auto [parsed_end, error] = std::from_chars(value.data(), end, seconds);
  if (error == std::errc() && parsed_end == end) {
    if (seconds < 0) return std::nullopt;
    return std::chrono::seconds(seconds);
  }
  if (error == std::errc::result_out_of_range) return std::nullopt;

  // Otherwise an HTTP date, which curl already knows how to read.
  const std::string date(value);
  const time_t at = curl_getdate(date.c_str(), nullptr);
  if (at == -1) return std::nullopt;
  const auto wait = std::chrono::system_clock::from_time_t(at) - now;
  return std::max(std::chrono::seconds(0),
                  std::chrono::ceil<std::chrono::seconds>(wait));
}

}  // namespace ceipal::engine
