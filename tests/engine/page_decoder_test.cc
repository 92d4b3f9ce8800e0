#include "engine/page_decoder.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ceipal::engine {
namespace {

// A well-formed envelope around `results` (the text of a JSON array).
std::string Page(const std::string& results) {
  return R"({"count": 2, "num_pages": 1, "page_number": 1, "limit": 50,)"
         R"( "next": "", "previous": null, "results": )" +
         results + "}";
}

std::string ErrorOf(const std::string& body) {
  auto page = DecodePage(body, "applicants page 3");
  EXPECT_FALSE(page.has_value()) << body.substr(0, 200);
  if (page.has_value()) return "";
  EXPECT_EQ(page.error().kind, ErrorKind::kParse);
  return page.error().message;
}

TEST(DecodePage, ReadsTheEnvelope) {
  auto page = DecodePage(
      R"({"count": 1234, "num_pages": 25, "page_number": 2, "limit": 50,)"
      R"( "next": "http://h/v2/getApplicantsList/?page=3",)"
      R"( "previous": "http://h/v2/getApplicantsList/?page=1",)"
      R"( "results": []})",
      "applicants page 2");
  ASSERT_TRUE(page.has_value()) << page.error().message;
  const PageEnvelope& envelope = (*page)->envelope;
  EXPECT_EQ(envelope.count, 1234);
  EXPECT_EQ(envelope.num_pages, 25);
  EXPECT_EQ(envelope.page_number, 2);
  EXPECT_EQ(envelope.limit, 50);
  EXPECT_EQ(envelope.next, "http://h/v2/getApplicantsList/?page=3");
  EXPECT_EQ(envelope.previous, "http://h/v2/getApplicantsList/?page=1");
  EXPECT_TRUE((*page)->raw_records.empty());
  EXPECT_EQ((*page)->records().Size(), 0u);
}

TEST(DecodePage, ReadsNullNextAndPreviousAsEmpty) {
  auto page =
      DecodePage(R"({"count":0,"num_pages":0,"page_number":1,"limit":20,)"
                 R"("next":null,"previous":null,"results":[]})",
                 "users page 1");
  ASSERT_TRUE(page.has_value()) << page.error().message;
  EXPECT_EQ((*page)->envelope.next, "");
  EXPECT_EQ((*page)->envelope.previous, "");
}

TEST(DecodePage, KeepsEachRecordsBytesExactly) {
  std::vector<std::string> records = {
      R"({"id": "a=", "name": "Zoë \"Quoted\" \\ back}slash",)"
      R"( "n": [1, {"x": "]"}]})",
      R"({ "id" : "b=" , "text": "brace { and } and [ ] inside",)"
      R"( "u": "\u00e9\ud83d\ude00" })",
      "{\"id\":\"c=\",\"multi\":\"line\\nbreak\",\"emoji\":"
      "\"\xF0\x9F\x98\x80\","
      "\"cjk\":\"\xE6\x9D\x8E\"}",
      R"({"id": "d=", "empty": {}, "arr": [], "esc": "\/\b\f\n\r\t"})",
  };
  std::string results = "[\n  " + records[0] + " ,\n\t" + records[1] + ",";
  results += records[2] + "   ,   " + records[3] + "\r\n]";
  auto page = DecodePage(Page(results), "clients page 1");
  ASSERT_TRUE(page.has_value()) << page.error().message;

  ASSERT_EQ((*page)->raw_records.size(), records.size());
  for (size_t i = 0; i < records.size(); ++i) {
    EXPECT_EQ((*page)->raw_records[i], records[i]) << i;
  }
  EXPECT_STREQ((*page)->records()[1]["u"].GetString(),
               "\xC3\xA9\xF0\x9F\x98\x80");
}

// A page waiting to be applied drops its parse tree but keeps what the
// writer still needs: the envelope and each record's bytes.
TEST(DecodePage, DropTreeKeepsTheEnvelopeAndRawRecords) {
  auto page =
      DecodePage(Page(R"([{"id": "a="}, {"id": "b="}])"), "clients page 1");
  ASSERT_TRUE(page.has_value()) << page.error().message;
  PageEnvelope envelope = (*page)->envelope;

  (*page)->DropTree();

  EXPECT_FALSE((*page)->doc.IsObject());
  EXPECT_EQ((*page)->envelope.count, envelope.count);
  EXPECT_EQ((*page)->envelope.num_pages, envelope.num_pages);
  ASSERT_EQ((*page)->raw_records.size(), 2u);
  EXPECT_EQ((*page)->raw_records[1], R"({"id": "b="})");
}

