// The sandbox's control API over real HTTP: clock, mutations and their
// journal, page drift, ground truth, stats and reset.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <thread>
#include <vector>

#include "tests/tools/sandbox_session.h"

namespace ceipal::test {
namespace {

constexpr const char* kApplicants = "/v2/getApplicantsList/";

std::string Now(SandboxSession& session) {
  return Str(ParseJson(session.process().ControlGet("clock").body), "now");
}

std::string ModifiedNaive(const rapidjson::Value& record, const char* field) {
  std::string value = Str(record, field);
  if (value.ends_with("Z")) {  // ISO UTC; the server runs at +00:00
    value[10] = ' ';
    value.pop_back();
  }
  return value;
}

rapidjson::Document Detail(const SandboxSession& session,
                           const std::string& endpoint, const std::string& id,
                           long expected = 200) {
  HttpResult result = session.Api("/v2/" + endpoint + "/" + id + "/");
  EXPECT_EQ(result.status, expected) << endpoint << " " << id;
  return ParseJson(result.body);
}

std::vector<std::string> Fields(const rapidjson::Value& change) {
  std::vector<std::string> fields;
  for (const auto& field : change["fields"].GetArray()) {
    fields.emplace_back(field.GetString());
  }
  return fields;
}

bool Contains(const std::vector<std::string>& items, const std::string& item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

TEST(SandboxClock, StartsFixedAndMovesOnlyWhenTold) {
  SandboxSession session;
  rapidjson::Document clock =
      ParseJson(session.process().ControlGet("clock").body);
  EXPECT_EQ(Str(clock, "now"), "2025-06-02 09:00:00");
  EXPECT_EQ(Str(clock, "utc"), "2025-06-02T09:00:00Z");

  session.process().Control("clock", R"({"advance": 90})");
  EXPECT_EQ(Now(session), "2025-06-02 09:01:30");
  session.process().Control("clock", R"({"set": "2025-07-01 00:00:00"})");
  EXPECT_EQ(Now(session), "2025-07-01 00:00:00");

  for (const char* bad : {R"({})", R"({"set": "2025-07-01T00:00:00Z"})",
                          R"({"advance": 1, "set": "2025-07-01 00:00:00"})",
                          R"({"advance": "1"})", "nonsense"}) {
    EXPECT_EQ(session.process().Control("clock", bad).status, 400) << bad;
  }
}

TEST(SandboxClock, NaiveClockFollowsTheZone) {
  SandboxSession session({"--utc-offset", "-06:00"});
  rapidjson::Document clock =
      ParseJson(session.process().ControlGet("clock").body);
  EXPECT_EQ(Str(clock, "now"), "2025-06-02 03:00:00");
  EXPECT_EQ(Str(clock, "utc"), "2025-06-02T09:00:00Z");
  EXPECT_EQ(Str(clock, "utc_offset"), "-06:00");
}

TEST(SandboxMutations, EditChangesFieldsAndBumpsModifiedToTheClock) {
  SandboxSession session;
  session.process().Control("clock", R"({"advance": 3600})");
  std::string id = session.TruthIds("applicants")[7];
  rapidjson::Document before = Detail(session, "getApplicantDetails", id);

  rapidjson::Document response = session.Mutate(
      R"({"kind": "edit", "resource": "applicants", "id": ")" + id + R"("})");
  const auto& change = response["changes"][0];
  EXPECT_EQ(Str(change, "kind"), "edit");
  EXPECT_EQ(Str(change, "id"), id);
  EXPECT_EQ(Str(change, "resource"), "applicants");
  std::vector<std::string> fields = Fields(change);
  ASSERT_TRUE(Contains(fields, "modified_date"));
  ASSERT_GE(fields.size(), 2u);

  rapidjson::Document after = Detail(session, "getApplicantDetails", id);
  EXPECT_EQ(ModifiedNaive(after, "modified_date"), Now(session));
  for (const std::string& field : fields) {
    EXPECT_NE(Str(before, field.c_str()), Str(after, field.c_str())) << field;
  }
  EXPECT_EQ(Str(before, "email"), Str(after, "email"));

  rapidjson::Document changed = session.Page(
      std::string(kApplicants) + "?modifiedAfter=2025-06-02%2009:59:59");
  ASSERT_EQ(changed["count"].GetInt(), 1);
  EXPECT_EQ(Str(changed["results"][0], "id"), id);
}

TEST(SandboxMutations, EditWithoutAnIdPicksDistinctRecords) {
  SandboxSession session;
  rapidjson::Document response =
      session.Mutate(R"({"kind": "edit", "resource": "clients", "count": 4})");
  std::set<std::string> ids;
  for (const auto& change : response["changes"].GetArray()) {
    ids.insert(Str(change, "id"));
    EXPECT_TRUE(Contains(Fields(change), "updated_at"));
  }
  EXPECT_EQ(ids.size(), 4u);
}

TEST(SandboxMutations, HireAndPlaceMoveSubmissionStatus) {
  SandboxSession session;
  rapidjson::Document truth = session.Truth("submissions");
  std::vector<std::string> open;
  for (const auto& s : truth["records"].GetArray()) {
    std::string status = Str(s, "submission_status");
    if (status != "Hired" && status != "Placed") open.push_back(Str(s, "id"));
  }
  ASSERT_GE(open.size(), 2u);

  for (auto [kind, status, id] : {std::tuple{"hire", "Hired", open[0]},
                                  std::tuple{"place", "Placed", open[1]}}) {
    rapidjson::Document response = session.Mutate(
        std::string(R"({"kind": ")") + kind + R"(", "id": ")" + id + R"("})");
    const auto& change = response["changes"][0];
    EXPECT_EQ(Str(change, "kind"), kind);
    EXPECT_EQ(Fields(change),
              (std::vector<std::string>{"submission_status", "modified_date"}));
    rapidjson::Document after = Detail(session, "getSubmissionDetails", id);
    EXPECT_EQ(Str(after, "submission_status"), status);
  }
  EXPECT_EQ(session.process()
                .Control("mutate", R"({"kind": "hire", "resource": "users"})")
                .status,
            400);
}

TEST(SandboxMutations, CreateAddsRecordsStampedWithTheClock) {
  SandboxSession session;
  session.process().Control("clock", R"({"advance": 60})");
  rapidjson::Document response = session.Mutate(
      R"({"kind": "create", "resource": "applicants", "count": 2})");
  ASSERT_EQ(response["changes"].Size(), 2u);

  rapidjson::Document newest =
      session.Page(std::string(kApplicants) + "?limit=5");
  EXPECT_EQ(newest["count"].GetInt(), 62);
  EXPECT_EQ(Str(newest["results"][0], "id"), Str(response["changes"][1], "id"));
  EXPECT_EQ(Str(newest["results"][0], "created_at"), Now(session));
  EXPECT_EQ(Str(newest["results"][0], "applicant_id"), "APL-10062");
}

TEST(SandboxMutations, SubmissionsCanBeCreatedForANamedJob) {
  SandboxSession session;
  std::string job = session.TruthIds("job_postings")[3];
  rapidjson::Document response =
      session.Mutate(R"({"kind": "create", "resource": "submissions",)"
                     R"( "count": 3, "job_id": ")" +
                     job + R"("})");
  ASSERT_EQ(response["changes"].Size(), 3u);
  std::vector<std::string> listed =
      session.ReadAllIds("/v2/getSubmissionsList/?jobId=" + UrlEncode(job));
  for (const auto& change : response["changes"].GetArray()) {
    EXPECT_TRUE(Contains(listed, Str(change, "id")));
  }
}

TEST(SandboxMutations, DeletingAJobTakesItsSubmissionsAndInterviews) {
  SandboxSession session({"--interviews", "200", "--submissions", "40"});
  rapidjson::Document interviews = session.Truth("interviews");
  std::string interview = Str(interviews["records"][0], "id");
  std::string job = Str(interviews["records"][0], "job_id");
  std::vector<std::string> submissions =
      session.ReadAllIds("/v2/getSubmissionsList/?jobId=" + UrlEncode(job));
  ASSERT_FALSE(submissions.empty());

  rapidjson::Document response = session.Mutate(
      R"({"kind": "delete", "resource": "job_postings", "id": ")" + job +
      R"("})");
  std::set<std::string> deleted;
  for (const auto& change : response["changes"].GetArray()) {
    EXPECT_EQ(Str(change, "kind"), "delete");
    deleted.insert(Str(change, "id"));
  }
  EXPECT_TRUE(deleted.contains(job));
  EXPECT_TRUE(deleted.contains(interview));
  for (const std::string& submission : submissions) {
    EXPECT_TRUE(deleted.contains(submission));
    Detail(session, "getSubmissionDetails", submission, 404);
  }
  Detail(session, "getJobPostingDetails", job, 404);
  Detail(session, "getInterviewDetails", interview, 404);
  EXPECT_EQ(
      session.Api("/v2/getSubmissionsList/?jobId=" + UrlEncode(job)).status,
      404);
  std::vector<std::string> left = session.TruthIds("interviews");
  EXPECT_FALSE(Contains(left, interview));
  EXPECT_FALSE(Contains(session.TruthIds("submissions"), submissions[0]));
}

