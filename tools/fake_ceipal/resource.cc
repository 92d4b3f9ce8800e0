#include "tools/fake_ceipal/resource.h"

namespace ceipal::fake {
namespace {

constexpr std::array<ResourceInfo, kResourceCount> kCatalogue = {{
    {Resource::kApplicants, "applicants", "getApplicantsList",
     "getApplicantDetails", "modified_date", "created_at", "applicant_status"},
    {Resource::kJobPostings, "job_postings", "getJobPostingsList",
     "getJobPostingDetails", "modified", "created", "job_status"},
    {Resource::kSubmissions, "submissions", "getSubmissionsList",
     "getSubmissionDetails", "modified_date", "submitted_on",
     "submission_status"},
    {Resource::kInterviews, "interviews", "getInterviewsList",
     "getInterviewDetails", "modified", "created", "interview_status"},
    {Resource::kPlacements, "placements", "getPlacementsList",
     "getPlacementDetails", "modified", "created", "placement_status"},
    {Resource::kClients, "clients", "getClientsList", "getClientDetails",
     "updated_at", "created_at", "status"},
    {Resource::kUsers, "users", "getUsersList", "getUserDetails", "", "",
     "status"},
}};

constexpr std::array<Resource, kResourceCount> kAll = {
    Resource::kApplicants, Resource::kJobPostings, Resource::kSubmissions,
    Resource::kInterviews, Resource::kPlacements,  Resource::kClients,
    Resource::kUsers,
};

}  // namespace

const ResourceInfo& Info(Resource resource) {
  return kCatalogue[Ordinal(resource)];
}

const std::array<Resource, kResourceCount>& AllResources() { return kAll; }

std::optional<Resource> ResourceByName(std::string_view name) {
  if (name == "jobs") return Resource::kJobPostings;
  for (const ResourceInfo& info : kCatalogue) {
    if (info.name == name) return info.resource;
  }
  return std::nullopt;
}

std::optional<Resource> ResourceByListEndpoint(std::string_view endpoint) {
  for (const ResourceInfo& info : kCatalogue) {
    if (info.list_endpoint == endpoint) return info.resource;
  }
  return std::nullopt;
}

std::optional<Resource> ResourceByDetailEndpoint(std::string_view endpoint) {
  for (const ResourceInfo& info : kCatalogue) {
    if (info.detail_endpoint == endpoint) return info.resource;
  }
  return std::nullopt;
}

}  // namespace ceipal::fake
