#include "tools/fake_ceipal/dataset.h"

#include <algorithm>

#include "tools/fake_ceipal/seeded_hash.h"

namespace ceipal::fake {
namespace {

constexpr EpochSeconds kDay = 86400;
// Base records were modified during the two years before the newest one,
// which lands an hour before the clock starts. These are the only anchors
// of base time: every other base timestamp, and every date a record derives
// from its created time, follows from them.
constexpr EpochSeconds kBaseEndLead = 3600;
constexpr EpochSeconds kBaseSpan = 730 * kDay;
// A base record was created this long before the slot of its modified time.
constexpr EpochSeconds kCreatedLead = 90 * kDay;
// Records are grouped in fours; one group in kBurstOdds shares one second.
constexpr int64_t kBurstGroup = 4;
constexpr uint64_t kBurstOdds = 4;

// The first index in [lo, hi) where `pred` holds, for a predicate that is
// false and then true along the range; hi if it never holds.
template <typename Pred>
int64_t FirstWhere(int64_t lo, int64_t hi, Pred pred) {
  while (lo < hi) {
    int64_t mid = lo + (hi - lo) / 2;
    if (pred(mid)) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  return lo;
}

}  // namespace

Dataset::Dataset(uint64_t seed, const DatasetSizes& sizes, EpochSeconds start)
    : seed_(seed),
      base_end_(start - kBaseEndLead),
      base_first_(base_end_ - kBaseSpan) {
  base_count_[Ordinal(Resource::kApplicants)] = sizes.applicants;
  base_count_[Ordinal(Resource::kJobPostings)] = sizes.job_postings;
  base_count_[Ordinal(Resource::kInterviews)] = sizes.interviews;
  base_count_[Ordinal(Resource::kPlacements)] = sizes.placements;
  base_count_[Ordinal(Resource::kClients)] = sizes.clients;
  base_count_[Ordinal(Resource::kUsers)] = sizes.users;

  // Lay submissions out job after job, so a job's submissions are one
  // contiguous range of indexes. An exact total is spread evenly; otherwise
  // each job draws a count around the average.
  int64_t jobs = sizes.job_postings;
  submission_start_.reserve(jobs + 1);
  int64_t next = 0;
  for (int64_t job = 0; job < jobs; ++job) {
    submission_start_.push_back(next);
    if (sizes.submissions >= 0) {
      next += sizes.submissions / jobs + (job < sizes.submissions % jobs);
    } else {
      uint64_t span = 2 * static_cast<uint64_t>(sizes.submissions_per_job) + 1;
      next += Below(Hash({seed, Tag("per_job"), uint64_t(job)}), span);
    }
  }
  submission_start_.push_back(next);
  base_count_[Ordinal(Resource::kSubmissions)] = next;

  end_index_ = base_count_;
}

int64_t Dataset::BaseCount(Resource resource) const {
  return base_count_[Ordinal(resource)];
}

int64_t Dataset::EndIndex(Resource resource) const {
  return end_index_[Ordinal(resource)];
}

std::optional<RecordState> Dataset::Find(Resource resource,
                                         int64_t index) const {
  const Overlay& overlay = overlay_[Ordinal(resource)];
  if (auto it = overlay.find(index); it != overlay.end()) {
    if (it->second.deleted) return std::nullopt;
    return it->second.state;
  }
  if (index < 0 || index >= BaseCount(resource)) return std::nullopt;
  return BaseState(resource, index);
}

bool Dataset::IsLive(Resource resource, int64_t index) const {
  const Overlay& overlay = overlay_[Ordinal(resource)];
  if (auto it = overlay.find(index); it != overlay.end()) {
    return !it->second.deleted;
  }
  return index >= 0 && index < BaseCount(resource);
}

RecordState Dataset::StateOf(Resource resource, int64_t index) const {
  const Overlay& overlay = overlay_[Ordinal(resource)];
  if (auto it = overlay.find(index); it != overlay.end()) {
    return it->second.state;
  }
  return BaseState(resource, index);
}

std::vector<int64_t> Dataset::LiveIndexes(Resource resource) const {
  std::vector<int64_t> live;
  for (int64_t i = 0; i < EndIndex(resource); ++i) {
    if (IsLive(resource, i)) live.push_back(i);
  }
  return live;
}

std::vector<int64_t> Dataset::LiveWhere(
    Resource resource,
    const std::function<bool(const RecordState&)>& keep) const {
  std::vector<int64_t> found;
  for (int64_t i = 0; i < EndIndex(resource); ++i) {
    std::optional<RecordState> state = Find(resource, i);
    if (state && keep(*state)) found.push_back(i);
  }
  return found;
}

void Dataset::Update(const RecordState& state) {
  overlay_[Ordinal(state.resource)][state.index] = Entry{state, false};
}

int64_t Dataset::Create(Resource resource, EpochSeconds now,
                        const Links& links) {
  int64_t index = end_index_[Ordinal(resource)]++;
  RecordState state{resource, index, 0, now, now, "", links};
  overlay_[Ordinal(resource)][index] = Entry{state, false};
  return index;
}

void Dataset::Delete(Resource resource, int64_t index) {
  overlay_[Ordinal(resource)][index] = Entry{StateOf(resource, index), true};
}

void Dataset::Reset() {
  for (Overlay& overlay : overlay_) overlay.clear();
  end_index_ = base_count_;
}

std::pair<int64_t, int64_t> Dataset::BaseSubmissionsOfJob(int64_t job) const {
  if (job < 0 || job >= BaseCount(Resource::kJobPostings)) return {0, 0};
  return {submission_start_[job], submission_start_[job + 1]};
}

std::vector<int64_t> Dataset::LiveSubmissionsOfJob(int64_t job) const {
  std::vector<int64_t> live;
  auto [first, last] = BaseSubmissionsOfJob(job);
  for (int64_t i = first; i < last; ++i) {
    if (IsLive(Resource::kSubmissions, i)) live.push_back(i);
  }
  const Overlay& overlay = overlay_[Ordinal(Resource::kSubmissions)];
  for (auto it = overlay.lower_bound(BaseCount(Resource::kSubmissions));
       it != overlay.end(); ++it) {
    if (!it->second.deleted && it->second.state.links.job == job) {
      live.push_back(it->first);
    }
  }
  return live;
}

ListSlice Dataset::List(const ListQuery& query) const {
  Resource resource = query.resource;
  const Overlay& overlay = overlay_[Ordinal(resource)];
  bool per_job = resource == Resource::kSubmissions;

  // The base records in the filter form one index range, since their
  // modified times never decrease with the index.
  auto [lo, hi] = per_job ? BaseSubmissionsOfJob(query.job)
                          : std::pair<int64_t, int64_t>{0, BaseCount(resource)};
  if (query.modified_after) {
    lo = FirstWhere(lo, hi, [&](int64_t i) {
      return BaseModified(resource, i) > *query.modified_after;
    });
  }
  if (query.modified_before) {
    hi = FirstWhere(lo, hi, [&](int64_t i) {
      return BaseModified(resource, i) >= *query.modified_before;
    });
  }

  // A record in the overlay leaves the base order: it is excluded there and
  // included again, with its own key, if it is live and in the filter.
  std::vector<int64_t> excluded;
  for (auto it = overlay.lower_bound(lo); it != overlay.end() && it->first < hi;
       ++it) {
    excluded.push_back(it->first);
  }
  std::vector<std::pair<Key, int64_t>> included;
  for (const auto& [index, entry] : overlay) {
    const RecordState& state = entry.state;
    if (entry.deleted) continue;
    if (per_job && state.links.job != query.job) continue;
    if (query.modified_after && state.modified <= *query.modified_after) {
      continue;
    }
    if (query.modified_before && state.modified >= *query.modified_before) {
      continue;
    }
    EpochSeconds time = query.sort == SortField::kCreated    ? state.created
                        : query.sort == SortField::kModified ? state.modified
                                                             : 0;
    included.push_back({{time, index}, index});
  }
  std::sort(included.begin(), included.end());

  // Where each included record falls in the merged ascending order.
  auto excluded_below = [&](int64_t index) {
    return std::lower_bound(excluded.begin(), excluded.end(), index) -
           excluded.begin();
  };
  std::vector<int64_t> position(included.size());
  for (size_t j = 0; j < included.size(); ++j) {
    const Key& key = included[j].first;
    int64_t bound = FirstWhere(lo, hi, [&](int64_t i) {
      return BaseKey(resource, i, query.sort) >= key;
    });
    position[j] =
        static_cast<int64_t>(j) + (bound - lo) - excluded_below(bound);
  }

  ListSlice slice;
  slice.total = (hi - lo) - static_cast<int64_t>(excluded.size()) +
                static_cast<int64_t>(included.size());

  // The window in ascending positions; a descending page is its mirror.
  int64_t first = query.offset;
  int64_t last = std::min(slice.total, query.offset + query.limit);
  if (query.descending) {
    first = std::max<int64_t>(0, slice.total - query.offset - query.limit);
    last = slice.total - query.offset;
  }

  // Walk the window: a position is either the next included record or the
  // base record whose rank among the remaining base records it is.
  size_t next_included =
      std::lower_bound(position.begin(), position.end(), first) -
      position.begin();
  for (int64_t p = first; p < last; ++p) {
    if (next_included < position.size() && position[next_included] == p) {
      slice.indexes.push_back(included[next_included++].second);
      continue;
    }
    int64_t index = lo + (p - static_cast<int64_t>(next_included));
    for (int64_t skipped : excluded) {
      if (skipped > index) break;
      ++index;
    }
    slice.indexes.push_back(index);
  }
  if (query.descending) {
    std::reverse(slice.indexes.begin(), slice.indexes.end());
  }
  return slice;
}

RecordState Dataset::BaseState(Resource resource, int64_t index) const {
  RecordState state;
  state.resource = resource;
  state.index = index;
  state.created = BaseCreated(resource, index);
  state.modified = BaseModified(resource, index);

  auto draw = [&](std::string_view what) {
    return Hash(
        {seed_, Tag(what), uint64_t(Ordinal(resource)), uint64_t(index)});
  };
  Links& links = state.links;
  switch (resource) {
    case Resource::kApplicants:
      links.user = PickBase(draw("creator"), Resource::kUsers);
      break;
    case Resource::kJobPostings:
      links.client = PickBase(draw("client"), Resource::kClients);
      links.user = PickBase(draw("recruiter"), Resource::kUsers);
      break;
    case Resource::kSubmissions:
      links.job = JobOfSubmission(index);
      links.applicant = PickBase(draw("applicant"), Resource::kApplicants);
      links.user = PickBase(draw("submitter"), Resource::kUsers);
      break;
    case Resource::kInterviews:
    case Resource::kPlacements:
      links.submission = PickBase(draw("submission"), Resource::kSubmissions);
      break;
    case Resource::kClients:
    case Resource::kUsers:
      break;
  }
  return state;
}

int64_t Dataset::PickBase(uint64_t hash, Resource target) const {
  int64_t count = BaseCount(target);
  return count == 0 ? -1 : static_cast<int64_t>(Below(hash, count));
}

int64_t Dataset::JobOfSubmission(int64_t index) const {
  auto it = std::upper_bound(submission_start_.begin(), submission_start_.end(),
                             index);
  return (it - submission_start_.begin()) - 1;
}

// Pulls an index back to the start of its group when the group is a burst,
// so every record of the group gets the same time slot.
int64_t Dataset::BurstAdjusted(Resource resource, int64_t group,
                               int64_t index) const {
  int64_t block = index / kBurstGroup;
  uint64_t hash = Hash({seed_, Tag("burst"), uint64_t(Ordinal(resource)),
                        uint64_t(group), uint64_t(block)});
  return Below(hash, kBurstOdds) == 0 ? block * kBurstGroup : index;
}

EpochSeconds Dataset::BaseModified(Resource resource, int64_t index) const {
  if (resource == Resource::kSubmissions) {
    // A job's submissions spread from the job's creation to the base end.
    int64_t job = JobOfSubmission(index);
    auto [first, last] = BaseSubmissionsOfJob(job);
    EpochSeconds opened = BaseCreated(Resource::kJobPostings, job);
    int64_t slot = BurstAdjusted(resource, job, index - first) + 1;
    return opened + slot * (base_end_ - opened) / (last - first + 1);
  }

  // Bursts pull a record at most three slots back; only where slots are
  // short enough does that keep it created before it was modified.
  int64_t count = BaseCount(resource);
  bool bursts = 3 * kBaseSpan / count < kCreatedLead - 1;
  int64_t slot = bursts ? BurstAdjusted(resource, -1, index) : index;
  return base_first_ + slot * kBaseSpan / count;
}

EpochSeconds Dataset::BaseCreated(Resource resource, int64_t index) const {
  if (resource == Resource::kSubmissions) {
    int64_t job = JobOfSubmission(index);
    auto [first, last] = BaseSubmissionsOfJob(job);
    EpochSeconds opened = BaseCreated(Resource::kJobPostings, job);
    int64_t slot = BurstAdjusted(resource, job, index - first);
    return opened + slot * (base_end_ - opened) / (last - first + 1);
  }
  return base_first_ - kCreatedLead + index * kBaseSpan / BaseCount(resource);
}

Dataset::Key Dataset::BaseKey(Resource resource, int64_t index,
                              SortField sort) const {
  switch (sort) {
    case SortField::kId:
      return {0, index};
    case SortField::kCreated:
      return {BaseCreated(resource, index), index};
    case SortField::kModified:
      return {BaseModified(resource, index), index};
  }
  return {0, index};
}

}  // namespace ceipal::fake
