// Secrets (DESIGN.md section 6, issue 5): the password, the API key and
// every token stay out of the output, the logs at debug level, error
// messages and every byte of the database files; a config file others may
// read is refused before anything is sent; the database and its companion
// files are created 0600.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "support/cli_runner.h"
#include "support/http_client.h"
#include "support/sync_inspection.h"
#include "support/sync_process.h"
#include "support/sync_world.h"

namespace ceipal::test::reliability {
namespace {

using ::testing::HasSubstr;

// Credentials no other text would contain by chance.
constexpr const char* kEmail = "payroll-sync@agency.example";
constexpr const char* kPassword = "pw-7Hq!e2-not-for-logs";
constexpr const char* kApiKey = "ak-91c4e7d05b-not-for-logs";

std::vector<std::string> SandboxWithSecrets(std::vector<std::string> extra) {
  std::vector<std::string> args = {"--email", kEmail,      "--password",
                                   kPassword, "--api-key", kApiKey};
  args.insert(args.end(), extra.begin(), extra.end());
  return SmallDataset(args);
}

std::map<std::string, std::string> SecretEnv(const SyncWorld& world,
                                             const std::string& password) {
  auto env = world.Env();
  env["CEIPAL_EMAIL"] = kEmail;
  env["CEIPAL_PASSWORD"] = password;
  env["CEIPAL_API_KEY"] = kApiKey;
  return env;
}

// Logs in as the engine would and returns the access token.
std::string LogIn(const SyncWorld& world) {
  HttpResult answer =
      Post(world.sandbox().url() + "/v2/createAuthtoken/",
           std::string(R"({"email": ")") + kEmail + R"(", "password": ")" +
               kPassword + R"(", "apiKey": ")" + kApiKey + R"("})");
  rapidjson::Document doc;
  doc.Parse(answer.body.c_str());
  EXPECT_EQ(answer.status, 200) << answer.body;
  if (!doc.IsObject() || !doc.HasMember("access_token")) return "";
  return doc["access_token"].GetString();
}

mode_t Mode(const std::string& path) {
  struct stat status {};
  if (stat(path.c_str(), &status) != 0) return 0;
  return status.st_mode & 0777;
}

void ExpectNoSecret(const std::string& where, const std::string& text,
                    const std::vector<std::string>& secrets) {
  for (const auto& secret : secrets) {
    EXPECT_EQ(text.find(secret), std::string::npos)
        << where << " holds a secret (" << secret.substr(0, 6) << "...)";
  }
}

// A sync at debug level that meets retries, a revoked token and a refused
// refresh, then a login refused for a wrong password: none of it may show a
// secret. Every token the sandbox issues opens with the same JWT header, so
// looking for the header of one token finds any token.
TEST(Secrets, NeverInOutputLogsOrDatabaseFiles) {
  SyncWorld world(SandboxWithSecrets({"--latency-ms", "10"}));
  std::string token = LogIn(world);
  ASSERT_EQ(std::count(token.begin(), token.end(), '.'), 2)
      << "not a JWT-shaped token: " << token;
  std::string header = token.substr(0, token.find('.'));
  std::vector<std::string> secrets = {kPassword, kApiKey, token, header};

  std::string said;
  world.SetFaults(R"({"fail_next": 2, "refuse_refresh": true})");
  SyncProcess sync = SyncProcess({"run", "--db", world.db(), "--config",
                                  world.config(), "--log-level", "debug"},
                                 SecretEnv(world, kPassword));
  // Revoke every token once the run is under way: 401, refused refresh,
  // login again.
  auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (sync.Running() && std::chrono::steady_clock::now() < give_up &&
         SandboxDataRequests(world.sandbox()) < 2) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  world.SetFaults(R"({"revoke_tokens": true})");

  // Catch the write-ahead log while it exists.
  std::string wal = ReadBytes(world.db() + "-wal");
  CliResult run = sync.Wait();
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_THAT(run.err, HasSubstr("debug")) << "no debug log was written";
  EXPECT_GT(SandboxRequests(world.sandbox(), "/v2/createAuthtoken/"), 1);
  said += run.out + run.err;

  CliResult refused =
      RunCeipalSync({"run", "--db", world.db(), "--config", world.config(),
                     "--log-level", "debug"},
                    SecretEnv(world, std::string(kPassword) + "-wrong"));
  EXPECT_EQ(refused.exit_code, 3) << refused.out << refused.err;
  said += refused.out + refused.err;
  for (const char* command : {"status", "verify"}) {
    CliResult other = RunCeipalSync({command, "--db", world.db(), "--config",
                                     world.config(), "--log-level", "debug"},
                                    SecretEnv(world, kPassword));
    said += other.out + other.err;
  }

  ExpectNoSecret("the output", said, secrets);
  ExpectNoSecret("the wrong password's output", said,
                 {std::string(kPassword) + "-wrong"});
  ExpectNoSecret("the write-ahead log", wal, secrets);
  for (const char* suffix : {"", "-wal", "-shm", ".lock"}) {
    ExpectNoSecret("ceipal.db" + std::string(suffix),
                   ReadBytes(world.db() + suffix), secrets);
  }
  EXPECT_GT(ReadBytes(world.db()).size(), 0u);
}

// A config file that group or others may read is refused before any
// request, because it may hold the password.
TEST(Secrets, ConfigReadableByOthersIsRefused) {
  SyncWorld world(SmallDataset());
  for (mode_t mode : {0644, 0640, 0604}) {
    SCOPED_TRACE(mode);
    ASSERT_EQ(chmod(world.config().c_str(), mode), 0);
    CliResult run = world.Run();
    EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
    EXPECT_THAT(run.err, HasSubstr(world.config()));
    EXPECT_THAT(run.err, HasSubstr("readable"));
  }
  EXPECT_EQ(SandboxRequests(world.sandbox()), 0);
  ASSERT_EQ(chmod(world.config().c_str(), 0600), 0);
  EXPECT_EQ(world.Run().exit_code, 0);
}

// The database, its write-ahead log, its shared memory and the run lock
// are private from the start, whatever the umask.
TEST(Secrets, DatabaseFilesAreCreated0600) {
  SyncWorld world(SmallDataset({"--latency-ms", "100"}));
  mode_t old_umask = umask(0);
  SyncProcess sync = world.Start();
  umask(old_umask);

  // Look while the run writes, when every companion file exists.
  auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (sync.Running() && std::chrono::steady_clock::now() < give_up &&
         Mode(world.db() + "-wal") == 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  for (const char* suffix : {"", "-wal", "-shm", ".lock"}) {
    EXPECT_EQ(Mode(world.db() + suffix), 0600u)
        << "ceipal.db" << suffix << " (0 when missing)";
  }
  EXPECT_EQ(sync.Wait().exit_code, 0);
}

}  // namespace
}  // namespace ceipal::test::reliability
