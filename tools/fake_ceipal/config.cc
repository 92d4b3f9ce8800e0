#include "tools/fake_ceipal/config.h"

#include <fmt/format.h>

#include <boost/program_options.hpp>
#include <chrono>
#include <sstream>

#include "tools/fake_ceipal/record_id.h"
#include "tools/fake_ceipal/sim_clock.h"

namespace ceipal::fake {
namespace {

namespace po = boost::program_options;

po::options_description General(Config& c, std::string& utc_offset,
                                std::string& start) {
  po::options_description options("Server");
  options.add_options()("help", "print this help and exit")(
      "host", po::value(&c.host)->default_value(c.host),
      "address to listen on")(
      "port", po::value(&c.port)->default_value(c.port),
      "port to listen on; 0 picks a free one. The base URL is printed as "
      "the first line of stdout")(
      "seed", po::value(&c.seed)->default_value(c.seed),
      "dataset seed: same seed, same records, byte for byte")(
      "email", po::value(&c.email)->default_value(c.email),
      "login email accepted by /v2/createAuthtoken/")(
      "password", po::value(&c.password)->default_value(c.password),
      "login password accepted")(
      "api-key", po::value(&c.api_key)->default_value(c.api_key),
      "apiKey accepted")(
      "token-ttl", po::value(&c.token_ttl)->default_value(c.token_ttl),
      "access token lifetime, in seconds of the simulated clock")(
      "utc-offset", po::value(&utc_offset)->default_value("+00:00"),
      "zone of naive timestamps and of modifiedAfter/modifiedBefore, "
      "as +HH:MM or -HH:MM")(
      "start", po::value(&start),
      "where the simulated clock starts: \"now\" (the machine's time) or "
      "\"YYYY-MM-DD HH:MM:SS\" in the --utc-offset zone. Every time and date "
      "of the base dataset moves with it, so its newest records stay just "
      "before the clock. Default 2025-06-02 09:00:00 UTC")(
      "realtime-clock", po::bool_switch(&c.realtime_clock),
      "let the simulated clock also follow real time")(
      "empty-page-200", po::bool_switch(&c.empty_page_ok),
      "answer a page past the end, or a filter matching nothing, with 200 "
      "and empty results instead of 404")(
      "verbose", po::bool_switch(&c.verbose), "log every request to stderr");
  return options;
}

po::options_description Sizes(DatasetSizes& s) {
  po::options_description options("Dataset (base records per resource)");
  options.add_options()("applicants",
                        po::value(&s.applicants)->default_value(s.applicants),
                        "applicants")(
      "jobs", po::value(&s.job_postings)->default_value(s.job_postings),
      "job postings")(
      "submissions-per-job",
      po::value(&s.submissions_per_job)->default_value(s.submissions_per_job),
      "average submissions per job (each job draws 0..2x)")(
      "submissions", po::value(&s.submissions),
      "exact total of submissions, spread evenly over the jobs; overrides "
      "--submissions-per-job")(
      "interviews", po::value(&s.interviews)->default_value(s.interviews),
      "interviews")(
      "placements", po::value(&s.placements)->default_value(s.placements),
      "placements")("clients", po::value(&s.clients)->default_value(s.clients),
                    "clients (each with 1-3 contacts)")(
      "users", po::value(&s.users)->default_value(s.users), "users");
  return options;
}

po::options_description Faults(FaultSettings& f,
                               std::vector<std::string>& inject) {
  po::options_description options(
      "Faults (also settable at run time: POST /_fake/faults)");
  options.add_options()(
      "rate", po::value(&f.rate)->default_value(f.rate),
      "rate limit in requests per second, auth included; 0 = none")(
      "burst", po::value(&f.burst)->default_value(f.burst),
      "token bucket size; 0 = one second's worth")(
      "retry-after", po::value(&f.retry_after)->default_value(f.retry_after),
      "seconds sent in Retry-After with a 429; negative = no header")(
      "latency-ms", po::value(&f.latency_ms)->default_value(f.latency_ms),
      "delay added to every data response")(
      "error-rate", po::value(&f.error_rate)->default_value(f.error_rate),
      "share (0..1) of data requests failing with a random 5xx (seeded)")(
      "fail-next", po::value(&f.fail_next)->default_value(f.fail_next),
      "answer the next N data requests with 503")(
      "truncate-next",
      po::value(&f.truncate_next)->default_value(f.truncate_next),
      "cut the next N successful data bodies in half")(
      "reset-next", po::value(&f.reset_next)->default_value(f.reset_next),
      "close the next N data connections without a response")(
      "company-disabled", po::bool_switch(&f.company_disabled),
      "answer every data call 403 \"company access disabled\"")(
      "refuse-refresh", po::bool_switch(&f.refuse_refresh),
      "answer every /v2/refreshToken/ with 401")(
      "bad-envelope-next",
      po::value(&f.bad_envelope_next)->default_value(f.bad_envelope_next),
      "answer the next N list pages 200 with a wrong envelope")(
      "empty-body-next",
      po::value(&f.empty_body_next)->default_value(f.empty_body_next),
      "answer the next N data requests 200 with an empty body")(
      "huge-count-next",
      po::value(&f.huge_count_next)->default_value(f.huge_count_next),
      "claim count = 10^12 on the next N list pages")(
      "revoke-tokens-after",
      po::value(&f.revoke_tokens_after)->default_value(f.revoke_tokens_after),
      "after answering N data requests, revoke every token issued so far "
      "(0 = never)")(
      "expire-tokens-after",
      po::value(&f.expire_tokens_after)->default_value(f.expire_tokens_after),
      "after answering N data requests, expire every access token issued "
      "so far; refreshing still works (0 = never)")(
      "inject", po::value(&inject)->composing(),
      "RESOURCE:KIND, repeatable: put a hostile record into the next list "
      "page of RESOURCE; KIND is no_id, invalid_utf8, huge_field, "
      "null_record, array_record, duplicate_id or wrong_type");
  return options;
}

Result<void> Check(bool ok, std::string_view flag, std::string_view rule) {
  if (ok) return {};
  return Fail(ErrorKind::kConfig, fmt::format("--{} {}", flag, rule));
}

Result<void> Validate(const Config& c) {
  // Half the id space at most, so records created later still have ids.
  const DatasetSizes& s = c.sizes;
  for (auto [flag, value] :
       {std::pair<std::string_view, int64_t>{"applicants", s.applicants},
        {"jobs", s.job_postings},
        {"submissions-per-job", s.submissions_per_job},
        {"interviews", s.interviews},
        {"placements", s.placements},
        {"clients", s.clients},
        {"users", s.users}}) {
    auto ok = Check(value >= 0 && value < IdCodec::kMaxIndex / 2, flag,
                    "must be between 0 and 2^39");
    if (!ok) return ok;
  }
  const FaultSettings& f = c.faults;
  for (const Result<void>& ok : {
           Check(s.submissions < IdCodec::kMaxIndex / 2, "submissions",
                 "must be below 2^39"),
           Check(c.port >= 0 && c.port <= 65535, "port",
                 "must be between 0 and 65535"),
           Check(c.token_ttl > 0, "token-ttl", "must be positive"),
           Check(f.rate >= 0, "rate", "must not be negative"),
           Check(f.error_rate >= 0 && f.error_rate <= 1, "error-rate",
                 "must be between 0 and 1"),
           Check(f.burst >= 0 && f.latency_ms >= 0 && f.fail_next >= 0 &&
                     f.truncate_next >= 0 && f.reset_next >= 0 &&
                     f.bad_envelope_next >= 0 && f.empty_body_next >= 0 &&
                     f.huge_count_next >= 0 && f.revoke_tokens_after >= 0 &&
                     f.expire_tokens_after >= 0,
                 "burst, --latency-ms and the --*-next and --*-after counts",
                 "must not be negative"),
       }) {
    if (!ok) return ok;
  }
  return {};
}

constexpr EpochSeconds StartOfYear(int year) {
  std::chrono::sys_days day{std::chrono::year{year} / 1 / 1};
  return day.time_since_epoch().count() * int64_t{86400};
}

// The sandbox prints four-digit years, and its dataset reaches about three
// years either side of the clock's start.
constexpr EpochSeconds kEarliestStart = StartOfYear(1980);
constexpr EpochSeconds kLatestStart = StartOfYear(9000);

// Reads --start in the zone of naive times; "now" is read off the machine's
// clock once, here, so the sandbox's Config stays a plain value.
Result<EpochSeconds> ReadStart(const std::string& text, int offset_seconds) {
  std::optional<EpochSeconds> start;
  if (text == "now") {
    start = std::chrono::duration_cast<std::chrono::seconds>(
                std::chrono::system_clock::now().time_since_epoch())
                .count();
  } else {
    start = ParseNaive(text, offset_seconds);
  }
  if (!start) {
    return Fail(
        ErrorKind::kConfig,
        fmt::format("--start {}: expected now or YYYY-MM-DD HH:MM:SS", text));
  }
  if (*start < kEarliestStart || *start >= kLatestStart) {
    return Fail(
        ErrorKind::kConfig,
        fmt::format("--start {}: must lie in the years 1980 to 8999", text));
  }
  return *start;
}

Result<void> ReadInjections(const std::vector<std::string>& specs,
                            std::vector<Injection>& out) {
  for (const std::string& spec : specs) {
    size_t colon = spec.find(':');
    std::optional<Resource> resource;
    std::optional<HostileKind> kind;
    if (colon != std::string::npos) {
      resource = ResourceByName(spec.substr(0, colon));
      kind = HostileKindByName(spec.substr(colon + 1));
    }
    if (!resource || !kind) {
      return Fail(ErrorKind::kConfig,
                  fmt::format("--inject {}: expected RESOURCE:KIND", spec));
    }
    out.push_back({*resource, *kind});
  }
  return {};
}

}  // namespace

Result<CommandLine> ParseCommandLine(int argc, const char* const argv[]) {
  CommandLine line;
  Config& c = line.config;
  std::string utc_offset;
  std::string start;
  std::vector<std::string> inject;

  po::options_description all(
      "fake-ceipal: a Ceipal ATS v2 sandbox for tests, demos and benchmarks");
  all.add(General(c, utc_offset, start))
      .add(Sizes(c.sizes))
      .add(Faults(c.faults, inject));
  std::ostringstream help;
  help << all;
  line.help = help.str();

  // Parse; Boost reports unknown flags and bad values by exception, which
  // stop here.
  po::variables_map values;
  try {
    po::store(po::parse_command_line(argc, argv, all), values);
    po::notify(values);
  } catch (const po::error& e) {
    return Fail(ErrorKind::kConfig, e.what());
  }
  line.show_help = values.count("help") > 0;

  std::optional<int> offset = ParseUtcOffset(utc_offset);
  if (!offset) {
    return Fail(
        ErrorKind::kConfig,
        fmt::format("--utc-offset {}: expected +HH:MM or -HH:MM", utc_offset));
  }
  c.utc_offset_seconds = *offset;
  if (values.count("start") > 0) {
    auto read = ReadStart(start, c.utc_offset_seconds);
    if (!read) return std::unexpected(read.error());
    c.start = *read;
  }
  if (auto read = ReadInjections(inject, c.faults.injections); !read) {
    return std::unexpected(read.error());
  }
  if (auto valid = Validate(c); !valid) return std::unexpected(valid.error());
  return line;
}

}  // namespace ceipal::fake
