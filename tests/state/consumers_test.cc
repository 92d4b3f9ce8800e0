#include "state/consumers.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <string>
#include <vector>

#include "state/state_test_util.h"

namespace ceipal::state {
namespace {

class ConsumersTest : public testing::StateTest {
 protected:
  std::vector<int64_t> PendingSeqs(
      const std::string& consumer,
      const std::optional<std::string>& event = std::nullopt,
      std::optional<int64_t> limit = std::nullopt) {
    auto rows = Consumers(db()).Pending(consumer, event, limit);
    EXPECT_TRUE(rows) << rows.error().message;
    std::vector<int64_t> seqs;
    if (rows) {
      for (const ChangeRow& row : *rows) seqs.push_back(row.seq);
    }
    return seqs;
  }
};

using Seqs = std::vector<int64_t>;

TEST_F(ConsumersTest, UnknownConsumerSeesEverythingAndIsNotRegistered) {
  const int64_t first = AppendChange("2026-01-01T00:00:00Z");
  const int64_t second = AppendChange("2026-01-01T00:00:01Z");

  EXPECT_EQ(PendingSeqs("payroll"), (Seqs{first, second}));
  EXPECT_EQ(CountRows("consumer_offsets"), 0);
}

TEST_F(ConsumersTest, PendingRowCarriesEveryColumn) {
  db().sql().exec(
      "INSERT INTO change_log (run_id, resource, record_id, op, event,"
      " status_from, status_to, changed_fields, before_json, after_json,"
      " source_modified_at, recorded_at, snapshot) VALUES (9, 'submissions',"
      " 'S1=', 'update', 'hired', 'Submitted', 'Hired', '[\"status\"]',"
      " '{\"status\":\"Submitted\"}', '{\"status\":\"Hired\"}',"
      " '2026-01-01T09:00:00Z', '2026-01-01T09:05:00Z', 1)");
  auto rows = Consumers(db()).Pending("payroll", std::nullopt, std::nullopt);
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 1u);
  const ChangeRow& row = rows->front();
  EXPECT_EQ(row.run_id, 9);
  EXPECT_EQ(row.resource, "submissions");
  EXPECT_EQ(row.record_id, "S1=");
  EXPECT_EQ(row.op, "update");
  EXPECT_EQ(row.event, "hired");
  EXPECT_EQ(row.status_from, "Submitted");
  EXPECT_EQ(row.status_to, "Hired");
  EXPECT_EQ(row.changed_fields, "[\"status\"]");
  EXPECT_EQ(row.before_json, "{\"status\":\"Submitted\"}");
  EXPECT_EQ(row.after_json, "{\"status\":\"Hired\"}");
  EXPECT_EQ(row.source_modified_at, "2026-01-01T09:00:00Z");
  EXPECT_EQ(row.recorded_at, "2026-01-01T09:05:00Z");
  EXPECT_TRUE(row.snapshot);
}

TEST_F(ConsumersTest, PendingStartsAfterTheOffsetAndFiltersByEventAndLimit) {
  const int64_t a = AppendChange("2026-01-01T00:00:00Z", "hired");
  const int64_t b = AppendChange("2026-01-01T00:00:00Z");
  const int64_t c = AppendChange("2026-01-01T00:00:00Z", "hired");
  const int64_t d = AppendChange("2026-01-01T00:00:00Z", "status_changed");
  const int64_t e = AppendChange("2026-01-01T00:00:00Z", "hired");
  ASSERT_TRUE(Consumers(db()).Ack("payroll", a));

  EXPECT_EQ(PendingSeqs("payroll"), (Seqs{b, c, d, e}));
  EXPECT_EQ(PendingSeqs("payroll", "hired"), (Seqs{c, e}));
  EXPECT_EQ(PendingSeqs("payroll", "hired", 1), (Seqs{c}));
  EXPECT_EQ(PendingSeqs("payroll", std::nullopt, 2), (Seqs{b, c}));
  // Another consumer has its own offset.
  EXPECT_EQ(PendingSeqs("analytics", "hired"), (Seqs{a, c, e}));
}

TEST_F(ConsumersTest, ForEachPendingStopsAtTheVisitorsError) {
  AppendChange("2026-01-01T00:00:00Z");
  AppendChange("2026-01-01T00:00:00Z");
  int visits = 0;
  auto stopped = Consumers(db()).ForEachPending(
      "payroll", std::nullopt, std::nullopt,
      [&](const ChangeRow&) -> Result<void> {
        ++visits;
        return Fail(ErrorKind::kCancelled, "stdout closed");
      });
  ASSERT_FALSE(stopped);
  EXPECT_EQ(stopped.error().kind, ErrorKind::kCancelled);
  EXPECT_EQ(visits, 1);
}

TEST_F(ConsumersTest, AckRegistersThenMovesTheOffsetForward) {
  AppendChange("2026-01-01T00:00:00Z");
  const int64_t second = AppendChange("2026-01-01T00:00:00Z");
  const int64_t third = AppendChange("2026-01-01T00:00:00Z");
  Consumers consumers(db());

  auto registered = consumers.Ack("payroll", second);
  ASSERT_TRUE(registered) << registered.error().message;
  EXPECT_TRUE(registered->registered);
  EXPECT_TRUE(registered->moved);
  EXPECT_EQ(registered->last_seq, second);

  auto moved = consumers.Ack("payroll", third);
  ASSERT_TRUE(moved);
  EXPECT_FALSE(moved->registered);
  EXPECT_TRUE(moved->moved);
  EXPECT_EQ(moved->previous_seq, second);
  EXPECT_EQ(moved->last_seq, third);
  EXPECT_TRUE(PendingSeqs("payroll").empty());

  auto listed = consumers.List();
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front().consumer, "payroll");
  EXPECT_EQ(listed->front().last_seq, third);
}

