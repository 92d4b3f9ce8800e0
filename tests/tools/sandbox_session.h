// Shared helpers for the fake-ceipal tests: a started sandbox with a
// logged-in token, JSON parsing, and reads of list pages and ground truth.
// Each test builds its own session, so no state crosses tests.
#ifndef CEIPAL_TESTS_TOOLS_SANDBOX_SESSION_H_
#define CEIPAL_TESTS_TOOLS_SANDBOX_SESSION_H_

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <string>
#include <vector>

#include "support/fake_ceipal_process.h"
#include "support/http_client.h"

namespace ceipal::test {

inline rapidjson::Document ParseJson(const std::string& text) {
  rapidjson::Document document;
  document.Parse(text.c_str(), text.size());
  return document;
}

inline std::string Str(const rapidjson::Value& object, const char* key) {
  if (!object.IsObject() || !object.HasMember(key) || !object[key].IsString()) {
    return "<missing " + std::string(key) + ">";
  }
  return object[key].GetString();
}

// A small dataset keeps tests quick, and a ten-day token lifetime lets
// tests move the clock without logging in again; a flag in `extra` replaces
// its default here.
inline std::vector<std::string> SmallDataset(std::vector<std::string> extra) {
  std::vector<std::string> defaults = {
      "--applicants", "60",    "--jobs",    "12", "--interviews", "20",
      "--placements", "10",    "--clients", "8",  "--users",      "6",
      "--token-ttl",  "864000"};
  std::vector<std::string> args;
  for (size_t i = 0; i + 1 < defaults.size(); i += 2) {
    if (std::find(extra.begin(), extra.end(), defaults[i]) == extra.end()) {
      args.push_back(defaults[i]);
      args.push_back(defaults[i + 1]);
    }
  }
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

class SandboxSession {
 public:
  explicit SandboxSession(std::vector<std::string> extra = {})
      : process_(SmallDataset(std::move(extra))), token_(process_.Login()) {}

  FakeCeipalProcess& process() { return process_; }
  const std::string& url() const { return process_.url(); }
  const std::string& token() const { return token_; }

  // GET url() + path_and_query with the session's token.
  HttpResult Api(const std::string& path_and_query) const {
    return Get(url() + path_and_query, Bearer(token_));
  }

  // A 200 page's JSON; fails the test (and returns null) otherwise.
  rapidjson::Document Page(const std::string& path_and_query) const {
    HttpResult result = Api(path_and_query);
    EXPECT_EQ(result.status, 200) << path_and_query << ": " << result.body;
    return ParseJson(result.body);
  }

  // Ids of every record a list serves, following `next` from the first page.
  std::vector<std::string> ReadAllIds(const std::string& first_page) const {
    std::vector<std::string> ids;
    std::string next = url() + first_page;
    while (!next.empty()) {
      HttpResult result = Get(next, Bearer(token_));
      EXPECT_EQ(result.status, 200) << next << ": " << result.body;
      if (result.status != 200) break;
      rapidjson::Document page = ParseJson(result.body);
      for (const auto& record : page["results"].GetArray()) {
        ids.push_back(Str(record, "id"));
      }
      next = page["next"].GetString();
    }
    return ids;
  }

  rapidjson::Document Truth(const std::string& resource) const {
    HttpResult result = Get(url() + "/_fake/truth?resource=" + resource);
    EXPECT_EQ(result.status, 200) << result.body;
    return ParseJson(result.body);
  }

  std::vector<std::string> TruthIds(const std::string& resource) const {
    std::vector<std::string> ids;
    rapidjson::Document truth = Truth(resource);
    for (const auto& record : truth["records"].GetArray()) {
      ids.push_back(Str(record, "id"));
    }
    return ids;
  }

  // POST /_fake/mutate; the response's JSON.
  rapidjson::Document Mutate(const std::string& json) {
    HttpResult result = process_.Control("mutate", json);
    EXPECT_EQ(result.status, 200) << json << ": " << result.body;
    return ParseJson(result.body);
  }

 private:
  FakeCeipalProcess process_;
  std::string token_;
};

}  // namespace ceipal::test

#endif  // CEIPAL_TESTS_TOOLS_SANDBOX_SESSION_H_
