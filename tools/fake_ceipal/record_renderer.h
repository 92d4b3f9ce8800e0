// Turns a record's state into the JSON object Ceipal would serve for it.
// Every field is a pure function of (seed, resource, index, version) and the
// state's timestamps, status and links, so a record renders to the same
// bytes every time. Edits bump the version; each version re-draws one to a
// few of the resource's editable fields.
//
// Reads the Dataset it was built with (for what a record points at), so it
// shares that Dataset's thread-safety: none; the server serialises access.
#ifndef CEIPAL_TOOLS_FAKE_CEIPAL_RECORD_RENDERER_H_
#define CEIPAL_TOOLS_FAKE_CEIPAL_RECORD_RENDERER_H_

#include <string>
#include <vector>

#include "tools/fake_ceipal/dataset.h"
#include "tools/fake_ceipal/json_writer.h"
#include "tools/fake_ceipal/record_id.h"

namespace ceipal::fake {

class RecordRenderer {
 public:
  // Keeps references to dataset and ids, which must outlive it.
  RecordRenderer(const Dataset& dataset, const IdCodec& ids,
                 int utc_offset_seconds);

  // The record as a list serves it; with `detail`, as its detail endpoint
  // does (a job posting then adds "client", its client's name).
  void Write(const RecordState& state, bool detail, JsonWriter& out) const;
  std::string Render(const RecordState& state, bool detail) const;

  // The top-level fields whose values differ between two states of one
  // record, in the order the record lists them.
  std::vector<std::string> ChangedFields(const RecordState& before,
                                         const RecordState& after) const;

  // The value a record shows in its status field now.
  std::string StatusOf(const RecordState& state) const;

  std::string Id(Resource resource, int64_t index) const;

 private:
  void WriteApplicant(const RecordState& state, JsonWriter& out) const;
  void WriteJobPosting(const RecordState& state, bool detail,
                       JsonWriter& out) const;
  void WriteSubmission(const RecordState& state, JsonWriter& out) const;
  void WriteInterview(const RecordState& state, JsonWriter& out) const;
  void WritePlacement(const RecordState& state, JsonWriter& out) const;
  void WriteClient(const RecordState& state, JsonWriter& out) const;
  void WriteUser(const RecordState& state, JsonWriter& out) const;

  std::string Naive(EpochSeconds utc) const;
  std::string Date(EpochSeconds utc) const;
  // Some records show their modified time as ISO UTC, the rest naive.
  std::string Modified(const RecordState& state) const;
  std::string ClientName(int64_t client) const;
  std::string UserName(int64_t user) const;
  std::string ApplicantName(int64_t applicant) const;
  std::string ApplicantEmail(int64_t applicant) const;
  std::string IdOrEmpty(Resource resource, int64_t index) const;

  const Dataset& dataset_;
  const IdCodec& ids_;
  int utc_offset_seconds_;
  uint64_t seed_;
};

}  // namespace ceipal::fake

#endif  // CEIPAL_TOOLS_FAKE_CEIPAL_RECORD_RENDERER_H_
