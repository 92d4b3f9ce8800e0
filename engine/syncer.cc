#include "engine/syncer.h"

#include <fmt/format.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <limits>
#include <map>
#include <mutex>
#include <semaphore>
#include <set>
#include <thread>
#include <unordered_set>

#include "engine/fetcher.h"
#include "engine/keyset_pager.h"
#include "engine/mirror_writer.h"
#include "engine/normalizer.h"
#include "engine/page_decoder.h"
#include "state/run_ledger.h"
#include "state/storage_error.h"
#include "state/sync_meta.h"
#include "state/sync_state.h"
#include "state/utc_time.h"

namespace ceipal::engine {
namespace {

// A read with more pages than this left is split into windows of modified
// time read side by side, when the config allows several requests at once.
constexpr int64_t kWindowedPages = 8;
constexpr const char* kWindowTag = "#w:";
// Records changed in a run that the planner keeps as hints, per resource.
constexpr size_t kMaxHints = 10000;
// Pages of a windowed read committed in one transaction, at most.
constexpr size_t kPagesPerCommit = 16;
// Decoded pages that window readers may hold at once, run-wide: fetched,
// queued or being applied. One long read alone stays under it (8 windows,
// twice as many queued, a batch being applied); reads that overlap share
// it, so their pages do not add up.
constexpr std::ptrdiff_t kMaxPagesHeld = 40;
// A page that arrives malformed (truncated, not JSON, wrong envelope) is
// asked again this many times in all before its resource fails.
constexpr int kMalformedAttempts = 3;
constexpr const char* kLoadMarkKey = "first_load_mark:";
constexpr const char* kStartedKey = "started_run:";
constexpr const char* kResumeFirstKey = "resume_first:";
constexpr const char* kLoadDoneKey = "first_load_done";

using Query = std::vector<std::pair<std::string, std::string>>;

// Why a read stopped before the end of what it had to read.
enum class Stop { kNone, kBudget, kDeadline };

std::string RecordIdJson(const std::string& id) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.String(id.data(), static_cast<rapidjson::SizeType>(id.size()));
  return {buf.GetString(), buf.GetSize()};
}

state::RunStatus StatusOf(const std::string& status) {
  if (status == "partial") return state::RunStatus::kPartial;
  if (status == "failed") return state::RunStatus::kFailed;
  if (status == "cancelled") return state::RunStatus::kCancelled;
  return state::RunStatus::kOk;
}

int64_t ElapsedMs(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now() - since)
      .count();
}

}  // namespace

class Syncer::Impl {
 public:
  Impl(state::Database& db, CeipalClient& client, const Config& config,
       spdlog::logger& log, ProgressSink* progress)
      : db_(db),
        client_(client),
        config_(config),
        log_(log),
        progress_(progress),
        writer_(db.sql(), config.catalogue),
        fetcher_(std::make_unique<Fetcher>(client, config.concurrency,
                                           TransportOptionsFor(config))),
        ledger_(db),
        states_(db),
        meta_(db) {}

  Result<RunReport> Run(const RunOptions& options);

 private:
  struct ReadState {
    const ResourceSpec* spec;
    std::string scope;
    std::optional<int64_t> cursor_unix;
    std::string cursor_text;
    bool first_load = false;
    ResourceReport* report;
    int64_t expected = 0;
    bool from_start = false;  // ignore the cursor: read the whole id set
    // During the first load: records modified later than this changed
    // while the load ran, so their rows are live, not snapshots.
    std::optional<int64_t> live_after;
  };

  struct PageOutcome {
    size_t records = 0;                 // records the page carried
    std::optional<int64_t> first_unix;  // modified of its first record
    std::optional<int64_t> last_unix;   // and of its last
    bool cut = false;  // budget ended inside the page: a prefix applied
  };

  // What the resources of a run share while they are read side by side.
  struct Lanes {
    bool side_by_side = false;
    Stop stopped = Stop::kNone;
    std::optional<Error> fatal;
    bool first_started = true;
    std::map<std::string, int64_t> started_in;
    // A storage failure outside any resource's read: the run fails.
    std::optional<Error> broken;
  };

  std::vector<const ResourceSpec*> Selected(const RunOptions& options,
                                            Result<void>& error) const;
  ResourceReport ReadResource(const ResourceSpec& spec, RunReport& run,
                              Lanes& lanes);
  Result<void> ReadSideBySide(const std::vector<const ResourceSpec*>& specs,
                              RunReport& run, Lanes& lanes,
                              std::vector<ResourceReport>& reports);

  // Runs `wait` (a network call, a wait on other threads) without the
  // turn, when this thread holds it; see turn_.
  template <class F>
  auto Unlocked(F&& wait);
  Result<ApiResponse> Fetch(const FetchRequest& request);
  std::vector<Result<ApiResponse>> FetchAll(
      const std::vector<FetchRequest>& requests);
  Stop OutOfBudget() const;
  Result<std::optional<int64_t>> LoadMark(const ResourceSpec& spec);
  std::optional<int64_t> StartAfter(const ReadState& read) const;
  int64_t RemainingRequests() const;
  Result<PageOutcome> ApplyPage(ReadState& read, PreparedPage& page);
  Result<PreparedPage> Prepare(const ResourceSpec& spec,
                               const FetchRequest& request,
                               Result<ApiResponse> response);
  bool ReserveRequest();
  void ReleaseRequest();
  Result<std::optional<Stop>> ReadInWindows(ReadState& read,
                                            const KeysetPager& pager,
                                            const PreparedPage& first);
  Result<Stop> RunWindows(
      ReadState& read,
      const std::vector<std::pair<std::string, PagerBounds>>& windows);
  Result<Stop> ResumeWindows(ReadState& read);
  Result<Stop> ReadIncremental(
      ReadState& read,
      std::optional<Result<ApiResponse>> prefetched = std::nullopt);
  Result<Stop> ReadWhole(ReadState& read);
  Result<Stop> ReadSubmissions(const ResourceSpec& spec, ResourceReport& report,
                               RunReport& run);
  // The jobs a run polls, in order (DueJobs).
  struct JobPlan {
    enum Reason : uint8_t {
      kFirstSight,
      kJobChanged,
      kApplicantChanged,
      kActive,
      kFull,
      kInactive
    };
    struct Entry {
      int64_t last_polled;  // epoch seconds, 0 when never polled
      uint32_t start;       // of the id in `ids`
      uint32_t size;
      Reason reason;
    };
    std::string ids;  // every id, back to back
    std::vector<Entry> jobs;

    std::string_view id(const Entry& e) const {
      return std::string_view(ids).substr(e.start, e.size);
    }
    static const char* Why(Reason r) {
      static constexpr const char* kWhy[] = {
          "first sight", "job changed", "applicant changed",
          "active job",  "full",        "inactive cadence"};
      return kWhy[r];
    }
  };
  JobPlan DueJobs();
  Query BaseQuery(const ResourceSpec& spec, const std::string& scope) const;
  bool FullDue(const ResourceSpec& spec);
  bool Due(const std::optional<std::string>& last,
           std::chrono::minutes every) const;
  Result<Stop> ConfirmDeletes(const ResourceSpec& spec, const std::string& job,
                              int64_t since_run, ResourceReport& report);
  Result<Stop> ConfirmOne(const ResourceSpec& spec,
                          const ResourceSpec* submissions,
                          const std::string& id, const std::string& what,
                          Result<ApiResponse> response,
                          const ChangeContext& context, ResourceReport& report);
  Result<Stop> Sweep(const ResourceSpec& spec, ResourceReport& report);
  Result<Stop> ReadTopLevel(const ResourceSpec& spec, ResourceReport& report,
                            RunReport& run);

  state::Database& db_;
  CeipalClient& client_;
  const Config& config_;
  spdlog::logger& log_;
  ProgressSink* progress_;
  MirrorWriter writer_;
  std::unique_ptr<Fetcher> fetcher_;
  // Resources read side by side each run on a thread of their own, but
  // only the thread holding the turn runs engine code: a thread gives it up
  // only while it waits on the network or on other threads. So the run's
  // state and the database connection need no other lock, and no
  // transaction is ever open while its thread waits on the network.
  std::mutex turn_;
  bool in_shared_txn_ = false;  // ApplyPage writes into the caller's
  std::mutex budget_mu_;
  int64_t in_flight_ = 0;  // requests reserved by window readers
  // Places under kMaxPagesHeld, taken before a page is fetched.
  std::counting_semaphore<kMaxPagesHeld> page_places_{kMaxPagesHeld};
  state::RunLedger ledger_;
  state::SyncStateStore states_;
  state::SyncMeta meta_;

