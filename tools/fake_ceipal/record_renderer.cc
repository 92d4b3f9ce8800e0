#include "tools/fake_ceipal/record_renderer.h"

#include <fmt/format.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <span>

#include "tools/fake_ceipal/seeded_hash.h"
#include "tools/fake_ceipal/vocabulary.h"

namespace ceipal::fake {
namespace {

constexpr EpochSeconds kDay = 86400;

// The fields an edit may re-draw, per resource. A field name here may stand
// for a group drawn together ("location" is city, state and country).
std::span<const std::string_view> Editable(Resource resource) {
  static constexpr std::string_view kApplicant[] = {
      "job_title", "location",           "applicant_status", "mobile_number",
      "skills",    "work_authorization", "preferred_shift"};
  static constexpr std::string_view kJob[] = {"job_status",
                                              "number_of_positions",
                                              "pay_rates",
                                              "public_job_title",
                                              "assigned_recruiter",
                                              "job_end_date",
                                              "client_bill_rate___salary"};
  static constexpr std::string_view kSubmission[] = {
      "submission_status", "pipeline_status", "pay_rate"};
  static constexpr std::string_view kInterview[] = {
      "interview_status", "interview_date", "interviewer"};
  static constexpr std::string_view kPlacement[] = {
      "placement_status", "job_end_date", "bill_rate"};
  static constexpr std::string_view kClient[] = {
      "status", "contact_number", "contacts", "website", "modified_by"};
  static constexpr std::string_view kUser[] = {"role", "status"};
  switch (resource) {
    case Resource::kApplicants:
      return kApplicant;
    case Resource::kJobPostings:
      return kJob;
    case Resource::kSubmissions:
      return kSubmission;
    case Resource::kInterviews:
      return kInterview;
    case Resource::kPlacements:
      return kPlacement;
    case Resource::kClients:
      return kClient;
    case Resource::kUsers:
      return kUser;
  }
  return {};
}

// The random source of one record at one version. A field's draw changes
// only with the edits that touched it, so an edit re-draws a few fields and
// leaves the others exactly as they were.
class Draw {
 public:
  Draw(uint64_t seed, Resource resource, int64_t index, int version)
      : seed_(seed),
        ordinal_(static_cast<uint64_t>(Ordinal(resource))),
        index_(static_cast<uint64_t>(index)),
        version_(version),
        editable_(Editable(resource)) {}

  uint64_t operator()(std::string_view field) const {
    return Hash({seed_, Tag(field), ordinal_, index_, Generation(field)});
  }

  template <typename T, size_t N>
  const T& Pick(const T (&list)[N], std::string_view field) const {
    return list[Below((*this)(field), N)];
  }

  bool OneIn(std::string_view field, uint64_t n) const {
    return Below((*this)(field), n) == 0;
  }

 private:
  // How many of the edits so far re-drew this field. Each edit re-draws one
  // editable field for sure and each other one with odds of one in four.
  uint64_t Generation(std::string_view field) const {
    bool editable = false;
    for (std::string_view name : editable_) editable |= name == field;
    if (!editable) return 0;

    uint64_t generation = 0;
    for (int edit = 1; edit <= version_; ++edit) {
      uint64_t k = static_cast<uint64_t>(edit);
      uint64_t primary = Below(Hash({seed_, Tag("edit"), ordinal_, index_, k}),
                               editable_.size());
      bool touched =
          editable_[primary] == field ||
          Below(Hash({seed_, Tag("also"), ordinal_, index_, k, Tag(field)}),
                4) == 0;
      generation += touched;
    }
    return generation;
  }

