// The Ceipal v2 API of the sandbox: login, refresh, lists and details, with
// the faults that apply to them. See docs/sandbox.md for the contract.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>

#include "tools/fake_ceipal/json_object.h"
#include "tools/fake_ceipal/json_writer.h"
#include "tools/fake_ceipal/sandbox.h"
#include "tools/fake_ceipal/seeded_hash.h"

namespace ceipal::fake {
namespace {

constexpr std::string_view kBadParameters = "Invalid parameters or filters.";
constexpr std::string_view kNoRecords = "No records found";
constexpr std::string_view kRateLimited =
    "Request limit exceeded. Please try again later.";
constexpr std::string_view kCompanyDisabled =
    "Your company access is temporarily disabled.";
constexpr std::string_view kMissingToken = "Please provide the access token.";
constexpr std::string_view kInvalidToken = "Invalid access token.";
constexpr std::string_view kExpiredToken = "Access token has expired.";
constexpr int64_t kMinLimit = 5;
constexpr int64_t kMaxLimit = 50;
constexpr int64_t kDefaultLimit = 20;
constexpr int64_t kHugeCount = 1'000'000'000'000;
constexpr size_t kHugeFieldBytes = 2 << 20;

// A whole decimal integer, sign allowed; nullopt for anything else.
std::optional<int64_t> ParseInteger(std::string_view text) {
  int64_t value = 0;
  const char* end = text.data() + text.size();
  auto [stop, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc() || stop != end) return std::nullopt;
  return value;
}

// The token of an "Authorization: Bearer <token>"-style header value.
std::optional<std::string> BearerToken(std::string_view value) {
  constexpr std::string_view kScheme = "bearer ";
  if (value.size() <= kScheme.size()) return std::nullopt;
  for (size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(value[i])) != kScheme[i]) {
      return std::nullopt;
    }
  }
  return std::string(value.substr(kScheme.size()));
}

}  // namespace

HttpReply Sandbox::ServeApi(const HttpRequest& request, const Route& route) {
  // The rate limit guards the whole API, logins included.
  if (!faults_.Admit(FaultState::Clock::now())) {
    HttpReply reply = MessageReply(429, kRateLimited);
    if (faults_.settings().retry_after >= 0) {
      reply.headers.emplace_back(
          "Retry-After", std::to_string(faults_.settings().retry_after));
    }
    return reply;
  }

  bool is_auth =
      route.kind == Route::Kind::kLogin || route.kind == Route::Kind::kRefresh;
  if (route.kind == Route::Kind::kUnknown) {
    return MessageReply(404, "Not found.");
  }
  if (request.method != (is_auth ? "POST" : "GET")) {
    return MessageReply(405, "Method not allowed.");
  }
  if (route.kind == Route::Kind::kLogin) return Login(request);
  if (route.kind == Route::Kind::kRefresh) return Refresh(request);

  HttpReply reply = ServeData(request, route);
  reply.delay_ms = faults_.settings().latency_ms;
  // Scheduled token trouble lands between two data requests, so whoever
  // asked for it knows which request is the first to meet it.
  if (faults_.RevokeDue()) tokens_.RevokeAll();
  if (faults_.ExpiryDue()) tokens_.ExpireAll(clock_.Now());
  return reply;
}

HttpReply Sandbox::ServeData(const HttpRequest& request, const Route& route) {
  // Transport and server trouble comes before the application looks at the
  // request, so these faults need no valid token.
  if (faults_.TakeReset()) {
    HttpReply reply;
    reply.drop_connection = true;
    return reply;
  }
  if (faults_.TakeFail()) {
    return MessageReply(503, "Service temporarily unavailable.");
  }
  if (std::optional<int> status = faults_.RandomError()) {
    return MessageReply(*status, "Internal server error.");
  }

  if (std::optional<HttpReply> denied = Authorize(request)) return *denied;
  if (faults_.settings().company_disabled) {
    return MessageReply(403, kCompanyDisabled);
  }
  if (faults_.TakeEmptyBody()) return JsonReply(200, "");

  HttpReply reply = route.kind == Route::Kind::kList
                        ? List(route.resource, request)
                        : Detail(route.resource, route.id);
  if (reply.status == 200 && faults_.TakeTruncate()) {
    reply.body.resize(reply.body.size() / 2);
  }
  return reply;
}

