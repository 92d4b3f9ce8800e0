#include "engine/normalizer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "engine/page_decoder.h"

namespace ceipal::engine {
namespace {

const SourceClock kUtc{};

// The applicant of ceipal-api.md section 3.2, with a modified field.
constexpr const char* kApplicant = R"json({
  "id": "q9Lr2Kx7PzW1mT4vB8nC0dE5fGhJ3kL6mN9pQ2rS4tU=",
  "applicant_id": "APL-20931",
  "firstname": "Dana",
  "middlename": "",
  "lastname": "Okafor",
  "consultant_name": "Dana Okafor",
  "email": "dana.okafor@example.org",
  "email_address_1": "",
  "mobile_number": "+1 555 010 2233",
  "home_phone_number": "NA",
  "address": "12 Elm Row",
  "city": "Austin",
  "state": "Texas",
  "country": "United States",
  "job_title": "Senior Data Engineer",
  "skills": "Python, Spark, Airflow",
  "source": "LinkedIn",
  "applicant_status": "Available",
  "work_authorization": "US Citizen",
  "created_by": "q9Lr2Kx7PzW1mT4vB8nC0a1b2c3d4e5f6g7h8i9j0k1=",
  "created_at": "2025-03-14 09:22:10",
  "modified_date": "2025-05-12T06:38:35Z",
  "resume_path": "https://files.example.invalid/resumes/abc.pdf",
  "visa_expiry_date": null,
  "years": 7,
  "rate": 62.5,
  "remote": true
})json";

// The job posting of ceipal-api.md section 3.3, trimmed.
constexpr const char* kJob = R"json({
  "id": "Hh7Qa0Zx3Vb9Nm2Lk5Jp8Rt1Yu4Io6Pe0Wq3As7Df2=",
  "job_code": "JPC - 4471",
  "position_title": "Java Developer",
  "public_job_title": "Java Developer (Hybrid)",
  "job_status": "Active",
  "employment_type": "Contract",
  "business_unit_id": 3,
  "company": 1187,
  "city": "Dallas",
  "state": "Texas",
  "country": "United States",
  "number_of_positions": "2",
  "primary_recruiter": "Priya Raman",
  "pay_rates": [
    {"pay_rate": "60-70", "min_pay_rate": "60", "max_pay_rate": 70.5,
     "pay_rate_currency": "USD", "pay_rate_pay_frequency_type": "Hourly",
     "pay_rate_employment_type": "Contract"},
    {"pay_rate": "N/A", "min_pay_rate": "N/A", "max_pay_rate": "",
     "pay_rate_currency": "USD"}
  ],
  "job_start_date": "2025-04-01",
  "job_end_date": "2025-12-31 00:00:00",
  "created": "2025-02-20 14:05:00",
  "modified": "2025-03-02T10:41:27Z",
  "client_bill_rate___salary": "95"
})json";

// The placement of ceipal-api.md section 3.6.
constexpr const char* kPlacement = R"json({
  "id": "Pl3Kj6Hg9Fd2Sa5Qw8Er1Ty4Ui7Op0Zx3Cv6Bn9Mm2=",
  "applicant_id": "q9Lr2Kx7PzW1mT4vB8nC0dE5fGhJ3kL6mN9pQ2rS4tU=",
  "job_id": "Hh7Qa0Zx3Vb9Nm2Lk5Jp8Rt1Yu4Io6Pe0Wq3As7Df2=",
  "employee_name": "Dana Okafor",
  "employee_number": "EMP-0912",
  "email": "dana.okafor@example.org",
  "placement_status": "Active",
  "is_confirmation": 1,
  "created": "2025-03-20 08:00:00",
  "modified": "2025-03-21 12:30:00",
  "placement_details": [{"job_start_date": "2025-04-01",
                         "job_end_date": "2025-12-31",
                         "recruiter": "Priya Raman"}],
  "client_details": [{"client_name": "Northwind Health", "city": "Dallas"}],
  "payment_details": [{"currency": "USD", "pay_rate": 65, "bill_rate": "95.50"}]
})json";

constexpr const char* kClient = R"json({
  "id": "Cl5Tt8Yy1Uu4Ii7Oo0Pp3Aa6Ss9Dd2Ff5Gg8Hh1Jj4=",
  "name": "Northwind Health",
  "industry_exp": "Healthcare",
  "status": "Active",
  "category": "Direct Client",
  "created_at": "2024-11-02 10:00:00",
  "updated_at": "2025-02-28 17:45:12",
  "contacts": [
    {"id": "Ct1=", "first_name": "Ana", "last_name": "Silva",
     "email": "ana@northwind.example", "phone": "NA"},
    {"id": "Ct2=", "first_name": "Bo", "last_name": "Li"}
  ]
})json";

class NormalizerTest : public ::testing::Test {
 protected:
  const ResourceSpec& Spec(std::string_view name) {
    const ResourceSpec* spec = catalogue_.Find(name);
    EXPECT_NE(spec, nullptr) << name;
    return *spec;
  }