  RunOptions options_;
  int64_t run_id_ = 0;
  std::string recorded_at_;
  std::optional<std::chrono::steady_clock::time_point> deadline_at_;
  int64_t requests_at_start_ = 0;
  bool load_done_ = false;
  int64_t committed_requests_ = 0;  // requests counted in sync_runs so far
  // Records inserted or changed in this run, by resource: planner hints.
  std::map<std::string, std::set<std::string>> changed_ids_;
};

Syncer::Syncer(state::Database& db, CeipalClient& client, const Config& config,
               spdlog::logger& log, ProgressSink* progress)
    : impl_(std::make_unique<Impl>(db, client, config, log, progress)) {}

Syncer::~Syncer() = default;

Result<RunReport> Syncer::Run(const RunOptions& options) {
  return impl_->Run(options);
}

std::vector<const ResourceSpec*> Syncer::Impl::Selected(
    const RunOptions& options, Result<void>& error) const {
  std::vector<const ResourceSpec*> specs;
  for (const auto& name : options.resources) {
    if (!config_.catalogue.Find(name)) {
      error =
          Fail(ErrorKind::kConfig, fmt::format("unknown resource '{}'", name));
      return {};
    }
  }
  // Catalogue order: parents before the resources listed per parent.
  for (const auto& spec : config_.catalogue.resources()) {
    if (options.resources.empty() ||
        std::find(options.resources.begin(), options.resources.end(),
                  spec.name) != options.resources.end()) {
      specs.push_back(&spec);
    }
  }
  return specs;
}

int64_t Syncer::Impl::RemainingRequests() const {
  if (deadline_at_ && std::chrono::steady_clock::now() >= *deadline_at_) {
    return 0;
  }
  if (options_.max_requests <= 0) return std::numeric_limits<int64_t>::max();
  return std::max<int64_t>(
      0, options_.max_requests -
             (client_.stats().data_requests - requests_at_start_));
}

Stop Syncer::Impl::OutOfBudget() const {
  if (options_.max_requests > 0 &&
      client_.stats().data_requests - requests_at_start_ >=
          options_.max_requests) {
    return Stop::kBudget;
  }
  if (deadline_at_ && std::chrono::steady_clock::now() >= *deadline_at_) {
    return Stop::kDeadline;
  }
  return Stop::kNone;
}

namespace {

// Whether this thread holds the turn of the Syncer running on it.
thread_local bool t_holds_turn = false;

}  // namespace

template <class F>
auto Syncer::Impl::Unlocked(F&& wait) {
  if (!t_holds_turn) return wait();
  // Taken again on the way out, whether `wait` returns or throws.
  struct Retake {
    std::mutex& turn;
    ~Retake() {
      turn.lock();
      t_holds_turn = true;
    }
  } retake{turn_};
  t_holds_turn = false;
  turn_.unlock();
  return wait();
}

Result<ApiResponse> Syncer::Impl::Fetch(const FetchRequest& request) {
  return Unlocked([&] { return fetcher_->Get(request); });
}

std::vector<Result<ApiResponse>> Syncer::Impl::FetchAll(
    const std::vector<FetchRequest>& requests) {
  return Unlocked([&] { return fetcher_->FetchAll(requests); });
}

Query Syncer::Impl::BaseQuery(const ResourceSpec& spec,
                              const std::string& scope) const {
  Query query = {{"limit", std::to_string(kPageLimit)}};
  if (!spec.parent_param.empty()) query.emplace_back(spec.parent_param, scope);
  return query;
}

// Fill from details, diff and write: one page, one transaction, with the
// cursor it reached.
Result<Syncer::Impl::PageOutcome> Syncer::Impl::ApplyPage(ReadState& read,
                                                          PreparedPage& page) {
  const ResourceSpec& spec = *read.spec;
  const std::string& what = page.request.what;
  PageOutcome outcome;
  outcome.records = page.records;
  outcome.first_unix = page.first_unix;
  outcome.last_unix = page.last_unix;
  auto& good = page.good;
  auto& good_position = page.good_position;
  auto& bad = page.bad;

  std::vector<std::string> ids;
  ids.reserve(good.size());
  for (const auto& rec : good) ids.push_back(rec.id);
  auto stored = writer_.Lookup(spec, ids);
  if (!stored) return std::unexpected(stored.error());

  // Fill from details what the list lacks, for new or changed records only.
  // The budget counts these calls: when it ends, a prefix of the page (in
  // modified order) is applied and the cursor stops there.
  size_t cut = good.size();
  std::vector<bool> gone(good.size(), false);
  if (!spec.detail_columns.empty()) {
    std::vector<size_t> wanted;
    for (size_t i = 0; i < good.size(); ++i) {
      auto found = stored->find(good[i].id);
      if (found == stored->end() || found->second.deleted ||
          found->second.content_hash != good[i].content_hash) {
        wanted.push_back(i);
      }
    }
    int64_t allowed = RemainingRequests();
    if (static_cast<int64_t>(wanted.size()) > allowed) {
      cut = wanted[static_cast<size_t>(allowed)];
      wanted.resize(static_cast<size_t>(allowed));
      outcome.cut = true;
    }

    std::vector<FetchRequest> requests;
    for (size_t i : wanted) {
      std::string path = spec.detail_path;
      auto at = path.find("{id}");
      if (at != std::string::npos) path.replace(at, 4, good[i].id);
      requests.push_back(
          {path, {}, fmt::format("fetch {} detail {}", spec.name, good[i].id)});
    }
    auto responses = FetchAll(requests);
    for (size_t k = 0; k < wanted.size(); ++k) {
      size_t i = wanted[k];
      auto& rec = good[i];
      if (!responses[k]) return std::unexpected(responses[k].error());
      ++read.report->requests;
      if (responses[k]->status == 404) {
        gone[i] = true;  // deleted between the list and the detail
        continue;
      }
      std::string decoding =
          fmt::format("{} ({})", requests[k].what, requests[k].path);
      auto detail = DecodeObject(responses[k]->body, decoding);
      bool vanished = false;
      for (int attempt = 1;
           attempt < kMalformedAttempts && !detail && !vanished; ++attempt) {
        log_.warn("Asking again for a malformed detail what={} error={}",
                  requests[k].what, detail.error().message);
        auto again = Fetch(requests[k]);
        if (!again) return std::unexpected(again.error());
        vanished = again->status == 404;
        if (!vanished) detail = DecodeObject(again->body, decoding);
      }
      if (vanished) {
        gone[i] = true;
        continue;
      }
      if (!detail) return std::unexpected(detail.error());
      uint64_t list_hash = rec.content_hash;
      auto filled = ApplyDetail(spec, *detail, rec, config_.source_clock);
      if (!filled) {
        bad.push_back({good_position[i], rec.id, filled.error().message});
        gone[i] = true;
        continue;
      }
      // The stored hash stays the list's, so an unchanged list record is
      // known unchanged without its detail call.
      rec.content_hash = list_hash;
    }
  }
  std::vector<NormalizedRecord> apply;
  apply.reserve(cut);
  std::optional<int64_t> cursor = read.cursor_unix;
  std::string cursor_text = read.cursor_text;
  for (size_t i = 0; i < cut; ++i) {
    if (good[i].modified_unix &&
        (!cursor || *good[i].modified_unix > *cursor)) {
      cursor = good[i].modified_unix;
      cursor_text = good[i].modified_source;
    }
    if (!gone[i]) apply.push_back(std::move(good[i]));
  }
  if (outcome.cut) {
    outcome.last_unix =
        cut > 0 ? apply.empty() ? std::nullopt : apply.back().modified_unix
                : std::nullopt;
  }
  size_t cut_position =
      cut < good_position.size() ? good_position[cut] : page.records;

  // Apply: records, change rows, quarantine, counters and cursor commit
  // together.
  ChangeContext context;
  context.run_id = run_id_;
  context.recorded_at = recorded_at_;
  context.first_load = read.first_load;
  context.live_after_unix = read.live_after;
  context.hired_statuses = &config_.hired_statuses;

  // Inside a transaction shared by pages that arrived together, or one of
  // its own.
  std::optional<state::WriteTransaction> own;
  if (!in_shared_txn_) {
    auto begun = state::WriteTransaction::Begin(db_);
    if (!begun) return std::unexpected(begun.error().Context(what));
    own.emplace(std::move(*begun));
  }
  int64_t quarantined = 0;
  for (const auto& b : bad) {
    if (b.position >= cut_position) continue;
    auto q = writer_.Quarantine(run_id_, spec.name, b.id,
                                page.page->raw_records[b.position], b.error,
                                recorded_at_);
    if (!q) return std::unexpected(q.error());
    ++quarantined;
    log_.warn("Quarantined a record resource={} id={} reason={}", spec.name,
              b.id.empty() ? "-" : b.id, b.error);
  }
  auto counts = writer_.Apply(spec, apply, *stored, context);
  if (!counts) return std::unexpected(counts.error());

  if (cursor && spec.refresh == RefreshMode::kIncremental) {
    // The cursor keeps the source's naive form and clock, whatever form the
    // record carried.
    std::string text = FormatSourceNaive(*cursor, config_.source_clock);
    auto saved = states_.SaveCursor(spec.name, read.scope, text, 0, run_id_);
    if (!saved) return std::unexpected(saved.error());
    read.cursor_unix = cursor;
    read.cursor_text = text;
  }
  state::RunCounters delta;
  delta.records = static_cast<int64_t>(outcome.records);
  delta.inserts = counts->inserts;
  delta.updates = counts->updates + counts->undeletes;
  delta.errors = quarantined;
  delta.requests =
      client_.stats().data_requests - requests_at_start_ - committed_requests_;
  auto added = ledger_.AddCounters(run_id_, delta);
  if (!added) return std::unexpected(added.error());
  if (own) {
    auto committed = own->Commit();
    if (!committed) return std::unexpected(committed.error().Context(what));
  }
  committed_requests_ += delta.requests;

  // Hints for the planner: jobs to poll first. A first load, or a run that
  // changes very many records, polls every job anyway: no hint is kept, so
  // memory stays flat however large the load.
  auto& changed = changed_ids_[spec.name];
  if (!read.first_load && changed.size() < kMaxHints) {
    changed.insert(counts->changed_ids.begin(), counts->changed_ids.end());
  }
  auto& r = *read.report;
  ++r.pages;
  r.records += static_cast<int64_t>(outcome.records);
  r.inserts += counts->inserts;
  r.updates += counts->updates + counts->undeletes;
  r.unchanged += counts->unchanged;
  r.changes += counts->changes;
  r.hires += counts->hires;
  r.quarantined += quarantined;
  return outcome;
}

