// One reliability test's world: a scratch directory with a private config
// file and a database path, a sandbox started with the test's flags, and
// ways to run ceipal-sync against them as cron would, in the foreground or
// in the background (to kill it, or to race it). Plus the check every
// disturbed sync ends with: after a clean follow-up run, nothing is lost
// and no change row is repeated.
//
// A SyncWorld owns its sandbox child and its directory (removed at
// destruction). It is not copyable; its const methods may be called from
// several threads at once (they start processes and send HTTP requests).
#ifndef CEIPAL_TESTS_SUPPORT_SYNC_WORLD_H_
#define CEIPAL_TESTS_SUPPORT_SYNC_WORLD_H_

#include <map>
#include <set>
#include <string>
#include <vector>

#include "support/cli_runner.h"
#include "support/fake_ceipal_process.h"
#include "support/sync_inspection.h"
#include "support/sync_process.h"

namespace ceipal::test::reliability {

// Sandbox flags for a dataset small enough to sync in a few seconds yet
// several pages long: 3 pages of applicants, 6 jobs with their details and
// submissions. A flag in `extra` replaces its default; others are added.
std::vector<std::string> SmallDataset(std::vector<std::string> extra = {});

class SyncWorld {
 public:
  // `config_members` as for WriteSyncConfig.
  explicit SyncWorld(std::vector<std::string> sandbox_args,
                     const std::string& config_members = "");
  SyncWorld(const SyncWorld&) = delete;
  SyncWorld& operator=(const SyncWorld&) = delete;

  FakeCeipalProcess& sandbox() { return sandbox_; }
  const FakeCeipalProcess& sandbox() const { return sandbox_; }
  const std::string& db() const { return db_; }
  const std::string& config() const { return config_; }
  const ScratchDir& dir() const { return dir_; }

  // The sandbox's URL and credentials, as SandboxEnv gives them.
  std::map<std::string, std::string> Env() const;

  // `ceipal-sync run --db DB --config CONFIG <extra...>`, to its end.
  CliResult Run(const std::vector<std::string>& extra = {}) const;
  // The same in the background.
  SyncProcess Start(const std::vector<std::string>& extra = {},
                    SyncProcessOptions options = {}) const;

  // POST /_fake/faults and /_fake/mutate; each adds a test failure unless
  // the sandbox answers 200.
  void SetFaults(const std::string& json) const;
  void Mutate(const std::string& json) const;

 private:
  ScratchDir dir_;
  std::string db_;
  std::string config_;
  FakeCeipalProcess sandbox_;
};

// A run's exit code, stdout and stderr, for failure messages.
std::string RunOutput(const CliResult& run);

// Runs a clean follow-up sync (the sandbox's faults cleared first) and
// checks what every disturbed sync must end with: exit 0, the live mirror
// equal to the truth, no change row repeated, and one insert row per
// record the mirror holds. `context` names the case in failure messages;
// `only_in_mirror` lists records ("applicants <id>") the mirror may hold
// although the truth does not (a hostile record the engine kept).
void ExpectNothingLostAfterCleanRun(
    const SyncWorld& world, const std::string& context,
    const std::set<std::string>& only_in_mirror = {});

}  // namespace ceipal::test::reliability

#endif  // CEIPAL_TESTS_SUPPORT_SYNC_WORLD_H_