  Result<NormalizedRecord> Run(std::string_view resource,
                               const std::string& json,
                               const SourceClock& clock = kUtc) {
    doc_.Parse(json.data(), json.size());
    EXPECT_FALSE(doc_.HasParseError()) << json;
    return Normalize(Spec(resource), doc_, json, clock);
  }

  NormalizedRecord Must(std::string_view resource, const std::string& json,
                        const SourceClock& clock = kUtc) {
    auto rec = Run(resource, json, clock);
    EXPECT_TRUE(rec.has_value()) << rec.error().message;
    return rec ? std::move(*rec) : NormalizedRecord{};
  }

  std::string ErrorOf(std::string_view resource, const std::string& json) {
    auto rec = Run(resource, json);
    EXPECT_FALSE(rec.has_value()) << json;
    if (rec) return "";
    EXPECT_EQ(rec.error().kind, ErrorKind::kSchema);
    return rec.error().message;
  }

  // The value of `column` in `rec`, by the spec's bind order.
  SqlValue Get(std::string_view resource, const NormalizedRecord& rec,
               std::string_view column) {
    const ResourceSpec& spec = Spec(resource);
    size_t index = 0;
    for (const auto* list : {&spec.columns, &spec.detail_columns}) {
      for (const FieldMap& field : *list) {
        if (field.column == column) return rec.columns.at(index);
        ++index;
      }
    }
    ADD_FAILURE() << "no column " << column;
    return {};
  }

  // One column of an applicant whose only other fields are the id and
  // `field` set to the JSON text `value`.
  Result<NormalizedRecord> WithField(std::string_view resource,
                                     const std::string& field,
                                     const std::string& value) {
    return Run(resource, R"({"id": "x=", ")" + field + "\": " + value + "}");
  }

  Catalogue catalogue_ = DefaultCatalogue();
  rapidjson::Document doc_;
};

SqlValue Text(const char* text) { return std::string(text); }
const SqlValue kNull{};

TEST_F(NormalizerTest, MapsAnApplicantToItsMirrorColumns) {
  NormalizedRecord rec = Must("applicants", kApplicant);
  EXPECT_EQ(rec.id, "q9Lr2Kx7PzW1mT4vB8nC0dE5fGhJ3kL6mN9pQ2rS4tU=");
  EXPECT_EQ(rec.columns,
            (std::vector<SqlValue>{
                Text("APL-20931"), Text("Dana"), kNull, Text("Okafor"),
                Text("dana.okafor@example.org"), Text("+1 555 010 2233"),
                Text("Austin"), Text("Texas"), Text("United States"),
                Text("Senior Data Engineer"), Text("Python, Spark, Airflow"),
                Text("LinkedIn"), Text("Available"), Text("US Citizen"),
                Text("q9Lr2Kx7PzW1mT4vB8nC0a1b2c3d4e5f6g7h8i9j0k1="),
                Text("2025-03-14T09:22:10Z")}));
  EXPECT_EQ(rec.modified_source, "2025-05-12T06:38:35Z");
  EXPECT_EQ(rec.modified_unix, 1747031915);
  EXPECT_EQ(rec.raw_json, kApplicant);
  EXPECT_TRUE(rec.children.empty());
  EXPECT_EQ(rec.content_hash, ContentHash(rec));
}

TEST_F(NormalizerTest, KeepsUnmappedTopLevelScalarsAsCustomFields) {
  NormalizedRecord rec = Must("applicants", kApplicant);
  std::vector<std::pair<std::string, std::string>> expected = {
      {"address", "12 Elm Row"},
      {"consultant_name", "Dana Okafor"},
      {"email_address_1", ""},
      {"home_phone_number", "NA"},
      {"rate", "62.5"},
      {"remote", "true"},
      {"resume_path", "https://files.example.invalid/resumes/abc.pdf"},
      {"years", "7"},
  };
  EXPECT_EQ(rec.custom_fields, expected);
}

TEST_F(NormalizerTest, CustomFieldsSkipNestedValuesAndEveryMappedField) {
  NormalizedRecord job = Must("job_postings", kJob);
  std::vector<std::pair<std::string, std::string>> expected = {
      {"client_bill_rate___salary", "95"}, {"company", "1187"}};
  EXPECT_EQ(job.custom_fields, expected);

  // "client" is read by the detail call, not kept as a custom field.
  NormalizedRecord with_client =
      Must("job_postings", R"({"id": "j=", "client": "Acme", "odd": -0.25})");
  EXPECT_EQ(
      with_client.custom_fields,
      (std::vector<std::pair<std::string, std::string>>{{"odd", "-0.25"}}));
}

TEST_F(NormalizerTest, CustomFieldsKeepTheFirstOfARepeatedKey) {
  NormalizedRecord rec =
      Must("users", R"({"id": "u=", "team": "A", "team": "B", "z": 1})");
  EXPECT_EQ(rec.custom_fields,
            (std::vector<std::pair<std::string, std::string>>{{"team", "A"},
                                                              {"z", "1"}}));
}