TEST(SandboxMutations, DeletedRecordsLeaveListsAndDetails) {
  SandboxSession session;
  std::string id = session.TruthIds("applicants")[0];
  session.Mutate(R"({"kind": "delete", "resource": "applicants", "id": ")" +
                 id + R"("})");
  Detail(session, "getApplicantDetails", id, 404);
  std::vector<std::string> listed = session.ReadAllIds(kApplicants);
  EXPECT_EQ(listed.size(), 59u);
  EXPECT_FALSE(Contains(listed, id));
  EXPECT_EQ(session.process()
                .Control("mutate", R"({"kind": "edit", "resource": )"
                                   R"("applicants", "id": ")" +
                                       id + R"("})")
                .status,
            404);
}

TEST(SandboxMutations, ABurstSharesOneModifiedSecond) {
  SandboxSession session;
  session.process().Control("clock", R"({"advance": 7200})");
  rapidjson::Document response = session.Mutate(
      R"({"kind": "burst", "resource": "applicants", "count": 5})");
  ASSERT_EQ(response["changes"].Size(), 5u);

  rapidjson::Document page = session.Page(
      std::string(kApplicants) +
      "?modifiedAfter=2025-06-02%2010:59:59&sortBy=modify_date&sortOrder=asc");
  EXPECT_EQ(page["count"].GetInt(), 5);
  for (const auto& record : page["results"].GetArray()) {
    EXPECT_EQ(ModifiedNaive(record, "modified_date"), "2025-06-02 11:00:00");
  }
  EXPECT_EQ(Str(response["changes"][0], "kind"), "burst");
}

