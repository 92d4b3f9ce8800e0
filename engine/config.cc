#include "engine/config.h"

#include <fmt/format.h>
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <sys/stat.h>

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace ceipal::engine {
namespace {

Result<std::string> ReadPrivateFile(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    return Fail(ErrorKind::kConfig,
                fmt::format("config file {}: cannot read it", path));
  }
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    return Fail(ErrorKind::kConfig,
                fmt::format("config file {} is readable by group or others "
                            "(mode {:o}); it may hold secrets: chmod 600 it",
                            path, st.st_mode & 0777));
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in.good() && !in.eof()) {
    return Fail(ErrorKind::kConfig,
                fmt::format("config file {}: read failed", path));
  }
  return text.str();
}

Error KeyError(const std::string& path, const char* key, const char* want) {
  return Error{
      ErrorKind::kConfig,
      fmt::format("config file {}: \"{}\" must be {}", path, key, want)};
}

// Each Read* leaves `out` untouched when the key is absent.
Result<void> ReadString(const rapidjson::Value& obj, const std::string& path,
                        const char* key, std::string& out) {
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd()) return {};
  if (!it->value.IsString())
    return std::unexpected(KeyError(path, key, "a string"));
  out = it->value.GetString();
  return {};
}

Result<void> ReadNumber(const rapidjson::Value& obj, const std::string& path,
                        const char* key, double min, double& out) {
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd()) return {};
  if (!it->value.IsNumber() || it->value.GetDouble() < min) {
    return std::unexpected(
        KeyError(path, key, fmt::format("a number >= {}", min).c_str()));
  }
  out = it->value.GetDouble();
  return {};
}

Result<void> ReadStrings(const rapidjson::Value& obj, const std::string& path,
                         const char* key, std::vector<std::string>& out) {
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd()) return {};
  if (!it->value.IsArray())
    return std::unexpected(KeyError(path, key, "an array of strings"));
  std::vector<std::string> values;
  for (const auto& v : it->value.GetArray()) {
    if (!v.IsString())
      return std::unexpected(KeyError(path, key, "an array of strings"));
    values.emplace_back(v.GetString());
  }
  out = std::move(values);
  return {};
}