TEST_F(NormalizerTest, TurnsSentinelsIntoNullInEveryColumnType) {
  for (const char* sentinel :
       {R"("")", R"("NA")", R"("N/A")", R"("n/a")", R"(" N/A ")", "null"}) {
    std::string json =
        std::string(R"({"id": "j=", "position_title": )") + sentinel +
        R"(, "number_of_positions": )" + sentinel + R"(, "job_start_date": )" +
        sentinel + R"(, "created": )" + sentinel +
        R"(, "pay_rates": [{"min_pay_rate": )" + sentinel + "}]}";
    NormalizedRecord rec = Must("job_postings", json);
    EXPECT_EQ(Get("job_postings", rec, "title"), kNull) << sentinel;
    EXPECT_EQ(Get("job_postings", rec, "positions"), kNull) << sentinel;
    EXPECT_EQ(Get("job_postings", rec, "start_date"), kNull) << sentinel;
    EXPECT_EQ(Get("job_postings", rec, "created_at"), kNull) << sentinel;
    EXPECT_EQ(rec.children[0][0][1], kNull) << sentinel;
    EXPECT_EQ(rec.raw_json, json);
  }
}

TEST_F(NormalizerTest, KeepsOtherStringsAsReceivedInTextColumns) {
  auto rec = WithField("users", "role", R"(" Recruiter ")");
  ASSERT_TRUE(rec.has_value());
  EXPECT_EQ(Get("users", *rec, "role"), Text(" Recruiter "));
  rec = WithField("users", "role", R"("na")");
  ASSERT_TRUE(rec.has_value());
  EXPECT_EQ(Get("users", *rec, "role"), Text("na"));
}

TEST_F(NormalizerTest, PrintsNumbersAndBooleansInTextColumns) {
  const std::pair<const char*, const char*> cases[] = {
      {"65", "65"},
      {"65.5", "65.5"},
      {"-3", "-3"},
      {"1e3", "1000"},
      {"true", "true"},
      {"false", "false"},
      {"18446744073709551615", "18446744073709551615"}};
  for (const auto& [json, text] : cases) {
    auto rec = WithField("submissions", "pay_rate", json);
    ASSERT_TRUE(rec.has_value()) << json;
    EXPECT_EQ(Get("submissions", *rec, "pay_rate"), Text(text)) << json;
  }
}

TEST_F(NormalizerTest, TypesIntegerColumns) {
  const std::pair<const char*, int64_t> cases[] = {
      {"3", 3},
      {R"("3")", 3},
      {R"(" 3 ")", 3},
      {R"("+3")", 3},
      {"-7", -7},
      {"3.0", 3},
      {R"("3.0")", 3},
      {R"("1e3")", 1000},
      {"true", 1},
      {"false", 0},
      {"9223372036854775807", INT64_MAX}};
  for (const auto& [json, value] : cases) {
    auto rec = WithField("job_postings", "number_of_positions", json);
    ASSERT_TRUE(rec.has_value()) << json << ": " << rec.error().message;
    EXPECT_EQ(Get("job_postings", *rec, "positions"), SqlValue{value}) << json;
  }
}

TEST_F(NormalizerTest, RejectsWhatIsNotAnIntegerInAnIntegerColumn) {
  for (const char* json :
       {R"("3.5")", "3.5", R"("three")", R"("3 4")", R"("0x10")", "1e300",
        "18446744073709551615", R"("9223372036854775808")", R"("nan")",
        R"({"n": 3})", "[3]"}) {
    auto rec = WithField("job_postings", "number_of_positions", json);
    ASSERT_FALSE(rec.has_value()) << json;
    EXPECT_EQ(rec.error().kind, ErrorKind::kSchema);
    EXPECT_NE(rec.error().message.find(
                  "job_postings record x=: column 'positions' from "
                  "'number_of_positions': "),
              std::string::npos)
        << rec.error().message;
  }
}

TEST_F(NormalizerTest, TypesRealColumns) {
  const std::pair<const char*, double> cases[] = {
      {"60", 60.0},      {R"("60.5")", 60.5}, {R"(" 60.5 ")", 60.5},
      {R"("1e3")", 1e3}, {"-0.25", -0.25},    {"true", 1.0},
      {"false", 0.0},    {R"("+2")", 2.0}};
  for (const auto& [json, value] : cases) {
    std::string job = std::string(R"({"id": "j=", "pay_rates": [)") +
                      R"({"min_pay_rate": )" + json + "}]}";
    NormalizedRecord rec = Must("job_postings", job);
    EXPECT_EQ(rec.children[0][0][1], SqlValue{value}) << json;
  }
}

TEST_F(NormalizerTest, RejectsWhatIsNotANumberInARealColumn) {
  for (const char* json : {R"("60-70")", R"("$60")", R"("inf")", R"("nan")",
                           R"("1,5")", "[]", "{}"}) {
    std::string job = std::string(R"({"id": "j=", "pay_rates": [)") +
                      R"({"min_pay_rate": )" + json + "}]}";
    std::string message = ErrorOf("job_postings", job);
    EXPECT_NE(message.find("job_pay_rates row 0 column 'min_pay_rate'"),
              std::string::npos)
        << message;
  }
}

