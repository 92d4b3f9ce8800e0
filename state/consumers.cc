#include "state/consumers.h"

#include <fmt/format.h>
#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "state/sqlite_util.h"
#include "state/utc_time.h"

namespace ceipal::state {
namespace {

using internal::BindText;
using internal::OptionalText;

// Refuses to write a string that is not UTF-8, so every line is valid JSON.
using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer, rapidjson::UTF8<>,
                                     rapidjson::UTF8<>, rapidjson::CrtAllocator,
                                     rapidjson::kWriteValidateEncodingFlag>;

// Iterative: the embedded text's nesting depth cannot exhaust the stack.
constexpr unsigned kEmbedParseFlags =
    rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag;

ChangeRow ReadChangeRow(SQLite::Statement& row) {
  ChangeRow change;
  change.seq = row.getColumn(0).getInt64();
  change.run_id = row.getColumn(1).getInt64();
  change.resource = row.getColumn(2).getString();
  change.record_id = row.getColumn(3).getString();
  change.op = row.getColumn(4).getString();
  change.event = OptionalText(row.getColumn(5));
  change.status_from = OptionalText(row.getColumn(6));
  change.status_to = OptionalText(row.getColumn(7));
  change.changed_fields = OptionalText(row.getColumn(8));
  change.before_json = OptionalText(row.getColumn(9));
  change.after_json = OptionalText(row.getColumn(10));
  change.source_modified_at = OptionalText(row.getColumn(11));
  change.recorded_at = row.getColumn(12).getString();
  change.snapshot = row.getColumn(13).getInt() != 0;
  return change;
}

int64_t OffsetOf(Database& database, std::string_view consumer) {
  SQLite::Statement select(
      database.sql(),
      "SELECT last_seq FROM consumer_offsets WHERE consumer = ?");
  BindText(select, 1, consumer);
  return select.executeStep() ? select.getColumn(0).getInt64() : 0;
}

// The highest seq the log ever assigned, pruned rows included: AUTOINCREMENT
// keeps it in sqlite_sequence.
int64_t LastAssignedSeq(Database& database) {
  return database.sql()
      .execAndGet(
          "SELECT max(coalesce((SELECT seq FROM sqlite_sequence"
          " WHERE name = 'change_log'), 0),"
          " coalesce((SELECT max(seq) FROM change_log), 0))")
      .getInt64();
}

Result<void> CheckConsumerName(std::string_view operation,
                               std::string_view consumer) {
  if (!consumer.empty()) return {};
  return Fail(ErrorKind::kConfig,
              fmt::format("{}: the consumer name is empty", operation));
}

// A JSON writer that reports the first text it refused.
class LineWriter {
 public:
  explicit LineWriter(int64_t seq) : writer_(buffer_), seq_(seq) {}

  void Key(const char* name) {
    if (failed_) return;
    writer_.Key(name);
    field_ = name;
  }
  void Text(const std::string& value) {
    if (!failed_ && !writer_.String(value.data(), value.size())) {
      Refuse("is not valid UTF-8");
    }
  }
  void Text(const std::optional<std::string>& value) {
    if (value) {
      Text(*value);
    } else if (!failed_) {
      writer_.Null();
    }
  }
  void Int(int64_t value) {
    if (!failed_) writer_.Int64(value);
  }
  void Bool(bool value) {
    if (!failed_) writer_.Bool(value);
  }
  // Writes json_text as the JSON value it is, not as a string.
  void Embedded(const std::optional<std::string>& json_text) {
    if (failed_) return;
    if (!json_text) {
      writer_.Null();
      return;
    }
    rapidjson::Reader reader;
    rapidjson::StringStream stream(json_text->c_str());
    if (!reader.Parse<kEmbedParseFlags>(stream, writer_)) {
      Refuse(fmt::format(
          "is not valid JSON at offset {}: {}", reader.GetErrorOffset(),
          rapidjson::GetParseError_En(reader.GetParseErrorCode())));
    }
  }