TEST(DecodePage, KeepsTheBytesOfRecordsThatAreNotObjects) {
  auto page = DecodePage(
      Page(R"([[[1], 2], null, "text", 42, -1.5e3, true, {"id": "x"}, {}])"),
      "applicants page 1");
  ASSERT_TRUE(page.has_value()) << page.error().message;
  std::vector<std::string_view> expected = {
      "[[1], 2]", "null", "\"text\"",       "42",
      "-1.5e3",   "true", R"({"id": "x"})", "{}"};
  EXPECT_EQ((*page)->raw_records, expected);
  EXPECT_TRUE((*page)->records()[0].IsArray());
  EXPECT_TRUE((*page)->records()[1].IsNull());
}

TEST(DecodePage, TakesRecordsOnlyFromTheTopLevelResults) {
  auto page = DecodePage(
      R"({"meta": {"results": [{"id": "decoy"}]}, "count": 1,)"
      R"( "num_pages": 1, "page_number": 1, "limit": 5, "next": "",)"
      R"( "previous": "", "results": [{"id": "real", "results": [1]}],)"
      R"( "extra": [{"id": "after"}]})",
      "jobs page 1");
  ASSERT_TRUE(page.has_value()) << page.error().message;
  ASSERT_EQ((*page)->raw_records.size(), 1u);
  EXPECT_EQ((*page)->raw_records[0], R"({"id": "real", "results": [1]})");
}

TEST(DecodePage, RawRecordsOutliveAMoveOfThePage) {
  auto page = DecodePage(Page(R"([{"id": "a"}])"), "users page 1");
  ASSERT_TRUE(page.has_value());
  std::unique_ptr<DecodedPage> moved = std::move(*page);
  EXPECT_EQ(moved->raw_records[0], R"({"id": "a"})");
}

TEST(DecodePage, RejectsAnEmptyBody) {
  EXPECT_EQ(ErrorOf(""), "decode applicants page 3: empty body");
  EXPECT_EQ(ErrorOf(" \r\n\t"), "decode applicants page 3: empty body");
}

TEST(DecodePage, RejectsTruncatedJsonNamingTheOffset) {
  std::string body = Page(R"([{"id": "a"}, {"id": "b"}])");
  std::string message = ErrorOf(body.substr(0, body.size() / 2));
  EXPECT_NE(message.find("decode applicants page 3: invalid JSON at offset"),
            std::string::npos)
      << message;
}

TEST(DecodePage, RejectsInvalidJsonNamingOffsetAndReason) {
  std::string message = ErrorOf(R"({"count": 1,, "results": []})");
  EXPECT_EQ(message,
            "decode applicants page 3: invalid JSON at offset 12: Missing a "
            "name for object member.");
  EXPECT_NE(ErrorOf("<html>Bad gateway</html>").find("offset 0"),
            std::string::npos);
  EXPECT_NE(ErrorOf(Page("[]") + " trailing").find("invalid JSON"),
            std::string::npos);
}

TEST(DecodePage, RejectsAMessageBodyAnsweredWithStatus200) {
  std::string message =
      ErrorOf(R"({"message": "Your company access is temporarily disabled."})");
  EXPECT_EQ(message,
            "decode applicants page 3: envelope field 'results' missing "
            "(server message: \"Your company access is temporarily "
            "disabled.\")");
}

TEST(DecodePage, RejectsAWrongEnvelope) {
  EXPECT_NE(ErrorOf("[]").find("envelope is not an object"), std::string::npos);
  EXPECT_NE(ErrorOf(R"({"results": {}})").find("'results' is not an array"),
            std::string::npos);
  EXPECT_NE(ErrorOf(R"({"results": [], "num_pages": 1, "page_number": 1,)"
                    R"( "limit": 5, "next": "", "previous": ""})")
                .find("envelope field 'count' missing"),
            std::string::npos);
  EXPECT_NE(ErrorOf(R"({"results": [], "count": "7", "num_pages": 1,)"
                    R"( "page_number": 1, "limit": 5, "next": "",)"
                    R"( "previous": ""})")
                .find("'count' is not a non-negative integer"),
            std::string::npos);
  EXPECT_NE(ErrorOf(R"({"results": [], "count": 1, "num_pages": 1,)"
                    R"( "page_number": -1, "limit": 5, "next": "",)"
                    R"( "previous": ""})")
                .find("'page_number' is not a non-negative integer"),
            std::string::npos);
  EXPECT_NE(ErrorOf(R"({"results": [], "count": 1, "num_pages": 1.5,)"
                    R"( "page_number": 1, "limit": 5, "next": "",)"
                    R"( "previous": ""})")
                .find("'num_pages' is not a non-negative integer"),
            std::string::npos);
  EXPECT_NE(ErrorOf(R"({"results": [], "count": 1, "num_pages": 1,)"
                    R"( "page_number": 1, "limit": 5, "next": 3,)"
                    R"( "previous": ""})")
                .find("'next' is neither a string nor null"),
            std::string::npos);
  EXPECT_NE(ErrorOf(R"({"results": [], "count": 1, "num_pages": 1,)"
                    R"( "page_number": 1, "limit": 5, "next": ""})")
                .find("'previous' missing"),
            std::string::npos);
}