TEST_F(NormalizerTest, ConvertsTimestampsOfBothFormsToUtc) {
  NormalizedRecord naive = Must(
      "submissions", R"({"id": "s=", "submitted_on": "2025-03-05 16:20:44"})");
  EXPECT_EQ(Get("submissions", naive, "submitted_at"),
            Text("2025-03-05T16:20:44Z"));
  NormalizedRecord iso =
      Must("submissions",
           R"({"id": "s=", "submitted_on": "2025-03-05T10:20:44.250-06:00"})");
  EXPECT_EQ(Get("submissions", iso, "submitted_at"),
            Text("2025-03-05T16:20:44Z"));
}

TEST_F(NormalizerTest, ReadsNaiveTimestampsInTheSourceZone) {
  const std::string json =
      R"({"id": "i=", "interview_date": "2025-03-10 09:00:00",)"
      R"( "created": "2025-03-06T11:02:09Z",)"
      R"( "modified": "2025-03-06 05:02:09"})";
  NormalizedRecord rec = Must("interviews", json, SourceClock{-360});
  EXPECT_EQ(Get("interviews", rec, "scheduled_at"),
            Text("2025-03-10T15:00:00Z"));
  EXPECT_EQ(Get("interviews", rec, "created_at"), Text("2025-03-06T11:02:09Z"));
  EXPECT_EQ(rec.modified_source, "2025-03-06 05:02:09");
  EXPECT_EQ(FormatUtc(*rec.modified_unix), "2025-03-06T11:02:09Z");
}

TEST_F(NormalizerTest, ConvertsDatesAndKeepsTheDateOfATimestamp) {
  NormalizedRecord job = Must("job_postings", kJob);
  EXPECT_EQ(Get("job_postings", job, "start_date"), Text("2025-04-01"));
  EXPECT_EQ(Get("job_postings", job, "end_date"), Text("2025-12-31"));
}

TEST_F(NormalizerTest, RejectsUnparsableTimestampsAndDates) {
  std::string message = ErrorOf(
      "applicants", R"({"id": "a=", "created_at": "2025-13-01 00:00:00"})");
  EXPECT_EQ(message,
            "applicants record a=: column 'created_at' from 'created_at': "
            "unparsable timestamp '2025-13-01 00:00:00': month out of range");
  EXPECT_NE(ErrorOf("applicants", R"({"id": "a=", "created_at": 1741944130})")
                .find("expected a timestamp, got a number"),
            std::string::npos);
  EXPECT_NE(ErrorOf("job_postings", R"({"id": "j=", "job_end_date": "02/30"})")
                .find("column 'end_date'"),
            std::string::npos);
  EXPECT_NE(ErrorOf("job_postings", R"({"id": "j=", "job_end_date": true})")
                .find("expected a date, got a boolean"),
            std::string::npos);
}

TEST_F(NormalizerTest, RejectsAnObjectWhereAScalarIsExpected) {
  EXPECT_EQ(ErrorOf("users", R"({"id": "u=", "display_name": {"a": 1}})"),
            "users record u=: column 'display_name' from 'display_name': "
            "expected a scalar, got an object");
  EXPECT_NE(
      ErrorOf("users", R"({"id": "u=", "role": ["a"]})").find("got an array"),
      std::string::npos);
}

TEST_F(NormalizerTest, TreatsMissingFieldsAsNull) {
  NormalizedRecord rec = Must("applicants", R"({"id": "a="})");
  EXPECT_EQ(rec.columns.size(), Spec("applicants").columns.size());
  for (const SqlValue& value : rec.columns) EXPECT_EQ(value, kNull);
  EXPECT_EQ(rec.modified_source, "");
  EXPECT_FALSE(rec.modified_unix.has_value());
  EXPECT_TRUE(rec.custom_fields.empty());
}

TEST_F(NormalizerTest, FollowsNestedPathsIntoArrays) {
  NormalizedRecord rec = Must("placements", kPlacement);
  EXPECT_EQ(Get("placements", rec, "start_date"), Text("2025-04-01"));
  EXPECT_EQ(Get("placements", rec, "end_date"), Text("2025-12-31"));
  EXPECT_EQ(Get("placements", rec, "client_name"), Text("Northwind Health"));
  EXPECT_EQ(Get("placements", rec, "pay_rate"), Text("65"));
  EXPECT_EQ(Get("placements", rec, "bill_rate"), Text("95.50"));
  EXPECT_EQ(Get("placements", rec, "currency"), Text("USD"));
  EXPECT_EQ(Get("placements", rec, "status"), Text("Active"));
  EXPECT_EQ(Get("placements", rec, "created_at"), Text("2025-03-20T08:00:00Z"));
  EXPECT_EQ(rec.custom_fields,
            (std::vector<std::pair<std::string, std::string>>{
                {"is_confirmation", "1"}}));
}