// Keyset paging on the cursor: sort by modified ascending, and after each
// page ask again from just below the last modified second seen, so records
// that move while we page are met again later instead of skipped. Page
// numbers are used only inside one second that holds more than a page.
std::optional<int64_t> Syncer::Impl::StartAfter(const ReadState& read) const {
  if (read.cursor_unix && !options_.full && !read.from_start) {
    return *read.cursor_unix - config_.lookback.count();
  }
  return std::nullopt;
}

// Decodes and normalizes an answer; a malformed one is asked again, a few
// times, before it fails its read.
Result<PreparedPage> Syncer::Impl::Prepare(const ResourceSpec& spec,
                                           const FetchRequest& request,
                                           Result<ApiResponse> response) {
  auto page =
      PreparePage(spec, request, std::move(response), config_.source_clock);
  for (int attempt = 1; attempt < kMalformedAttempts && !page &&
                        page.error().kind == ErrorKind::kParse;
       ++attempt) {
    log_.warn("Asking again for a malformed page what={} error={}",
              request.what, page.error().message);
    Unlocked([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(250 * attempt));
    });
    auto again = Fetch(request);
    page = PreparePage(spec, request, std::move(again), config_.source_clock);
  }
  if (!page && page.error().kind == ErrorKind::kParse) {
    Error error = page.error();
    error.message += fmt::format(" (after {} attempts)", kMalformedAttempts);
    return std::unexpected(error);
  }
  return page;
}

Result<Stop> Syncer::Impl::ReadIncremental(
    ReadState& read, std::optional<Result<ApiResponse>> prefetched) {
  const ResourceSpec& spec = *read.spec;
  if (!prefetched) {
    // Windows left by an interrupted run come first.
    auto resumed = ResumeWindows(read);
    if (!resumed || *resumed != Stop::kNone) return resumed;
  }
  KeysetPager pager(spec, read.scope, {StartAfter(read), std::nullopt},
                    config_.source_clock);
  for (bool first = true;; first = false) {
    FetchRequest request = pager.Next();
    Result<ApiResponse> response = ApiResponse{};
    if (prefetched) {
      response = std::move(*prefetched);
      prefetched.reset();
    } else {
      if (Stop stop = OutOfBudget(); stop != Stop::kNone) return stop;
      response = Fetch(request);
    }
    auto page = Prepare(spec, request, std::move(response));
    if (!page) return std::unexpected(page.error());
    ++read.report->requests;

    if (!page->missing) {
      if (first) read.expected = page->page->envelope.count;
      auto outcome = ApplyPage(read, *page);
      if (!outcome) return std::unexpected(outcome.error());
      if (progress_) {
        progress_->OnPage(spec.name, read.report->pages, read.report->records,
                          read.expected);
      }
      if (outcome->cut) return OutOfBudget();
    }
    if (!pager.Advance(*page)) return Stop::kNone;
    if (first && !page->missing) {
      // A long read goes on in windows, side by side, when it can.
      auto windowed = ReadInWindows(read, pager, *page);
      if (!windowed) return std::unexpected(windowed.error());
      if (*windowed) return **windowed;
    }
  }
}

bool Syncer::Impl::ReserveRequest() {
  std::lock_guard<std::mutex> lock(budget_mu_);
  if (RemainingRequests() - in_flight_ <= 0) return false;
  ++in_flight_;
  return true;
}

void Syncer::Impl::ReleaseRequest() {
  std::lock_guard<std::mutex> lock(budget_mu_);
  --in_flight_;
}

namespace {

std::string WindowScope(const std::string& scope, const PagerBounds& b) {
  return fmt::format("{}{}{}:{}", scope, kWindowTag,
                     b.after ? std::to_string(*b.after) : "",
                     b.before ? std::to_string(*b.before) : "");
}

std::optional<PagerBounds> ParseWindowScope(const std::string& scope,
                                            const std::string& window) {
  std::string prefix = scope + kWindowTag;
  if (window.compare(0, prefix.size(), prefix) != 0) return std::nullopt;
  std::string rest = window.substr(prefix.size());
  auto colon = rest.find(':');
  if (colon == std::string::npos) return std::nullopt;
  PagerBounds bounds;
  try {
    if (colon > 0) bounds.after = std::stoll(rest.substr(0, colon));
    if (colon + 1 < rest.size())
      bounds.before = std::stoll(rest.substr(colon + 1));
  } catch (const std::exception&) {
    return std::nullopt;
  }
  return bounds;
}

}  // namespace