HttpReply Sandbox::Login(const HttpRequest& request) {
  auto body = JsonObject::Parse(request.body);
  std::optional<std::string> email, password, api_key;
  if (body) {
    email = body->GetString("email").value_or(std::nullopt);
    password = body->GetString("password").value_or(std::nullopt);
    api_key = body->GetString("apiKey").value_or(std::nullopt);
  }
  if (!email || !password || !api_key || email->empty() || password->empty() ||
      api_key->empty()) {
    return MessageReply(400, "credentials mandatory");
  }
  if (*email != config_.email || *password != config_.password ||
      *api_key != config_.api_key) {
    return MessageReply(401, "Invalid credentials.");
  }

  TokenStore::Login login = tokens_.IssueLogin(clock_.Now());
  JsonWriter out;
  out.BeginObject();
  out.Field("access_token", login.access_token);
  out.Field("refresh_token", login.refresh_token);
  out.EndObject();
  return JsonReply(200, out.Take());
}

HttpReply Sandbox::Refresh(const HttpRequest& request) {
  std::optional<std::string> header = request.Header("token");
  if (!header) return MessageReply(400, "Token header is mandatory.");
  std::optional<std::string> token = BearerToken(*header);
  if (!token) return MessageReply(401, kInvalidToken);
  if (faults_.settings().refuse_refresh) {
    return MessageReply(401, "Token refresh refused.");
  }

  std::optional<std::string> fresh = tokens_.Refresh(*token, clock_.Now());
  if (!fresh) return MessageReply(401, "Invalid or expired refresh token.");
  JsonWriter out;
  out.BeginObject();
  out.Field("access_token", *fresh);
  out.EndObject();
  return JsonReply(200, out.Take());
}

std::optional<HttpReply> Sandbox::Authorize(const HttpRequest& request) const {
  std::optional<std::string> header = request.Header("authorization");
  if (!header) return MessageReply(401, kMissingToken);
  std::optional<std::string> token = BearerToken(*header);
  if (!token) return MessageReply(401, kInvalidToken);
  switch (tokens_.Check(*token, clock_.Now())) {
    case TokenStore::Verdict::kValid:
      return std::nullopt;
    case TokenStore::Verdict::kExpired:
      return MessageReply(401, kExpiredToken);
    case TokenStore::Verdict::kUnknown:
      break;
  }
  return MessageReply(401, kInvalidToken);
}

HttpReply Sandbox::List(Resource resource, const HttpRequest& request) {
  // Every answered list request counts towards scheduled mutations, which
  // fire after this answer is built: that is how a page drifts.
  struct Served {
    Mutator& mutator;
    Resource resource;
    ~Served() { mutator.OnListServed(resource); }
  } served{mutator_, resource};
  HttpReply bad = MessageReply(400, kBadParameters);

  // Paging: page from 1, limit clamped to what Ceipal allows.
  int64_t page = 1;
  int64_t limit = kDefaultLimit;
  if (auto text = request.Param("page")) {
    std::optional<int64_t> value = ParseInteger(*text);
    // No record lies beyond the largest index; the bound also keeps the
    // page's offset from overflowing.
    if (!value || *value < 1 || *value > IdCodec::kMaxIndex) return bad;
    page = *value;
  }
  if (auto text = request.Param("limit")) {
    std::optional<int64_t> value = ParseInteger(*text);
    if (!value) return bad;
    limit = std::clamp(*value, kMinLimit, kMaxLimit);
  }

  // Sorting: users have no timestamps to sort by.
  ListQuery query;
  query.resource = resource;
  std::string sort_by = request.Param("sortBy").value_or("id");
  std::string sort_order = request.Param("sortOrder").value_or("desc");
  if (sort_by == "id") {
    query.sort = SortField::kId;
  } else if (sort_by == "created_at" && HasModifiedTime(resource)) {
    query.sort = SortField::kCreated;
  } else if (sort_by == "modify_date" && HasModifiedTime(resource)) {
    query.sort = SortField::kModified;
  } else {
    return bad;
  }
  if (sort_order != "asc" && sort_order != "desc") return bad;
  query.descending = sort_order == "desc";

  // The change filter: naive server-clock timestamps, strictly exclusive.
  for (auto [name, target] :
       {std::pair{"modifiedAfter", &query.modified_after},
        std::pair{"modifiedBefore", &query.modified_before}}) {
    std::optional<std::string> text = request.Param(name);
    if (!text) continue;
    if (!HasModifiedTime(resource)) return bad;
    *target = ParseNaive(*text, config_.utc_offset_seconds);
    if (!*target) return bad;
  }

  // Submissions are listed per job; an unknown or deleted job has none.
  bool job_known = true;
  if (resource == Resource::kSubmissions) {
    std::optional<std::string> job_id = request.Param("jobId");
    if (!job_id || job_id->empty()) return bad;
    std::optional<RecordRef> job = ids_.Decode(*job_id);
    job_known = job && job->resource == Resource::kJobPostings &&
                dataset_.IsLive(job->resource, job->index);
    query.job = job_known ? job->index : -1;
  }

  query.offset = (page - 1) * limit;
  query.limit = limit;
  ListSlice slice = job_known ? dataset_.List(query) : ListSlice{};
  if (slice.indexes.empty() && !config_.empty_page_ok) {
    return MessageReply(404, kNoRecords);
  }

  // The page, in the envelope (or, as a fault, in a wrong one).
  bool bad_envelope = faults_.TakeBadEnvelope();
  int64_t count =
      !bad_envelope && faults_.TakeHugeCount() ? kHugeCount : slice.total;
  int64_t pages = (count + limit - 1) / limit;
  JsonWriter out;
  out.BeginObject();
  if (bad_envelope) {
    out.Field("total", count);
    out.Key("data");
  } else {
    out.Field("count", count);
    out.Field("num_pages", pages);
    out.Field("page_number", page);
    out.Field("limit", limit);
    out.Field("next", page < pages ? PageUrl(request, page + 1) : "");
    out.Field("previous", page > 1 ? PageUrl(request, page - 1) : "");
    out.Key("results");
  }
  out.BeginArray();
  for (int64_t index : slice.indexes) {
    renderer_.Write(*dataset_.Find(resource, index), false, out);
  }
  if (!slice.indexes.empty()) {
    if (std::optional<HostileKind> kind = faults_.TakeInjection(resource)) {
      RecordState last = *dataset_.Find(resource, slice.indexes.back());
      out.Raw(Hostile(*kind, renderer_.Render(last, false)));
    }
  }
  out.EndArray();
  out.EndObject();
  return JsonReply(200, out.Take());
}

