// Runs the fake-ceipal sandbox as a child process for a test: starts it on a
// free port with the given extra flags, reads its base URL from the first
// line of its stdout, and stops it (SIGTERM, then SIGKILL) and reaps it on
// destruction. The child also dies with the thread that started it.
//
// One object owns one child; not copyable. Its const methods only send HTTP
// requests and may be called from several threads at once.
#ifndef CEIPAL_TESTS_SUPPORT_FAKE_CEIPAL_PROCESS_H_
#define CEIPAL_TESTS_SUPPORT_FAKE_CEIPAL_PROCESS_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "support/http_client.h"

namespace ceipal::test {

class FakeCeipalProcess {
 public:
  // The credentials fake-ceipal accepts unless told otherwise.
  static constexpr const char* kEmail = "demo@example.com";
  static constexpr const char* kPassword = "demo-password";
  static constexpr const char* kApiKey = "demo-api-key";

  // Starts `binary --port 0 <args...>`. Throws std::runtime_error when the
  // child cannot start or prints no URL within 30 seconds.
  explicit FakeCeipalProcess(std::vector<std::string> args = {},
                             std::string binary = CEIPAL_FAKE_CEIPAL_BIN);
  ~FakeCeipalProcess();
  FakeCeipalProcess(const FakeCeipalProcess&) = delete;
  FakeCeipalProcess& operator=(const FakeCeipalProcess&) = delete;

  // "http://127.0.0.1:PORT", without a trailing slash.
  const std::string& url() const { return url_; }
  pid_t pid() const { return pid_; }

  // POST url()/_fake/<path> with a JSON body, e.g. Control("clock",
  // R"({"advance": 3600})").
  HttpResult Control(const std::string& path,
                     const std::string& json = "{}") const;
  // GET url()/_fake/<path>, e.g. ControlGet("truth?resource=applicants").
  HttpResult ControlGet(const std::string& path) const;

  // Logs in with the default credentials; the access token, or "" when
  // the login was refused.
  std::string Login() const;

  // Sends SIGTERM and waits for the child; returns its wait status, or -1
  // if it had to be killed or was already gone. Idempotent.
  int Stop();

 private:
  std::string url_;
  pid_t pid_ = -1;
};

}  // namespace ceipal::test

#endif  // CEIPAL_TESTS_SUPPORT_FAKE_CEIPAL_PROCESS_H_