// A long read is split, after its first page, into windows of modified
// time, each paged by its own keyset reader on its own connection. Pages
// are applied as they arrive, each with the cursor of its own window
// (scope "<scope>#w:<after>:<before>"), so a killed run resumes every
// window where it stopped; the read's own cursor moves once all are done.
// The last window is open-ended: records changed during the read land
// there.
Result<std::optional<Stop>> Syncer::Impl::ReadInWindows(
    ReadState& read, const KeysetPager& pager, const PreparedPage& first) {
  const ResourceSpec& spec = *read.spec;
  const auto& envelope = first.page->envelope;
  // As many windows as requests may be in flight, each with enough pages
  // to pay for the probe that found its start.
  int streams = static_cast<int>(std::min<int64_t>(
      fetcher_->concurrency(), (envelope.num_pages - 1) / kWindowedPages));
  if (streams < 2 || !spec.sortable || spec.NeedsDetail() ||
      !spec.parent_param.empty() || envelope.num_pages <= kWindowedPages) {
    return std::nullopt;
  }

  // Probe where the rest of the range splits evenly: the first record of
  // evenly spaced pages of the remaining read.
  std::optional<int64_t> lo = pager.after();
  int64_t pages = envelope.num_pages - 1;
  std::vector<FetchRequest> probes;
  for (int i = 1; i < streams; ++i) {
    KeysetPager probe(spec, read.scope, {lo, std::nullopt},
                      config_.source_clock);
    FetchRequest request = probe.Next();
    int64_t page_number = 1 + i * pages / streams;
    request.query.back().second = std::to_string(page_number);
    request.what = fmt::format("probe {} page {}", spec.name, page_number);
    probes.push_back(std::move(request));
  }
  if (RemainingRequests() < static_cast<int64_t>(probes.size()) * 4) {
    return std::nullopt;  // too little budget to be worth it
  }
  auto answers = FetchAll(probes);
  std::vector<int64_t> cuts;
  for (size_t i = 0; i < answers.size(); ++i) {
    auto page = PreparePage(spec, probes[i], std::move(answers[i]),
                            config_.source_clock);
    ++read.report->requests;
    if (!page) continue;  // a probe that fails only costs balance
    if (page->missing || !page->first_unix) continue;
    int64_t cut = *page->first_unix;
    if ((!lo || cut > *lo + 1) && (cuts.empty() || cut > cuts.back())) {
      cuts.push_back(cut);
    }
  }
  if (cuts.empty()) return std::nullopt;

  // Windows [lo, c1), [c1, c2), ..., [cn, open): bounds are exclusive, so a
  // window from c starts after c - 1.
  std::vector<std::pair<std::string, PagerBounds>> windows;
  PagerBounds bounds{lo, std::nullopt};
  for (int64_t cut : cuts) {
    bounds.before = cut;
    windows.emplace_back(WindowScope(read.scope, bounds), bounds);
    bounds = PagerBounds{cut - 1, std::nullopt};
  }
  windows.emplace_back(WindowScope(read.scope, bounds), bounds);
  for (const auto& [scope, b] : windows) {
    auto saved = states_.SaveCursor(spec.name, scope, std::nullopt, 0, run_id_);
    if (!saved) return std::unexpected(saved.error());
  }
  log_.debug("Reading in windows resource={} windows={}", spec.name,
             windows.size());
  auto result = RunWindows(read, windows);
  if (!result) return std::unexpected(result.error());
  return std::optional<Stop>(*result);
}

// Windows of an interrupted run of this read, resumed before anything else.
Result<Stop> Syncer::Impl::ResumeWindows(ReadState& read) {
  if (!read.spec->parent_param.empty()) return Stop::kNone;
  // Only this resource's unfinished rows: reading every row would hold one
  // per job of the account (120,000 at 1,000,000 applicants) in memory.
  auto unfinished = states_.ListUnfinished(read.spec->name);
  if (!unfinished) return std::unexpected(unfinished.error());
  std::vector<std::pair<std::string, PagerBounds>> windows;
  for (const auto& progress : *unfinished) {
    auto bounds = ParseWindowScope(read.scope, progress.scope);
    if (bounds && progress.scope.find(kWindowTag, read.scope.size() + 1) ==
                      std::string::npos) {
      windows.emplace_back(progress.scope, *bounds);
    }
  }
  if (windows.empty()) return Stop::kNone;
  return RunWindows(read, windows);
}

Result<Stop> Syncer::Impl::RunWindows(
    ReadState& read,
    const std::vector<std::pair<std::string, PagerBounds>>& windows) {
  const ResourceSpec& spec = *read.spec;

  // Each window's own progress, as the writer saves it.
  std::vector<ReadState> reads;
  std::vector<PagerBounds> starts;
  for (const auto& [scope, bounds] : windows) {
    auto state = states_.Get(spec.name, scope);
    if (!state) return std::unexpected(state.error());
    ReadState w{&spec,       scope, std::nullopt, "",          read.first_load,
                read.report, 0,     false,        std::nullopt};
    w.live_after = read.live_after;
    PagerBounds start = bounds;
    if (state->cursor) {
      auto parsed = ParseSourceTime(*state->cursor, config_.source_clock);
      if (parsed) {
        w.cursor_unix = *parsed;
        w.cursor_text = *state->cursor;
        int64_t resume = *parsed - config_.lookback.count();
        if (!start.after || resume > *start.after) start.after = resume;
      }
    }
    reads.push_back(std::move(w));
    starts.push_back(start);
  }

  // Readers fetch and prepare; this thread applies, in arrival order.
  struct Item {
    size_t window;
    Result<PreparedPage> page;
    bool last;      // the window's final item: done, failed or out of budget
    bool finished;  // the window was read to its end
    bool held;      // counts against kMaxPagesHeld until applied
  };
  std::mutex mu;
  std::condition_variable cv;
  std::deque<Item> queue;
  bool stop = false;
  const size_t max_queued = windows.size() * 2;

  auto reader = [&](size_t i) {
    KeysetPager pager(spec, "", starts[i], config_.source_clock);
    for (;;) {
      // A place first: its wait may be long, and the look at `stop` after
      // it keeps a read that failed meanwhile from spending a request.
      page_places_.acquire();
      {
        std::unique_lock<std::mutex> lock(mu);
        cv.wait(lock, [&] { return stop || queue.size() < max_queued; });
        if (stop) {
          page_places_.release();
          queue.push_back({i, PreparedPage{}, true, false, false});
          cv.notify_all();
          return;
        }
      }
      if (!ReserveRequest()) {
        page_places_.release();
        std::lock_guard<std::mutex> lock(mu);
        queue.push_back({i, PreparedPage{}, true, false, false});
        cv.notify_all();
        return;
      }
      FetchRequest request = pager.Next();
      auto response = fetcher_->Get(request);
      ReleaseRequest();
      auto page = Prepare(spec, request, std::move(response));
      bool more = page && pager.Advance(*page);
      std::lock_guard<std::mutex> lock(mu);
      queue.push_back(
          {i, std::move(page), !more, page.has_value() && !more, true});
      cv.notify_all();
      if (!more) return;
    }
  };
  std::vector<std::thread> threads;
  for (size_t i = 0; i < windows.size(); ++i) threads.emplace_back(reader, i);

  std::optional<Error> failure;
  size_t open = windows.size();
  bool all_finished = true;
  while (open > 0) {
    // Pages that arrived together share one transaction (a commit costs
    // about a millisecond); each still saves its own window's cursor in it.
    std::vector<Item> batch;
    Unlocked([&] {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return !queue.empty(); });
      while (!queue.empty() && batch.size() < kPagesPerCommit) {
        batch.push_back(std::move(queue.front()));
        queue.pop_front();
      }
      cv.notify_all();
    });
    std::optional<state::WriteTransaction> shared;
    if (!failure && batch.size() > 1) {
      auto begun = state::WriteTransaction::Begin(db_);
      if (!begun) {
        failure = begun.error();
      } else {
        shared.emplace(std::move(*begun));
        in_shared_txn_ = true;
      }
    }
    for (Item& item : batch) {
      if (item.last) --open;
      if (item.last && !item.finished) all_finished = false;
      if (!item.page) {
        if (!failure) failure = item.page.error();
      } else if (!failure && item.page->page) {
        ++read.report->requests;
        auto outcome = ApplyPage(reads[item.window], *item.page);
        if (!outcome) failure = outcome.error();
        if (progress_ && outcome) {
          progress_->OnPage(spec.name, read.report->pages, read.report->records,
                            read.expected);
        }
      } else if (item.page->missing) {
        ++read.report->requests;
      }
      if (!failure && item.finished) {
        auto done = states_.MarkComplete(spec.name, windows[item.window].first,
                                         run_id_);
        if (!done) failure = done.error();
      }
    }
    in_shared_txn_ = false;
    if (shared && !failure) {
      auto committed = shared->Commit();
      if (!committed) failure = committed.error();
    }
    // Applied or dropped, the batch's pages give their places back.
    auto held = std::count_if(batch.begin(), batch.end(),
                              [](const Item& item) { return item.held; });
    if (held > 0) page_places_.release(held);
    if (failure) {
      std::lock_guard<std::mutex> lock(mu);
      stop = true;
      cv.notify_all();
    }
  }
  Unlocked([&] {
    for (auto& t : threads) t.join();
  });
  if (failure) return std::unexpected(*failure);
  if (!all_finished) {
    Stop why = OutOfBudget();
    return why == Stop::kNone ? Stop::kBudget : why;
  }

  // Every window done: the read's cursor is the highest any of them reached,
  // and the windows' rows go.
  for (const auto& w : reads) {
    if (w.cursor_unix &&
        (!read.cursor_unix || *w.cursor_unix > *read.cursor_unix)) {
      read.cursor_unix = w.cursor_unix;
      read.cursor_text = w.cursor_text;
    }
  }
  auto finished = state::InWriteTransaction(
      db_, "finish windows of " + spec.name, [&]() -> Result<void> {
        if (read.cursor_unix) {
          auto saved = states_.SaveCursor(spec.name, read.scope,
                                          read.cursor_text, 0, run_id_);
          if (!saved) return saved;
        }
        for (const auto& [scope, bounds] : windows) {
          auto removed = states_.Remove(spec.name, scope);
          if (!removed) return removed;
        }
        return {};
      });
  if (!finished) return std::unexpected(finished.error());
  return Stop::kNone;
}