TEST_F(NormalizerTest, ReadsNullWhereANestedPathLeadsNowhere) {
  for (const char* json : {
           R"({"id": "p=", "placement_details": []})",
           R"({"id": "p=", "placement_details": {"0": 1}})",
           R"({"id": "p=", "placement_details": "2025-04-01"})",
           R"({"id": "p=", "placement_details": [null]})",
           R"({"id": "p=", "placement_details": [{"job_start_date": null}]})",
       }) {
    NormalizedRecord rec = Must("placements", json);
    EXPECT_EQ(Get("placements", rec, "start_date"), kNull) << json;
  }
}

TEST_F(NormalizerTest, TakesTheFirstPresentAlternative) {
  auto doc = rapidjson::Document();
  doc.Parse(R"({"applicants": {"modified_field": "modified_date|modify_date",
                "columns": {"email": "email|email_address_1"}}})");
  ASSERT_TRUE(ApplyOverrides(catalogue_, doc).has_value());

  NormalizedRecord rec =
      Must("applicants",
           R"({"id": "a=", "modified_date": null, "modify_date": "2025-01-02",)"
           R"( "email_address_1": "b@x.example"})");
  EXPECT_EQ(rec.modified_source, "2025-01-02");
  EXPECT_EQ(Get("applicants", rec, "email"), Text("b@x.example"));
  EXPECT_TRUE(rec.custom_fields.empty());
}

TEST_F(NormalizerTest, QuarantinesRecordsWithoutAUsableId) {
  EXPECT_EQ(ErrorOf("applicants", R"({"firstname": "Dana"})"),
            "applicants record: no id field 'id'");
  EXPECT_EQ(ErrorOf("applicants", R"({"id": null})"),
            "applicants record: no id field 'id'");
  EXPECT_EQ(ErrorOf("applicants", R"({"id": ""})"),
            "applicants record: empty id");
  EXPECT_EQ(ErrorOf("applicants", R"({"id": "  "})"),
            "applicants record: empty id");
  EXPECT_EQ(ErrorOf("applicants", R"({"id": 42})"),
            "applicants record: id is a number, not a string");
  EXPECT_EQ(ErrorOf("applicants", R"({"id": {"v": "a"}})"),
            "applicants record: id is an object, not a string");
}

TEST_F(NormalizerTest, QuarantinesRecordsThatAreNotObjects) {
  EXPECT_EQ(ErrorOf("clients", "null"),
            "clients record: is null, not an object");
  EXPECT_EQ(ErrorOf("clients", R"([{"id": "c="}])"),
            "clients record: is an array, not an object");
  EXPECT_EQ(ErrorOf("clients", R"("c=")"),
            "clients record: is a string, not an object");
}

TEST_F(NormalizerTest, QuarantinesInvalidUtf8NamingWhere) {
  EXPECT_EQ(
      ErrorOf("applicants", "{\"id\": \"a=\", \"firstname\": \"D\xC3\x28na\"}"),
      "applicants record: invalid UTF-8 in firstname");
  EXPECT_EQ(
      ErrorOf("job_postings",
              "{\"id\": \"j=\", \"pay_rates\": [{}, {\"pay_rate_currency\": "
              "\"\xFF\"}]}"),
      "job_postings record: invalid UTF-8 in pay_rates.1.pay_rate_currency");
  EXPECT_EQ(ErrorOf("users", "{\"id\": \"u=\", \"k\xE0\x80\xAF\": 1}"),
            "users record: invalid UTF-8 in a key");
  // Surrogates and overlong forms are not UTF-8 either.
  EXPECT_NE(ErrorOf("users", "{\"id\": \"u\xED\xA0\x80=\"}").find("in id"),
            std::string::npos);
  EXPECT_NE(ErrorOf("users", "{\"id\": \"u=\", \"x\": \"\xC0\xAF\"}")
                .find("invalid UTF-8 in x"),
            std::string::npos);
  EXPECT_NE(ErrorOf("users", "{\"id\": \"u=\", \"x\": \"\xF4\x90\x80\x80\"}")
                .find("invalid UTF-8 in x"),
            std::string::npos);
  EXPECT_NE(ErrorOf("users", "{\"id\": \"u=\", \"x\": \"\xE6\x9D\"}")
                .find("invalid UTF-8 in x"),
            std::string::npos);
}

TEST_F(NormalizerTest, AcceptsMultilingualText) {
  NormalizedRecord rec =
      Must("applicants",
           "{\"id\": \"a=\", \"firstname\": \"Zo\xC3\xAB \xE6\x9D\x8E "
           "\xF0\x9F\x98\x80\", \"lastname\": \"\\u00f8\\ud83d\\ude00\"}");
  EXPECT_EQ(Get("applicants", rec, "first_name"),
            Text("Zo\xC3\xAB \xE6\x9D\x8E \xF0\x9F\x98\x80"));
  EXPECT_EQ(Get("applicants", rec, "last_name"),
            Text("\xC3\xB8\xF0\x9F\x98\x80"));
}

