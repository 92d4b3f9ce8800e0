#include "tools/fake_ceipal/mutator.h"

#include <fmt/format.h>

#include <algorithm>

#include "tools/fake_ceipal/seeded_hash.h"

namespace ceipal::fake {
namespace {

constexpr int64_t kMaxCount = 100000;
// An edit re-draws at least one field; a re-draw can land on the same value,
// so an edit tries a few versions until something visibly changed.
constexpr int kEditAttempts = 16;

auto BadRequest(std::string message) {
  return Fail(ErrorKind::kConfig, std::move(message), 400);
}

bool IsKnownKind(std::string_view kind) {
  return kind == "edit" || kind == "hire" || kind == "place" ||
         kind == "create" || kind == "delete" || kind == "burst";
}

}  // namespace

Result<MutationRequest> ParseMutation(const JsonObject& body) {
  MutationRequest request;
  auto kind = body.GetString("kind");
  auto resource = body.GetString("resource");
  auto id = body.GetString("id");
  auto job_id = body.GetString("job_id");
  auto count = body.GetInt("count");
  auto after = body.GetInt("after_requests");
  for (const auto* read : {&kind, &resource, &id, &job_id}) {
    if (!*read) return BadRequest("mutate: " + read->error().message);
  }
  for (const auto* read : {&count, &after}) {
    if (!*read) return BadRequest("mutate: " + read->error().message);
  }

  if (!*kind || !IsKnownKind(**kind)) {
    return BadRequest(
        "mutate: \"kind\" must be edit, hire, place, create, delete or burst");
  }
  request.kind = **kind;

  // hire and place move submissions; everything else names its resource.
  bool moves_status = request.kind == "hire" || request.kind == "place";
  std::string resource_name =
      resource->value_or(moves_status ? "submissions" : "");
  std::optional<Resource> parsed = ResourceByName(resource_name);
  if (!parsed) {
    return BadRequest(
        fmt::format("mutate: unknown resource \"{}\"", resource_name));
  }
  if (moves_status && *parsed != Resource::kSubmissions) {
    return BadRequest("mutate: hire and place apply to submissions only");
  }
  request.resource = *parsed;

  request.id = *id;
  request.job_id = *job_id;
  request.count = count->value_or(1);
  request.after_requests = after->value_or(0);
  if (request.count < 1 || request.count > kMaxCount) {
    return BadRequest(
        fmt::format("mutate: \"count\" must be between 1 and {}", kMaxCount));
  }
  if (request.after_requests < 0) {
    return BadRequest("mutate: \"after_requests\" must not be negative");
  }
  return request;
}

Mutator::Mutator(Dataset& dataset, const RecordRenderer& renderer,
                 const IdCodec& ids, const SimClock& clock, uint64_t seed,
                 int utc_offset_seconds)
    : dataset_(dataset),
      renderer_(renderer),
      ids_(ids),
      clock_(clock),
      seed_(seed),
      utc_offset_seconds_(utc_offset_seconds) {
  Reset();
}

void Mutator::Reset() {
  random_.seed(Hash({seed_, Tag("mutations")}));
  journal_.clear();
  scheduled_.clear();
}

Result<std::vector<JournalEntry>> Mutator::Submit(
    const MutationRequest& request) {
  if (request.after_requests > 0) {
    scheduled_.push_back({request, request.after_requests});
    return std::vector<JournalEntry>{};
  }
  return Apply(request);
}

void Mutator::OnListServed(Resource resource) {
  // Fire in submission order; a mutation whose target vanished meanwhile
  // has nothing left to do and is dropped.
  std::vector<MutationRequest> due;
  for (Scheduled& pending : scheduled_) {
    if (pending.request.resource == resource && --pending.remaining == 0) {
      due.push_back(pending.request);
    }
  }
  std::erase_if(scheduled_, [](const Scheduled& pending) {
    return pending.remaining <= 0;
  });
  for (const MutationRequest& request : due) (void)Apply(request);
}

Result<std::vector<JournalEntry>> Mutator::Apply(
    const MutationRequest& request) {
  EpochSeconds now = clock_.Now();
  std::vector<JournalEntry> written;
  if (request.kind == "create") {
    if (auto created = Create(request, now, written); !created) {
      return std::unexpected(created.error());
    }
    return written;
  }

  auto targets = Targets(request);
  if (!targets) return std::unexpected(targets.error());
  for (int64_t index : *targets) {
    if (request.kind == "delete") {
      // A cascade from an earlier target may have taken this one already.
      if (dataset_.IsLive(request.resource, index)) {
        DeleteWithDependents(request.resource, index, now, written);
      }
    } else if (request.kind == "hire") {
      SetStatus(index, request.kind, "Hired", now, written);
    } else if (request.kind == "place") {
      SetStatus(index, request.kind, "Placed", now, written);
    } else {
      Edit(request.resource, index, request.kind, now, written);
    }
  }
  return written;
}

Result<std::vector<int64_t>> Mutator::Targets(const MutationRequest& request) {
  if (request.id) {
    std::optional<RecordRef> ref = ids_.Decode(*request.id);
    if (!ref || ref->resource != request.resource ||
        !dataset_.IsLive(ref->resource, ref->index)) {
      return Fail(ErrorKind::kSchema,
                  fmt::format("mutate: no live {} record with id {}",
                              Info(request.resource).name, *request.id),
                  404);
    }
    return std::vector<int64_t>{ref->index};
  }

  std::vector<int64_t> targets;
  while (static_cast<int64_t>(targets.size()) < request.count) {
    std::optional<int64_t> pick = PickLive(request.resource, targets);
    if (!pick) break;
    targets.push_back(*pick);
  }
  if (targets.empty()) {
    return Fail(ErrorKind::kSchema,
                fmt::format("mutate: no live {} record to {}",
                            Info(request.resource).name, request.kind),
                409);
  }
  return targets;
}

std::optional<int64_t> Mutator::PickLive(Resource resource,
                                         const std::vector<int64_t>& taken) {
  int64_t end = dataset_.EndIndex(resource);
  if (end == 0) return std::nullopt;
  auto usable = [&](int64_t index) {
    return dataset_.IsLive(resource, index) &&
           std::find(taken.begin(), taken.end(), index) == taken.end();
  };

  // Random probes find a live record at once unless most are gone; then a
  // scan from a random start settles it.
  for (int probe = 0; probe < 64; ++probe) {
    int64_t index = static_cast<int64_t>(random_() % end);
    if (usable(index)) return index;
  }
  int64_t start = static_cast<int64_t>(random_() % end);
  for (int64_t k = 0; k < end; ++k) {
    int64_t index = (start + k) % end;
    if (usable(index)) return index;
  }
  return std::nullopt;
}

Result<void> Mutator::Create(const MutationRequest& request, EpochSeconds now,
                             std::vector<JournalEntry>& written) {
  Resource resource = request.resource;
  auto pick = [&](Resource target) {
    return PickLive(target, {}).value_or(-1);
  };

  // A named job must exist; otherwise submissions go to a random live job.
  int64_t job = -1;
  if (resource == Resource::kSubmissions) {
    if (request.job_id) {
      std::optional<RecordRef> ref = ids_.Decode(*request.job_id);
      if (!ref || ref->resource != Resource::kJobPostings ||
          !dataset_.IsLive(ref->resource, ref->index)) {
        return Fail(
            ErrorKind::kSchema,
            fmt::format("mutate: no live job with id {}", *request.job_id),
            404);
      }
      job = ref->index;
    } else if (job = pick(Resource::kJobPostings); job < 0) {
      return Fail(ErrorKind::kSchema,
                  "mutate: no live job to add submissions to", 409);
    }
  }

  for (int64_t k = 0; k < request.count; ++k) {
    Links links;
    switch (resource) {
      case Resource::kApplicants:
        links.user = pick(Resource::kUsers);
        break;
      case Resource::kJobPostings:
        links.client = pick(Resource::kClients);
        links.user = pick(Resource::kUsers);
        break;
      case Resource::kSubmissions:
        links.job = job;
        links.applicant = pick(Resource::kApplicants);
        links.user = pick(Resource::kUsers);
        break;
      case Resource::kInterviews:
      case Resource::kPlacements:
        links.submission = pick(Resource::kSubmissions);
        break;
      case Resource::kClients:
      case Resource::kUsers:
        break;
    }
    int64_t index = CreateOne(resource, links, now, written);

    // A new job often arrives with its first submissions.
    if (resource == Resource::kJobPostings) {
      for (uint64_t s = 0, n = random_() % 3; s < n; ++s) {
        Links submission{.job = index,
                         .applicant = pick(Resource::kApplicants),
                         .user = pick(Resource::kUsers)};
        CreateOne(Resource::kSubmissions, submission, now, written);
      }
    }
  }
  return {};
}

int64_t Mutator::CreateOne(Resource resource, const Links& links,
                           EpochSeconds now,
                           std::vector<JournalEntry>& written) {
  int64_t index = dataset_.Create(resource, now, links);
  Record(resource, index, "create", {}, now, written);
  return index;
}

void Mutator::Edit(Resource resource, int64_t index, const std::string& kind,
                   EpochSeconds now, std::vector<JournalEntry>& written) {
  RecordState before = *dataset_.Find(resource, index);
  RecordState after = before;
  if (HasModifiedTime(resource)) after.modified = now;

  std::string_view modified_field = Info(resource).modified_field;
  std::vector<std::string> fields;
  for (int attempt = 0; attempt < kEditAttempts; ++attempt) {
    ++after.version;
    fields = renderer_.ChangedFields(before, after);
    bool visible = std::any_of(
        fields.begin(), fields.end(),
        [&](const std::string& field) { return field != modified_field; });
    if (visible) break;
  }
  dataset_.Update(after);
  Record(resource, index, kind, std::move(fields), now, written);
}

void Mutator::SetStatus(int64_t index, const std::string& kind,
                        const std::string& status, EpochSeconds now,
                        std::vector<JournalEntry>& written) {
  RecordState before = *dataset_.Find(Resource::kSubmissions, index);
  RecordState after = before;
  after.status = status;
  after.modified = now;
  dataset_.Update(after);
  Record(Resource::kSubmissions, index, kind,
         renderer_.ChangedFields(before, after), now, written);
}

void Mutator::DeleteWithDependents(Resource resource, int64_t index,
                                   EpochSeconds now,
                                   std::vector<JournalEntry>& written) {
  dataset_.Delete(resource, index);
  Record(resource, index, "delete", {}, now, written);

  // A job takes its submissions along, and a submission its interviews.
  if (resource == Resource::kJobPostings) {
    for (int64_t submission : dataset_.LiveSubmissionsOfJob(index)) {
      DeleteWithDependents(Resource::kSubmissions, submission, now, written);
    }
  } else if (resource == Resource::kSubmissions) {
    auto interviews = dataset_.LiveWhere(
        Resource::kInterviews, [&](const RecordState& interview) {
          return interview.links.submission == index;
        });
    for (int64_t interview : interviews) {
      DeleteWithDependents(Resource::kInterviews, interview, now, written);
    }
  }
}

void Mutator::Record(Resource resource, int64_t index, const std::string& kind,
                     std::vector<std::string> fields, EpochSeconds now,
                     std::vector<JournalEntry>& written) {
  JournalEntry entry{static_cast<int64_t>(journal_.size()) + 1,
                     resource,
                     ids_.Encode(resource, index),
                     kind,
                     std::move(fields),
                     now};
  journal_.push_back(entry);
  written.push_back(std::move(entry));
}

void Mutator::WriteEntries(std::span<const JournalEntry> entries,
                           JsonWriter& out) const {
  out.BeginArray();
  for (const JournalEntry& entry : entries) {
    out.BeginObject();
    out.Field("seq", entry.seq);
    out.Field("resource", Info(entry.resource).name);
    out.Field("id", entry.id);
    out.Field("kind", entry.kind);
    out.Key("fields");
    out.BeginArray();
    for (const std::string& field : entry.fields) out.String(field);
    out.EndArray();
    out.Field("at", FormatNaive(entry.at, utc_offset_seconds_));
    out.EndObject();
  }
  out.EndArray();
}

}  // namespace ceipal::fake
