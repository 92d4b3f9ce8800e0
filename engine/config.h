// Settings of one ceipal-sync invocation: credentials, server, the tenant's
// clock, sync policy and the resource catalogue with the tenant's overrides.
// Loaded once by the CLI from the config file and the environment, then
// passed by const reference; immutable after loading, so safe to share.
#ifndef CEIPAL_ENGINE_CONFIG_H_
#define CEIPAL_ENGINE_CONFIG_H_

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/catalogue.h"
#include "engine/ceipal_client.h"
#include "engine/error.h"
#include "engine/timestamp.h"

namespace ceipal::engine {

struct Config {
  std::string base_url = "https://api.ceipal.com";
  Credentials credentials;
  SourceClock source_clock;

  // Re-read this much before the cursor: covers ties and late commits.
  std::chrono::seconds lookback{300};
  // Requests per second for the whole account, and the burst allowed.
  double rate = 1.0;
  int burst = 2;
  // Requests in flight at once, over as many connections. The rate is
  // reached when this is above rate x latency (10 requests/s at 500 ms
  // needs more than 5).
  int concurrency = 8;
  std::chrono::seconds connect_timeout{10};
  std::chrono::seconds request_timeout{60};
  // Retries of one request (429, 5xx, network): attempts in all, and the
  // backoff between them (exponential with jitter, up to the maximum).
  int max_attempts = 5;
  std::chrono::milliseconds base_backoff{500};
  std::chrono::milliseconds max_backoff{30000};

  // Case-insensitive status values.
  std::vector<std::string> hired_statuses = {"Hired", "Placed"};
  std::vector<std::string> active_job_statuses = {"Active", "Open", "On Hold"};

  // Cadences, in minutes: full-refresh resources (users) and submissions of
  // inactive jobs are read again once this much time has passed.
  std::chrono::minutes full_refresh_every{60};
  std::chrono::minutes inactive_jobs_every{24 * 60};
  // Sweeps: a resource's whole id set is read again this often, so records
  // deleted at the source are found (Ceipal has no deletion feed).
  std::chrono::minutes sweep_every{24 * 60};

  // Budgets of one run; 0 means unbounded.
  int64_t max_requests = 0;
  std::chrono::seconds deadline{0};

  Catalogue catalogue = DefaultCatalogue();

  // Where the settings came from, for `status` and error messages.
  std::string config_path;
};

// Reads the JSON config file at `path` (when not empty; refused when group or
// world readable because it may hold the password), then the environment
// (CEIPAL_EMAIL, CEIPAL_PASSWORD, CEIPAL_API_KEY, CEIPAL_BASE_URL), which
// wins. `env` maps variable names to values so tests need not touch the
// process environment. Fails with kConfig naming the file and the key.
Result<Config> LoadConfig(const std::string& path,
                          const std::map<std::string, std::string>& env);

// The process environment's CEIPAL_* variables, for LoadConfig.
std::map<std::string, std::string> CeipalEnvironment();

// The connection timeouts the config sets, for every CurlTransport.
CurlTransportOptions TransportOptionsFor(const Config& config);

// True when `status` is in `set`, ignoring case and surrounding blanks.
bool StatusIn(std::string_view status, const std::vector<std::string>& set);

}  // namespace ceipal::engine

#endif  // CEIPAL_ENGINE_CONFIG_H_
