// fake-ceipal as a program: its URL line, its shutdown, its help and flag
// errors, its memory on a large dataset and its behaviour under concurrent
// clients.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <regex>
#include <thread>

#include "tests/tools/sandbox_session.h"

namespace ceipal::test {
namespace {

struct Output {
  std::string text;
  int exit_code = -1;
};

// Runs fake-ceipal to completion with stdout and stderr captured.
Output RunToCompletion(const std::string& args) {
  Output output;
  std::string command =
      std::string(CEIPAL_FAKE_CEIPAL_BIN) + " " + args + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return output;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) {
    output.text.append(buffer, n);
  }
  int status = pclose(pipe);
  if (WIFEXITED(status)) output.exit_code = WEXITSTATUS(status);
  return output;
}

// The process's peak resident set, in KiB, from /proc.
long PeakRssKib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with("VmHWM:")) return std::stol(line.substr(6));
  }
  return -1;
}

TEST(FakeCeipalMain, PrintsItsUrlFirstAndServesThere) {
  FakeCeipalProcess process;
  EXPECT_TRUE(std::regex_match(process.url(),
                               std::regex(R"(http://127\.0\.0\.1:[0-9]+)")));
  EXPECT_EQ(Get(process.url() + "/_fake/clock").status, 200);
}

TEST(FakeCeipalMain, StopsCleanlyOnSigterm) {
  FakeCeipalProcess process;
  int status = process.Stop();
  ASSERT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(process.Stop(), -1);
}

TEST(FakeCeipalMain, HelpListsTheFlagsAndExitsZero) {
  Output help = RunToCompletion("--help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.text.find("--applicants"), std::string::npos);
  EXPECT_NE(help.text.find("--inject"), std::string::npos);
  EXPECT_NE(help.text.find("demo@example.com"), std::string::npos);
}

TEST(FakeCeipalMain, BadFlagsExitOneWithAMessage) {
  Output bad = RunToCompletion("--applicants lots");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.text.find("applicants"), std::string::npos);
  EXPECT_THROW(FakeCeipalProcess({"--utc-offset", "nowhere"}),
               std::runtime_error);
}

TEST(FakeCeipalMain, AMillionApplicantsFitInLittleMemory) {
  SandboxSession session({"--applicants", "1000000"});
  rapidjson::Document last = session.Page(
      "/v2/getApplicantsList/?limit=50&sortBy=modify_date&sortOrder=asc"
      "&page=20000");
  EXPECT_EQ(last["count"].GetInt(), 1'000'000);
  EXPECT_EQ(last["results"].Size(), 50u);
  EXPECT_EQ(Str(last["results"][49], "applicant_id"), "APL-1010000");

  session.Mutate(R"({"kind": "burst", "resource": "applicants", "count": 50})");
  rapidjson::Document changed = session.Page(
      "/v2/getApplicantsList/?modifiedAfter=2025-06-02%2008:59:59");
  EXPECT_EQ(changed["count"].GetInt(), 50);

  long peak = PeakRssKib(session.process().pid());
  ASSERT_GT(peak, 0);
  EXPECT_LT(peak, 200 * 1024);
}

TEST(FakeCeipalMain, ServesConcurrentClients) {
  SandboxSession session;
  std::atomic<int> ok = 0;
  std::vector<std::thread> clients;
  for (int c = 0; c < 6; ++c) {
    clients.emplace_back([&, c] {
      for (int i = 0; i < 15; ++i) {
        std::string path = "/v2/getApplicantsList/?limit=5&page=" +
                           std::to_string(1 + (c + i) % 12);
        ok += session.Api(path).status == 200;
        if (i % 5 == 0) {
          session.process().Control(
              "mutate", R"({"kind": "edit", "resource": "applicants"})");
        }
      }
    });
  }
  for (std::thread& client : clients) client.join();
  EXPECT_EQ(ok.load(), 6 * 15);
  EXPECT_EQ(ParseJson(session.process().ControlGet("journal").body).Size(),
            18u);
}

}  // namespace
}  // namespace ceipal::test
