#include "engine/keyset_pager.h"

#include <fmt/format.h>

namespace ceipal::engine {
namespace {

// Restarts of a one-second window whose count moved while it was paged.
constexpr int kMaxWindowRestarts = 3;

}  // namespace

Result<PreparedPage> PreparePage(const ResourceSpec& spec, FetchRequest request,
                                 Result<ApiResponse> response,
                                 const SourceClock& clock) {
  PreparedPage prepared;
  prepared.request = std::move(request);
  if (!response) return std::unexpected(response.error());
  if (response->status == 404) {
    prepared.missing = true;
    return prepared;
  }
  // A decode error names the page's path as a request error does.
  auto page = DecodePage(
      std::move(response->body),
      fmt::format("{} ({})", prepared.request.what, prepared.request.path));
  if (!page) return std::unexpected(page.error());
  prepared.page = std::move(*page);

  // Normalize: bad records are set aside for quarantine, the page goes on.
  const auto& results = prepared.page->records();
  prepared.records = results.Size();
  prepared.good.reserve(results.Size());
  for (rapidjson::SizeType i = 0; i < results.Size(); ++i) {
    auto rec =
        Normalize(spec, results[i], prepared.page->raw_records[i], clock);
    if (!rec) {
      std::string id;
      if (results[i].IsObject()) {
        auto it = results[i].FindMember(spec.id_field.c_str());
        if (it != results[i].MemberEnd() && it->value.IsString()) {
          id = it->value.GetString();
        }
      }
      prepared.bad.push_back({i, std::move(id), rec.error().message});
      continue;
    }
    if (rec->modified_unix) {
      if (!prepared.first_unix) prepared.first_unix = rec->modified_unix;
      prepared.last_unix = rec->modified_unix;
    }
    prepared.good.push_back(std::move(*rec));
    prepared.good_position.push_back(i);
  }
  // A page may wait in a queue to be applied: it keeps only what it needs.
  prepared.page->DropTree();
  return prepared;
}

KeysetPager::KeysetPager(const ResourceSpec& spec, std::string scope,
                         PagerBounds bounds, const SourceClock& clock)
    : spec_(spec), scope_(std::move(scope)), bounds_(bounds), clock_(clock) {}

FetchRequest KeysetPager::Next() const {
  FetchRequest request;
  request.path = spec_.list_path;
  request.query = {{"limit", std::to_string(kPageLimit)}};
  if (!spec_.parent_param.empty()) {
    request.query.emplace_back(spec_.parent_param, scope_);
  }
  if (spec_.sortable) {
    request.query.emplace_back("sortBy", "modify_date");
    request.query.emplace_back("sortOrder", "asc");
  }
  std::optional<int64_t> after = bounds_.after;
  std::optional<int64_t> before = bounds_.before;
  if (window_) {
    after = *window_ - 1;
    before = *window_ + 1;
  }
  if (after) {
    request.query.emplace_back("modifiedAfter",
                               FormatSourceNaive(*after, clock_));
  }
  if (before) {
    request.query.emplace_back("modifiedBefore",
                               FormatSourceNaive(*before, clock_));
  }
  request.query.emplace_back("page", std::to_string(page_number_));
  request.what = spec_.parent_param.empty()
                     ? fmt::format("fetch {} page {}", spec_.name, page_number_)
                     : fmt::format("fetch {} of job {} page {}", spec_.name,
                                   scope_, page_number_);
  return request;
}

bool KeysetPager::Advance(const PreparedPage& page) {
  if (page.missing) {
    // Nothing (more) matches. Leaving a window resumes after it.
    if (!window_) return false;
    bounds_.after = *window_;
    window_.reset();
    page_number_ = 1;
    return true;
  }

  const auto& envelope = page.page->envelope;
  if (window_) {
    if (window_count_ >= 0 && envelope.count != window_count_ &&
        window_restarts_ < kMaxWindowRestarts) {
      // The second's population moved under us: page it again.
      ++window_restarts_;
      window_count_ = -1;
      page_number_ = 1;
      return true;
    }
    window_count_ = envelope.count;
  }

  bool last_page = page.records < static_cast<size_t>(kPageLimit) ||
                   envelope.page_number >= envelope.num_pages;
  if (window_) {
    if (last_page) {
      bounds_.after = *window_;
      window_.reset();
      page_number_ = 1;
    } else {
      ++page_number_;
    }
    return true;
  }
  if (last_page) return false;

  if (!spec_.sortable || !page.last_unix) {
    ++page_number_;  // no keyset to follow: plain page numbers
  } else if (page.first_unix == page.last_unix) {
    window_ = page.last_unix;  // a full page inside one second
    window_count_ = -1;
    window_restarts_ = 0;
    page_number_ = 2;
  } else {
    bounds_.after = *page.last_unix - 1;
    page_number_ = 1;
  }
  return true;
}

}  // namespace ceipal::engine