TEST_F(ConsumersTest, AckNeverMovesBackwardsAndSaysSo) {
  const int64_t first = AppendChange("2026-01-01T00:00:00Z");
  const int64_t second = AppendChange("2026-01-01T00:00:00Z");
  Consumers consumers(db());
  ASSERT_TRUE(consumers.Ack("payroll", second));

  for (int64_t older : {first, second}) {
    auto ignored = consumers.Ack("payroll", older);
    ASSERT_TRUE(ignored) << ignored.error().message;
    EXPECT_FALSE(ignored->moved);
    EXPECT_EQ(ignored->last_seq, second);
    EXPECT_NE(ignored->message.find("changes nothing"), std::string::npos)
        << ignored->message;
  }
  EXPECT_EQ(consumers.List()->front().last_seq, second);
}

TEST_F(ConsumersTest, AckPastTheEndOfTheLogIsRefused) {
  const int64_t last = AppendChange("2026-01-01T00:00:00Z");
  Consumers consumers(db());

  auto refused = consumers.Ack("payroll", last + 1);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::kConfig);
  EXPECT_NE(
      refused.error().message.find("seq " + std::to_string(last + 1) +
                                   " is past the end of the change log (last " +
                                   std::to_string(last) + ")"),
      std::string::npos)
      << refused.error().message;
  EXPECT_EQ(CountRows("consumer_offsets"), 0);

  EXPECT_FALSE(consumers.Ack("payroll", -1));
  EXPECT_FALSE(consumers.Ack("", last));
}

TEST_F(ConsumersTest, AckOfZeroOnAnEmptyLogRegistersTheConsumer) {
  auto registered = Consumers(db()).Ack("payroll", 0);
  ASSERT_TRUE(registered) << registered.error().message;
  EXPECT_TRUE(registered->registered);
  EXPECT_FALSE(registered->moved);
  EXPECT_EQ(CountRows("consumer_offsets"), 1);
}

TEST_F(ConsumersTest, PruneWithoutConsumersDeletesNothingAndSaysSo) {
  AppendChange("2020-01-01T00:00:00Z");
  auto pruned = Consumers(db()).Prune("2030-01-01");
  ASSERT_TRUE(pruned) << pruned.error().message;
  EXPECT_EQ(pruned->rows_deleted, 0);
  EXPECT_EQ(pruned->consumers, 0);
  EXPECT_NE(pruned->message.find("no consumer"), std::string::npos);
  EXPECT_EQ(CountRows("change_log"), 1);
}

