#include "engine/cli.h"

#include <fmt/format.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <cstdio>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "engine/ceipal_client.h"
#include "engine/clock.h"
#include "engine/config.h"
#include "engine/http.h"
#include "engine/rate_limiter.h"
#include "engine/report.h"
#include "engine/syncer.h"
#include "state/consumers.h"
#include "state/database.h"
#include "state/run_lock.h"

namespace ceipal::engine {
namespace {

namespace po = boost::program_options;

constexpr const char* kOverview =
    R"(ceipal-sync: mirror a Ceipal ATS account into SQLite, with a change log.

Usage: ceipal-sync COMMAND [OPTIONS]     (ceipal-sync COMMAND --help for more)

Commands:
  init     create the database and apply the schema
  run      sync the account into the database (what cron runs)
  status   show the last runs and each resource's progress
  changes  print the change rows a consumer has not acknowledged (JSON lines)
  ack      acknowledge a consumer's change rows up to a sequence number
  prune    delete change rows every consumer has acknowledged
  verify   compare the mirror's counts with the API's own counts

Credentials: CEIPAL_EMAIL, CEIPAL_PASSWORD, CEIPAL_API_KEY, and the server
CEIPAL_BASE_URL (default https://api.ceipal.com), or the same as "email",
"password", "api_key", "base_url" in a JSON config file given with --config
or CEIPAL_SYNC_CONFIG (it must not be readable by group or others).
The database defaults to CEIPAL_SYNC_DB, else ./ceipal.db.

Exit codes: 0 ok; 1 usage or config error; 2 partial (some resources failed,
progress kept) or drift found by verify; 3 authentication failed or company
access disabled; 4 another run holds the lock.
)";

int ExitCodeFor(const Error& error) {
  switch (error.kind) {
    case ErrorKind::kConfig:
      return 1;
    case ErrorKind::kAuth:
    case ErrorKind::kForbidden:
      return 3;
    case ErrorKind::kLocked:
      return 4;
    default:
      return 2;
  }
}

int Report(const Error& error) {
  std::fprintf(stderr, "ceipal-sync: %s\n", error.message.c_str());
  return ExitCodeFor(error);
}

std::string EnvOr(const char* name, const char* fallback) {
  const char* value = std::getenv(name);
  return value && *value ? value : fallback;
}

// Options every command shares.
struct Common {
  std::string db;
  std::string config;
  std::string log_level;
};

po::options_description CommonOptions(Common& common) {
  po::options_description desc("Common options");
  desc.add_options()("help,h", "show this help")(
      "db",
      po::value(&common.db)
          ->default_value(EnvOr("CEIPAL_SYNC_DB", "ceipal.db")),
      "the SQLite database file")(
      "config",
      po::value(&common.config)->default_value(EnvOr("CEIPAL_SYNC_CONFIG", "")),
      "JSON config file (credentials, cadences, catalogue overrides)")(
      "log-level", po::value(&common.log_level)->default_value("warn"),
      "error, warn, info or debug (logs go to stderr)");
  return desc;
}

std::shared_ptr<spdlog::logger> MakeLogger(const std::string& level) {
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  auto logger = std::make_shared<spdlog::logger>("ceipal-sync", sink);
  logger->set_pattern("%Y-%m-%dT%H:%M:%SZ %l %v",
                      spdlog::pattern_time_type::utc);
  logger->set_level(spdlog::level::from_str(level));
  return logger;
}

// Parses argv after the command word. Returns an exit code when the command
// must not go on (help shown, or a usage error).
std::optional<int> Parse(int argc, char** argv, const char* usage,
                         po::options_description& own, Common& common,
                         po::variables_map& vm) {
  po::options_description all;
  all.add(own).add(CommonOptions(common));
  try {
    po::store(po::command_line_parser(argc, argv).options(all).run(), vm);
    if (vm.count("help")) {
      std::cout << usage << "\n" << all << "\n";
      return 0;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    std::fprintf(stderr, "ceipal-sync: %s\n%s\nSee --help.\n", e.what(), usage);
    return 1;
  }
  if (spdlog::level::from_str(common.log_level) == spdlog::level::off &&
      common.log_level != "off") {
    std::fprintf(stderr, "ceipal-sync: unknown --log-level '%s'\n",
                 common.log_level.c_str());
    return 1;
  }
  return std::nullopt;
}

Result<std::chrono::seconds> ParseDuration(const std::string& text) {
  if (text.empty()) return std::chrono::seconds(0);
  size_t used = 0;
  long long value = -1;
  try {
    value = std::stoll(text, &used);
  } catch (const std::exception&) {
  }
  std::string unit = text.substr(used);
  int64_t scale = unit.empty() || unit == "s" ? 1
                  : unit == "m"               ? 60
                  : unit == "h"               ? 3600
                                              : -1;
  if (value < 0 || scale < 0) {
    return Fail(ErrorKind::kConfig,
                fmt::format("--deadline '{}': use seconds, or a number with "
                            "s, m or h (90s, 15m, 1h)",
                            text));
  }
  return std::chrono::seconds(value * scale);
}

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    std::string item = text.substr(start, end - start);
    if (!item.empty()) out.push_back(item);
    start = end + 1;
  }
  return out;
}

// Draws a live line per resource on a terminal; says nothing otherwise (the
// summary lines are printed at the end).
class TerminalProgress final : public ProgressSink {
 public:
  void OnPage(const std::string& resource, int64_t pages, int64_t records,
              int64_t expected) override {
    auto now = std::chrono::steady_clock::now();
    if (resource != resource_) resource_ = resource, started_ = now;
    double seconds =
        std::chrono::duration<double>(now - started_).count() + 1e-9;
    double rate = static_cast<double>(records) / seconds;
    std::string eta = "?";
    if (expected > records && rate > 0) {
      eta = fmt::format("{:.0f}s",
                        static_cast<double>(expected - records) / rate);
    } else if (expected > 0) {
      eta = "0s";
    }
    std::fprintf(stderr,
                 "\r\033[K%-13s page %lld  %lld/%lld records  %.0f rec/s  "
                 "eta %s",
                 resource.c_str(), static_cast<long long>(pages),
                 static_cast<long long>(records),
                 static_cast<long long>(std::max(expected, records)), rate,
                 eta.c_str());
    std::fflush(stderr);
  }
  void OnResourceDone(const ResourceReport&) override {
    if (!resource_.empty()) std::fprintf(stderr, "\r\033[K");
    resource_.clear();
  }

