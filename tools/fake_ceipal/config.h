// fake-ceipal's configuration: where to listen, the dataset's seed and
// sizes, the credentials it accepts, its clock and its start-up faults, read
// from the command line with Boost.Program_options. A plain value.
#ifndef CEIPAL_TOOLS_FAKE_CEIPAL_CONFIG_H_
#define CEIPAL_TOOLS_FAKE_CEIPAL_CONFIG_H_

#include <cstdint>
#include <string>

#include "engine/error.h"
#include "tools/fake_ceipal/dataset.h"
#include "tools/fake_ceipal/faults.h"
#include "tools/fake_ceipal/sim_clock.h"

namespace ceipal::fake {

inline constexpr std::string_view kDefaultEmail = "demo@example.com";
inline constexpr std::string_view kDefaultPassword = "demo-password";
inline constexpr std::string_view kDefaultApiKey = "demo-api-key";

struct Config {
  std::string host = "127.0.0.1";
  int port = 0;  // 0 = any free port
  uint64_t seed = 42;
  DatasetSizes sizes;
  std::string email{kDefaultEmail};
  std::string password{kDefaultPassword};
  std::string api_key{kDefaultApiKey};
  int64_t token_ttl = 3600;    // seconds of simulated time
  int utc_offset_seconds = 0;  // the zone of naive timestamps
  // Where the simulated clock starts; the base dataset's times move with it.
  // "--start now" is resolved to the machine's time while parsing.
  EpochSeconds start = kSandboxStart;
  bool realtime_clock = false;
  // Answer an empty page 200 with no results instead of 404.
  bool empty_page_ok = false;
  bool verbose = false;
  FaultSettings faults;
};

struct CommandLine {
  Config config;
  bool show_help = false;
  std::string help;  // the --help text
};

// Fails with kConfig, naming the flag, on an unknown flag or a bad value.
Result<CommandLine> ParseCommandLine(int argc, const char* const argv[]);

}  // namespace ceipal::fake

#endif  // CEIPAL_TOOLS_FAKE_CEIPAL_CONFIG_H_
