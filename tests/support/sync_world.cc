#include "support/sync_world.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace ceipal::test::reliability {
namespace {

// Every fault the sandbox has, off. Injections are not listed: each fires
// once and cannot be withdrawn.
constexpr const char* kNoFaults =
    R"({"rate": 0, "burst": 0, "retry_after": -1, "latency_ms": 0,
        "error_rate": 0, "fail_next": 0, "truncate_next": 0,
        "reset_next": 0, "company_disabled": false,
        "refuse_refresh": false, "bad_envelope_next": 0,
        "empty_body_next": 0, "huge_count_next": 0,
        "revoke_tokens_after": 0, "expire_tokens_after": 0})";

std::vector<std::string> Join(std::vector<std::string> head,
                              const std::vector<std::string>& tail) {
  head.insert(head.end(), tail.begin(), tail.end());
  return head;
}

}  // namespace

std::vector<std::string> SmallDataset(std::vector<std::string> extra) {
  const std::vector<std::string> defaults = {
      "--applicants", "120", "--jobs",    "6", "--interviews", "10",
      "--placements", "6",   "--clients", "4", "--users",      "4"};
  // The sandbox takes each flag once: a flag in `extra` replaces its default.
  std::vector<std::string> args;
  for (size_t i = 0; i + 1 < defaults.size(); i += 2) {
    if (std::find(extra.begin(), extra.end(), defaults[i]) == extra.end()) {
      args.insert(args.end(), {defaults[i], defaults[i + 1]});
    }
  }
  return Join(args, extra);
}

SyncWorld::SyncWorld(std::vector<std::string> sandbox_args,
                     const std::string& config_members)
    : db_(dir_.File("ceipal.db")),
      config_(WriteSyncConfig(dir_.path(), config_members)),
      sandbox_(std::move(sandbox_args)) {}

std::map<std::string, std::string> SyncWorld::Env() const {
  return SandboxEnv(sandbox_.url());
}

CliResult SyncWorld::Run(const std::vector<std::string>& extra) const {
  return RunCeipalSync(Join({"run", "--db", db_, "--config", config_}, extra),
                       Env());
}

SyncProcess SyncWorld::Start(const std::vector<std::string>& extra,
                             SyncProcessOptions options) const {
  return SyncProcess(Join({"run", "--db", db_, "--config", config_}, extra),
                     Env(), options);
}

void SyncWorld::SetFaults(const std::string& json) const {
  HttpResult answer = sandbox_.Control("faults", json);
  EXPECT_EQ(answer.status, 200) << "set faults " << json << ": " << answer.body;
}

void SyncWorld::Mutate(const std::string& json) const {
  HttpResult answer = sandbox_.Control("mutate", json);
  EXPECT_EQ(answer.status, 200) << "mutate " << json << ": " << answer.body;
}

std::string RunOutput(const CliResult& run) {
  return "exit " + std::to_string(run.exit_code) + "\nstdout:\n" + run.out +
         "stderr:\n" + run.err;
}

void ExpectNothingLostAfterCleanRun(
    const SyncWorld& world, const std::string& context,
    const std::set<std::string>& only_in_mirror) {
  SCOPED_TRACE(context);
  world.SetFaults(kNoFaults);
  CliResult clean = world.Run();
  EXPECT_EQ(clean.exit_code, 0) << "the clean follow-up run failed\n"
                                << RunOutput(clean);

  TruthDiff diff = CompareWithTruth(world.sandbox(), world.db());
  std::erase_if(diff.extra, [&](const std::string& record) {
    return only_in_mirror.count(record) > 0;
  });
  EXPECT_TRUE(diff.empty()) << diff.Describe();
  EXPECT_GT(diff.compared, 0) << "the truth was empty: nothing compared";
  std::vector<std::string> repeated = RepeatedChanges(world.db());
  EXPECT_TRUE(repeated.empty()) << repeated.front();

  // One insert row per record held, no more, no fewer.
  for (const auto& resource : Resources()) {
    int64_t held = Count(world.db(), "SELECT count(*) FROM " + resource);
    int64_t inserts = Count(world.db(),
                            "SELECT count(*) FROM change_log WHERE op = "
                            "'insert' AND resource = '" +
                                resource + "'");
    EXPECT_EQ(inserts, held) << resource << ": insert rows vs mirror rows";
  }
}

}  // namespace ceipal::test::reliability