TEST(DecodePage, AcceptsAHugeCount) {
  auto page = DecodePage(
      R"({"count": 1000000000000, "num_pages": 20000000000,)"
      R"( "page_number": 1, "limit": 50, "next": "", "previous": "",)"
      R"( "results": [{"id": "a"}]})",
      "applicants page 1");
  ASSERT_TRUE(page.has_value()) << page.error().message;
  EXPECT_EQ((*page)->envelope.count, 1000000000000);
  EXPECT_EQ((*page)->raw_records.size(), 1u);
}

TEST(DecodePage, RejectsDeepNestingWithoutCrashing) {
  constexpr int kLevels = 100000;
  std::string arrays = std::string(kLevels, '[') + std::string(kLevels, ']');
  EXPECT_NE(ErrorOf(arrays).find("nesting deeper than 64 levels"),
            std::string::npos);

  std::string objects;
  for (int i = 0; i < kLevels; ++i) objects += R"({"a":)";
  objects += "1" + std::string(kLevels, '}');
  EXPECT_NE(ErrorOf(Page("[" + objects + "]")).find("nesting deeper"),
            std::string::npos);

  // Unterminated: the parser must stop at the cap, not at the end.
  EXPECT_NE(ErrorOf(std::string(kLevels, '[')).find("nesting deeper"),
            std::string::npos);
}

TEST(DecodePage, AcceptsNestingUpToTheCap) {
  // Envelope and results take two levels, so a record may nest 62 more.
  auto nested = [](int levels) {
    return std::string(levels, '[') + std::string(levels, ']');
  };
  auto at_cap = DecodePage(Page("[" + nested(kMaxJsonDepth - 2) + "]"),
                           "applicants page 1");
  EXPECT_TRUE(at_cap.has_value()) << at_cap.error().message;
  EXPECT_NE(ErrorOf(Page("[" + nested(kMaxJsonDepth - 1) + "]"))
                .find("nesting deeper"),
            std::string::npos);
}

TEST(DecodePage, RejectsABodyOverTheSizeLimit) {
  std::string body = Page("[]");
  body.resize(kMaxBodyBytes + 1, ' ');
  EXPECT_NE(ErrorOf(body).find("exceeds the limit"), std::string::npos);
}

TEST(DecodePage, LeavesInvalidUtf8InARecordToTheNormalizer) {
  std::string record = "{\"id\": \"a\", \"name\": \"bad \xC3\x28 byte\"}";
  auto page = DecodePage(Page("[" + record + ", {\"id\": \"b\"}]"),
                         "applicants page 1");
  ASSERT_TRUE(page.has_value()) << page.error().message;
  ASSERT_EQ((*page)->raw_records.size(), 2u);
  EXPECT_EQ((*page)->raw_records[0], record);
}

TEST(DecodePage, RejectsAnEmbeddedNulOutsideStrings) {
  std::string body = Page("[]");
  body.insert(body.size() - 1, std::string(1, '\0'));
  EXPECT_NE(ErrorOf(body).find("invalid JSON"), std::string::npos);
}

TEST(DecodeObject, ReturnsTheObject) {
  auto doc = DecodeObject(R"({"id": "x", "client": "Northwind"})",
                          "job_postings detail x");
  ASSERT_TRUE(doc.has_value()) << doc.error().message;
  EXPECT_STREQ((*doc)["client"].GetString(), "Northwind");
}

TEST(DecodeObject, ReadsOnlyTheGivenView) {
  std::string buffer = R"({"id": "x"}{"id": "y"})";
  auto doc = DecodeObject(std::string_view(buffer).substr(0, 11), "detail");
  ASSERT_TRUE(doc.has_value()) << doc.error().message;
  EXPECT_STREQ((*doc)["id"].GetString(), "x");
}

TEST(DecodeObject, RejectsAnythingButAnObject) {
  for (const char* body : {"", "[]", "null", "\"text\"", "{\"a\":", "{} {}"}) {
    auto doc = DecodeObject(body, "token response");
    ASSERT_FALSE(doc.has_value()) << body;
    EXPECT_EQ(doc.error().kind, ErrorKind::kParse);
    EXPECT_EQ(doc.error().message.rfind("decode token response: ", 0), 0u)
        << doc.error().message;
  }
  std::string deep = std::string(100000, '[') + std::string(100000, ']');
  auto doc = DecodeObject(deep, "detail");
  ASSERT_FALSE(doc.has_value());
  EXPECT_NE(doc.error().message.find("nesting deeper"), std::string::npos);
}

}  // namespace
}  // namespace ceipal::engine
