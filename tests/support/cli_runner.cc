#include "support/cli_runner.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

extern char** environ;

namespace ceipal::test {
namespace {

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

CliResult RunCeipalSync(const std::vector<std::string>& args,
                        const std::map<std::string, std::string>& env) {
  char out_path[] = "/tmp/ceipal_cli_out_XXXXXX";
  char err_path[] = "/tmp/ceipal_cli_err_XXXXXX";
  int out_fd = mkstemp(out_path);
  int err_fd = mkstemp(err_path);

  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) {
    if (std::strncmp(*e, "CEIPAL_", 7) != 0) env_strings.emplace_back(*e);
  }
  for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);

  pid_t pid = fork();
  if (pid == 0) {
    dup2(out_fd, 1);
    dup2(err_fd, 2);
    int null_fd = open("/dev/null", O_RDONLY);
    dup2(null_fd, 0);
    std::vector<char*> argv = {const_cast<char*>(CEIPAL_SYNC_BIN)};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (auto& e : env_strings) envp.push_back(e.data());
    envp.push_back(nullptr);
    execve(CEIPAL_SYNC_BIN, argv.data(), envp.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  close(out_fd);
  close(err_fd);

  CliResult result;
  result.exit_code =
      WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = Slurp(out_path);
  result.err = Slurp(err_path);
  unlink(out_path);
  unlink(err_path);
  return result;
}

std::map<std::string, std::string> SandboxEnv(const std::string& url) {
  return {{"CEIPAL_BASE_URL", url},
          {"CEIPAL_EMAIL", "demo@example.com"},
          {"CEIPAL_PASSWORD", "demo-password"},
          {"CEIPAL_API_KEY", "demo-api-key"}};
}

}  // namespace ceipal::test