 private:
  std::string resource_;
  std::chrono::steady_clock::time_point started_;
};

ClientOptions ClientOptionsFrom(const Config& config) {
  ClientOptions options;
  options.base_url = config.base_url;
  options.rate = config.rate;
  options.burst = config.burst;
  options.max_attempts = config.max_attempts;
  options.base_backoff = config.base_backoff;
  options.max_backoff = config.max_backoff;
  return options;
}

// Everything that talks to the API, built from the config, alive for one
// command. Members are built in order: the client borrows the others.
struct ApiSession {
  ApiSession(const Config& config, spdlog::logger& logger)
      : options(ClientOptionsFrom(config)),
        transport(TransportOptionsFor(config)),
        limiter(clock, LimiterOptions(options)),
        client(transport, config.credentials, options, limiter, clock, logger) {
  }

  SystemClock clock;
  ClientOptions options;
  CurlTransport transport;
  RateLimiter limiter;
  CeipalClient client;
};

// ack and prune write, and the database has one writer at a time (DESIGN.md
// section 6: Debian's SQLite has a rare WAL bug with two): they wait for the
// run lock, up to `wait`, rather than write beside a running sync.
Result<state::RunLock> LockForWrite(const std::string& db,
                                    std::chrono::seconds wait) {
  auto deadline = std::chrono::steady_clock::now() + wait;
  for (;;) {
    auto lock = state::RunLock::Acquire(db);
    if (lock || lock.error().kind != ErrorKind::kLocked ||
        std::chrono::steady_clock::now() >= deadline) {
      return lock;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

int CommandInit(int argc, char** argv) {
  Common common;
  po::options_description own("init");
  po::variables_map vm;
  if (auto done = Parse(argc, argv, "Usage: ceipal-sync init [--db PATH]", own,
                        common, vm)) {
    return *done;
  }
  auto db = state::Database::Open(common.db, state::OpenMode::kCreate);
  if (!db) return Report(db.error());
  std::printf("initialized %s (schema version %d)\n", common.db.c_str(),
              (*db)->SchemaVersion());
  return 0;
}

int CommandRun(int argc, char** argv) {
  Common common;
  std::string resources, deadline_text;
  int64_t max_requests = 0;
  po::options_description own("run");
  own.add_options()("resources", po::value(&resources),
                    "comma-separated resources to read (default: all): "
                    "users, clients, job_postings, applicants, submissions, "
                    "interviews, placements")(
      "full",
      "read every record again, ignoring cursors and cadences; also a "
      "sweep, so deleted records are found")(
      "max-requests", po::value(&max_requests)->default_value(0),
      "stop at a page boundary after this many data requests (0: no limit)")(
      "deadline", po::value(&deadline_text),
      "stop at a page boundary after this long: 90s, 15m, 1h")(
      "dry-run", "print the plan of this run; no request, no write")(
      "quiet,q", "print nothing when the run succeeds");
  po::variables_map vm;
  if (auto done = Parse(argc, argv,
                        "Usage: ceipal-sync run [--resources a,b] [--full] "
                        "[--max-requests N] [--deadline DUR] [--dry-run]\n\n"
                        "Reads what changed since the last run (a cursor per "
                        "resource, minus a lookback), the\nsubmissions of "
                        "active jobs, users on their cadence, and sweeps for "
                        "deleted records on\ntheirs. Every change goes to "
                        "change_log in the transaction of its page, so a "
                        "killed run\nresumes where it stopped. One run at a "
                        "time.\n\nExit codes: 0 ok (also when a budget or "
                        "deadline stopped it: the next run goes on);\n1 usage "
                        "or config error; 2 some resources failed (their "
                        "progress is kept);\n3 authentication failed or "
                        "company access disabled; 4 another run holds the "
                        "lock.",
                        own, common, vm)) {
    return *done;
  }
  auto logger = MakeLogger(common.log_level);

  auto config = LoadConfig(common.config, CeipalEnvironment());
  if (!config) return Report(config.error());
  RunOptions options;
  options.resources = SplitList(resources);
  options.full = vm.count("full") > 0;
  options.max_requests = max_requests;
  options.dry_run = vm.count("dry-run") > 0;
  auto deadline = ParseDuration(deadline_text);
  if (!deadline) return Report(deadline.error());
  options.deadline = *deadline;

  const auto& creds = config->credentials;
  if (!options.dry_run && (creds.email.empty() || creds.password.empty() ||
                           creds.api_key.empty())) {
    return Report(Error{ErrorKind::kConfig,
                        "no Ceipal credentials: set CEIPAL_EMAIL, "
                        "CEIPAL_PASSWORD and CEIPAL_API_KEY, or \"email\", "
                        "\"password\" and \"api_key\" in the config file"});
  }

  // One run at a time, then the database.
  std::optional<state::RunLock> lock;
  if (!options.dry_run) {
    auto taken = state::RunLock::Acquire(common.db);
    if (!taken) return Report(taken.error());
    lock.emplace(std::move(*taken));
  }
  state::DatabaseOptions db_options;
  db_options.logger = logger;
  auto db =
      state::Database::Open(common.db, state::OpenMode::kCreate, db_options);
  if (!db) return Report(db.error());

  ApiSession api(*config, *logger);
  CeipalClient& client = api.client;

  bool tty = isatty(fileno(stderr));
  TerminalProgress progress;
  Syncer syncer(**db, client, *config, *logger, tty ? &progress : nullptr);
  auto report = syncer.Run(options);
  if (!report) return Report(report.error());

  if (options.dry_run) {
    std::fputs(FormatPlan(*report).c_str(), stdout);
    return 0;
  }
  if (!vm.count("quiet") || report->exit_code != 0) {
    std::fputs(FormatRunSummary(*report).c_str(), stdout);
  }
  if (report->exit_code != 0) {
    std::fprintf(stderr, "ceipal-sync: %s\n", report->message.c_str());
  }
  return report->exit_code;
}

int CommandStatus(int argc, char** argv) {
  Common common;
  po::options_description own("status");
  own.add_options()("json", "print one JSON object instead of tables");
  po::variables_map vm;
  if (auto done = Parse(argc, argv, "Usage: ceipal-sync status [--json]", own,
                        common, vm)) {
    return *done;
  }
  auto db = state::Database::Open(common.db, state::OpenMode::kExisting);
  if (!db) return Report(db.error());
  auto config = LoadConfig(common.config, CeipalEnvironment());
  if (!config) return Report(config.error());
  auto status = CollectStatus(**db, config->catalogue);
  if (!status) return Report(status.error());
  std::fputs(vm.count("json") ? StatusJson(*status).c_str()
                              : StatusTable(*status).c_str(),
             stdout);
  return 0;
}

int CommandChanges(int argc, char** argv) {
  Common common;
  std::string consumer, event;
  int64_t limit = 1000;
  po::options_description own("changes");
  own.add_options()("consumer", po::value(&consumer)->required(),
                    "the consumer's name; its offset decides what is pending")(
      "event", po::value(&event),
      "only rows of this event: hired, "
      "status_changed")("limit", po::value(&limit)->default_value(1000),
                        "at most this many rows");
  po::variables_map vm;
  if (auto done = Parse(argc, argv,
                        "Usage: ceipal-sync changes --consumer NAME "
                        "[--event hired] [--limit N]\n"
                        "Prints pending change rows as JSON lines, oldest "
                        "first, without consuming them; ack moves the offset.",
                        own, common, vm)) {
    return *done;
  }
  if (!event.empty() && event != "hired" && event != "status_changed") {
    return Report(
        Error{ErrorKind::kConfig, fmt::format("--event '{}': use hired or "
                                              "status_changed",
                                              event)});
  }
  auto db = state::Database::Open(common.db, state::OpenMode::kExisting);
  if (!db) return Report(db.error());
  state::Consumers consumers(**db);
  std::optional<std::string> only;
  if (!event.empty()) only = event;
  auto printed = consumers.ForEachPending(
      consumer, only, limit, [](const state::ChangeRow& row) -> Result<void> {
        auto line = state::FormatJsonLine(row);  // ends with a newline
        if (!line) return std::unexpected(line.error());
        std::fwrite(line->data(), 1, line->size(), stdout);
        return {};
      });
  if (!printed) return Report(printed.error());
  return 0;
}

int CommandAck(int argc, char** argv) {
  Common common;
  std::string consumer;
  int64_t seq = -1;
  int wait = 60;
  po::options_description own("ack");
  own.add_options()("consumer", po::value(&consumer)->required(),
                    "the consumer's name")(
      "seq", po::value(&seq)->required(),
      "the last seq processed; the offset never moves backwards")(
      "wait", po::value(&wait)->default_value(60),
      "seconds to wait for a running sync to finish (exit 4 after)");
  po::variables_map vm;
  if (auto done =
          Parse(argc, argv, "Usage: ceipal-sync ack --consumer NAME --seq N",
                own, common, vm)) {
    return *done;
  }
  auto lock = LockForWrite(common.db, std::chrono::seconds(wait));
  if (!lock) return Report(lock.error());
  auto db = state::Database::Open(common.db, state::OpenMode::kExisting);
  if (!db) return Report(db.error());
  state::Consumers consumers(**db);
  auto acked = consumers.Ack(consumer, seq);
  if (!acked) return Report(acked.error());
  std::printf("%s\n", acked->message.c_str());
  return 0;
}

int CommandPrune(int argc, char** argv) {
  Common common;
  std::string before;
  int wait = 60;
  po::options_description own("prune");
  own.add_options()("wait", po::value(&wait)->default_value(60),
                    "seconds to wait for a running sync to finish (exit 4 "
                    "after)")(
      "before", po::value(&before)->required(),
      "UTC date or time (2026-11-01 or 2026-11-01T00:00:00Z): "
      "rows recorded earlier and acknowledged by every "
      "consumer are deleted");
  po::variables_map vm;
  if (auto done = Parse(argc, argv, "Usage: ceipal-sync prune --before DATE",
                        own, common, vm)) {
    return *done;
  }
  auto lock = LockForWrite(common.db, std::chrono::seconds(wait));
  if (!lock) return Report(lock.error());
  auto db = state::Database::Open(common.db, state::OpenMode::kExisting);
  if (!db) return Report(db.error());
  state::Consumers consumers(**db);
  auto pruned = consumers.Prune(before);
  if (!pruned) return Report(pruned.error());
  std::printf("%s\n", pruned->message.c_str());
  return 0;
}

int CommandVerify(int argc, char** argv) {
  Common common;
  po::options_description own("verify");
  po::variables_map vm;
  if (auto done = Parse(argc, argv,
                        "Usage: ceipal-sync verify\n"
                        "Compares live records in the mirror with the API's "
                        "count per resource (one small request each); exit "
                        "code 2 when they differ.",
                        own, common, vm)) {
    return *done;
  }
  auto logger = MakeLogger(common.log_level);
  auto config = LoadConfig(common.config, CeipalEnvironment());
  if (!config) return Report(config.error());
  auto db = state::Database::Open(common.db, state::OpenMode::kExisting);
  if (!db) return Report(db.error());

  ApiSession api(*config, *logger);
  CeipalClient& client = api.client;
  auto result = Verify(**db, client, config->catalogue);
  if (!result) return Report(result.error());
  std::fputs(VerifyTable(*result).c_str(), stdout);
  bool drift = false;
  for (const auto& row : *result) drift = drift || row.drift;
  return drift ? 2 : 0;
}

}  // namespace

int RunCli(int argc, char** argv) {
  std::string command = argc > 1 ? argv[1] : "";
  using Handler = int (*)(int, char**);
  static const std::map<std::string, Handler> kCommands = {
      {"init", CommandInit},     {"run", CommandRun},
      {"status", CommandStatus}, {"changes", CommandChanges},
      {"ack", CommandAck},       {"prune", CommandPrune},
      {"verify", CommandVerify},
  };
  if (command.empty() || command == "--help" || command == "-h" ||
      command == "help") {
    std::fputs(kOverview, stdout);
    return command.empty() ? 1 : 0;
  }
  auto it = kCommands.find(command);
  if (it == kCommands.end()) {
    std::fprintf(stderr, "ceipal-sync: unknown command '%s'\n\n%s",
                 command.c_str(), kOverview);
    return 1;
  }
  return it->second(argc - 1, argv + 1);
}

}  // namespace ceipal::engine