TEST(SandboxMutations, TheJournalListsEveryMutationInOrder) {
  SandboxSession session;
  session.Mutate(R"({"kind": "edit", "resource": "users"})");
  session.process().Control("clock", R"({"advance": 5})");
  session.Mutate(R"({"kind": "create", "resource": "clients"})");
  session.Mutate(R"({"kind": "hire"})");

  rapidjson::Document journal =
      ParseJson(session.process().ControlGet("journal").body);
  ASSERT_TRUE(journal.IsArray());
  ASSERT_EQ(journal.Size(), 3u);
  const char* kinds[] = {"edit", "create", "hire"};
  const char* resources[] = {"users", "clients", "submissions"};
  for (unsigned i = 0; i < 3; ++i) {
    EXPECT_EQ(journal[i]["seq"].GetInt(), static_cast<int>(i + 1));
    EXPECT_EQ(Str(journal[i], "kind"), kinds[i]);
    EXPECT_EQ(Str(journal[i], "resource"), resources[i]);
    EXPECT_EQ(Str(journal[i], "id").size(), 44u);
    EXPECT_TRUE(journal[i]["fields"].IsArray());
  }
  EXPECT_EQ(Str(journal[0], "at"), "2025-06-02 09:00:00");
  EXPECT_EQ(Str(journal[2], "at"), "2025-06-02 09:00:05");
  EXPECT_FALSE(Fields(journal[0]).empty());
}

