#include "engine/report.h"

#include <fmt/format.h>
#include <rapidjson/document.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include <algorithm>

#include "engine/page_decoder.h"
#include "state/storage_error.h"

namespace ceipal::engine {

std::string FormatRunSummary(const RunReport& report) {
  std::string out;
  for (const auto& r : report.resources) {
    if (r.outcome == "skipped") {
      out += fmt::format("{}: skipped ({})\n", r.resource,
                         r.error.empty() ? "not due" : r.error);
      continue;
    }
    if (r.outcome == "incomplete" && r.requests == 0 && r.pages == 0) {
      out += fmt::format("{}: incomplete ({})\n", r.resource, r.error);
      continue;
    }
    out += fmt::format(
        "{}: {}, {} pages, {} records ({} new, {} changed, {} unchanged), "
        "{} deleted, {} quarantined, {} change rows{}, {} requests, {:.1f}s",
        r.resource, r.outcome, r.pages, r.records, r.inserts, r.updates,
        r.unchanged, r.deletes, r.quarantined, r.changes,
        r.hires ? fmt::format(" ({} hired)", r.hires) : "", r.requests,
        r.seconds);
    if (r.scopes) out += fmt::format(", {} jobs polled", r.scopes);
    if (!r.error.empty()) out += fmt::format(": {}", r.error);
    out += "\n";
  }
  out += fmt::format("run {}: {}, {} requests{}\n", report.run_id,
                     report.status, report.requests,
                     report.message.empty() ? "" : ": " + report.message);
  return out;
}

std::string FormatPlan(const RunReport& report) {
  std::string out = "plan (dry run: nothing is requested or written):\n";
  for (const auto& read : report.plan) {
    out += fmt::format("  {:<13} {:<46} {:<18} {}\n", read.resource,
                       read.scope.empty() ? "-" : read.scope, read.reason,
                       read.modified_after.empty()
                           ? "from the start"
                           : "modifiedAfter " + read.modified_after);
  }
  for (const auto& r : report.resources) {
    if (r.outcome == "skipped") {
      out += fmt::format("  {:<13} {:<46} not due\n", r.resource, "-");
    }
  }
  out += fmt::format(
      "at least {} requests (one per read; more where pages are full)\n",
      report.plan.size());
  return out;
}

Result<DatabaseStatus> CollectStatus(state::Database& db,
                                     const Catalogue& catalogue) {
  DatabaseStatus status;
  status.path = db.path();
  status.schema_version = db.SchemaVersion();
  auto& sql = db.sql();
  return state::Guard("read status", [&]() -> Result<DatabaseStatus> {
    SQLite::Statement runs(
        sql,
        "SELECT id, started_at, ifnull(ended_at, ''), status, "
        "ifnull(message, ''), requests, records, inserts, updates, deletes, "
        "errors FROM sync_runs ORDER BY id DESC LIMIT 5");
    while (runs.executeStep()) {
      RunRow row;
      row.id = runs.getColumn(0).getInt64();
      row.started_at = runs.getColumn(1).getString();
      row.ended_at = runs.getColumn(2).getString();
      row.status = runs.getColumn(3).getString();
      row.message = runs.getColumn(4).getString();
      row.requests = runs.getColumn(5).getInt64();
      row.records = runs.getColumn(6).getInt64();
      row.inserts = runs.getColumn(7).getInt64();
      row.updates = runs.getColumn(8).getInt64();
      row.deletes = runs.getColumn(9).getInt64();
      row.errors = runs.getColumn(10).getInt64();
      status.runs.push_back(row);
    }

    for (const auto& spec : catalogue.resources()) {
      ResourceStatus r;
      r.resource = spec.name;
      SQLite::Statement counts(
          sql, fmt::format("SELECT count(*) FILTER (WHERE deleted_at IS NULL), "
                           "count(*) FILTER (WHERE deleted_at IS NOT NULL) "
                           "FROM {}",
                           spec.name));
      if (counts.executeStep()) {
        r.live = counts.getColumn(0).getInt64();
        r.deleted = counts.getColumn(1).getInt64();
      }
      SQLite::Statement progress(
          sql,
          "SELECT ifnull(max(cursor), ''), ifnull(max(last_synced_at), ''), "
          "ifnull(max(last_error), ''), count(*), min(complete) "
          "FROM sync_state WHERE resource = ?");
      progress.bind(1, spec.name);
      if (progress.executeStep()) {
        r.cursor = progress.getColumn(0).getString();
        r.last_synced_at = progress.getColumn(1).getString();
        r.last_error = progress.getColumn(2).getString();
        r.scopes = spec.parent.empty() ? 0 : progress.getColumn(3).getInt64();
        r.complete = !progress.getColumn(4).isNull() &&
                     progress.getColumn(4).getInt() != 0;
      }
      status.resources.push_back(r);
    }

    SQLite::Statement seq(sql, "SELECT ifnull(max(seq), 0) FROM change_log");
    if (seq.executeStep()) status.last_seq = seq.getColumn(0).getInt64();
    SQLite::Statement quarantine(sql, "SELECT count(*) FROM quarantine");
    if (quarantine.executeStep())
      status.quarantined = quarantine.getColumn(0).getInt64();
    SQLite::Statement consumers(
        sql, "SELECT consumer, last_seq FROM consumer_offsets ORDER BY 1");
    while (consumers.executeStep()) {
      status.consumers.emplace_back(consumers.getColumn(0).getString(),
                                    consumers.getColumn(1).getInt64());
    }
    return status;
  });
}

std::string StatusTable(const DatabaseStatus& status) {
  std::string out = fmt::format("database {} (schema version {})\n\n",
                                status.path, status.schema_version);
  out += fmt::format("{:<13} {:>9} {:>8}  {:<20} {:<21} {}\n", "resource",
                     "live", "deleted", "cursor", "last synced", "state");
  for (const auto& r : status.resources) {
    std::string state = r.last_error.empty()
                            ? (r.last_synced_at.empty() ? "never synced"
                               : r.complete             ? "complete"
                                                        : "in progress")
                            : "error: " + r.last_error;
    if (r.scopes) state += fmt::format(" ({} jobs polled)", r.scopes);
    out +=
        fmt::format("{:<13} {:>9} {:>8}  {:<20} {:<21} {}\n", r.resource,
                    r.live, r.deleted, r.cursor.empty() ? "-" : r.cursor,
                    r.last_synced_at.empty() ? "-" : r.last_synced_at, state);
  }
  out += fmt::format("\nchange log: last seq {}; quarantined records: {}\n",
                     status.last_seq, status.quarantined);
  for (const auto& [name, seq] : status.consumers) {
    out += fmt::format("  consumer {}: acknowledged up to {} ({} pending)\n",
                       name, seq, status.last_seq - seq);
  }
  out += "\nlast runs:\n";
  if (status.runs.empty()) out += "  none\n";
  for (const auto& run : status.runs) {
    out += fmt::format(
        "  #{} {} {} -> {}: {} requests, {} records, {} new, {} changed, "
        "{} deleted, {} errors{}\n",
        run.id, run.status, run.started_at,
        run.ended_at.empty() ? "..." : run.ended_at, run.requests, run.records,
        run.inserts, run.updates, run.deletes, run.errors,
        run.message.empty() ? "" : ": " + run.message);
  }
  return out;
}

std::string StatusJson(const DatabaseStatus& status) {
  rapidjson::StringBuffer buf;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> w(buf);
  auto str = [&w](const std::string& s) {
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  };
  auto str_or_null = [&](const std::string& s) {
    s.empty() ? (void)w.Null() : str(s);
  };
  w.StartObject();
  w.Key("database");
  str(status.path);
  w.Key("schema_version");
  w.Int(status.schema_version);
  w.Key("last_seq");
  w.Int64(status.last_seq);
  w.Key("quarantined");
  w.Int64(status.quarantined);
  w.Key("resources");
  w.StartArray();
  for (const auto& r : status.resources) {
    w.StartObject();
    w.Key("resource");
    str(r.resource);
    w.Key("live");
    w.Int64(r.live);
    w.Key("deleted");
    w.Int64(r.deleted);
    w.Key("cursor");
    str_or_null(r.cursor);
    w.Key("last_synced_at");
    str_or_null(r.last_synced_at);
    w.Key("complete");
    w.Bool(r.complete);
    w.Key("last_error");
    str_or_null(r.last_error);
    if (r.scopes) {
      w.Key("jobs_polled");
      w.Int64(r.scopes);
    }
    w.EndObject();
  }
  w.EndArray();
  w.Key("consumers");
  w.StartArray();
  for (const auto& [name, seq] : status.consumers) {
    w.StartObject();
    w.Key("consumer");
    str(name);
    w.Key("last_seq");
    w.Int64(seq);
    w.Key("pending");
    w.Int64(status.last_seq - seq);
    w.EndObject();
  }
  w.EndArray();
  w.Key("runs");
  w.StartArray();
  for (const auto& run : status.runs) {
    w.StartObject();
    w.Key("id");
    w.Int64(run.id);
    w.Key("status");
    str(run.status);
    w.Key("started_at");
    str(run.started_at);
    w.Key("ended_at");
    str_or_null(run.ended_at);
    w.Key("requests");
    w.Int64(run.requests);
    w.Key("records");
    w.Int64(run.records);
    w.Key("inserts");
    w.Int64(run.inserts);
    w.Key("updates");
    w.Int64(run.updates);
    w.Key("deletes");
    w.Int64(run.deletes);
    w.Key("errors");
    w.Int64(run.errors);
    w.Key("message");
    str_or_null(run.message);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize()) + "\n";
}

Result<std::vector<VerifyRow>> Verify(state::Database& db, CeipalClient& client,
                                      const Catalogue& catalogue) {
  std::vector<VerifyRow> rows;
  for (const auto& spec : catalogue.resources()) {
    VerifyRow row;
    row.resource = spec.name;
    auto counted = state::Guard("count " + spec.name, [&]() -> Result<void> {
      SQLite::Statement q(
          db.sql(),
          fmt::format("SELECT count(*) FROM {} WHERE deleted_at IS NULL",
                      spec.name));
      if (q.executeStep()) row.mirror = q.getColumn(0).getInt64();
      return {};
    });
    if (!counted) return std::unexpected(counted.error());

    if (!spec.parent.empty()) {
      row.note = "listed per job: not countable in one request";
      rows.push_back(row);
      continue;
    }
    std::string what = fmt::format("count {}", spec.name);
    auto response = client.Get(spec.list_path, {{"limit", "5"}}, what);
    if (!response) return std::unexpected(response.error());
    if (response->status == 404) {
      row.api = 0;
    } else {
      auto page = DecodePage(std::move(response->body), what);
      if (!page) return std::unexpected(page.error());
      row.api = (*page)->envelope.count;
    }
    row.drift = *row.api != row.mirror;
    rows.push_back(row);
  }
  return rows;
}

std::string VerifyTable(const std::vector<VerifyRow>& rows) {
  std::string out =
      fmt::format("{:<13} {:>9} {:>9}  {}\n", "resource", "mirror", "api", "");
  for (const auto& r : rows) {
    out += fmt::format(
        "{:<13} {:>9} {:>9}  {}\n", r.resource, r.mirror,
        r.api ? std::to_string(*r.api) : "-",
        r.drift ? fmt::format("DRIFT ({:+})", *r.api - r.mirror) : r.note);
  }
  return out;
}

}  // namespace ceipal::engine
