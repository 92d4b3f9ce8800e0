// The sandbox's records: a deterministic base generated on demand from
// (seed, resource, index), plus a small overlay of records that mutations
// touched (edited, re-statused, created or deleted). Nothing about a base
// record is stored, so a million applicants cost no memory; a list query is
// a binary search over the base (whose timestamps never decrease with the
// index) merged with the overlay.
//
// Every base timestamp is generated relative to the instant the sandbox
// clock starts, so moving the start moves the whole base by the same amount.
//
// The Dataset stores and answers; the Mutator decides what a mutation means.
// Not thread-safe: the server guards it with its one mutex.
#ifndef CEIPAL_TOOLS_FAKE_CEIPAL_DATASET_H_
#define CEIPAL_TOOLS_FAKE_CEIPAL_DATASET_H_

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tools/fake_ceipal/resource.h"
#include "tools/fake_ceipal/sim_clock.h"

namespace ceipal::fake {

// How many base records each resource starts with.
struct DatasetSizes {
  int64_t applicants = 500;
  int64_t job_postings = 60;
  int64_t submissions_per_job = 4;  // the average, when submissions < 0
  int64_t submissions = -1;         // an exact total spread over the jobs
  int64_t interviews = 80;
  int64_t placements = 40;
  int64_t clients = 25;
  int64_t users = 15;
};

// Indexes of the records a record points at; -1 where it points at none.
struct Links {
  int64_t job = -1;         // submissions
  int64_t applicant = -1;   // submissions
  int64_t submission = -1;  // interviews and placements
  int64_t client = -1;      // job postings
  int64_t user = -1;        // creator, recruiter or submitter
};

// Everything about a record that can change over its life. All other fields
// derive from (seed, resource, index, version).
struct RecordState {
  Resource resource = Resource::kApplicants;
  int64_t index = 0;
  int version = 0;
  EpochSeconds created = 0;
  EpochSeconds modified = 0;
  std::string status;  // a forced status (hire, place); "" = generated
  Links links;
};

enum class SortField { kId, kCreated, kModified };

struct ListQuery {
  Resource resource = Resource::kApplicants;
  std::optional<EpochSeconds> modified_after;   // exclusive
  std::optional<EpochSeconds> modified_before;  // exclusive
  int64_t job = -1;  // submissions are listed per job: its index
  SortField sort = SortField::kId;
  bool descending = true;
  int64_t offset = 0;
  int64_t limit = 20;
};

struct ListSlice {
  int64_t total = 0;             // records matching the filter
  std::vector<int64_t> indexes;  // the requested window, in order
};

class Dataset {
 public:
  // `start` is where the sandbox clock starts; the newest base record was
  // modified an hour before it.
  Dataset(uint64_t seed, const DatasetSizes& sizes,
          EpochSeconds start = kSandboxStart);

  uint64_t seed() const { return seed_; }
  int64_t BaseCount(Resource resource) const;
  // One past the highest index ever given to a record of the resource.
  int64_t EndIndex(Resource resource) const;

  // The record if it exists now; nullopt if it never did or was deleted.
  std::optional<RecordState> Find(Resource resource, int64_t index) const;
  bool IsLive(Resource resource, int64_t index) const;

  // The record's last state even when deleted; for rendering what other
  // records point at. REQUIRES: 0 <= index < EndIndex(resource).
  RecordState StateOf(Resource resource, int64_t index) const;

  // Sorting by id or created time follows the creation sequence; ties in
  // modified time are broken by it, so paging is deterministic.
  ListSlice List(const ListQuery& query) const;

  // Every live record of the resource, in creation order.
  std::vector<int64_t> LiveIndexes(Resource resource) const;

  // Live records whose state satisfies `keep`, in creation order. Scans the
  // whole resource: meant for cascades, not for serving requests.
  std::vector<int64_t> LiveWhere(
      Resource resource,
      const std::function<bool(const RecordState&)>& keep) const;

  // Stores a changed state of an existing record.
  void Update(const RecordState& state);
  // Adds a record created at `now`; returns its index.
  int64_t Create(Resource resource, EpochSeconds now, const Links& links);
  // REQUIRES: the record is live.
  void Delete(Resource resource, int64_t index);

  // Forgets every mutation: back to the generated base.
  void Reset();

  // The submissions of job `job`, as the base laid them out: [first, last).
  std::pair<int64_t, int64_t> BaseSubmissionsOfJob(int64_t job) const;
  // The live submissions of job `job`, base and created, in creation order.
  std::vector<int64_t> LiveSubmissionsOfJob(int64_t job) const;

 private:
  struct Entry {
    RecordState state;
    bool deleted = false;
  };
  using Overlay = std::map<int64_t, Entry>;
  using Key = std::pair<EpochSeconds, int64_t>;

  RecordState BaseState(Resource resource, int64_t index) const;
  EpochSeconds BaseModified(Resource resource, int64_t index) const;
  EpochSeconds BaseCreated(Resource resource, int64_t index) const;
  Key BaseKey(Resource resource, int64_t index, SortField sort) const;
  int64_t JobOfSubmission(int64_t index) const;
  int64_t BurstAdjusted(Resource resource, int64_t group, int64_t index) const;
  int64_t PickBase(uint64_t hash, Resource target) const;

  uint64_t seed_;
  EpochSeconds base_end_;    // where base modified times end
  EpochSeconds base_first_;  // where base modified times begin
  std::array<int64_t, kResourceCount> base_count_{};
  std::array<int64_t, kResourceCount> end_index_{};
  std::array<Overlay, kResourceCount> overlay_;
  // submission_start_[j] is the first base submission of job j; one extra
  // element closes the last job's range.
  std::vector<int64_t> submission_start_;
};

}  // namespace ceipal::fake

#endif  // CEIPAL_TOOLS_FAKE_CEIPAL_DATASET_H_