TEST(SandboxMutations, AScheduledMutationMakesPagesDrift) {
  SandboxSession session;
  std::vector<std::string> before = session.ReadAllIds(
      std::string(kApplicants) + "?sortBy=id&sortOrder=asc&limit=10");

  // Delete the first record of page 1 once page 1 has been served.
  rapidjson::Document scheduled = session.Mutate(
      R"({"kind": "delete", "resource": "applicants", "after_requests": 1,)"
      R"( "id": ")" +
      before[0] + R"("})");
  EXPECT_TRUE(scheduled["scheduled"].GetBool());
  EXPECT_EQ(scheduled["changes"].Size(), 0u);
  EXPECT_EQ(ParseJson(session.process().ControlGet("journal").body).Size(), 0u);

  std::string query =
      std::string(kApplicants) + "?sortBy=id&sortOrder=asc&limit=10&page=";
  rapidjson::Document page1 = session.Page(query + "1");
  rapidjson::Document page2 = session.Page(query + "2");
  EXPECT_EQ(Str(page1["results"][0], "id"), before[0]);
  EXPECT_EQ(page2["count"].GetInt(), 59);
  // Everything moved up one place: the old 11th record fell between pages.
  EXPECT_EQ(Str(page2["results"][0], "id"), before[11]);
  EXPECT_EQ(ParseJson(session.process().ControlGet("journal").body).Size(), 1u);
}

TEST(SandboxMutations, SameSeedSameMutations) {
  SandboxSession a({"--seed", "5"}), b({"--seed", "5"});
  for (SandboxSession* session : {&a, &b}) {
    session->Mutate(
        R"({"kind": "edit", "resource": "applicants", "count": 3})");
    session->Mutate(R"({"kind": "create", "resource": "job_postings"})");
    session->Mutate(R"({"kind": "delete", "resource": "clients"})");
  }
  EXPECT_EQ(a.process().ControlGet("journal").body,
            b.process().ControlGet("journal").body);
  EXPECT_EQ(a.process().ControlGet("truth?resource=applicants").body,
            b.process().ControlGet("truth?resource=applicants").body);
}

TEST(SandboxMutations, BadRequestsAreRefusedWithAMessage) {
  SandboxSession session;
  for (const char* body :
       {R"({"kind": "explode", "resource": "applicants"})",
        R"({"kind": "edit", "resource": "candidates"})", R"({"kind": "edit"})",
        R"({"kind": "edit", "resource": "users",)"
        R"( "count": 0})",
        R"({"kind": "edit", "resource": "users", "after_requests": -1})",
        "[1, 2]"}) {
    HttpResult result = session.process().Control("mutate", body);
    EXPECT_EQ(result.status, 400) << body;
    EXPECT_FALSE(Str(ParseJson(result.body), "message").starts_with("<"));
  }
  EXPECT_EQ(session.process()
                .Control("mutate", R"({"kind": "edit", "resource": "users",)"
                                   R"( "id": "not-an-id"})")
                .status,
            404);
}

TEST(SandboxTruth, DumpsEveryLiveRecordAsListsServeThem) {
  SandboxSession session;
  rapidjson::Document applicants = session.Truth("applicants");
  EXPECT_EQ(applicants["records"].Size(), 60u);
  rapidjson::Document jobs = session.Truth("job_postings");
  EXPECT_EQ(jobs["records"].Size(), 12u);
  EXPECT_TRUE(jobs["records"][0].HasMember("client"));
  EXPECT_EQ(session.process().ControlGet("truth?resource=nothing").status, 400);

  // The same bytes a list page carries for the same record.
  rapidjson::Document page =
      session.Page(std::string(kApplicants) + "?sortOrder=asc&limit=5");
  EXPECT_EQ(Str(page["results"][0], "id"), Str(applicants["records"][0], "id"));
  EXPECT_EQ(Str(page["results"][4], "modified_date"),
            Str(applicants["records"][4], "modified_date"));
}