TEST_F(NormalizerTest, QuarantinesAnUnparsableModifiedField) {
  EXPECT_EQ(ErrorOf("clients", R"({"id": "c=", "updated_at": "yesterday"})"),
            "clients record c=: modified field 'updated_at': unparsable "
            "timestamp 'yesterday': expected YYYY-MM-DD");
  EXPECT_NE(ErrorOf("clients", R"({"id": "c=", "updated_at": 17})")
                .find("is a number, not a timestamp"),
            std::string::npos);
  NormalizedRecord sentinel =
      Must("clients", R"({"id": "c=", "updated_at": "N/A"})");
  EXPECT_EQ(sentinel.modified_source, "");
  EXPECT_FALSE(sentinel.modified_unix.has_value());
}

TEST_F(NormalizerTest, BuildsChildRowsInArrayOrder) {
  NormalizedRecord job = Must("job_postings", kJob);
  ASSERT_EQ(job.children.size(), 1u);
  ASSERT_EQ(job.children[0].size(), 2u);
  EXPECT_EQ(
      job.children[0][0],
      (std::vector<SqlValue>{Text("60-70"), SqlValue{60.0}, SqlValue{70.5},
                             Text("USD"), Text("Hourly"), Text("Contract")}));
  EXPECT_EQ(
      job.children[0][1],
      (std::vector<SqlValue>{kNull, kNull, kNull, Text("USD"), kNull, kNull}));
  EXPECT_EQ(Get("job_postings", job, "positions"), SqlValue{int64_t{2}});
  EXPECT_EQ(Get("job_postings", job, "business_unit_id"), SqlValue{int64_t{3}});
}

TEST_F(NormalizerTest, BuildsKeyedChildRows) {
  NormalizedRecord client = Must("clients", kClient);
  ASSERT_EQ(client.children.size(), 1u);
  EXPECT_EQ(client.children[0],
            (std::vector<std::vector<SqlValue>>{
                {Text("Ct1="), Text("Ana"), Text("Silva"),
                 Text("ana@northwind.example"), kNull},
                {Text("Ct2="), Text("Bo"), Text("Li"), kNull, kNull}}));
  EXPECT_EQ(Get("clients", client, "industry"), Text("Healthcare"));
  EXPECT_EQ(client.modified_source, "2025-02-28 17:45:12");
}

TEST_F(NormalizerTest, HasNoChildRowsWhenTheArrayIsMissingOrNull) {
  for (const char* json :
       {R"({"id": "c="})", R"({"id": "c=", "contacts": null})",
        R"({"id": "c=", "contacts": []})"}) {
    NormalizedRecord rec = Must("clients", json);
    ASSERT_EQ(rec.children.size(), 1u) << json;
    EXPECT_TRUE(rec.children[0].empty()) << json;
  }
}

TEST_F(NormalizerTest, QuarantinesMalformedChildArrays) {
  EXPECT_EQ(ErrorOf("clients", R"({"id": "c=", "contacts": {"id": "x"}})"),
            "clients record c=: 'contacts' is an object, not an array of "
            "client_contacts");
  EXPECT_EQ(ErrorOf("clients", R"({"id": "c=", "contacts": [{"id": "x"}, 3]})"),
            "clients record c=: client_contacts row 1 is a number, not an "
            "object");
  EXPECT_EQ(
      ErrorOf("clients", R"({"id": "c=", "contacts": [{"first_name": "A"}]})"),
      "clients record c=: client_contacts row 0 has no id");
  EXPECT_EQ(ErrorOf("clients", R"({"id": "c=", "contacts": [{"id": "NA"}]})"),
            "clients record c=: client_contacts row 0 has no id");
  EXPECT_EQ(ErrorOf("clients", R"({"id": "c=", "contacts": [{"id": "a"},)"
                               R"( {"id": "b"}, {"id": "a"}]})"),
            "clients record c=: client_contacts rows 0 and 2 share their id");
}

TEST_F(NormalizerTest, NormalizesEveryGoodRecordOfAPageWithBadOnes) {
  auto page = DecodePage(
      R"({"count": 4, "num_pages": 1, "page_number": 1, "limit": 50,)"
      R"( "next": "", "previous": "", "results": [)"
      R"({"id": "a=", "firstname": "Ann"}, null, {"firstname": "No Id"},)"
      R"( {"id": "b=",  "firstname": "Bea"}]})",
      "applicants page 1");
  ASSERT_TRUE(page.has_value()) << page.error().message;
  std::vector<std::string> ids;
  int quarantined = 0;
  const rapidjson::Value& records = (*page)->records();
  for (rapidjson::SizeType i = 0; i < records.Size(); ++i) {
    auto rec = Normalize(Spec("applicants"), records[i],
                         (*page)->raw_records[i], kUtc);
    if (rec) {
      ids.push_back(rec->id);
      EXPECT_EQ(rec->raw_json, (*page)->raw_records[i]);
    } else {
      ++quarantined;
    }
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"a=", "b="}));
  EXPECT_EQ(quarantined, 2);
}

