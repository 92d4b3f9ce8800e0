#include "tools/fake_ceipal/record_id.h"

#include <gtest/gtest.h>

#include <set>

namespace ceipal::fake {
namespace {

TEST(IdCodec, IdsLookLikeCeipalIds) {
  IdCodec codec(42);
  std::string id = codec.Encode(Resource::kApplicants, 12345);
  EXPECT_EQ(id.size(), 44u);
  EXPECT_EQ(id.back(), '=');
  EXPECT_EQ(id.find_first_not_of(
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                "0123456789-_="),
            std::string::npos);
}

TEST(IdCodec, IdsShareATenantPrefixAndDifferAfterIt) {
  IdCodec codec(42);
  std::string a = codec.Encode(Resource::kApplicants, 1);
  std::string b = codec.Encode(Resource::kApplicants, 2);
  std::string c = codec.Encode(Resource::kUsers, 1);
  EXPECT_EQ(a.substr(0, 21), b.substr(0, 21));
  EXPECT_EQ(a.substr(0, 21), c.substr(0, 21));
  EXPECT_NE(a.substr(21), b.substr(21));
  EXPECT_NE(a.substr(21), c.substr(21));
}

TEST(IdCodec, DecodeInvertsEncode) {
  IdCodec codec(7);
  for (Resource resource : AllResources()) {
    for (int64_t index :
         {int64_t{0}, int64_t{1}, int64_t{999'999}, IdCodec::kMaxIndex - 1}) {
      std::optional<RecordRef> ref =
          codec.Decode(codec.Encode(resource, index));
      ASSERT_TRUE(ref.has_value());
      EXPECT_EQ(*ref, (RecordRef{resource, index}));
    }
  }
}

TEST(IdCodec, IdsAreUniqueAcrossManyRecords) {
  IdCodec codec(42);
  std::set<std::string> seen;
  for (int64_t i = 0; i < 20000; ++i) {
    seen.insert(codec.Encode(Resource::kSubmissions, i));
  }
  EXPECT_EQ(seen.size(), 20000u);
}

TEST(IdCodec, RejectsAnythingItDidNotIssue) {
  IdCodec codec(42);
  std::string id = codec.Encode(Resource::kJobPostings, 77);
  std::string tampered = id;
  tampered[30] = tampered[30] == 'A' ? 'B' : 'A';

  EXPECT_EQ(codec.Decode(""), std::nullopt);
  EXPECT_EQ(codec.Decode(id.substr(0, 43)), std::nullopt);
  EXPECT_EQ(codec.Decode(tampered), std::nullopt);
  EXPECT_EQ(codec.Decode(id.substr(0, 43) + "!"), std::nullopt);
  EXPECT_EQ(IdCodec(43).Decode(id), std::nullopt);
}

TEST(IdCodec, OpaqueIdsHaveTheShapeButDecodeToNothing) {
  IdCodec codec(42);
  std::string opaque = codec.Opaque(3, 1);
  EXPECT_EQ(opaque.size(), 44u);
  EXPECT_EQ(opaque.substr(0, 21),
            codec.Encode(Resource::kClients, 3).substr(0, 21));
  EXPECT_EQ(codec.Decode(opaque), std::nullopt);
  EXPECT_EQ(opaque, codec.Opaque(3, 1));
  EXPECT_NE(opaque, codec.Opaque(3, 2));
}

}  // namespace
}  // namespace ceipal::fake
