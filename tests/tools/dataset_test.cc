#include "tools/fake_ceipal/dataset.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

namespace ceipal::fake {
namespace {

DatasetSizes Small() {
  DatasetSizes sizes;
  sizes.applicants = 300;
  sizes.job_postings = 20;
  sizes.interviews = 50;
  sizes.placements = 30;
  sizes.clients = 10;
  sizes.users = 5;
  return sizes;
}

// What List must return, computed the slow way from every live record.
ListSlice BruteForce(const Dataset& dataset, const ListQuery& query) {
  std::vector<RecordState> matching;
  for (int64_t index : dataset.LiveIndexes(query.resource)) {
    RecordState state = *dataset.Find(query.resource, index);
    if (query.resource == Resource::kSubmissions &&
        state.links.job != query.job) {
      continue;
    }
    if (query.modified_after && state.modified <= *query.modified_after) {
      continue;
    }
    if (query.modified_before && state.modified >= *query.modified_before) {
      continue;
    }
    matching.push_back(state);
  }
  auto key = [&](const RecordState& s) {
    EpochSeconds time = query.sort == SortField::kCreated    ? s.created
                        : query.sort == SortField::kModified ? s.modified
                                                             : 0;
    return std::pair{time, s.index};
  };
  std::sort(matching.begin(), matching.end(),
            [&](const auto& a, const auto& b) { return key(a) < key(b); });
  if (query.descending) std::reverse(matching.begin(), matching.end());

  ListSlice slice;
  slice.total = static_cast<int64_t>(matching.size());
  for (int64_t i = query.offset;
       i < slice.total && i < query.offset + query.limit; ++i) {
    slice.indexes.push_back(matching[i].index);
  }
  return slice;
}

TEST(Dataset, BaseModifiedTimesNeverDecreaseWithTheIndex) {
  Dataset dataset(42, Small());
  for (Resource resource : {Resource::kApplicants, Resource::kJobPostings,
                            Resource::kInterviews, Resource::kClients}) {
    EpochSeconds previous = 0;
    for (int64_t i = 0; i < dataset.BaseCount(resource); ++i) {
      RecordState state = *dataset.Find(resource, i);
      EXPECT_GE(state.modified, previous) << Info(resource).name << " " << i;
      EXPECT_LE(state.created, state.modified);
      EXPECT_LT(state.modified, kSandboxStart);
      previous = state.modified;
    }
  }
}

TEST(Dataset, SomeBaseRecordsShareTheirModifiedSecond) {
  Dataset dataset(42, Small());
  int shared = 0;
  for (int64_t i = 1; i < dataset.BaseCount(Resource::kApplicants); ++i) {
    shared += dataset.Find(Resource::kApplicants, i)->modified ==
              dataset.Find(Resource::kApplicants, i - 1)->modified;
  }
  EXPECT_GT(shared, 5);
}

TEST(Dataset, SubmissionsAreLaidOutJobByJob) {
  DatasetSizes sizes = Small();
  sizes.submissions = 45;
  Dataset dataset(7, sizes);
  EXPECT_EQ(dataset.BaseCount(Resource::kSubmissions), 45);

  int64_t next = 0;
  for (int64_t job = 0; job < sizes.job_postings; ++job) {
    auto [first, last] = dataset.BaseSubmissionsOfJob(job);
    EXPECT_EQ(first, next);
    EXPECT_GE(last - first, 2);
    EXPECT_LE(last - first, 3);
    for (int64_t s = first; s < last; ++s) {
      EXPECT_EQ(dataset.Find(Resource::kSubmissions, s)->links.job, job);
    }
    next = last;
  }
  EXPECT_EQ(next, 45);
}

TEST(Dataset, RecordsPointAtExistingRecords) {
  Dataset dataset(42, Small());
  for (int64_t i = 0; i < dataset.BaseCount(Resource::kInterviews); ++i) {
    int64_t submission =
        dataset.Find(Resource::kInterviews, i)->links.submission;
    EXPECT_TRUE(dataset.IsLive(Resource::kSubmissions, submission));
  }
  for (int64_t i = 0; i < dataset.BaseCount(Resource::kSubmissions); ++i) {
    Links links = dataset.Find(Resource::kSubmissions, i)->links;
    EXPECT_TRUE(dataset.IsLive(Resource::kJobPostings, links.job));
    EXPECT_TRUE(dataset.IsLive(Resource::kApplicants, links.applicant));
    EXPECT_TRUE(dataset.IsLive(Resource::kUsers, links.user));
  }
}

TEST(Dataset, EmptyResourcesListNothing) {
  DatasetSizes sizes;
  sizes.applicants = 0;
  sizes.job_postings = 0;
  sizes.interviews = 0;
  sizes.users = 0;
  Dataset dataset(1, sizes);
  ListQuery query;
  EXPECT_EQ(dataset.List(query).total, 0);
  query.resource = Resource::kSubmissions;
  query.job = 0;
  EXPECT_EQ(dataset.List(query).total, 0);
  EXPECT_EQ(dataset.Find(Resource::kInterviews, 0), std::nullopt);
}

TEST(Dataset, DeletedRecordsAreGoneButKeepTheirLastState) {
  Dataset dataset(42, Small());
  RecordState before = *dataset.Find(Resource::kApplicants, 10);
  dataset.Delete(Resource::kApplicants, 10);
  EXPECT_FALSE(dataset.IsLive(Resource::kApplicants, 10));
  EXPECT_EQ(dataset.Find(Resource::kApplicants, 10), std::nullopt);
  EXPECT_EQ(dataset.StateOf(Resource::kApplicants, 10).modified,
            before.modified);
  EXPECT_EQ(dataset.LiveIndexes(Resource::kApplicants).size(), 299u);
}

TEST(Dataset, CreatedRecordsGetIndexesPastTheBase) {
  Dataset dataset(42, Small());
  Links links;
  links.job = 3;
  int64_t index =
      dataset.Create(Resource::kSubmissions, kSandboxStart + 5, links);
  EXPECT_EQ(index, dataset.BaseCount(Resource::kSubmissions));
  EXPECT_EQ(dataset.EndIndex(Resource::kSubmissions), index + 1);
  std::vector<int64_t> of_job = dataset.LiveSubmissionsOfJob(3);
  EXPECT_EQ(of_job.back(), index);

  dataset.Reset();
  EXPECT_FALSE(dataset.IsLive(Resource::kSubmissions, index));
  EXPECT_EQ(dataset.EndIndex(Resource::kSubmissions),
            dataset.BaseCount(Resource::kSubmissions));
}

// The merge of base and overlay must agree with sorting everything, for
// every sort, direction, filter and window, after edits that move records
// backwards and forwards in time, creations and deletions.
TEST(Dataset, ListAgreesWithBruteForceAfterMutations) {
  Dataset dataset(99, Small());
  std::mt19937_64 random(5);
  auto pick = [&](int64_t n) {
    return static_cast<int64_t>(random() % static_cast<uint64_t>(n));
  };
  EpochSeconds first = dataset.Find(Resource::kApplicants, 0)->modified;
  EpochSeconds span = kSandboxStart - first;

  for (int round = 0; round < 200; ++round) {
    Resource resource =
        round % 2 ? Resource::kApplicants : Resource::kSubmissions;
    int64_t end = dataset.EndIndex(resource);
    int64_t index = pick(end);
    switch (pick(4)) {
      case 0:
      case 1:
        if (auto state = dataset.Find(resource, index)) {
          state->modified = first + pick(span + 86400);
          ++state->version;
          dataset.Update(*state);
        }
        break;
      case 2:
        if (dataset.IsLive(resource, index)) dataset.Delete(resource, index);
        break;
      case 3: {
        Links links;
        links.job = pick(dataset.BaseCount(Resource::kJobPostings));
        dataset.Create(resource, first + pick(span + 86400), links);
        break;
      }
    }

    ListQuery query;
    query.resource = resource;
    query.job = pick(dataset.BaseCount(Resource::kJobPostings));
    query.sort = static_cast<SortField>(pick(3));
    query.descending = pick(2) == 0;
    query.limit = 1 + pick(30);
    query.offset = pick(2) ? 0 : pick(120);
    if (pick(2)) query.modified_after = first + pick(span);
    if (pick(3) == 0) query.modified_before = first + pick(span + 86400);

    ListSlice expected = BruteForce(dataset, query);
    ListSlice actual = dataset.List(query);
    ASSERT_EQ(actual.total, expected.total) << "round " << round;
    ASSERT_EQ(actual.indexes, expected.indexes) << "round " << round;
  }
}

// A later start moves the whole base: every created and modified time by
// the same amount, links untouched, so a filter moved along selects the
// same records in the same order.
TEST(Dataset, ALaterStartMovesEveryBaseTimeByTheSameAmount) {
  constexpr EpochSeconds kShift = 1688 * 86400 + 3 * 3600 + 17;
  Dataset original(42, Small());
  Dataset moved(42, Small(), kSandboxStart + kShift);
  for (Resource resource :
       {Resource::kApplicants, Resource::kJobPostings, Resource::kSubmissions,
        Resource::kInterviews, Resource::kPlacements, Resource::kClients,
        Resource::kUsers}) {
    ASSERT_EQ(moved.BaseCount(resource), original.BaseCount(resource));
    ASSERT_GT(original.BaseCount(resource), 0);
    for (int64_t i = 0; i < original.BaseCount(resource); ++i) {
      RecordState before = *original.Find(resource, i);
      RecordState after = *moved.Find(resource, i);
      ASSERT_EQ(after.created - before.created, kShift) << i;
      ASSERT_EQ(after.modified - before.modified, kShift) << i;
      ASSERT_EQ(after.links.job, before.links.job) << i;
      ASSERT_EQ(after.links.applicant, before.links.applicant) << i;
      ASSERT_EQ(after.links.submission, before.links.submission) << i;
      ASSERT_EQ(after.links.user, before.links.user) << i;
    }
  }

  for (SortField sort :
       {SortField::kId, SortField::kCreated, SortField::kModified}) {
    ListQuery query;
    query.sort = sort;
    query.limit = 40;
    query.modified_after = kSandboxStart - 200 * 86400;
    query.modified_before = kSandboxStart - 30 * 86400;
    ListSlice before = original.List(query);
    query.modified_after = *query.modified_after + kShift;
    query.modified_before = *query.modified_before + kShift;
    ListSlice after = moved.List(query);
    EXPECT_GT(before.total, 0);
    EXPECT_EQ(after.total, before.total);
    EXPECT_EQ(after.indexes, before.indexes);
  }
}

TEST(Dataset, ListHandlesAMillionRecordsWithoutStoringThem) {
  DatasetSizes sizes;
  sizes.applicants = 1'000'000;
  Dataset dataset(3, sizes);
  ListQuery query;
  query.sort = SortField::kModified;
  query.descending = false;
  query.limit = 50;
  query.offset = 999'980;
  ListSlice slice = dataset.List(query);
  EXPECT_EQ(slice.total, 1'000'000);
  ASSERT_EQ(slice.indexes.size(), 20u);
  EXPECT_EQ(slice.indexes.back(), 999'999);

  query.modified_after = dataset.Find(Resource::kApplicants, 500'000)->modified;
  slice = dataset.List(query);
  EXPECT_LT(slice.total, 500'000);
  EXPECT_GT(slice.total, 499'990);
}

}  // namespace
}  // namespace ceipal::fake