  void StartObject() { writer_.StartObject(); }
  Result<std::string> Finish() {
    if (failed_) return std::unexpected(*failed_);
    writer_.EndObject();
    std::string line(buffer_.GetString(), buffer_.GetSize());
    line += '\n';
    return line;
  }

 private:
  void Refuse(const std::string& cause) {
    failed_ =
        Error{ErrorKind::kParse,
              fmt::format("format change seq {}: {} {}", seq_, field_, cause)};
  }

  rapidjson::StringBuffer buffer_;
  JsonWriter writer_;
  int64_t seq_;
  const char* field_ = "";
  std::optional<Error> failed_;
};

}  // namespace

Result<int64_t> Consumers::ForEachPending(
    std::string_view consumer, const std::optional<std::string>& event,
    std::optional<int64_t> limit,
    const std::function<Result<void>(const ChangeRow&)>& visit) {
  const std::string operation =
      fmt::format("read pending changes of consumer {}", consumer);
  if (auto named = CheckConsumerName(operation, consumer); !named) {
    return std::unexpected(named.error());
  }
  return Guard(operation, [&]() -> Result<int64_t> {
    // Two shapes of query rather than "? IS NULL OR event = ?", which
    // would keep the planner off the (event, seq) index. A negative LIMIT
    // means none to SQLite.
    std::string sql =
        "SELECT seq, run_id, resource, record_id, op, event, status_from,"
        " status_to, changed_fields, before_json, after_json,"
        " source_modified_at, recorded_at, snapshot FROM change_log"
        " WHERE seq > ?";
    if (event) sql += " AND event = ?";
    sql += " ORDER BY seq LIMIT ?";
    SQLite::Statement select(database_.sql(), sql);
    int index = 1;
    select.bind(index++, OffsetOf(database_, consumer));
    if (event) select.bind(index++, *event);
    select.bind(index, limit.value_or(-1));

    int64_t visited = 0;
    while (select.executeStep()) {
      if (auto visited_row = visit(ReadChangeRow(select)); !visited_row) {
        return std::unexpected(visited_row.error());
      }
      ++visited;
    }
    return visited;
  });
}

Result<std::vector<ChangeRow>> Consumers::Pending(
    std::string_view consumer, const std::optional<std::string>& event,
    std::optional<int64_t> limit) {
  std::vector<ChangeRow> rows;
  auto read = ForEachPending(consumer, event, limit,
                             [&](const ChangeRow& row) -> Result<void> {
                               rows.push_back(row);
                               return {};
                             });
  if (!read) return std::unexpected(read.error());
  return rows;
}

Result<AckOutcome> Consumers::Ack(std::string_view consumer, int64_t seq) {
  const std::string operation = fmt::format("ack consumer {}", consumer);
  if (auto named = CheckConsumerName(operation, consumer); !named) {
    return std::unexpected(named.error());
  }
  if (seq < 0) {
    return Fail(ErrorKind::kConfig,
                fmt::format("{}: seq {} is negative", operation, seq));
  }

  // Under the write lock, so two acks of one consumer cannot interleave.
  return InWriteTransaction(database_, operation, [&]() -> Result<AckOutcome> {
    const int64_t last = LastAssignedSeq(database_);
    if (seq > last) {
      return Fail(ErrorKind::kConfig,
                  fmt::format("{}: seq {} is past the end of the change log "
                              "(last {})",
                              operation, seq, last));
    }

    SQLite::Statement select(
        database_.sql(),
        "SELECT last_seq FROM consumer_offsets WHERE consumer = ?");
    BindText(select, 1, consumer);
    AckOutcome outcome;
    outcome.registered = !select.executeStep();
    outcome.previous_seq =
        outcome.registered ? 0 : select.getColumn(0).getInt64();
    if (!outcome.registered && seq <= outcome.previous_seq) {
      outcome.last_seq = outcome.previous_seq;
      outcome.message = fmt::format(
          "consumer {} already acknowledged seq {}; ack of seq {} changes "
          "nothing",
          consumer, outcome.previous_seq, seq);
      return outcome;
    }

    SQLite::Statement upsert(
        database_.sql(),
        "INSERT INTO consumer_offsets (consumer, last_seq, updated_at)"
        " VALUES (?, ?, ?) ON CONFLICT (consumer) DO UPDATE SET"
        " last_seq = excluded.last_seq, updated_at = excluded.updated_at");
    BindText(upsert, 1, consumer);
    upsert.bind(2, seq);
    upsert.bind(3, UtcNow());
    upsert.exec();

    outcome.last_seq = seq;
    outcome.moved = seq > outcome.previous_seq;
    outcome.message =
        outcome.registered
            ? fmt::format("consumer {} registered, acknowledged up to seq {}",
                          consumer, seq)
            : fmt::format("consumer {} acknowledged up to seq {} (was {})",
                          consumer, seq, outcome.previous_seq);
    return outcome;
  });
}

Result<PruneOutcome> Consumers::Prune(std::string_view before) {
  const std::string operation =
      fmt::format("prune change log before {}", before);
  if (!IsUtcDate(before) && !IsUtcTimestamp(before)) {
    return Fail(
        ErrorKind::kConfig,
        operation + ": the date must read YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ");
  }

  return InWriteTransaction(
      database_, operation, [&]() -> Result<PruneOutcome> {
        SQLite::Statement offsets(
            database_.sql(),
            "SELECT count(*), min(last_seq) FROM consumer_offsets");
        offsets.executeStep();
        PruneOutcome outcome;
        outcome.consumers = offsets.getColumn(0).getInt64();
        if (outcome.consumers == 0) {
          outcome.message =
              "no consumer is registered, so no change is known to have been "
              "read; nothing pruned";
          return outcome;
        }

        // recorded_at has a fixed-width ISO form, so text order is time order,
        // and a bare date sorts before every time of that day.
        const int64_t read_by_all = offsets.getColumn(1).getInt64();
        SQLite::Statement prune(
            database_.sql(),
            "DELETE FROM change_log WHERE recorded_at < ? AND seq <= ?");
        BindText(prune, 1, before);
        prune.bind(2, read_by_all);
        outcome.rows_deleted = prune.exec();
        outcome.message = fmt::format(
            "pruned {} change rows recorded before {} and acknowledged by all "
            "{} "
            "consumers (up to seq {})",
            outcome.rows_deleted, before, outcome.consumers, read_by_all);
        return outcome;
      });
}

Result<std::vector<ConsumerOffset>> Consumers::List() {
  return Guard("list consumers", [&]() -> Result<std::vector<ConsumerOffset>> {
    SQLite::Statement select(database_.sql(),
                             "SELECT consumer, last_seq, updated_at"
                             " FROM consumer_offsets ORDER BY consumer");
    std::vector<ConsumerOffset> all;
    while (select.executeStep()) {
      all.push_back(
          ConsumerOffset{.consumer = select.getColumn(0).getString(),
                         .last_seq = select.getColumn(1).getInt64(),
                         .updated_at = OptionalText(select.getColumn(2))});
    }
    return all;
  });
}

Result<std::string> FormatJsonLine(const ChangeRow& row) {
  LineWriter line(row.seq);
  line.StartObject();
  line.Key("seq");
  line.Int(row.seq);
  line.Key("run_id");
  line.Int(row.run_id);
  line.Key("resource");
  line.Text(row.resource);
  line.Key("record_id");
  line.Text(row.record_id);
  line.Key("op");
  line.Text(row.op);
  line.Key("event");
  line.Text(row.event);
  line.Key("status_from");
  line.Text(row.status_from);
  line.Key("status_to");
  line.Text(row.status_to);
  line.Key("changed_fields");
  line.Embedded(row.changed_fields);
  line.Key("before_json");
  line.Embedded(row.before_json);
  line.Key("after_json");
  line.Embedded(row.after_json);
  line.Key("source_modified_at");
  line.Text(row.source_modified_at);
  line.Key("recorded_at");
  line.Text(row.recorded_at);
  line.Key("snapshot");
  line.Bool(row.snapshot);
  return line.Finish();
}

}  // namespace ceipal::state
