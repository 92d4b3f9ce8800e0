// Applies the control API's mutations to the dataset and journals them:
// edits, status moves to Hired or Placed, new records, deletes (a job takes
// its submissions and their interviews along) and same-second bursts. A
// mutation may be scheduled to fire after the next N list requests of its
// resource, to make pages drift under a paged read. Targets not named by id
// are drawn from a generator seeded by the dataset seed, so a sequence of
// mutations is repeatable. Not thread-safe: the server guards it.
#ifndef CEIPAL_TOOLS_FAKE_CEIPAL_MUTATOR_H_
#define CEIPAL_TOOLS_FAKE_CEIPAL_MUTATOR_H_

#include <cstdint>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "engine/error.h"
#include "tools/fake_ceipal/dataset.h"
#include "tools/fake_ceipal/json_object.h"
#include "tools/fake_ceipal/json_writer.h"
#include "tools/fake_ceipal/record_id.h"
#include "tools/fake_ceipal/record_renderer.h"
#include "tools/fake_ceipal/sim_clock.h"

namespace ceipal::fake {

struct JournalEntry {
  int64_t seq = 0;
  Resource resource = Resource::kApplicants;
  std::string id;
  std::string kind;                 // edit, hire, place, create, delete, burst
  std::vector<std::string> fields;  // top-level fields whose value changed
  EpochSeconds at = 0;
};

struct MutationRequest {
  std::string kind;
  Resource resource = Resource::kApplicants;
  std::optional<std::string> id;      // the target; drawn at random if absent
  int64_t count = 1;                  // targets (or new records) when no id
  int64_t after_requests = 0;         // 0 = now
  std::optional<std::string> job_id;  // the job of created submissions
};

// Reads a POST /_fake/mutate body. Errors carry http_status 400.
Result<MutationRequest> ParseMutation(const JsonObject& body);

class Mutator {
 public:
  // Keeps references to everything it is given, which must outlive it.
  Mutator(Dataset& dataset, const RecordRenderer& renderer, const IdCodec& ids,
          const SimClock& clock, uint64_t seed, int utc_offset_seconds);

  // Applies the mutation now, or schedules it when after_requests > 0, and
  // returns the journal entries it wrote (none when scheduled). Errors carry
  // the status to answer: 404 for an id that is not live, 409 when there is
  // no live record to mutate.
  Result<std::vector<JournalEntry>> Submit(const MutationRequest& request);

  // Counts one answered list request of `resource`; fires what is due.
  void OnListServed(Resource resource);

  const std::vector<JournalEntry>& journal() const { return journal_; }
  void WriteEntries(std::span<const JournalEntry> entries,
                    JsonWriter& out) const;

  // Empties the journal and the schedule and restarts the generator.
  void Reset();

 private:
  struct Scheduled {
    MutationRequest request;
    int64_t remaining;
  };

  Result<std::vector<JournalEntry>> Apply(const MutationRequest& request);
  Result<std::vector<int64_t>> Targets(const MutationRequest& request);
  std::optional<int64_t> PickLive(Resource resource,
                                  const std::vector<int64_t>& taken);
  Result<void> Create(const MutationRequest& request, EpochSeconds now,
                      std::vector<JournalEntry>& written);
  int64_t CreateOne(Resource resource, const Links& links, EpochSeconds now,
                    std::vector<JournalEntry>& written);
  void Edit(Resource resource, int64_t index, const std::string& kind,
            EpochSeconds now, std::vector<JournalEntry>& written);
  void SetStatus(int64_t index, const std::string& kind,
                 const std::string& status, EpochSeconds now,
                 std::vector<JournalEntry>& written);
  void DeleteWithDependents(Resource resource, int64_t index, EpochSeconds now,
                            std::vector<JournalEntry>& written);
  void Record(Resource resource, int64_t index, const std::string& kind,
              std::vector<std::string> fields, EpochSeconds now,
              std::vector<JournalEntry>& written);

  Dataset& dataset_;
  const RecordRenderer& renderer_;
  const IdCodec& ids_;
  const SimClock& clock_;
  uint64_t seed_;
  int utc_offset_seconds_;
  std::mt19937_64 random_;
  std::vector<JournalEntry> journal_;
  std::vector<Scheduled> scheduled_;
};

}  // namespace ceipal::fake

#endif  // CEIPAL_TOOLS_FAKE_CEIPAL_MUTATOR_H_