// A full read of a resource without a modified filter (users): every page by
// number, ordered by id.
Result<Stop> Syncer::Impl::ReadWhole(ReadState& read) {
  const ResourceSpec& spec = *read.spec;
  for (int page_number = 1;; ++page_number) {
    if (Stop stop = OutOfBudget(); stop != Stop::kNone) return stop;
    FetchRequest request{
        spec.list_path, BaseQuery(spec, read.scope),
        fmt::format("fetch {} page {}", spec.name, page_number)};
    if (spec.sortable) {
      request.query.emplace_back("sortBy", "id");
      request.query.emplace_back("sortOrder", "asc");
    }
    request.query.emplace_back("page", std::to_string(page_number));
    auto page = Prepare(spec, request, Fetch(request));
    if (!page) return std::unexpected(page.error());
    ++read.report->requests;
    if (page->missing) return Stop::kNone;
    read.expected = page->page->envelope.count;
    auto outcome = ApplyPage(read, *page);
    if (!outcome) return std::unexpected(outcome.error());
    if (progress_) {
      progress_->OnPage(spec.name, read.report->pages, read.report->records,
                        read.expected);
    }
    if (outcome->records < static_cast<size_t>(kPageLimit) ||
        page->page->envelope.page_number >= page->page->envelope.num_pages) {
      return Stop::kNone;
    }
  }
}

// The jobs whose submissions this run polls, most urgent first, with the
// reason: never polled, changed in this run (or an applicant of theirs did),
// active, then inactive ones whose cadence has come. Within a class the
// least recently polled goes first, so a budget too small for all of them
// rotates through them over the following runs. An account may have
// 100,000 jobs and more, all due on a first load or with --full: their ids
// are packed into one string and each job costs a 24-byte entry, about a
// fifth of a string and a struct apiece.
Syncer::Impl::JobPlan Syncer::Impl::DueJobs() {
  JobPlan plan;
  std::set<std::string> hinted;
  auto& sql = db_.sql();

  auto loaded = state::Guard("plan submission polls", [&]() -> Result<void> {
    auto applicants = changed_ids_.find("applicants");
    if (applicants != changed_ids_.end() && !applicants->second.empty()) {
      SQLite::Statement q(sql,
                          "SELECT DISTINCT job_id FROM submissions WHERE "
                          "applicant_id IN (SELECT value FROM json_each(?))");
      std::string ids = "[";
      for (const auto& id : applicants->second) {
        if (ids.size() > 1) ids += ',';
        ids += RecordIdJson(id);
      }
      ids += "]";
      q.bind(1, ids);
      while (q.executeStep()) hinted.insert(q.getColumn(0).getString());
    }

    // last_synced_at is UTC ISO to the second, so its epoch orders and
    // compares as the text would; never polled counts as 0.
    SQLite::Statement q(sql,
                        "SELECT j.id, j.status, s.complete, "
                        "ifnull(CAST(strftime('%s', s.last_synced_at) AS "
                        "INTEGER), 0) "
                        "FROM job_postings j LEFT JOIN sync_state s "
                        "ON s.resource = 'submissions' AND s.scope = j.id "
                        "WHERE j.deleted_at IS NULL");
    auto inactive_due =
        std::chrono::duration_cast<std::chrono::seconds>(
            (std::chrono::system_clock::now() - config_.inactive_jobs_every)
                .time_since_epoch())
            .count();
    auto jobs_changed = changed_ids_.find("job_postings");
    while (q.executeStep()) {
      std::string_view id(q.getColumn(0).getText(),
                          static_cast<size_t>(q.getColumn(0).getBytes()));
      JobPlan::Entry job{};
      bool polled = !q.getColumn(2).isNull() && q.getColumn(2).getInt() != 0;
      job.last_polled = q.getColumn(3).getInt64();
      bool changed = jobs_changed != changed_ids_.end() &&
                     jobs_changed->second.count(std::string(id));
      if (!polled) {
        job.reason = JobPlan::kFirstSight;
      } else if (changed || hinted.count(std::string(id))) {
        job.reason =
            changed ? JobPlan::kJobChanged : JobPlan::kApplicantChanged;
      } else if (StatusIn(q.getColumn(1).getString(),
                          config_.active_job_statuses)) {
        job.reason = JobPlan::kActive;
      } else if (options_.full || job.last_polled <= inactive_due) {
        job.reason = options_.full ? JobPlan::kFull : JobPlan::kInactive;
      } else {
        continue;
      }
      job.start = static_cast<uint32_t>(plan.ids.size());
      job.size = static_cast<uint32_t>(id.size());
      plan.ids.append(id);
      plan.jobs.push_back(job);
    }
    return {};
  });
  if (!loaded) {
    log_.error("{}", loaded.error().message);
    return {};
  }
  // Classes in the order of the reasons: first sight, changed (job or
  // applicant alike), active, then full or inactive.
  auto rank = [](const JobPlan::Entry& e) {
    switch (e.reason) {
      case JobPlan::kFirstSight:
        return 0;
      case JobPlan::kJobChanged:
      case JobPlan::kApplicantChanged:
        return 1;
      case JobPlan::kActive:
        return 2;
      default:
        return 3;
    }
  };
  std::sort(plan.jobs.begin(), plan.jobs.end(),
            [&](const JobPlan::Entry& a, const JobPlan::Entry& b) {
              if (rank(a) != rank(b)) return rank(a) < rank(b);
              if (a.last_polled != b.last_polled) {
                return a.last_polled < b.last_polled;
              }
              return plan.id(a) < plan.id(b);
            });
  return plan;
}

