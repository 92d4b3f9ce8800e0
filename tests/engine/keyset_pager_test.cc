#include "engine/keyset_pager.h"

#include <gtest/gtest.h>

#include <map>

#include "engine/catalogue.h"

namespace ceipal::engine {
namespace {

// A page as the pager sees it: how many records, the modified seconds of
// the first and last, and the envelope.
PreparedPage Page(size_t records, std::optional<int64_t> first,
                  std::optional<int64_t> last, int64_t count = 1000,
                  int64_t page_number = 1, int64_t num_pages = 20) {
  PreparedPage page;
  page.records = records;
  page.first_unix = first;
  page.last_unix = last;
  page.page = std::make_unique<DecodedPage>();
  page.page->envelope.count = count;
  page.page->envelope.page_number = page_number;
  page.page->envelope.num_pages = num_pages;
  return page;
}

PreparedPage Missing() {
  PreparedPage page;
  page.missing = true;
  return page;
}

std::map<std::string, std::string> Params(const FetchRequest& request) {
  return {request.query.begin(), request.query.end()};
}

class KeysetPagerTest : public ::testing::Test {
 protected:
  Catalogue catalogue_ = DefaultCatalogue();
  const ResourceSpec& applicants_ = *catalogue_.Find("applicants");
  const ResourceSpec& submissions_ = *catalogue_.Find("submissions");
  SourceClock utc_;
};

TEST_F(KeysetPagerTest, FirstRequestSortsByModifiedFromTheCursor) {
  KeysetPager pager(applicants_, "", {1'700'000'000, std::nullopt}, utc_);
  auto params = Params(pager.Next());
  EXPECT_EQ(params["sortBy"], "modify_date");
  EXPECT_EQ(params["sortOrder"], "asc");
  EXPECT_EQ(params["limit"], "50");
  EXPECT_EQ(params["page"], "1");
  EXPECT_EQ(params["modifiedAfter"], "2023-11-14 22:13:20");
  EXPECT_EQ(params.count("modifiedBefore"), 0u);
}

TEST_F(KeysetPagerTest, NextPageStartsJustBelowTheLastSecondSeen) {
  KeysetPager pager(applicants_, "", {}, utc_);
  EXPECT_EQ(Params(pager.Next()).count("modifiedAfter"), 0u);
  ASSERT_TRUE(pager.Advance(Page(50, 100, 200)));
  auto params = Params(pager.Next());
  EXPECT_EQ(params["modifiedAfter"], FormatSourceNaive(199, utc_));
  EXPECT_EQ(params["page"], "1");
}

TEST_F(KeysetPagerTest, ShortPageEndsTheRead) {
  KeysetPager pager(applicants_, "", {}, utc_);
  EXPECT_FALSE(pager.Advance(Page(12, 100, 200)));
}

TEST_F(KeysetPagerTest, MissingPageEndsTheRead) {
  KeysetPager pager(applicants_, "", {}, utc_);
  EXPECT_FALSE(pager.Advance(Missing()));
}

TEST_F(KeysetPagerTest, FullPageInOneSecondIsPagedByNumberInsideIt) {
  KeysetPager pager(applicants_, "", {}, utc_);
  ASSERT_TRUE(pager.Advance(Page(50, 500, 500)));
  auto params = Params(pager.Next());
  EXPECT_EQ(params["modifiedAfter"], FormatSourceNaive(499, utc_));
  EXPECT_EQ(params["modifiedBefore"], FormatSourceNaive(501, utc_));
  EXPECT_EQ(params["page"], "2");

  // The second's second page is its last: the read goes on after it.
  ASSERT_TRUE(pager.Advance(Page(50, 500, 500, 100, 2, 2)));
  params = Params(pager.Next());
  EXPECT_EQ(params["modifiedAfter"], FormatSourceNaive(500, utc_));
  EXPECT_EQ(params.count("modifiedBefore"), 0u);
  EXPECT_EQ(params["page"], "1");
}

TEST_F(KeysetPagerTest, SecondWhosePopulationMovesIsPagedAgain) {
  KeysetPager pager(applicants_, "", {}, utc_);
  ASSERT_TRUE(pager.Advance(Page(50, 500, 500)));
  ASSERT_TRUE(pager.Advance(Page(50, 500, 500, 120, 2, 3)));
  EXPECT_EQ(Params(pager.Next())["page"], "3");
  // One record of the second changed (moved to now): start it over.
  ASSERT_TRUE(pager.Advance(Page(50, 500, 500, 119, 3, 3)));
  EXPECT_EQ(Params(pager.Next())["page"], "1");
}

TEST_F(KeysetPagerTest, UpperBoundIsSentAndKeptAcrossPages) {
  KeysetPager pager(applicants_, "", {100, 900}, utc_);
  EXPECT_EQ(Params(pager.Next())["modifiedBefore"],
            FormatSourceNaive(900, utc_));
  ASSERT_TRUE(pager.Advance(Page(50, 101, 300)));
  auto params = Params(pager.Next());
  EXPECT_EQ(params["modifiedAfter"], FormatSourceNaive(299, utc_));
  EXPECT_EQ(params["modifiedBefore"], FormatSourceNaive(900, utc_));
}

TEST_F(KeysetPagerTest, PerJobReadsNameTheJob) {
  KeysetPager pager(submissions_, "JOB1=", {}, utc_);
  auto request = pager.Next();
  EXPECT_EQ(Params(request)["jobId"], "JOB1=");
  EXPECT_NE(request.what.find("JOB1="), std::string::npos);
}

TEST_F(KeysetPagerTest, NaiveTimesFollowTheSourceClock) {
  SourceClock chicago{-360};
  KeysetPager pager(applicants_, "", {0, std::nullopt}, chicago);
  EXPECT_EQ(Params(pager.Next())["modifiedAfter"], "1969-12-31 18:00:00");
}

}  // namespace
}  // namespace ceipal::engine