TEST_F(NormalizerTest, LeavesDetailColumnsNullUntilTheDetailArrives) {
  NormalizedRecord job = Must("job_postings", kJob);
  EXPECT_EQ(job.columns.size(), Spec("job_postings").columns.size() + 1);
  EXPECT_EQ(Get("job_postings", job, "client_name"), kNull);

  uint64_t list_hash = job.content_hash;
  rapidjson::Document detail;
  detail.Parse(R"({"id": "Hh7Qa0Zx3Vb9Nm2Lk5Jp8Rt1Yu4Io6Pe0Wq3As7Df2=",)"
               R"( "client": "Northwind Health", "job_code": "JPC - 4471"})");
  auto applied = ApplyDetail(Spec("job_postings"), detail, job, kUtc);
  ASSERT_TRUE(applied.has_value()) << applied.error().message;
  EXPECT_EQ(Get("job_postings", job, "client_name"), Text("Northwind Health"));
  EXPECT_NE(job.content_hash, list_hash);
  EXPECT_EQ(job.content_hash, ContentHash(job));
  EXPECT_EQ(job.raw_json, kJob);

  // The same detail again changes nothing.
  uint64_t filled_hash = job.content_hash;
  ASSERT_TRUE(ApplyDetail(Spec("job_postings"), detail, job, kUtc));
  EXPECT_EQ(job.content_hash, filled_hash);
}

TEST_F(NormalizerTest, LetsTheDifferRehashWithStoredDetailColumns) {
  NormalizedRecord filled = Must("job_postings", kJob);
  rapidjson::Document detail;
  detail.Parse(R"({"client": "Northwind Health"})");
  ASSERT_TRUE(ApplyDetail(Spec("job_postings"), detail, filled, kUtc));

  NormalizedRecord fresh = Must("job_postings", kJob);
  fresh.columns.back() = Text("Northwind Health");
  EXPECT_EQ(ContentHash(fresh), filled.content_hash);
}

TEST_F(NormalizerTest, RejectsADetailThatDoesNotFit) {
  NormalizedRecord job = Must("job_postings", kJob);
  NormalizedRecord before = job;
  rapidjson::Document detail;

  detail.Parse(R"({"id": "other=", "client": "Acme"})");
  auto applied = ApplyDetail(Spec("job_postings"), detail, job, kUtc);
  ASSERT_FALSE(applied.has_value());
  EXPECT_EQ(applied.error().kind, ErrorKind::kSchema);
  EXPECT_NE(applied.error().message.find("detail is of another record"),
            std::string::npos);

  detail.Parse(R"({"client": {"name": "Acme"}})");
  applied = ApplyDetail(Spec("job_postings"), detail, job, kUtc);
  ASSERT_FALSE(applied.has_value());
  EXPECT_NE(applied.error().message.find("detail column 'client_name'"),
            std::string::npos);

  std::string bad_utf8 = "{\"client\": \"Acme \xC3\"}";
  detail.Parse(bad_utf8.c_str());
  ASSERT_FALSE(detail.HasParseError());
  applied = ApplyDetail(Spec("job_postings"), detail, job, kUtc);
  ASSERT_FALSE(applied.has_value());
  EXPECT_NE(applied.error().message.find("invalid UTF-8"), std::string::npos);

  detail.Parse("[]");
  EXPECT_FALSE(ApplyDetail(Spec("job_postings"), detail, job, kUtc));

  EXPECT_EQ(job.columns, before.columns);
  EXPECT_EQ(job.content_hash, before.content_hash);
}

TEST_F(NormalizerTest, HashIgnoresKeyOrderAndWhiteSpace) {
  NormalizedRecord a = Must(
      "placements",
      R"({"id": "p=", "employee_name": "Dana", "extra": "x", "modified":)"
      R"( "2025-03-21 12:30:00", "placement_details": [{"recruiter": "P",)"
      R"( "job_start_date": "2025-04-01"}], "meta": {"a": 1, "b": [1, 2]}})");
  NormalizedRecord b = Must(
      "placements",
      R"({"meta":{"b":[1,2],"a":1},"placement_details":[{"job_start_date":)"
      R"("2025-04-01","recruiter":"P"}],"modified":"2025-03-21T12:30:00Z",)"
      R"("extra":"x","employee_name":"Dana","id":"p="})");
  EXPECT_EQ(a.content_hash, b.content_hash);
  EXPECT_NE(a.raw_json, b.raw_json);
}

TEST_F(NormalizerTest, HashIgnoresWhichSentinelAColumnHolds) {
  NormalizedRecord a = Must("users", R"({"id": "u=", "role": ""})");
  NormalizedRecord b = Must("users", R"({"id": "u=", "role": "N/A"})");
  NormalizedRecord c = Must("users", R"({"id": "u="})");
  EXPECT_EQ(a.content_hash, b.content_hash);
  EXPECT_EQ(a.content_hash, c.content_hash);
}