Result<Stop> Syncer::Impl::ReadSubmissions(const ResourceSpec& spec,
                                           ResourceReport& report,
                                           RunReport& run) {
  JobPlan due = DueJobs();
  // Jobs are read in batches: the first page of every job of a batch is
  // requested at once (most jobs have one page), then each job is applied
  // in order and its further pages, if any, are read one by one.
  size_t batch = static_cast<size_t>(std::max(1, config_.concurrency)) * 4;
  std::optional<std::optional<int64_t>> mark;  // asked once, when needed
  for (size_t start = 0; start < due.jobs.size(); start += batch) {
    std::vector<ReadState> reads;
    for (size_t j = start; j < std::min(due.jobs.size(), start + batch); ++j) {
      std::string job(due.id(due.jobs[j]));
      std::string reason = JobPlan::Why(due.jobs[j].reason);
      auto state = states_.Get(spec.name, job);
      if (!state) return std::unexpected(state.error());
      ReadState read{&spec,   job, std::nullopt, "",          false,
                     &report, 0,   false,        std::nullopt};
      if (state->cursor) {
        auto parsed = ParseSourceTime(*state->cursor, config_.source_clock);
        if (parsed) {
          read.cursor_unix = *parsed;
          read.cursor_text = *state->cursor;
        }
      }
      read.first_load = !load_done_ && !state->complete;
      if (read.first_load && !options_.dry_run) {
        if (!mark) {
          if (Stop stop = OutOfBudget(); stop != Stop::kNone) return stop;
          auto asked = LoadMark(spec);
          if (!asked) return std::unexpected(asked.error());
          mark = *asked;
        }
        read.live_after = *mark;
      }
      // A job's whole submission list is read on first sight, with --full,
      // and on the sweep cadence; then its missing submissions are
      // confirmed.
      read.from_start = !read.cursor_unix || options_.full ||
                        Due(state->swept_at, config_.sweep_every);
      if (options_.dry_run) {
        run.plan.push_back(
            {spec.name, job,
             read.from_start && read.cursor_unix ? reason + ", sweep" : reason,
             read.from_start ? "" : read.cursor_text});
        continue;
      }
      reads.push_back(std::move(read));
    }
    if (options_.dry_run) continue;

    size_t allowed = static_cast<size_t>(
        std::min<int64_t>(RemainingRequests(), int64_t(reads.size())));
    std::vector<FetchRequest> requests;
    for (size_t k = 0; k < allowed; ++k) {
      requests.push_back(KeysetPager(spec, reads[k].scope,
                                     {StartAfter(reads[k]), std::nullopt},
                                     config_.source_clock)
                             .Next());
    }
    auto responses = FetchAll(requests);

    for (size_t k = 0; k < reads.size(); ++k) {
      if (k >= allowed) return OutOfBudget();
      ReadState& read = reads[k];
      const std::string& job = read.scope;
      auto stop = ReadIncremental(read, std::move(responses[k]));
      if (stop && *stop == Stop::kNone && read.from_start) {
        stop = ConfirmDeletes(spec, job, run_id_, report);
        if (stop && *stop == Stop::kNone) {
          auto swept = states_.MarkSwept(spec.name, job, recorded_at_);
          if (!swept) stop = std::unexpected(swept.error());
        }
      }
      if (!stop && stop.error().kind == ErrorKind::kCancelled) {
        return Stop::kDeadline;
      }
      if (!stop) {
        // One job's failure does not stop the others.
        report.outcome = "failed";
        report.error = stop.error().message;
        (void)states_.SetError(spec.name, job, run_id_, stop.error().message);
        if (stop.error().kind == ErrorKind::kAuth ||
            stop.error().kind == ErrorKind::kForbidden ||
            stop.error().kind == ErrorKind::kStorage) {
          return std::unexpected(stop.error());
        }
        continue;
      }
      if (*stop != Stop::kNone) return stop;
      ++report.scopes;
      auto done = states_.MarkComplete(spec.name, job, run_id_);
      if (!done) return std::unexpected(done.error());
    }
  }
  return Stop::kNone;
}

bool Syncer::Impl::Due(const std::optional<std::string>& last,
                       std::chrono::minutes every) const {
  if (!last) return true;
  auto then = ParseSourceTime(*last, SourceClock{});
  if (!then) return true;
  auto now =
      std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  return now - *then >=
         std::chrono::duration_cast<std::chrono::seconds>(every).count();
}

// A resource read by itself (not per parent): its incremental or full read,
// then, when one is due, a sweep that finds what the source deleted.
Result<Stop> Syncer::Impl::ReadTopLevel(const ResourceSpec& spec,
                                        ResourceReport& report,
                                        RunReport& run) {
  auto state = states_.Get(spec.name, "");
  if (!state) return std::unexpected(state.error());
  ReadState read{&spec,   "", std::nullopt, "",          false,
                 &report, 0,  false,        std::nullopt};
  if (state->cursor) {
    auto parsed = ParseSourceTime(*state->cursor, config_.source_clock);
    if (parsed) {
      read.cursor_unix = *parsed;
      read.cursor_text = *state->cursor;
    }
  }
  read.first_load = !load_done_ && !state->complete;
  bool whole = spec.refresh == RefreshMode::kFull;
  if (read.first_load && !options_.dry_run && !(whole && !FullDue(spec))) {
    if (Stop stop = OutOfBudget(); stop != Stop::kNone) return stop;
    auto mark = LoadMark(spec);
    if (!mark) return std::unexpected(mark.error());
    read.live_after = *mark;
  }
  if (whole && !FullDue(spec)) {
    report.outcome = "skipped";
    return Stop::kNone;
  }
  // Without a cursor (or with --full) the read covers the whole id set, so
  // it is a sweep by itself.
  bool complete_read = whole || options_.full || !read.cursor_unix;
  auto sweep_state = states_.Get(spec.name, "#sweep");
  if (!sweep_state) return std::unexpected(sweep_state.error());
  bool sweep_pending = sweep_state->swept_at && !sweep_state->complete;
  bool sweep = !complete_read &&
               (sweep_pending || Due(state->swept_at, config_.sweep_every));

  if (options_.dry_run) {
    std::string after;
    if (!complete_read) {
      after = FormatSourceNaive(*read.cursor_unix - config_.lookback.count(),
                                config_.source_clock);
    }
    run.plan.push_back({spec.name, "",
                        whole             ? "full refresh"
                        : read.first_load ? "first load"
                        : options_.full   ? "full"
                                          : "incremental",
                        after});
    if (sweep) run.plan.push_back({spec.name, "", "sweep", ""});
    return Stop::kNone;
  }

  auto result = whole ? ReadWhole(read) : ReadIncremental(read);
  if (!result || *result != Stop::kNone) return result;
  auto done = states_.MarkComplete(spec.name, "", run_id_);
  if (!done) return std::unexpected(done.error());

  if (complete_read) {
    result = ConfirmDeletes(spec, "", run_id_, report);
    if (!result || *result != Stop::kNone) return result;
    auto swept = states_.MarkSwept(spec.name, "", recorded_at_);
    if (!swept) return std::unexpected(swept.error());
    return Stop::kNone;
  }
  if (sweep) return Sweep(spec, report);
  return Stop::kNone;
}

// Reads the whole id set of a resource again, in modified order like any
// read (so it is proof against drift), resumable across runs from its own
// cursor (scope "#sweep"). Every record it meets gets last_seen_run; once it
// reaches the end, the live records it did not meet are confirmed gone or
// not, one detail call each.
Result<Stop> Syncer::Impl::Sweep(const ResourceSpec& spec,
                                 ResourceReport& report) {
  auto state = states_.Get(spec.name, "#sweep");
  if (!state) return std::unexpected(state.error());
  // The run that began the sweep: records seen since then were not missed.
  std::string run_key = "sweep_run:" + spec.name;
  auto begun_in = meta_.Get(run_key);
  if (!begun_in) return std::unexpected(begun_in.error());
  int64_t since_run = run_id_;
  ReadState read{&spec,   "#sweep", std::nullopt, "",          false,
                 &report, 0,        false,        std::nullopt};
  if (state->swept_at && !state->complete && begun_in->has_value()) {
    since_run = std::stoll(**begun_in);  // resume the sweep in progress
    if (state->cursor) {
      auto parsed = ParseSourceTime(*state->cursor, config_.source_clock);
      if (parsed) {
        read.cursor_unix = *parsed;
        read.cursor_text = *state->cursor;
      }
    }
  } else {
    auto begun = state::InWriteTransaction(
        db_, "begin a sweep of " + spec.name, [&]() -> Result<void> {
          auto saved =
              states_.SaveCursor(spec.name, "#sweep", std::nullopt, 0, run_id_);
          if (!saved) return saved;
          auto marked = states_.MarkSwept(spec.name, "#sweep", recorded_at_);
          if (!marked) return marked;
          return meta_.Set(run_key, std::to_string(run_id_));
        });
    if (!begun) return std::unexpected(begun.error());
  }

  auto result = ReadIncremental(read);
  if (!result || *result != Stop::kNone) return result;
  result = ConfirmDeletes(spec, "", since_run, report);
  if (!result || *result != Stop::kNone) return result;
  auto done = states_.MarkComplete(spec.name, "#sweep", run_id_);
  if (!done) return std::unexpected(done.error());
  auto swept = states_.MarkSwept(spec.name, "", recorded_at_);
  if (!swept) return std::unexpected(swept.error());
  return Stop::kNone;
}

