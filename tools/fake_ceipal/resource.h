// The catalogue of resources the sandbox serves: their names, endpoints and
// the fields that carry their timestamps and status. Immutable data; safe to
// share across threads.
#ifndef CEIPAL_TOOLS_FAKE_CEIPAL_RESOURCE_H_
#define CEIPAL_TOOLS_FAKE_CEIPAL_RESOURCE_H_

#include <array>
#include <optional>
#include <string_view>

namespace ceipal::fake {

enum class Resource {
  kApplicants,
  kJobPostings,
  kSubmissions,
  kInterviews,
  kPlacements,
  kClients,
  kUsers,
};

inline constexpr int kResourceCount = 7;

struct ResourceInfo {
  Resource resource;
  std::string_view name;             // "applicants", as the control API says
  std::string_view list_endpoint;    // "getApplicantsList"
  std::string_view detail_endpoint;  // "getApplicantDetails"
  std::string_view modified_field;   // "" when the resource has none (users)
  std::string_view created_field;    // "" when the resource has none (users)
  std::string_view status_field;
};

const ResourceInfo& Info(Resource resource);

// Every resource, in catalogue order.
const std::array<Resource, kResourceCount>& AllResources();

inline int Ordinal(Resource resource) { return static_cast<int>(resource); }

// Accepts the control API names ("job_postings"), plus "jobs" as a shorthand.
std::optional<Resource> ResourceByName(std::string_view name);
std::optional<Resource> ResourceByListEndpoint(std::string_view endpoint);
std::optional<Resource> ResourceByDetailEndpoint(std::string_view endpoint);

// Users carry no modified time, so they take no modified filter.
inline bool HasModifiedTime(Resource resource) {
  return resource != Resource::kUsers;
}

}  // namespace ceipal::fake

#endif  // CEIPAL_TOOLS_FAKE_CEIPAL_RESOURCE_H_