  uint64_t seed_;
  uint64_t ordinal_;
  uint64_t index_;
  int version_;
  std::span<const std::string_view> editable_;
};

struct Person {
  std::string first;
  std::string last;
};

Person PersonOf(const Draw& draw) {
  Person person{std::string(draw.Pick(vocab::kFirstNames, "firstname")),
                std::string(draw.Pick(vocab::kLastNames, "lastname"))};
  if (draw.OneIn("emoji", 40)) {
    person.first += " ";
    person.first += draw.Pick(vocab::kEmoji, "emoji_kind");
  }
  return person;
}

// Reads the code point that starts at text[at] and moves `at` past it. The
// text is the sandbox's own vocabulary, so it is valid UTF-8.
char32_t NextCodePoint(std::string_view text, size_t& at) {
  const auto lead = static_cast<unsigned char>(text[at++]);
  int continuation = lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : lead >= 0xC0 ? 1 : 0;
  char32_t code = continuation == 0 ? lead : lead & (0x3F >> continuation);
  for (; continuation > 0 && at < text.size(); --continuation) {
    code = (code << 6) | (static_cast<unsigned char>(text[at++]) & 0x3F);
  }
  return code;
}

// What an accented Latin letter becomes in an address, the way people spell
// their names in one: Latin-1 letters (U+00C0 to U+00FF) and the Vietnamese
// block (U+1EA0 to U+1EF9). Empty for anything else, which is dropped.
std::string_view AsciiLetters(char32_t code) {
  static constexpr std::string_view kLatin1[64] = {
      "a", "a", "a", "a", "a",  "a",  "ae", "c", "e", "e", "e",  "e", "i",
      "i", "i", "i", "d", "n",  "o",  "o",  "o", "o", "o", "",   "o", "u",
      "u", "u", "u", "y", "th", "ss", "a",  "a", "a", "a", "a",  "a", "ae",
      "c", "e", "e", "e", "e",  "i",  "i",  "i", "i", "d", "n",  "o", "o",
      "o", "o", "o", "",  "o",  "u",  "u",  "u", "u", "y", "th", "y"};
  if (code >= 0xC0 && code <= 0xFF) return kLatin1[code - 0xC0];
  if (code >= 0x1EA0 && code <= 0x1EB7) return "a";
  if (code >= 0x1EB8 && code <= 0x1EC7) return "e";
  if (code >= 0x1EC8 && code <= 0x1ECB) return "i";
  if (code >= 0x1ECC && code <= 0x1EE3) return "o";
  if (code >= 0x1EE4 && code <= 0x1EF1) return "u";
  if (code >= 0x1EF2 && code <= 0x1EF9) return "y";
  return "";
}

// The lower-case ASCII letters of a name, for building email addresses:
// "Tomás" gives "tomas", "O'Brien" "obrien"; a name in another script gives
// nothing.
std::string Slug(std::string_view text) {
  std::string slug;
  for (size_t at = 0; at < text.size();) {
    char32_t code = NextCodePoint(text, at);
    if (code >= 'A' && code <= 'Z') {
      slug += static_cast<char>(code - 'A' + 'a');
    } else if (code >= 'a' && code <= 'z') {
      slug += static_cast<char>(code);
    } else {
      slug += AsciiLetters(code);
    }
  }
  return slug;
}

std::string Email(const Person& person, int64_t number,
                  std::string_view domain) {
  std::string first = Slug(person.first);
  std::string last = Slug(person.last);
  if (first.empty()) first = "candidate";
  if (last.empty()) return fmt::format("{}{}@{}", first, number, domain);
  return fmt::format("{}.{}{}@{}", first, last, number, domain);
}

std::string Phone(uint64_t hash) {
  return fmt::format("+1 555 {:03} {:04}", Below(hash, 1000),
                     Below(hash >> 16, 10000));
}

// Two to five distinct skills, comma-separated as Ceipal sends them.
std::string Skills(uint64_t hash) {
  constexpr size_t kCount = std::size(vocab::kSkills);
  size_t wanted = 2 + Below(hash, 4);
  std::string skills;
  std::vector<size_t> taken;
  for (size_t k = 0; taken.size() < wanted && k < 12; ++k) {
    size_t pick = Below(Mix(hash + k), kCount);
    if (std::find(taken.begin(), taken.end(), pick) != taken.end()) continue;
    taken.push_back(pick);
    if (!skills.empty()) skills += ", ";
    skills += vocab::kSkills[pick];
  }
  return skills;
}

// One of "", "NA", "N/A" or the value, the way optional fields arrive.
std::string Sentinel(uint64_t hash, std::string value) {
  switch (Below(hash, 5)) {
    case 0:
      return "";
    case 1:
      return "NA";
    case 2:
      return "N/A";
    default:
      return value;
  }
}

}  // namespace

RecordRenderer::RecordRenderer(const Dataset& dataset, const IdCodec& ids,
                               int utc_offset_seconds)
    : dataset_(dataset),
      ids_(ids),
      utc_offset_seconds_(utc_offset_seconds),
      seed_(dataset.seed()) {}

std::string RecordRenderer::Id(Resource resource, int64_t index) const {
  return ids_.Encode(resource, index);
}

std::string RecordRenderer::IdOrEmpty(Resource resource, int64_t index) const {
  return index < 0 ? std::string() : ids_.Encode(resource, index);
}

std::string RecordRenderer::Naive(EpochSeconds utc) const {
  return FormatNaive(utc, utc_offset_seconds_);
}

std::string RecordRenderer::Date(EpochSeconds utc) const {
  return FormatDate(utc, utc_offset_seconds_);
}

std::string RecordRenderer::Modified(const RecordState& state) const {
  uint64_t hash = Hash({seed_, Tag("iso"), uint64_t(Ordinal(state.resource)),
                        uint64_t(state.index)});
  return Below(hash, 4) == 0 ? FormatIsoUtc(state.modified)
                             : Naive(state.modified);
}

std::string RecordRenderer::StatusOf(const RecordState& state) const {
  if (!state.status.empty()) return state.status;
  Draw draw(seed_, state.resource, state.index, state.version);
  switch (state.resource) {
    case Resource::kApplicants:
      return std::string(
          draw.Pick(vocab::kApplicantStatuses, "applicant_status"));
    case Resource::kJobPostings:
      return std::string(draw.Pick(vocab::kJobStatuses, "job_status"));
    case Resource::kSubmissions:
      return std::string(
          draw.Pick(vocab::kSubmissionStatuses, "submission_status"));
    case Resource::kInterviews:
      return std::string(
          draw.Pick(vocab::kInterviewStatuses, "interview_status"));
    case Resource::kPlacements:
      return std::string(
          draw.Pick(vocab::kPlacementStatuses, "placement_status"));
    case Resource::kClients:
      return std::string(draw.Pick(vocab::kClientStatuses, "status"));
    case Resource::kUsers:
      return std::string(draw.Pick(vocab::kUserStatuses, "status"));
  }
  return "";
}

std::string RecordRenderer::ClientName(int64_t client) const {
  if (client < 0) return "";
  constexpr int64_t kNames = std::size(vocab::kClientNames);
  int64_t shifted = client + static_cast<int64_t>(Below(seed_, kNames));
  std::string name(vocab::kClientNames[shifted % kNames]);
  if (client >= kNames) name += fmt::format(" {}", client / kNames + 1);
  return name;
}

std::string RecordRenderer::UserName(int64_t user) const {
  if (user < 0) return "";
  Person person = PersonOf(Draw(seed_, Resource::kUsers, user, 0));
  return person.first + " " + person.last;
}

std::string RecordRenderer::ApplicantName(int64_t applicant) const {
  if (applicant < 0) return "";
  Person person = PersonOf(Draw(seed_, Resource::kApplicants, applicant, 0));
  return person.first + " " + person.last;
}

std::string RecordRenderer::ApplicantEmail(int64_t applicant) const {
  if (applicant < 0) return "";
  Person person = PersonOf(Draw(seed_, Resource::kApplicants, applicant, 0));
  return Email(person, applicant, "example.org");
}

void RecordRenderer::Write(const RecordState& state, bool detail,
                           JsonWriter& out) const {
  out.BeginObject();
  switch (state.resource) {
    case Resource::kApplicants:
      WriteApplicant(state, out);
      break;
    case Resource::kJobPostings:
      WriteJobPosting(state, detail, out);
      break;
    case Resource::kSubmissions:
      WriteSubmission(state, out);
      break;
    case Resource::kInterviews:
      WriteInterview(state, out);
      break;
    case Resource::kPlacements:
      WritePlacement(state, out);
      break;
    case Resource::kClients:
      WriteClient(state, out);
      break;
    case Resource::kUsers:
      WriteUser(state, out);
      break;
  }
  out.EndObject();
}

std::string RecordRenderer::Render(const RecordState& state,
                                   bool detail) const {
  JsonWriter out;
  Write(state, detail, out);
  return out.Take();
}

std::vector<std::string> RecordRenderer::ChangedFields(
    const RecordState& before, const RecordState& after) const {
  std::string old_text = Render(before, true);
  std::string new_text = Render(after, true);
  rapidjson::Document old_doc;
  rapidjson::Document new_doc;
  old_doc.Parse(old_text.c_str(), old_text.size());
  new_doc.Parse(new_text.c_str(), new_text.size());

  std::vector<std::string> changed;
  for (const auto& member : new_doc.GetObject()) {
    auto old_member = old_doc.FindMember(member.name);
    if (old_member == old_doc.MemberEnd() ||
        old_member->value != member.value) {
      changed.emplace_back(member.name.GetString(),
                           member.name.GetStringLength());
    }
  }
  return changed;
}

void RecordRenderer::WriteApplicant(const RecordState& state,
                                    JsonWriter& out) const {
  Draw draw(seed_, state.resource, state.index, state.version);
  Person person = PersonOf(draw);
  const vocab::Place& place = draw.Pick(vocab::kPlaces, "location");
  std::string email = Email(person, state.index, "example.org");
  std::string middle;
  if (draw.OneIn("middlename", 4)) {
    middle = fmt::format("{}.", char('A' + Below(draw("initial"), 26)));
  }

  out.Field("id", Id(state.resource, state.index));
  out.Field("applicant_id", fmt::format("APL-{}", 10001 + state.index));
  out.Field("firstname", person.first);
  out.Field("middlename", middle);
  out.Field("lastname", person.last);
  out.Field("consultant_name", person.first + " " + person.last);
  out.Field("email", email);
  out.Field("email_address_1",
            Sentinel(draw("email_address_1"), "alt." + email));
  out.Field("mobile_number", Phone(draw("mobile_number")));
  out.Field("home_phone_number",
            Sentinel(draw("home_phone_number"), Phone(draw("home_phone"))));
  out.Field("address", fmt::format("{} {}", 1 + Below(draw("address"), 9000),
                                   draw.Pick(vocab::kStreets, "street")));
  out.Field("city", place.city);
  out.Field("state", place.state);
  out.Field("country", place.country);
  out.Field("job_title", draw.Pick(vocab::kJobTitles, "job_title"));
  out.Field("skills", Skills(draw("skills")));
  out.Field("source", draw.Pick(vocab::kSources, "source"));
  out.Field("applicant_status", StatusOf(state));
  out.Field("work_authorization",
            draw.Pick(vocab::kWorkAuthorizations, "work_authorization"));
  out.Field("created_by", IdOrEmpty(Resource::kUsers, state.links.user));
  out.Field("created_at", Naive(state.created));
  out.Field("modified_date", Modified(state));
  out.Field(
      "resume_path",
      draw.OneIn("resume_path", 6)
          ? std::string()
          : fmt::format("https://files.example.invalid/resumes/{:016x}.pdf",
                        draw("resume_file")));
  out.Field("visa_expiry_date",
            Sentinel(draw("visa_expiry_date"),
                     Date(state.created +
                          (200 + Below(draw("visa_days"), 900)) * kDay)));
  out.Field("preferred_shift", draw.Pick(vocab::kShifts, "preferred_shift"));
}

void RecordRenderer::WriteJobPosting(const RecordState& state, bool detail,
                                     JsonWriter& out) const {
  Draw draw(seed_, state.resource, state.index, state.version);
  const vocab::Place& place = draw.Pick(vocab::kPlaces, "location");
  std::string_view title = draw.Pick(vocab::kJobTitles, "position_title");
  std::string skills = Skills(draw("skills"));
  int64_t positions =
      1 + static_cast<int64_t>(Below(draw("number_of_positions"), 5));
  EpochSeconds start = state.created + (10 + Below(draw("start"), 50)) * kDay;

  // One or two recruiters, comma-separated ids.
  std::string recruiters = IdOrEmpty(Resource::kUsers, state.links.user);
  int64_t users = dataset_.BaseCount(Resource::kUsers);
  uint64_t second = draw("assigned_recruiter");
  if (users > 0 && !recruiters.empty() && Below(second, 2) == 0) {
    recruiters += "," + Id(Resource::kUsers,
                           static_cast<int64_t>(Below(second >> 8, users)));
  }

  out.Field("id", Id(state.resource, state.index));
  out.Field("job_code", fmt::format("JPC - {}", 1001 + state.index));
  out.Field("position_title", title);
  out.Field("public_job_title",
            std::string(title) + std::string(draw.Pick(vocab::kTitleSuffixes,
                                                       "public_job_title")));
  out.Field("job_status", StatusOf(state));
  out.Field("employment_type",
            draw.Pick(vocab::kEmploymentTypes, "employment_type"));
  out.Field("tax_terms", draw.Pick(vocab::kTaxTerms, "tax_terms"));
  out.Field("business_unit_id",
            int64_t{1} + static_cast<int64_t>(Below(draw("unit"), 5)));
  out.Field("company",
            int64_t{1000} + static_cast<int64_t>(Below(seed_, 9000)));
  out.Field("city", place.city);
  out.Field("state", place.state);
  out.Field("country", place.country);
  out.Field("postal_code", place.postal_code);
  out.Field("remote_opportunities", draw.OneIn("remote", 3) ? "Yes" : "No");
  out.Field("skills", skills);
  out.Field("number_of_positions", positions);
  out.Field("assigned_recruiter", recruiters);
  out.Field("primary_recruiter", UserName(state.links.user));

  // Zero to two pay rates, now and then with Ceipal's "N/A" sentinels.
  out.Key("pay_rates");
  out.BeginArray();
  uint64_t rates = draw("pay_rates");
  for (uint64_t k = 0; k < Below(rates, 3); ++k) {
    uint64_t h = Hash({rates, k});
    bool unknown = Below(h >> 40, 6) == 0;
    uint64_t low = 40 + Below(h, 60);
    uint64_t high = low + 5 + Below(h >> 8, 30);
    out.BeginObject();
    out.Field("pay_rate",
              unknown ? std::string("N/A") : fmt::format("{}-{}", low, high));
    out.Field("min_pay_rate",
              unknown ? std::string("N/A") : std::to_string(low));
    out.Field("max_pay_rate",
              unknown ? std::string("N/A") : std::to_string(high));
    out.Field("pay_rate_currency", vocab::kCurrencies[Below(h >> 16, 5)]);
    out.Field("pay_rate_pay_frequency_type",
              vocab::kPayFrequencies[Below(h >> 20, 4)]);
    out.Field("pay_rate_employment_type",
              vocab::kEmploymentTypes[Below(h >> 24, 4)]);
    out.EndObject();
  }
  out.EndArray();

  // Descriptions are HTML, one plain and one entity-escaped, as served.
  out.Field("public_job_desc",
            fmt::format("<p>We are hiring a <strong>{}</strong> in {} &amp; "
                        "nearby.</p><ul><li>{}</li></ul><p>Rate &gt; market "
                        "&ndash; apply today!</p>",
                        title, place.city, skills));
  out.Field("requisition_description",
            fmt::format("&lt;p&gt;Internal: {} position(s) for {}&lt;/p&gt;"
                        "&lt;br/&gt;Budget &amp; timeline TBD",
                        positions, title));
  out.Field("job_start_date", Date(start));
  out.Field("job_end_date",
            draw.OneIn("job_end_date", 5)
                ? std::string()
                : Date(start + (90 + Below(draw("job_end_date"), 270)) * kDay));
  out.Field("created", Naive(state.created));
  out.Field("modified", Modified(state));
  out.Field("client_bill_rate___salary",
            Sentinel(draw("client_bill_rate___salary"),
                     fmt::format("{}.00", 60 + Below(draw("bill"), 90))));
  if (detail) out.Field("client", ClientName(state.links.client));
}

void RecordRenderer::WriteSubmission(const RecordState& state,
                                     JsonWriter& out) const {
  Draw draw(seed_, state.resource, state.index, state.version);
  out.Field("id", Id(state.resource, state.index));
  out.Field("job_id", IdOrEmpty(Resource::kJobPostings, state.links.job));
  out.Field("applicant_id",
            IdOrEmpty(Resource::kApplicants, state.links.applicant));
  out.Field("submission_status", StatusOf(state));
  out.Field("pipeline_status",
            draw.Pick(vocab::kPipelineStatuses, "pipeline_status"));
  out.Field("source", draw.Pick(vocab::kSources, "source"));
  out.Field("submitted_by", IdOrEmpty(Resource::kUsers, state.links.user));
  out.Field("submitted_on", draw.OneIn("submitted_on_iso", 5)
                                ? FormatIsoUtc(state.created)
                                : Naive(state.created));
  out.Field("pay_rate", std::to_string(40 + Below(draw("pay_rate"), 80)));
  out.Field("employment_type",
            draw.Pick(vocab::kEmploymentTypes, "employment_type"));
  out.Field("modified_date", Modified(state));
}

void RecordRenderer::WriteInterview(const RecordState& state,
                                    JsonWriter& out) const {
  Draw draw(seed_, state.resource, state.index, state.version);
  Links submission;
  if (state.links.submission >= 0) {
    submission =
        dataset_.StateOf(Resource::kSubmissions, state.links.submission).links;
  }
  EpochSeconds day = state.created - state.created % kDay;
  uint64_t when = draw("interview_date");
  EpochSeconds at = day + (1 + Below(when, 21)) * kDay +
                    (9 + Below(when >> 8, 9)) * 3600 +
                    Below(when >> 16, 2) * 1800;
  int64_t users = dataset_.BaseCount(Resource::kUsers);
  uint64_t who = draw("interviewer");
  std::string interviewer =
      users == 0 || Below(who, 3) == 0
          ? std::string("Client Hiring Manager")
          : UserName(static_cast<int64_t>(Below(who >> 8, users)));

  out.Field("id", Id(state.resource, state.index));
  out.Field("submission_id",
            IdOrEmpty(Resource::kSubmissions, state.links.submission));
  out.Field("job_id", IdOrEmpty(Resource::kJobPostings, submission.job));
  out.Field("applicant_id",
            IdOrEmpty(Resource::kApplicants, submission.applicant));
  out.Field("interview_round",
            draw.Pick(vocab::kInterviewRounds, "interview_round"));
  out.Field("interview_type",
            draw.Pick(vocab::kInterviewTypes, "interview_type"));
  out.Field("interview_status", StatusOf(state));
  out.Field("interview_date", Naive(at));
  out.Field("time_zone", draw.Pick(vocab::kTimeZones, "time_zone"));
  out.Field("interviewer", interviewer);
  out.Field("created", Naive(state.created));
  out.Field("modified", Modified(state));
}

void RecordRenderer::WritePlacement(const RecordState& state,
                                    JsonWriter& out) const {
  Draw draw(seed_, state.resource, state.index, state.version);
  Links submission;
  if (state.links.submission >= 0) {
    submission =
        dataset_.StateOf(Resource::kSubmissions, state.links.submission).links;
  }
  int64_t client = -1;
  const vocab::Place* place = &vocab::kPlaces[0];
  if (submission.job >= 0) {
    client =
        dataset_.StateOf(Resource::kJobPostings, submission.job).links.client;
    place = &Draw(seed_, Resource::kJobPostings, submission.job, 0)
                 .Pick(vocab::kPlaces, "location");
  }
  int64_t users = dataset_.BaseCount(Resource::kUsers);
  auto some_user = [&](std::string_view role) {
    return users == 0
               ? std::string()
               : UserName(static_cast<int64_t>(Below(draw(role), users)));
  };
  EpochSeconds start = state.created + 14 * kDay;
  uint64_t pay = 35 + Below(draw("pay"), 60);

  out.Field("id", Id(state.resource, state.index));
  out.Field("applicant_id",
            IdOrEmpty(Resource::kApplicants, submission.applicant));
  out.Field("job_id", IdOrEmpty(Resource::kJobPostings, submission.job));
  out.Field("employee_name", ApplicantName(submission.applicant));
  out.Field("employee_number", fmt::format("EMP-{:05}", state.index + 1));
  out.Field("email", ApplicantEmail(submission.applicant));
  out.Field("placement_status", StatusOf(state));
  out.Field("is_confirmation",
            static_cast<int64_t>(Below(draw("is_confirmation"), 2)));
  out.Field("business_unit_id",
            int64_t{1} + static_cast<int64_t>(Below(draw("unit"), 5)));
  out.Field("revenue_type", draw.Pick(vocab::kRevenueTypes, "revenue_type"));
  out.Field("created", Naive(state.created));
  out.Field("modified", Modified(state));

  out.Key("placement_details");
  out.BeginArray();
  out.BeginObject();
  out.Field("job_start_date", Date(start));
  out.Field("job_end_date",
            draw.OneIn("job_end_date", 4)
                ? std::string()
                : Date(start + (60 + Below(draw("job_end_date"), 300)) * kDay));
  out.Field("recruiter", some_user("recruiter"));
  out.Field("account_manager", some_user("account_manager"));
  out.EndObject();
  out.EndArray();

  out.Key("client_details");
  out.BeginArray();
  out.BeginObject();
  out.Field("client_name", ClientName(client));
  out.Field("city", place->city);
  out.Field("state", place->state);
  out.EndObject();
  out.EndArray();

  out.Key("payment_details");
  out.BeginArray();
  out.BeginObject();
  out.Field("employee_type", draw.Pick(vocab::kEmployeeTypes, "employee"));
  out.Field("currency", draw.Pick(vocab::kCurrencies, "currency"));
  out.Field("pay_rate", fmt::format("{}.00", pay));
  out.Field("bill_rate",
            fmt::format("{}.00", pay + 10 + Below(draw("bill_rate"), 40)));
  out.Field("placement_fees", Sentinel(draw("placement_fees"), "0"));
  out.EndObject();
  out.EndArray();
}

void RecordRenderer::WriteClient(const RecordState& state,
                                 JsonWriter& out) const {
  Draw draw(seed_, state.resource, state.index, state.version);
  const vocab::Place& place = draw.Pick(vocab::kPlaces, "location");
  std::string name = ClientName(state.index);
  std::string domain = Slug(name) + ".example";
  int64_t users = dataset_.BaseCount(Resource::kUsers);
  uint64_t editor = draw("modified_by");

  out.Field("id", Id(state.resource, state.index));
  out.Field("name", name);
  out.Field("website", draw.OneIn("website", 4)
                           ? std::string()
                           : fmt::format("https://www.{}", domain));
  out.Field("industry_exp", draw.Pick(vocab::kIndustries, "industry_exp"));
  out.Field("status", StatusOf(state));
  out.Field("category", draw.Pick(vocab::kClientCategories, "category"));
  out.Field("address", fmt::format("{} {}", 1 + Below(draw("address"), 900),
                                   draw.Pick(vocab::kStreets, "street")));
  out.Field("city", place.city);
  out.Field("state", place.state);
  out.Field("country", place.country);
  out.Field("zipcode", place.postal_code);
  out.Field("contact_number", Phone(draw("contact_number")));
  out.Field("created_at", Naive(state.created));
  out.Field("updated_at", Modified(state));
  out.Field("modified_by",
            users == 0 ? std::string("NA")
                       : UserName(static_cast<int64_t>(Below(editor, users))));

  // One to three contacts; their ids stay put when an edit renames them.
  out.Key("contacts");
  out.BeginArray();
  uint64_t contacts = draw("contacts");
  for (uint64_t k = 0; k < 1 + Below(contacts, 3); ++k) {
    uint64_t h = Hash({contacts, k});
    Person person{
        std::string(
            vocab::kFirstNames[Below(h, std::size(vocab::kFirstNames))]),
        std::string(
            vocab::kLastNames[Below(h >> 16, std::size(vocab::kLastNames))])};
    out.BeginObject();
    out.Field("id", ids_.Opaque(static_cast<uint64_t>(state.index), k));
    out.Field("first_name", person.first);
    out.Field("last_name", person.last);
    out.Field("email", fmt::format("{}@{}", Slug(person.first), domain));
    out.Field("phone", Sentinel(h >> 32, Phone(h >> 8)));
    out.EndObject();
  }
  out.EndArray();
}

void RecordRenderer::WriteUser(const RecordState& state,
                               JsonWriter& out) const {
  Draw draw(seed_, state.resource, state.index, state.version);
  Person person = PersonOf(draw);
  out.Field("id", Id(state.resource, state.index));
  out.Field("display_name", person.first + " " + person.last);
  out.Field("email_id", Email(person, state.index, "agency.example"));
  out.Field("first_name", person.first);
  out.Field("last_name", person.last);
  out.Field("role", draw.Pick(vocab::kRoles, "role"));
  out.Field("status", StatusOf(state));
}

}  // namespace ceipal::fake
