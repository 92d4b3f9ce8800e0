// Runs the ceipal-sync binary as a user would, in a child process, and
// captures its exit code and output. For integration tests only.
#ifndef CEIPAL_TESTS_SUPPORT_CLI_RUNNER_H_
#define CEIPAL_TESTS_SUPPORT_CLI_RUNNER_H_

#include <map>
#include <string>
#include <vector>

namespace ceipal::test {

struct CliResult {
  int exit_code = -1;  // 128 + signal when killed by one
  std::string out;
  std::string err;
};

// Runs CEIPAL_SYNC_BIN with args. The child's environment is the parent's
// without any CEIPAL_* variable, plus env.
CliResult RunCeipalSync(const std::vector<std::string>& args,
                        const std::map<std::string, std::string>& env);

// The environment that points ceipal-sync at a sandbox with its default
// credentials.
std::map<std::string, std::string> SandboxEnv(const std::string& url);

}  // namespace ceipal::test

#endif  // CEIPAL_TESTS_SUPPORT_CLI_RUNNER_H_