TEST_F(ConsumersTest, PruneDeletesOnlyOldRowsEveryConsumerAcknowledged) {
  const int64_t old_read_by_all = AppendChange("2026-01-01T00:00:00Z");
  const int64_t old_read_by_one = AppendChange("2026-01-02T00:00:00Z");
  const int64_t new_read_by_all = AppendChange("2026-03-01T00:00:00Z");
  const int64_t unread = AppendChange("2026-03-02T00:00:00Z");
  Consumers consumers(db());
  ASSERT_TRUE(consumers.Ack("payroll", new_read_by_all + 1));
  ASSERT_TRUE(consumers.Ack("analytics", old_read_by_all));
  ASSERT_TRUE(consumers.Ack("analytics", old_read_by_one - 1));

  auto pruned = consumers.Prune("2026-02-01");
  ASSERT_TRUE(pruned) << pruned.error().message;
  EXPECT_EQ(pruned->rows_deleted, 1);
  EXPECT_EQ(pruned->consumers, 2);
  EXPECT_EQ(PendingSeqs("nobody"),
            (Seqs{old_read_by_one, new_read_by_all, unread}));

  ASSERT_TRUE(consumers.Ack("analytics", unread));
  auto later = consumers.Prune("2026-03-01T00:00:00Z");
  ASSERT_TRUE(later);
  EXPECT_EQ(later->rows_deleted, 1);  // recorded_at is not before the bound
  EXPECT_EQ(PendingSeqs("nobody"), (Seqs{new_read_by_all, unread}));
}

TEST_F(ConsumersTest, PruneRefusesAMalformedDate) {
  for (const char* bad : {"yesterday", "2026-01-01 00:00:00", "2026/01/01"}) {
    auto refused = Consumers(db()).Prune(bad);
    ASSERT_FALSE(refused) << bad;
    EXPECT_EQ(refused.error().kind, ErrorKind::kConfig);
  }
}

TEST_F(ConsumersTest, SeqIsNeverReusedAfterPrune) {
  AppendChange("2026-01-01T00:00:00Z");
  const int64_t last = AppendChange("2026-01-01T00:00:00Z");
  Consumers consumers(db());
  ASSERT_TRUE(consumers.Ack("payroll", last));
  ASSERT_EQ(consumers.Prune("2027-01-01")->rows_deleted, 2);
  ASSERT_EQ(CountRows("change_log"), 0);

  // The end of the log is still known, with no row left to show it.
  EXPECT_FALSE(consumers.Ack("payroll", last + 1));

  const int64_t next = AppendChange("2026-06-01T00:00:00Z");
  EXPECT_EQ(next, last + 1);
  EXPECT_EQ(PendingSeqs("payroll"), (Seqs{next}));
}

class JsonLineTest : public ::testing::Test {
 protected:
  static ChangeRow FullRow() {
    ChangeRow row;
    row.seq = 12;
    row.run_id = 3;
    row.resource = "submissions";
    row.record_id = "S1=";
    row.op = "update";
    row.event = "hired";
    row.status_from = "Submitted";
    row.status_to = "Hired";
    row.changed_fields = R"(["status","pipeline_status"])";
    row.before_json = R"({"status":"Submitted","pay_rate":null})";
    row.after_json = R"({"status":"Hired","pay_rate":"50 USD"})";
    row.source_modified_at = "2026-01-01T09:00:00Z";
    row.recorded_at = "2026-01-01T09:05:00Z";
    row.snapshot = false;
    return row;
  }
};

