// The consumer side of the change log (DESIGN.md 4): what a named consumer
// has not yet acknowledged, the JSON line each change is printed as, the
// acknowledgement that moves a consumer's offset, and the pruning of rows
// every consumer has read. The engine's writer appends the rows; nothing
// here writes change_log except Prune.
//
// A consumer is registered by its first Ack, never by a read: `changes`
// stays read-only, and a mistyped name cannot register a consumer whose
// offset of 0 would then hold back every prune.
//
// Consumers borrows the Database, which must outlive it. Not thread-safe
// (the Database is not).
#ifndef CEIPAL_STATE_CONSUMERS_H_
#define CEIPAL_STATE_CONSUMERS_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/error.h"
#include "state/database.h"

namespace ceipal::state {

// One change_log row, column for column.
struct ChangeRow {
  int64_t seq = 0;
  int64_t run_id = 0;
  std::string resource;
  std::string record_id;
  std::string op;                    // insert, update, delete, undelete
  std::optional<std::string> event;  // hired, status_changed
  std::optional<std::string> status_from;
  std::optional<std::string> status_to;
  std::optional<std::string> changed_fields;  // JSON array text
  std::optional<std::string> before_json;     // JSON object text
  std::optional<std::string> after_json;      // JSON object text
  std::optional<std::string> source_modified_at;
  std::string recorded_at;
  bool snapshot = false;
};

struct ConsumerOffset {
  std::string consumer;
  int64_t last_seq = 0;
  std::optional<std::string> updated_at;
};

struct AckOutcome {
  int64_t previous_seq = 0;  // 0 for a consumer registered by this ack
  int64_t last_seq = 0;      // the offset now
  bool registered = false;   // the consumer was unknown before this ack
  bool moved = false;        // the offset went forward
  std::string message;       // one line saying which of these happened
};

struct PruneOutcome {
  int64_t rows_deleted = 0;
  int64_t consumers = 0;  // registered consumers; none means nothing pruned
  std::string message;    // one line saying what was pruned, or why not
};

class Consumers {
 public:
  explicit Consumers(Database& database) : database_(database) {}

  // Calls visit on each row after consumer's offset (0 for a consumer never
  // acknowledged), in seq order: only rows of event when it is set, at most
  // limit rows when it is set. Returns how many rows it visited, or the
  // first error visit returns. Rows are read one at a time, so a long
  // backlog costs no memory.
  Result<int64_t> ForEachPending(
      std::string_view consumer, const std::optional<std::string>& event,
      std::optional<int64_t> limit,
      const std::function<Result<void>(const ChangeRow&)>& visit);

  // The same rows, collected.
  Result<std::vector<ChangeRow>> Pending(
      std::string_view consumer, const std::optional<std::string>& event,
      std::optional<int64_t> limit);

  // Moves consumer's offset to seq, registering the consumer if needed.
  // Never backwards: a seq at or before the offset changes nothing, and the
  // outcome says so. kConfig when seq is negative or past the last seq the
  // log ever assigned ("seq N is past the end of the change log (last M)").
  Result<AckOutcome> Ack(std::string_view consumer, int64_t seq);

  // Deletes the rows recorded before `before` (YYYY-MM-DD or
  // YYYY-MM-DDTHH:MM:SSZ, UTC; else kConfig) that every registered consumer
  // has acknowledged. With no consumer registered nothing is known to be
  // read, so nothing is pruned. Seqs are never reused afterwards.
  Result<PruneOutcome> Prune(std::string_view before);

  // Every registered consumer, by name.
  Result<std::vector<ConsumerOffset>> List();

 private:
  Database& database_;
};

// The row as one line of JSON ending in '\n': every column under its own
// name, changed_fields, before_json and after_json embedded as JSON values
// (not strings), NULL columns as null, snapshot as a boolean. kParse when
// an embedded column is not valid JSON or a text is not valid UTF-8, since
// the line must always be valid JSON.
Result<std::string> FormatJsonLine(const ChangeRow& row);

}  // namespace ceipal::state

#endif  // CEIPAL_STATE_CONSUMERS_H_