TEST_F(NormalizerTest, HashChangesWithAnyNormalizedChange) {
  const std::string base = kPlacement;
  uint64_t original = Must("placements", base).content_hash;
  auto with = [&](const std::string& from, const std::string& to) {
    std::string changed = base;
    size_t at = changed.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    changed.replace(at, from.size(), to);
    return Must("placements", changed).content_hash;
  };
  // A column, a nested column, the modified time, a custom field, and a
  // field inside a nested array that no column maps.
  EXPECT_NE(with("\"Dana Okafor\"", "\"Dana Okafor-Li\""), original);
  EXPECT_NE(with("\"2025-12-31\"", "\"2026-01-31\""), original);
  EXPECT_NE(with("\"2025-03-21 12:30:00\"", "\"2025-03-21 12:30:01\""),
            original);
  EXPECT_NE(with("\"is_confirmation\": 1", "\"is_confirmation\": 0"), original);
  EXPECT_NE(with("\"Priya Raman\"", "\"Leo Brandt\""), original);
  EXPECT_NE(with("\"city\": \"Dallas\"", "\"city\": \"Austin\""), original);
  EXPECT_EQ(with("\"is_confirmation\": 1", "\"is_confirmation\": 1 "),
            original);
}

TEST_F(NormalizerTest, HashChangesWithChildRowsAndTheirOrder) {
  uint64_t original = Must("clients", kClient).content_hash;
  std::string changed = kClient;
  changed.replace(changed.find("\"Bo\""), 4, "\"Bob\"");
  EXPECT_NE(Must("clients", changed).content_hash, original);

  NormalizedRecord one = Must(
      "clients", R"({"id": "c=", "contacts": [{"id": "1"}, {"id": "2"}]})");
  NormalizedRecord two = Must(
      "clients", R"({"id": "c=", "contacts": [{"id": "2"}, {"id": "1"}]})");
  EXPECT_NE(one.content_hash, two.content_hash);
}

TEST_F(NormalizerTest, HashTellsEmptyTextFromNull) {
  // "" is a sentinel in a column but a value in a custom field.
  NormalizedRecord empty = Must("users", R"({"id": "u=", "team": ""})");
  NormalizedRecord absent = Must("users", R"({"id": "u="})");
  NormalizedRecord null = Must("users", R"({"id": "u=", "team": null})");
  EXPECT_NE(empty.content_hash, absent.content_hash);
  EXPECT_EQ(null.content_hash, absent.content_hash);
}

// The fuzz seed corpus doubles as a regression set: each file's name says
// what decoding and normalizing it must do (tests/fuzz/corpus/README.md).
TEST_F(NormalizerTest, SeedCorpusBehavesAsItsNamesSay) {
  namespace fs = std::filesystem;
  fs::path corpus =
      fs::path(__FILE__).parent_path().parent_path() / "fuzz" / "corpus";
  ASSERT_TRUE(fs::is_directory(corpus)) << corpus;

  int good = 0;
  int quarantine = 0;
  int bad = 0;
  for (const auto& entry : fs::directory_iterator(corpus)) {
    std::string name = entry.path().filename().string();
    if (name == "README.md") continue;
    std::ifstream file(entry.path(), std::ios::binary);
    std::stringstream bytes;
    bytes << file.rdbuf();
    auto page = DecodePage(bytes.str(), name);

    if (name.starts_with("bad_")) {
      ++bad;
      ASSERT_FALSE(page.has_value()) << name;
      EXPECT_EQ(page.error().kind, ErrorKind::kParse) << name;
      continue;
    }
    ASSERT_TRUE(page.has_value()) << name << ": " << page.error().message;
    const ResourceSpec* spec = &Spec("applicants");
    for (const ResourceSpec& candidate : catalogue_.resources()) {
      if (name.starts_with("good_" + candidate.name + "_")) spec = &candidate;
    }
    int normalized = 0;
    int rejected = 0;
    const rapidjson::Value& records = (*page)->records();
    for (rapidjson::SizeType i = 0; i < records.Size(); ++i) {
      auto rec = Normalize(*spec, records[i], (*page)->raw_records[i], kUtc);
      EXPECT_TRUE(rec || rec.error().kind == ErrorKind::kSchema) << name;
      rec ? ++normalized : ++rejected;
    }
    if (name.starts_with("good_")) {
      ++good;
      EXPECT_GT(normalized, 0) << name;
      EXPECT_EQ(rejected, 0) << name;
    } else {
      ASSERT_TRUE(name.starts_with("quarantine_")) << name;
      ++quarantine;
      EXPECT_GT(normalized, 0) << name;
      EXPECT_GT(rejected, 0) << name;
    }
  }
  EXPECT_GE(good, 5);
  EXPECT_GE(quarantine, 2);
  EXPECT_GE(bad, 5);
}

}  // namespace
}  // namespace ceipal::engine