// The live records of a resource (of one job, for submissions) not seen
// since run `since_run` were missing from a complete read. Each is asked for by
// id: a 404 proves it gone and it is tombstoned with a 'delete' change row (a
// job takes its submissions with it); an answer means the read missed it
// (a page drifted), and it is marked seen. Only a proof tombstones.
Result<Stop> Syncer::Impl::ConfirmDeletes(const ResourceSpec& spec,
                                          const std::string& job,
                                          int64_t since_run,
                                          ResourceReport& report) {
  std::vector<std::string> missing;
  auto listed = state::Guard("list unseen " + spec.name, [&]() -> Result<void> {
    std::string sql = fmt::format(
        "SELECT id FROM {} WHERE deleted_at IS NULL AND "
        "ifnull(last_seen_run, 0) < ?",
        spec.name);
    if (!job.empty()) sql += " AND job_id = ?";
    SQLite::Statement q(db_.sql(), sql);
    q.bind(1, since_run);
    if (!job.empty()) q.bind(2, job);
    while (q.executeStep()) missing.push_back(q.getColumn(0).getString());
    return {};
  });
  if (!listed) return std::unexpected(listed.error());

  ChangeContext context;
  context.run_id = run_id_;
  context.recorded_at = recorded_at_;
  context.hired_statuses = &config_.hired_statuses;
  const ResourceSpec* submissions = nullptr;
  for (const auto& other : config_.catalogue.resources()) {
    if (other.parent == spec.name) submissions = &other;
  }

  // Ask for them in batches, several at a time; apply each answer in order.
  size_t batch = static_cast<size_t>(std::max(1, config_.concurrency)) * 4;
  for (size_t start = 0; start < missing.size(); start += batch) {
    size_t end = std::min(missing.size(), start + batch);
    size_t allowed = static_cast<size_t>(
        std::min<int64_t>(RemainingRequests(), int64_t(end - start)));
    std::vector<FetchRequest> requests;
    for (size_t k = start; k < start + allowed; ++k) {
      std::string path = spec.detail_path;
      auto at = path.find("{id}");
      if (at != std::string::npos) path.replace(at, 4, missing[k]);
      requests.push_back(
          {path,
           {},
           fmt::format("confirm {} record {} is gone", spec.name, missing[k])});
    }
    auto responses = FetchAll(requests);
    for (size_t k = 0; k < end - start; ++k) {
      if (k >= allowed) return OutOfBudget();
      if (auto stop = ConfirmOne(spec, submissions, missing[start + k],
                                 requests[k].what, std::move(responses[k]),
                                 context, report);
          !stop) {
        return stop;
      }
    }
  }
  return Stop::kNone;
}

// Applies the answer to one confirmation: a 404 tombstones, anything else
// marks the record seen.
Result<Stop> Syncer::Impl::ConfirmOne(const ResourceSpec& spec,
                                      const ResourceSpec* submissions,
                                      const std::string& id,
                                      const std::string& what,
                                      Result<ApiResponse> response,
                                      const ChangeContext& context,
                                      ResourceReport& report) {
  if (!response) return std::unexpected(response.error());
  ++report.requests;

  auto applied = state::InWriteTransaction(db_, what, [&]() -> Result<void> {
    if (response->status != 404) {
      SQLite::Statement seen(
          db_.sql(),
          fmt::format("UPDATE {} SET last_seen_at = ?, last_seen_run = ? "
                      "WHERE id = ?",
                      spec.name));
      seen.bind(1, recorded_at_);
      seen.bind(2, run_id_);
      seen.bind(3, id);
      seen.exec();
      return {};
    }
    auto deleted = writer_.Delete(spec, id, context);
    if (!deleted) return std::unexpected(deleted.error());
    int64_t count = *deleted ? 1 : 0;
    if (*deleted && submissions) {
      // Deleting a job deletes its submissions at the source too.
      std::vector<std::string> children;
      SQLite::Statement q(db_.sql(),
                          fmt::format("SELECT id FROM {} WHERE job_id = ? "
                                      "AND deleted_at IS NULL",
                                      submissions->name));
      q.bind(1, id);
      while (q.executeStep()) children.push_back(q.getColumn(0).getString());
      for (const auto& child : children) {
        auto gone = writer_.Delete(*submissions, child, context);
        if (!gone) return std::unexpected(gone.error());
        count += *gone ? 1 : 0;
      }
    }
    state::RunCounters delta;
    delta.deletes = count;
    report.deletes += count;
    report.changes += count;
    return ledger_.AddCounters(run_id_, delta);
  });
  if (!applied) return std::unexpected(applied.error());
  return Stop::kNone;
}

// A full-refresh resource is read when its cadence has come.
bool Syncer::Impl::FullDue(const ResourceSpec& spec) {
  if (options_.full) return true;
  auto state = states_.Get(spec.name, "");
  if (!state || !state->complete) return true;
  return Due(state->last_synced_at, config_.full_refresh_every);
}

// The first load of an account must tell a record that was already there
// from one that changed while the load ran (a hire during a long first load
// is still a hire). The mark is the newest modified value a resource had
// when its load began, asked of the source itself with one small request
// just before the load's first page, so no clock but the source's is
// involved. Submissions, listed per job, cannot be asked: they take the
// newest mark of the others (asking the jobs when there is none yet).
Result<std::optional<int64_t>> Syncer::Impl::LoadMark(
    const ResourceSpec& spec) {
  const ResourceSpec* asked = &spec;
  if (!spec.parent.empty()) {
    std::optional<int64_t> newest;
    for (const ResourceSpec& other : config_.catalogue.resources()) {
      auto mark = meta_.Get(kLoadMarkKey + other.name);
      if (!mark) return std::unexpected(mark.error());
      if (mark->has_value()) {
        newest = std::max<int64_t>(newest.value_or(0), std::stoll(**mark));
      }
    }
    if (newest) return newest;
    asked = config_.catalogue.Find(spec.parent);
    if (!asked) return std::nullopt;
  }
  if (asked->refresh != RefreshMode::kIncremental || !asked->sortable) {
    return std::nullopt;  // no modified order to ask
  }
  auto stored = meta_.Get(kLoadMarkKey + asked->name);
  if (!stored) return std::unexpected(stored.error());
  if (stored->has_value()) return std::stoll(**stored);

  FetchRequest request{
      asked->list_path,
      {{"limit", "5"}, {"sortBy", "modify_date"}, {"sortOrder", "desc"}},
      fmt::format("probe newest {} record", asked->name)};
  auto page = Prepare(*asked, request, Fetch(request));
  if (!page) return std::unexpected(page.error());
  int64_t newest = 0;  // an empty resource: whatever comes is new
  for (const auto& rec : page->good) {
    if (rec.modified_unix) newest = std::max(newest, *rec.modified_unix);
  }
  auto saved = meta_.Set(kLoadMarkKey + asked->name, std::to_string(newest));
  if (!saved) return std::unexpected(saved.error());
  return newest;
}

// One resource's read, its report, and what it tells the others: a budget
// or deadline reached, credentials refused.
ResourceReport Syncer::Impl::ReadResource(const ResourceSpec& spec,
                                          RunReport& run, Lanes& lanes) {
  ResourceReport report;
  report.resource = spec.name;
  auto started = std::chrono::steady_clock::now();
  // A resource is not begun with less budget than one step of progress
  // costs (a page, and one detail call where its records need them).
  int64_t least = spec.NeedsDetail() ? 2 : 1;
  if (!lanes.fatal && !lanes.broken && lanes.stopped == Stop::kNone &&
      RemainingRequests() < least) {
    lanes.stopped =
        OutOfBudget() == Stop::kNone ? Stop::kBudget : OutOfBudget();
  }
  if (lanes.fatal || lanes.broken || lanes.stopped != Stop::kNone) {
    // Not reached: the budget, the deadline or a fatal error came first.
    bool ended = lanes.fatal || lanes.broken;
    report.outcome = ended ? "skipped" : "incomplete";
    report.error = ended ? "the run stopped before it"
                   : lanes.stopped == Stop::kBudget
                       ? "not reached: request budget"
                       : "not reached: deadline";
    return report;
  }

  if (!options_.dry_run) {
    auto marked = state::InWriteTransaction(
        db_, "note the start of " + spec.name, [&]() -> Result<void> {
          auto set =
              meta_.Set(kStartedKey + spec.name, std::to_string(run_id_));
          if (!set) return set;
          return meta_.Set(kResumeFirstKey + spec.name, "0");
        });
    if (!marked) {
      lanes.broken = marked.error();
      report.outcome = "failed";
      report.error = marked.error().message;
      return report;
    }
  }
  Result<Stop> result = Stop::kNone;
  if (!spec.parent.empty()) {
    result = ReadSubmissions(spec, report, run);
  } else {
    result = ReadTopLevel(spec, report, run);
  }
  if (report.outcome == "skipped") return report;

  report.seconds = ElapsedMs(started) / 1000.0;
  if (!result && result.error().kind == ErrorKind::kCancelled) {
    result = Stop::kDeadline;  // the client gave up a retry at the deadline
  }
  if (!result) {
    const Error& e = result.error();
    report.outcome = "failed";
    report.error = e.message;
    (void)states_.SetError(spec.name, "", run_id_, e.message);
    log_.error("Resource failed resource={} error={}", spec.name, e.message);
    if (e.kind == ErrorKind::kAuth || e.kind == ErrorKind::kForbidden) {
      lanes.fatal = e;
    }
  } else if (*result != Stop::kNone) {
    report.outcome = "incomplete";
    lanes.stopped = *result;
    // Side by side, every resource had its share of the run.
    if (!lanes.side_by_side && !lanes.first_started &&
        lanes.started_in[spec.name] != -1) {
      auto marked = meta_.Set(kResumeFirstKey + spec.name, "1");
      if (!marked) lanes.broken = marked.error();
    }
  }
  lanes.first_started = false;
  if (progress_ && !options_.dry_run) progress_->OnResourceDone(report);
  return report;
}

