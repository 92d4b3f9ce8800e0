#include "tools/fake_ceipal/record_renderer.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <cctype>
#include <map>
#include <set>

namespace ceipal::fake {
namespace {

struct World {
  explicit World(uint64_t seed, DatasetSizes sizes = {})
      : ids(seed), dataset(seed, sizes), renderer(dataset, ids, 0) {}

  rapidjson::Document Json(Resource resource, int64_t index,
                           bool detail = false) const {
    rapidjson::Document document;
    std::string text = renderer.Render(*dataset.Find(resource, index), detail);
    document.Parse(text.c_str(), text.size());
    return document;
  }

  IdCodec ids;
  Dataset dataset;
  RecordRenderer renderer;
};

std::vector<std::string> Keys(const rapidjson::Value& object) {
  std::vector<std::string> keys;
  for (const auto& member : object.GetObject()) {
    keys.emplace_back(member.name.GetString());
  }
  return keys;
}

TEST(RecordRenderer, EachResourceCarriesTheContractFields) {
  World world(42);
  std::map<Resource, std::vector<std::string>> expected = {
      {Resource::kApplicants,
       {"id",
        "applicant_id",
        "firstname",
        "middlename",
        "lastname",
        "consultant_name",
        "email",
        "email_address_1",
        "mobile_number",
        "home_phone_number",
        "address",
        "city",
        "state",
        "country",
        "job_title",
        "skills",
        "source",
        "applicant_status",
        "work_authorization",
        "created_by",
        "created_at",
        "modified_date",
        "resume_path",
        "visa_expiry_date",
        "preferred_shift"}},
      {Resource::kJobPostings,
       {"id",
        "job_code",
        "position_title",
        "public_job_title",
        "job_status",
        "employment_type",
        "tax_terms",
        "business_unit_id",
        "company",
        "city",
        "state",
        "country",
        "postal_code",
        "remote_opportunities",
        "skills",
        "number_of_positions",
        "assigned_recruiter",
        "primary_recruiter",
        "pay_rates",
        "public_job_desc",
        "requisition_description",
        "job_start_date",
        "job_end_date",
        "created",
        "modified",
        "client_bill_rate___salary"}},
      {Resource::kSubmissions,
       {"id", "job_id", "applicant_id", "submission_status", "pipeline_status",
        "source", "submitted_by", "submitted_on", "pay_rate", "employment_type",
        "modified_date"}},
      {Resource::kInterviews,
       {"id", "submission_id", "job_id", "applicant_id", "interview_round",
        "interview_type", "interview_status", "interview_date", "time_zone",
        "interviewer", "created", "modified"}},
      {Resource::kPlacements,
       {"id", "applicant_id", "job_id", "employee_name", "employee_number",
        "email", "placement_status", "is_confirmation", "business_unit_id",
        "revenue_type", "created", "modified", "placement_details",
        "client_details", "payment_details"}},
      {Resource::kClients,
       {"id", "name", "website", "industry_exp", "status", "category",
        "address", "city", "state", "country", "zipcode", "contact_number",
        "created_at", "updated_at", "modified_by", "contacts"}},
      {Resource::kUsers,
       {"id", "display_name", "email_id", "first_name", "last_name", "role",
        "status"}},
  };
  for (const auto& [resource, fields] : expected) {
    rapidjson::Document record = world.Json(resource, 3);
    ASSERT_FALSE(record.HasParseError()) << Info(resource).name;
    EXPECT_EQ(Keys(record), fields) << Info(resource).name;
  }
}

TEST(RecordRenderer, JobDetailAddsTheClientName) {
  World world(42);
  rapidjson::Document list_item = world.Json(Resource::kJobPostings, 4);
  rapidjson::Document detail = world.Json(Resource::kJobPostings, 4, true);
  EXPECT_FALSE(list_item.HasMember("client"));
  ASSERT_TRUE(detail.HasMember("client"));
  int64_t client = world.dataset.Find(Resource::kJobPostings, 4)->links.client;
  EXPECT_EQ(
      std::string(detail["client"].GetString()),
      std::string(world.Json(Resource::kClients, client)["name"].GetString()));
}

TEST(RecordRenderer, SameSeedSameBytesOtherSeedOtherBytes) {
  World a(42), b(42), c(43);
  for (Resource resource : AllResources()) {
    RecordState state = *a.dataset.Find(resource, 2);
    EXPECT_EQ(a.renderer.Render(state, true), b.renderer.Render(state, true));
    EXPECT_NE(a.renderer.Render(state, true),
              c.renderer.Render(*c.dataset.Find(resource, 2), true));
  }
}

TEST(RecordRenderer, ValuesAreRealisticallyMessy) {
  World world(42);
  std::set<std::string> sentinels;
  int iso = 0, naive = 0, non_ascii = 0;
  for (int64_t i = 0; i < 200; ++i) {
    rapidjson::Document record = world.Json(Resource::kApplicants, i);
    std::string modified = record["modified_date"].GetString();
    (modified.ends_with("Z") ? iso : naive)++;
    for (const char* field :
         {"email_address_1", "home_phone_number", "visa_expiry_date"}) {
      std::string value = record[field].GetString();
      if (value.empty() || value == "NA" || value == "N/A") {
        sentinels.insert(value);
      }
    }
    std::string name = record["consultant_name"].GetString();
    non_ascii += std::any_of(name.begin(), name.end(),
                             [](char c) { return (c & 0x80) != 0; });
    EXPECT_NE(std::string(record["skills"].GetString()).find(", "),
              std::string::npos);
  }
  EXPECT_GT(iso, 10);
  EXPECT_GT(naive, 100);
  EXPECT_EQ(sentinels, (std::set<std::string>{"", "NA", "N/A"}));
  EXPECT_GT(non_ascii, 10);

  rapidjson::Document job = world.Json(Resource::kJobPostings, 0);
  EXPECT_NE(std::string(job["public_job_desc"].GetString()).find("&amp;"),
            std::string::npos);
  EXPECT_NE(
      std::string(job["requisition_description"].GetString()).find("&lt;p&gt;"),
      std::string::npos);
}

// Addresses are built from names the way people spell them in one: accents
// folded to their ASCII letters, a name in another script left out.
TEST(RecordRenderer, EmailsSpellAccentedNamesInAscii) {
  const std::map<std::string, std::string> folded = {
      {"José", "jose"},
      {"Søren", "soren"},
      {"Zoë", "zoe"},
      {"Émilie", "emilie"},
      {"Björn", "bjorn"},
      {"Inês", "ines"},
      {"Tomás", "tomas"},
      {"Sofía", "sofia"},
      {"Chloé", "chloe"},
      {"García", "garcia"},
      {"Ødegaard", "odegaard"},
      {"Müller", "muller"},
      {"O'Brien", "obrien"},
      {"Nguyễn", "nguyen"},
      {"Fernández", "fernandez"},
      {"李", ""},
  };
  auto expected = [&](std::string name) {
    if (auto space = name.find(' '); space != std::string::npos) {
      name.resize(space);  // the emoji some first names carry
    }
    if (auto found = folded.find(name); found != folded.end()) {
      return found->second;
    }
    std::string letters;
    for (char c : name) letters += static_cast<char>(std::tolower(c));
    return letters;
  };

  World world(42);
  std::set<std::string> met;
  for (int64_t i = 0; i < 500; ++i) {
    rapidjson::Document record = world.Json(Resource::kApplicants, i);
    std::string first = record["firstname"].GetString();
    std::string last = record["lastname"].GetString();
    std::string email = record["email"].GetString();
    std::string local = email.substr(0, email.find('@'));
    while (!local.empty() && std::isdigit(local.back())) local.pop_back();
    std::string want = expected(first);
    if (std::string surname = expected(last); !surname.empty()) {
      want += "." + surname;
    }
    EXPECT_EQ(local, want) << first << " " << last << ": " << email;
    for (const std::string& name : {first.substr(0, first.find(' ')), last}) {
      if (folded.contains(name)) met.insert(name);
    }
  }
  EXPECT_EQ(met.size(), folded.size()) << "some accented names never drawn";
}

TEST(RecordRenderer, NestedArraysHaveTheirShapes) {
  World world(42);
  int rates = 0;
  for (int64_t i = 0; i < 30; ++i) {
    rates += world.Json(Resource::kJobPostings, i)["pay_rates"].Size();
    EXPECT_LE(world.Json(Resource::kJobPostings, i)["pay_rates"].Size(), 2u);
    rapidjson::Document client = world.Json(Resource::kClients, i % 10);
    EXPECT_GE(client["contacts"].Size(), 1u);
    EXPECT_LE(client["contacts"].Size(), 3u);
  }
  EXPECT_GT(rates, 0);
  rapidjson::Document placement = world.Json(Resource::kPlacements, 1);
  EXPECT_TRUE(placement["placement_details"][0].HasMember("recruiter"));
  EXPECT_TRUE(placement["client_details"][0].HasMember("client_name"));
  EXPECT_TRUE(placement["payment_details"][0].HasMember("bill_rate"));
}

TEST(RecordRenderer, AnEditRedrawsSomeFieldsAndKeepsIdentity) {
  World world(42);
  RecordState before = *world.dataset.Find(Resource::kApplicants, 5);
  RecordState after = before;
  after.version = 1;
  after.modified = kSandboxStart;
  std::vector<std::string> changed =
      world.renderer.ChangedFields(before, after);
  EXPECT_NE(std::find(changed.begin(), changed.end(), "modified_date"),
            changed.end());
  for (const char* fixed :
       {"id", "applicant_id", "firstname", "lastname", "email", "created_at"}) {
    EXPECT_EQ(std::find(changed.begin(), changed.end(), fixed), changed.end())
        << fixed;
  }
}

TEST(RecordRenderer, AForcedStatusWins) {
  World world(42);
  RecordState state = *world.dataset.Find(Resource::kSubmissions, 0);
  state.status = "Hired";
  EXPECT_EQ(world.renderer.StatusOf(state), "Hired");
  rapidjson::Document record;
  std::string text = world.renderer.Render(state, false);
  record.Parse(text.c_str());
  EXPECT_STREQ(record["submission_status"].GetString(), "Hired");
}

}  // namespace
}  // namespace ceipal::fake