TEST_F(JsonLineTest, EveryColumnAppearsWithJsonColumnsEmbedded) {
  auto line = FormatJsonLine(FullRow());
  ASSERT_TRUE(line) << line.error().message;
  ASSERT_FALSE(line->empty());
  EXPECT_EQ(line->back(), '\n');
  EXPECT_EQ(line->find('\n'), line->size() - 1);

  rapidjson::Document json;
  json.Parse(line->c_str());
  ASSERT_FALSE(json.HasParseError()) << *line;
  ASSERT_TRUE(json.IsObject());
  EXPECT_EQ(json.MemberCount(), 14u);
  EXPECT_EQ(json["seq"].GetInt64(), 12);
  EXPECT_EQ(json["run_id"].GetInt64(), 3);
  EXPECT_STREQ(json["resource"].GetString(), "submissions");
  EXPECT_STREQ(json["record_id"].GetString(), "S1=");
  EXPECT_STREQ(json["op"].GetString(), "update");
  EXPECT_STREQ(json["event"].GetString(), "hired");
  EXPECT_STREQ(json["status_from"].GetString(), "Submitted");
  EXPECT_STREQ(json["status_to"].GetString(), "Hired");
  ASSERT_TRUE(json["changed_fields"].IsArray());
  EXPECT_EQ(json["changed_fields"].Size(), 2u);
  EXPECT_STREQ(json["changed_fields"][1].GetString(), "pipeline_status");
  ASSERT_TRUE(json["before_json"].IsObject());
  EXPECT_TRUE(json["before_json"]["pay_rate"].IsNull());
  ASSERT_TRUE(json["after_json"].IsObject());
  EXPECT_STREQ(json["after_json"]["pay_rate"].GetString(), "50 USD");
  EXPECT_STREQ(json["source_modified_at"].GetString(), "2026-01-01T09:00:00Z");
  EXPECT_STREQ(json["recorded_at"].GetString(), "2026-01-01T09:05:00Z");
  ASSERT_TRUE(json["snapshot"].IsBool());
  EXPECT_FALSE(json["snapshot"].GetBool());
}

TEST_F(JsonLineTest, NullColumnsAreJsonNull) {
  ChangeRow row = FullRow();
  row.op = "insert";
  row.event.reset();
  row.status_from.reset();
  row.status_to.reset();
  row.changed_fields.reset();
  row.before_json.reset();
  row.source_modified_at.reset();
  row.snapshot = true;

  auto line = FormatJsonLine(row);
  ASSERT_TRUE(line) << line.error().message;
  rapidjson::Document json;
  json.Parse(line->c_str());
  ASSERT_FALSE(json.HasParseError()) << *line;
  for (const char* name :
       {"event", "status_from", "status_to", "changed_fields", "before_json",
        "source_modified_at"}) {
    ASSERT_TRUE(json.HasMember(name)) << name;
    EXPECT_TRUE(json[name].IsNull()) << name;
  }
  EXPECT_TRUE(json["after_json"].IsObject());
  EXPECT_TRUE(json["snapshot"].GetBool());
}

TEST_F(JsonLineTest, TextIsEscapedSoTheLineStaysOneLine) {
  ChangeRow row = FullRow();
  row.record_id = "a\"b\nc\\d";
  auto line = FormatJsonLine(row);
  ASSERT_TRUE(line) << line.error().message;
  EXPECT_EQ(line->find('\n'), line->size() - 1);
  rapidjson::Document json;
  json.Parse(line->c_str());
  ASSERT_FALSE(json.HasParseError());
  EXPECT_STREQ(json["record_id"].GetString(), "a\"b\nc\\d");
}

TEST_F(JsonLineTest, InvalidEmbeddedJsonIsAParseErrorNamingTheColumn) {
  ChangeRow row = FullRow();
  row.after_json = R"({"status": "Hired")";
  auto refused = FormatJsonLine(row);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::kParse);
  EXPECT_NE(refused.error().message.find("seq 12"), std::string::npos);
  EXPECT_NE(refused.error().message.find("after_json"), std::string::npos)
      << refused.error().message;
}

TEST_F(JsonLineTest, InvalidUtf8IsRefused) {
  ChangeRow row = FullRow();
  row.status_to = "Hired\xff";
  EXPECT_FALSE(FormatJsonLine(row));

  row = FullRow();
  row.after_json = "{\"status\":\"Hired\xc3\"}";
  auto refused = FormatJsonLine(row);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::kParse);
}

TEST_F(JsonLineTest, DeeplyNestedEmbeddedJsonDoesNotExhaustTheStack) {
  ChangeRow row = FullRow();
  const size_t depth = 200000;
  row.after_json = std::string(depth, '[') + std::string(depth, ']');
  auto line = FormatJsonLine(row);
  ASSERT_TRUE(line) << line.error().message;
  EXPECT_EQ(line->size(), FormatJsonLine(FullRow())->size() -
                              FullRow().after_json->size() + 2 * depth);
}

}  // namespace
}  // namespace ceipal::state
