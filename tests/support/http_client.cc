#include "support/http_client.h"

#include <curl/curl.h>

#include <cctype>
#include <mutex>

namespace ceipal::test {
namespace {

void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string Lower(std::string_view text) {
  std::string out;
  for (char c : text) {
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

size_t AppendBody(char* data, size_t size, size_t count, void* target) {
  static_cast<std::string*>(target)->append(data, size * count);
  return size * count;
}

// Keeps "Name: value" lines; a status line (a new response) starts over.
size_t AppendHeader(char* data, size_t size, size_t count, void* target) {
  auto& headers = *static_cast<std::map<std::string, std::string>*>(target);
  std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) headers.clear();
  size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
      value.remove_prefix(1);
    }
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n')) {
      value.remove_suffix(1);
    }
    headers[Lower(line.substr(0, colon))] = std::string(value);
  }
  return size * count;
}

HttpResult Perform(const std::string& url, const std::string* body,
                   const HttpHeaders& headers, long timeout_ms) {
  InitCurlOnce();
  HttpResult result;
  CURL* curl = curl_easy_init();
  if (curl == nullptr) {
    result.curl_code = CURLE_FAILED_INIT;
    result.error = "curl_easy_init failed";
    return result;
  }

  // Headers: ours, plus a JSON content type for bodies unless given.
  curl_slist* list = nullptr;
  bool has_type = false;
  for (const auto& [name, value] : headers) {
    has_type |= Lower(name) == "content-type";
    list = curl_slist_append(list, (name + ": " + value).c_str());
  }
  if (body != nullptr && !has_type) {
    list = curl_slist_append(list, "Content-Type: application/json");
  }

  char error[CURL_ERROR_SIZE] = "";
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, AppendBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &result.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, AppendHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &result.headers);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_FORBID_REUSE, 1L);
  if (body != nullptr) {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body->data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(body->size()));
  }

  CURLcode code = curl_easy_perform(curl);
  result.curl_code = code;
  if (code != CURLE_OK) {
    result.error = error[0] != '\0' ? error : curl_easy_strerror(code);
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &result.status);

  curl_slist_free_all(list);
  curl_easy_cleanup(curl);
  return result;
}

}  // namespace

std::string HttpResult::Header(std::string_view name) const {
  auto it = headers.find(Lower(name));
  return it == headers.end() ? std::string() : it->second;
}

HttpResult Get(const std::string& url, const HttpHeaders& headers,
               long timeout_ms) {
  return Perform(url, nullptr, headers, timeout_ms);
}

HttpResult Post(const std::string& url, const std::string& body,
                const HttpHeaders& headers, long timeout_ms) {
  return Perform(url, &body, headers, timeout_ms);
}

HttpHeaders Bearer(const std::string& token) {
  return {{"Authorization", "Bearer " + token}};
}

std::string UrlEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace ceipal::test