Result<void> ApplyFile(Config& config, const std::string& path) {
  auto text = ReadPrivateFile(path);
  if (!text) return std::unexpected(text.error());

  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(text->c_str(), text->size());
  if (doc.HasParseError()) {
    return Fail(ErrorKind::kConfig,
                fmt::format("config file {}: invalid JSON at offset {}: {}",
                            path, doc.GetErrorOffset(),
                            rapidjson::GetParseError_En(doc.GetParseError())));
  }
  if (!doc.IsObject()) {
    return Fail(ErrorKind::kConfig,
                fmt::format("config file {}: must be a JSON object", path));
  }

  Result<void> r;
  std::string offset;
  double lookback = static_cast<double>(config.lookback.count());
  double max_requests = static_cast<double>(config.max_requests);
  double deadline = static_cast<double>(config.deadline.count());
  double concurrency = config.concurrency;
  double burst = config.burst;
  double full_refresh = static_cast<double>(config.full_refresh_every.count());
  double inactive = static_cast<double>(config.inactive_jobs_every.count());
  double sweep = static_cast<double>(config.sweep_every.count());
  double connect_timeout = static_cast<double>(config.connect_timeout.count());
  double request_timeout = static_cast<double>(config.request_timeout.count());
  double max_attempts = config.max_attempts;
  double base_backoff = static_cast<double>(config.base_backoff.count());
  double max_backoff = static_cast<double>(config.max_backoff.count());
  for (auto step : {
           ReadString(doc, path, "base_url", config.base_url),
           ReadString(doc, path, "email", config.credentials.email),
           ReadString(doc, path, "password", config.credentials.password),
           ReadString(doc, path, "api_key", config.credentials.api_key),
           ReadString(doc, path, "source_utc_offset", offset),
           ReadNumber(doc, path, "lookback_seconds", 0, lookback),
           ReadNumber(doc, path, "rate", 0.01, config.rate),
           ReadNumber(doc, path, "burst", 1, burst),
           ReadNumber(doc, path, "concurrency", 1, concurrency),
           ReadNumber(doc, path, "max_requests", 0, max_requests),
           ReadNumber(doc, path, "deadline_seconds", 0, deadline),
           ReadNumber(doc, path, "full_refresh_minutes", 0, full_refresh),
           ReadNumber(doc, path, "inactive_jobs_minutes", 0, inactive),
           ReadNumber(doc, path, "sweep_minutes", 0, sweep),
           ReadNumber(doc, path, "connect_timeout_seconds", 1, connect_timeout),
           ReadNumber(doc, path, "request_timeout_seconds", 1, request_timeout),
           ReadNumber(doc, path, "max_attempts", 1, max_attempts),
           ReadNumber(doc, path, "base_backoff_ms", 0, base_backoff),
           ReadNumber(doc, path, "max_backoff_ms", 0, max_backoff),
           ReadStrings(doc, path, "hired_statuses", config.hired_statuses),
           ReadStrings(doc, path, "active_job_statuses",
                       config.active_job_statuses),
       }) {
    if (!step) return step;
  }
  config.lookback = std::chrono::seconds(static_cast<int64_t>(lookback));
  config.max_requests = static_cast<int64_t>(max_requests);
  config.deadline = std::chrono::seconds(static_cast<int64_t>(deadline));
  config.concurrency = static_cast<int>(concurrency);
  config.burst = static_cast<int>(burst);
  config.full_refresh_every =
      std::chrono::minutes(static_cast<int64_t>(full_refresh));
  config.inactive_jobs_every =
      std::chrono::minutes(static_cast<int64_t>(inactive));
  config.sweep_every = std::chrono::minutes(static_cast<int64_t>(sweep));
  config.connect_timeout =
      std::chrono::seconds(static_cast<int64_t>(connect_timeout));
  config.request_timeout =
      std::chrono::seconds(static_cast<int64_t>(request_timeout));
  config.max_attempts = static_cast<int>(max_attempts);
  config.base_backoff =
      std::chrono::milliseconds(static_cast<int64_t>(base_backoff));
  config.max_backoff =
      std::chrono::milliseconds(static_cast<int64_t>(max_backoff));

  if (!offset.empty()) {
    auto minutes = ParseUtcOffset(offset);
    if (!minutes) {
      return std::unexpected(
          KeyError(path, "source_utc_offset", "an offset like \"-06:00\""));
    }
    config.source_clock.utc_offset_minutes = *minutes;
  }

  auto catalogue = doc.FindMember("catalogue");
  if (catalogue != doc.MemberEnd()) {
    auto applied = ApplyOverrides(config.catalogue, catalogue->value);
    if (!applied) {
      return std::unexpected(
          applied.error().Context(fmt::format("config file {}", path)));
    }
  }
  return {};
}

}  // namespace

Result<Config> LoadConfig(const std::string& path,
                          const std::map<std::string, std::string>& env) {
  Config config;
  if (!path.empty()) {
    config.config_path = path;
    auto applied = ApplyFile(config, path);
    if (!applied) return std::unexpected(applied.error());
  }

  auto take = [&env](const char* name, std::string& out) {
    auto it = env.find(name);
    if (it != env.end() && !it->second.empty()) out = it->second;
  };
  take("CEIPAL_BASE_URL", config.base_url);
  take("CEIPAL_EMAIL", config.credentials.email);
  take("CEIPAL_PASSWORD", config.credentials.password);
  take("CEIPAL_API_KEY", config.credentials.api_key);

  while (!config.base_url.empty() && config.base_url.back() == '/') {
    config.base_url.pop_back();
  }
  return config;
}

std::map<std::string, std::string> CeipalEnvironment() {
  std::map<std::string, std::string> env;
  for (const char* name : {"CEIPAL_BASE_URL", "CEIPAL_EMAIL", "CEIPAL_PASSWORD",
                           "CEIPAL_API_KEY"}) {
    if (const char* value = std::getenv(name)) env[name] = value;
  }
  return env;
}

CurlTransportOptions TransportOptionsFor(const Config& config) {
  CurlTransportOptions options;
  options.connect_timeout = config.connect_timeout;
  options.total_timeout = config.request_timeout;
  return options;
}

bool StatusIn(std::string_view status, const std::vector<std::string>& set) {
  auto trim = [](std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
      s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
      s.remove_suffix(1);
    return s;
  };
  status = trim(status);
  for (const auto& candidate : set) {
    std::string_view c = trim(candidate);
    if (c.size() != status.size()) continue;
    bool same = true;
    for (size_t i = 0; i < c.size() && same; ++i) {
      same = std::tolower(static_cast<unsigned char>(c[i])) ==
             std::tolower(static_cast<unsigned char>(status[i]));
    }
    if (same) return true;
  }
  return false;
}

}  // namespace ceipal::engine