TEST(SandboxStats, CountsRequestsPerEndpointAndStatus) {
  SandboxSession session;
  session.Api(kApplicants);
  session.Api(kApplicants);
  session.Api("/v2/getApplicantsList");
  session.Api("/v2/getUserDetails/unknown/");
  session.Api(std::string(kApplicants) + "?page=99");

  rapidjson::Document stats =
      ParseJson(session.process().ControlGet("stats").body);
  const auto& list = stats["endpoints"]["/v2/getApplicantsList/"];
  EXPECT_EQ(list["requests"].GetInt(), 3);
  EXPECT_EQ(list["statuses"]["200"].GetInt(), 2);
  EXPECT_EQ(list["statuses"]["404"].GetInt(), 1);
  EXPECT_EQ(list["rate_limited"].GetInt(), 0);
  EXPECT_EQ(stats["endpoints"]["/v2/getUserDetails/{id}/"]["requests"].GetInt(),
            1);
  EXPECT_EQ(stats["endpoints"]["/v2/getApplicantsList"]["requests"].GetInt(),
            1);
  EXPECT_EQ(stats["endpoints"]["/v2/createAuthtoken/"]["requests"].GetInt(), 1);
  EXPECT_EQ(stats["totals"]["requests"].GetInt(), 6);
}

TEST(SandboxStats, CountsRequestsInFlightAtOnce) {
  SandboxSession session({"--latency-ms", "1500"});
  HttpHeaders auth = Bearer(session.token());
  // Two lists of one endpoint and one of another, sent together, are held
  // back together by the latency.
  std::vector<std::thread> clients;
  for (const char* path : {kApplicants, kApplicants, "/v2/getUsersList/"}) {
    clients.emplace_back([&, path] {
      EXPECT_EQ(Get(session.url() + path, auth, 10000).status, 200);
    });
  }
  for (auto& c : clients) c.join();
  rapidjson::Document stats =
      ParseJson(session.process().ControlGet("stats").body);
  EXPECT_EQ(stats["in_flight"]["peak"].GetInt(), 3);
  EXPECT_EQ(stats["in_flight"]["peak_endpoints"].GetInt(), 2);

  // One after another, they never overlap; a reset starts the peaks again.
  ASSERT_EQ(session.process().Control("reset").status, 200);
  EXPECT_EQ(Get(session.url() + kApplicants, auth, 10000).status, 200);
  EXPECT_EQ(Get(session.url() + "/v2/getUsersList/", auth, 10000).status, 200);
  stats = ParseJson(session.process().ControlGet("stats").body);
  EXPECT_EQ(stats["in_flight"]["peak"].GetInt(), 1);
  EXPECT_EQ(stats["in_flight"]["peak_endpoints"].GetInt(), 1);
}

TEST(SandboxReset, RestoresTheStartUpState) {
  SandboxSession session({"--latency-ms", "1"});
  std::string truth_before =
      session.process().ControlGet("truth?resource=job_postings").body;
  session.Mutate(R"({"kind": "delete", "resource": "job_postings"})");
  session.Mutate(R"({"kind": "edit", "resource": "applicants",)"
                 R"( "after_requests": 5})");
  session.process().Control("clock", R"({"advance": 500})");
  session.process().Control("faults", R"({"fail_next": 3, "latency_ms": 0})");
  session.Api(kApplicants);

  ASSERT_EQ(session.process().Control("reset").status, 200);
  EXPECT_EQ(session.process().ControlGet("truth?resource=job_postings").body,
            truth_before);
  EXPECT_EQ(ParseJson(session.process().ControlGet("journal").body).Size(), 0u);
  EXPECT_EQ(Now(session), "2025-06-02 09:00:00");
  rapidjson::Document faults =
      ParseJson(session.process().ControlGet("faults").body);
  EXPECT_EQ(faults["fail_next"].GetInt(), 0);
  EXPECT_EQ(faults["latency_ms"].GetInt(), 1);
  rapidjson::Document stats =
      ParseJson(session.process().ControlGet("stats").body);
  EXPECT_EQ(stats["totals"]["requests"].GetInt(), 0);

  // The token survives; the scheduled edit is gone.
  for (int i = 0; i < 6; ++i) EXPECT_EQ(session.Api(kApplicants).status, 200);
  EXPECT_EQ(ParseJson(session.process().ControlGet("journal").body).Size(), 0u);
}

TEST(SandboxControl, UnknownControlPathsAre404) {
  SandboxSession session;
  EXPECT_EQ(session.process().ControlGet("nothing").status, 404);
  EXPECT_EQ(session.process().ControlGet("mutate").status, 404);
}

}  // namespace
}  // namespace ceipal::test