// Reads each resource on a thread of its own, a resource listed per parent
// once its parent is read; the threads take turns (turn_).
Result<void> Syncer::Impl::ReadSideBySide(
    const std::vector<const ResourceSpec*>& specs, RunReport& run, Lanes& lanes,
    std::vector<ResourceReport>& reports) {
  std::vector<bool> done(specs.size(), false);
  std::condition_variable read;
  auto lane = [&](size_t i) {
    std::unique_lock<std::mutex> turn(turn_);
    t_holds_turn = true;
    for (size_t p = 0; p < i; ++p) {
      if (specs[p]->name == specs[i]->parent) {
        read.wait(turn, [&] { return done[p]; });
      }
    }
    try {
      reports[i] = ReadResource(*specs[i], run, lanes);
    } catch (const std::exception& e) {
      lanes.broken =
          Error{ErrorKind::kStorage,
                fmt::format("read {}: {}", specs[i]->name, e.what()), 0};
      reports[i].resource = specs[i]->name;
      reports[i].outcome = "failed";
      reports[i].error = lanes.broken->message;
    }
    done[i] = true;
    read.notify_all();
    t_holds_turn = false;
  };
  std::vector<std::thread> threads;
  threads.reserve(specs.size());
  for (size_t i = 0; i < specs.size(); ++i) threads.emplace_back(lane, i);
  for (auto& t : threads) t.join();
  if (lanes.broken) return std::unexpected(*lanes.broken);
  return {};
}

Result<RunReport> Syncer::Impl::Run(const RunOptions& options) {
  options_ = options;
  RunReport run;
  Result<void> selected_ok;
  auto specs = Selected(options, selected_ok);
  if (!selected_ok) return std::unexpected(selected_ok.error());

  requests_at_start_ = client_.stats().data_requests;
  std::chrono::seconds deadline =
      options.deadline.count() > 0 ? options.deadline : config_.deadline;
  if (deadline.count() > 0) {
    deadline_at_ = std::chrono::steady_clock::now() + deadline;
    client_.SetDeadline(*deadline_at_);
  }
  if (options_.max_requests == 0) options_.max_requests = config_.max_requests;
  recorded_at_ = state::UtcNow();

  if (!options.dry_run) {
    auto run_id = ledger_.BeginRun(static_cast<int64_t>(getpid()));
    if (!run_id) return std::unexpected(run_id.error());
    run_id_ = *run_id;
    run.run_id = run_id_;
  }

  auto done = meta_.Get(kLoadDoneKey);
  if (!done) return std::unexpected(done.error());
  load_done_ = done->has_value() && **done == "1";

  // The resource that started longest ago goes first (catalogue order on a
  // first run), so runs cut short by their budget take turns instead of
  // spending every budget on the same resources.
  std::map<std::string, int64_t> started_in;
  // A resource the last run cut short while others had spent its budget
  // first goes first, once, so it gets a whole budget.
  for (const ResourceSpec* spec : specs) {
    auto started = meta_.Get(kStartedKey + spec->name);
    if (!started) return std::unexpected(started.error());
    started_in[spec->name] = started->has_value() ? std::stoll(**started) : 0;
    auto resume = meta_.Get(kResumeFirstKey + spec->name);
    if (!resume) return std::unexpected(resume.error());
    if (resume->has_value() && **resume == "1") started_in[spec->name] = -1;
  }
  std::stable_sort(specs.begin(), specs.end(),
                   [&](const ResourceSpec* a, const ResourceSpec* b) {
                     return started_in[a->name] < started_in[b->name];
                   });
  // A resource listed per parent record goes after its parent, so it polls
  // the parents this run has just read: the parent moves up to it.
  for (size_t i = 0; i < specs.size(); ++i) {
    auto parent = std::find_if(
        specs.begin() + static_cast<ptrdiff_t>(i) + 1, specs.end(),
        [&](const ResourceSpec* p) { return p->name == specs[i]->parent; });
    if (parent != specs.end()) {
      const ResourceSpec* moved = *parent;
      specs.erase(parent);
      specs.insert(specs.begin() + static_cast<ptrdiff_t>(i), moved);
    }
  }

  // Independent resources are read side by side when several requests may
  // be in flight and no request budget orders them: with a budget, they
  // are read one after another, so it goes to them in their turn.
  Lanes lanes;
  lanes.started_in = std::move(started_in);
  lanes.side_by_side = !options.dry_run && options_.max_requests <= 0 &&
                       fetcher_->concurrency() > 1 && specs.size() > 1;
  if (lanes.side_by_side && !client_.Authenticate()) {
    // Refused credentials fail the first resource, as they would alone;
    // the client remembers the refusal, so they are not sent again.
    lanes.side_by_side = false;
  }
  std::vector<ResourceReport> reports(specs.size());
  if (lanes.side_by_side) {
    auto read = ReadSideBySide(specs, run, lanes, reports);
    if (!read) return std::unexpected(read.error());
  } else {
    for (size_t i = 0; i < specs.size(); ++i) {
      reports[i] = ReadResource(*specs[i], run, lanes);
    }
    if (lanes.broken) return std::unexpected(*lanes.broken);
  }
  for (auto& report : reports) {
    if (!report.resource.empty()) run.resources.push_back(std::move(report));
  }
  std::optional<Error> fatal = lanes.fatal;
  Stop stopped = lanes.stopped;

  // Outcome and exit code (DESIGN.md section 6).
  bool failed =
      std::any_of(run.resources.begin(), run.resources.end(),
                  [](const auto& r) { return r.outcome == "failed"; });
  run.requests = client_.stats().data_requests - requests_at_start_;
  if (fatal) {
    run.status = "failed";
    run.message = fatal->message;
    run.exit_code =
        fatal->kind == ErrorKind::kAuth || fatal->kind == ErrorKind::kForbidden
            ? 3
            : 2;
  } else if (failed) {
    run.status = "partial";
    run.message = "some resources failed; their progress is kept";
    run.exit_code = 2;
  } else if (stopped != Stop::kNone) {
    run.status = "cancelled";
    run.message = stopped == Stop::kBudget
                      ? "request budget reached; the next run continues"
                      : "deadline reached; the next run continues";
  }
  if (options.dry_run) return run;

  // The first load is over once every resource has been read to its end.
  if (!load_done_ && run.status == "ok" && options.resources.empty()) {
    auto marked = meta_.Set(kLoadDoneKey, "1");
    if (!marked) return std::unexpected(marked.error());
  }
  state::RunCounters final_requests;
  final_requests.requests = run.requests - committed_requests_;
  (void)ledger_.AddCounters(run_id_, final_requests);
  auto finished = ledger_.FinishRun(run_id_, StatusOf(run.status), run.message);
  if (!finished) return std::unexpected(finished.error());
  return run;
}

}  // namespace ceipal::engine