HttpReply Sandbox::Detail(Resource resource, std::string_view id) const {
  std::optional<RecordRef> ref = ids_.Decode(id);
  std::optional<RecordState> state;
  if (ref && ref->resource == resource) {
    state = dataset_.Find(resource, ref->index);
  }
  if (!state) return MessageReply(404, "Record not found.");
  return JsonReply(200, renderer_.Render(*state, true));
}

std::string Sandbox::PageUrl(const HttpRequest& request, int64_t page) const {
  // Keep the query as the client wrote it, with only the page replaced.
  std::string_view target(request.target);
  size_t question = target.find('?');
  std::string_view query =
      question == std::string_view::npos ? "" : target.substr(question + 1);
  std::string rebuilt;
  bool replaced = false;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view part = query.substr(0, amp);
    query = amp == std::string_view::npos ? "" : query.substr(amp + 1);
    if (part.empty()) continue;
    if (!rebuilt.empty()) rebuilt += '&';
    if (part.starts_with("page=") || part == "page") {
      rebuilt += fmt::format("page={}", page);
      replaced = true;
    } else {
      rebuilt += part;
    }
  }
  if (!replaced) {
    if (!rebuilt.empty()) rebuilt += '&';
    rebuilt += fmt::format("page={}", page);
  }
  std::string host = request.Header("host").value_or(
      fmt::format("{}:{}", config_.host, config_.port));
  return fmt::format("http://{}{}?{}", host, request.path, rebuilt);
}

// A malformed variant of a real record of the page. Except for
// duplicate_id, it carries an id no real record has, so the ground truth is
// unaffected by it.
std::string Sandbox::Hostile(HostileKind kind, const std::string& record) {
  // Every rendered record opens with {"id":"<44 characters>",
  constexpr size_t kHead = 7 + IdCodec::kIdLength + 2;
  std::string rest = record.substr(kHead);
  std::string fake_id = ids_.Opaque(Tag("hostile"), ++hostile_serial_);
  std::string with_fake_id = R"({"id":")" + fake_id + "\"," + rest;
  switch (kind) {
    case HostileKind::kNoId:
      return "{" + rest;
    case HostileKind::kInvalidUtf8:
      return R"({"id":")" + fake_id + R"(","note":"caf)" + "\xC3\x28 \xFF\xFE" +
             "\"," + rest;
    case HostileKind::kHugeField:
      return R"({"id":")" + fake_id + R"(","notes":")" +
             std::string(kHugeFieldBytes, 'x') + "\"," + rest;
    case HostileKind::kNullRecord:
      return "null";
    case HostileKind::kArrayRecord:
      return "[" + with_fake_id + "]";
    case HostileKind::kDuplicateId:
      return record;
    case HostileKind::kWrongType:
      return fmt::format(R"({{"id":{},{})", 1000 + hostile_serial_, rest);
  }
  return record;
}

}  // namespace ceipal::fake
