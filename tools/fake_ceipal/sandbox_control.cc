// The control API of the sandbox, under /_fake/: no real Ceipal path uses
// that prefix. No authentication, no faults, not counted in the stats.
#include <fmt/format.h>

#include "tools/fake_ceipal/json_object.h"
#include "tools/fake_ceipal/json_writer.h"
#include "tools/fake_ceipal/sandbox.h"

namespace ceipal::fake {
namespace {

HttpReply BadRequest(const Error& error) {
  return MessageReply(error.http_status != 0 ? error.http_status : 400,
                      error.message);
}

std::string FormatOffset(int seconds) {
  int magnitude = seconds < 0 ? -seconds : seconds;
  return fmt::format("{}{:02}:{:02}", seconds < 0 ? '-' : '+', magnitude / 3600,
                     magnitude / 60 % 60);
}

}  // namespace

HttpReply Sandbox::ServeControl(const HttpRequest& request) {
  std::string_view what = std::string_view(request.path).substr(7);
  bool get = request.method == "GET";
  bool post = request.method == "POST";

  if (what == "clock" && (get || post)) return Clock(request);
  if (what == "mutate" && post) return Mutate(request);
  if (what == "journal" && get) {
    JsonWriter out;
    mutator_.WriteEntries(mutator_.journal(), out);
    return JsonReply(200, out.Take());
  }
  if (what == "truth" && get) return Truth(request);
  if (what == "stats" && get) {
    JsonWriter out;
    stats_.Write(out);
    return JsonReply(200, out.Take());
  }
  if (what == "reset" && post) return Reset();
  if (what == "faults" && (get || post)) return Faults(request);
  return MessageReply(404, fmt::format("no control endpoint {} {}",
                                       request.method, request.path));
}

std::string Sandbox::ClockJson() const {
  EpochSeconds now = clock_.Now();
  JsonWriter out;
  out.BeginObject();
  out.Field("now", FormatNaive(now, config_.utc_offset_seconds));
  out.Field("utc", FormatIsoUtc(now));
  out.Field("epoch", now);
  out.Field("utc_offset", FormatOffset(config_.utc_offset_seconds));
  out.EndObject();
  return out.Take();
}

HttpReply Sandbox::Clock(const HttpRequest& request) {
  if (request.method == "POST") {
    auto body = JsonObject::Parse(request.body);
    if (!body) return BadRequest(body.error().Context("clock"));
    auto advance = body->GetInt("advance");
    auto set = body->GetString("set");
    if (!advance) return BadRequest(advance.error().Context("clock"));
    if (!set) return BadRequest(set.error().Context("clock"));
    if (*advance && *set) {
      return MessageReply(400, "clock: give either advance or set");
    }

    if (*advance) {
      clock_.Advance(**advance);
    } else if (*set) {
      std::optional<EpochSeconds> when =
          ParseNaive(**set, config_.utc_offset_seconds);
      if (!when) {
        return MessageReply(
            400,
            fmt::format("clock: set \"{}\" is not YYYY-MM-DD HH:MM:SS", **set));
      }
      clock_.Set(*when);
    } else {
      return MessageReply(400, "clock: give advance (seconds) or set");
    }
  }
  return JsonReply(200, ClockJson());
}

HttpReply Sandbox::Mutate(const HttpRequest& request) {
  auto body = JsonObject::Parse(request.body);
  if (!body) return BadRequest(body.error().Context("mutate"));
  auto mutation = ParseMutation(*body);
  if (!mutation) return BadRequest(mutation.error());
  auto written = mutator_.Submit(*mutation);
  if (!written) return BadRequest(written.error());

  JsonWriter out;
  out.BeginObject();
  out.Key("scheduled");
  out.Bool(mutation->after_requests > 0);
  out.Key("changes");
  mutator_.WriteEntries(*written, out);
  out.EndObject();
  return JsonReply(200, out.Take());
}

HttpReply Sandbox::Truth(const HttpRequest& request) const {
  std::string name = request.Param("resource").value_or("");
  std::optional<Resource> resource = ResourceByName(name);
  if (!resource) {
    return MessageReply(400,
                        fmt::format("truth: unknown resource \"{}\"", name));
  }

  // Job postings as their detail serves them (with the client); the rest as
  // their lists do. Built whole: meant for small datasets.
  bool detail = *resource == Resource::kJobPostings;
  JsonWriter out;
  out.BeginObject();
  out.Key("records");
  out.BeginArray();
  for (int64_t index : dataset_.LiveIndexes(*resource)) {
    renderer_.Write(*dataset_.Find(*resource, index), detail, out);
  }
  out.EndArray();
  out.EndObject();
  return JsonReply(200, out.Take());
}

HttpReply Sandbox::Faults(const HttpRequest& request) {
  if (request.method == "POST") {
    auto body = JsonObject::Parse(request.body);
    if (!body) return BadRequest(body.error().Context("faults"));
    bool revoke = false;
    auto merged = MergeFaults(*body, faults_.settings(), revoke);
    if (!merged) return BadRequest(merged.error().Context("faults"));
    faults_.Configure(std::move(*merged));
    if (revoke) tokens_.RevokeAll();
  }
  JsonWriter out;
  WriteFaults(faults_.settings(), out);
  return JsonReply(200, out.Take());
}

HttpReply Sandbox::Reset() {
  // Tokens survive a reset, so a test's client stays logged in.
  dataset_.Reset();
  mutator_.Reset();
  stats_.Reset();
  faults_.Reset();
  clock_.Reset();
  hostile_serial_ = 0;
  return JsonReply(200, R"({"reset":true})");
}

}  // namespace ceipal::fake
