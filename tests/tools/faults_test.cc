#include "tools/fake_ceipal/faults.h"

#include <gtest/gtest.h>

namespace ceipal::fake {
namespace {

FaultSettings Merge(const std::string& json, const FaultSettings& base,
                    bool* revoke = nullptr) {
  bool ignored = false;
  auto body = JsonObject::Parse(json);
  EXPECT_TRUE(body.has_value());
  auto merged = MergeFaults(*body, base, revoke ? *revoke : ignored);
  EXPECT_TRUE(merged.has_value()) << merged.error().message;
  return merged.value_or(base);
}

TEST(FaultState, MergeChangesOnlyTheNamedFields) {
  FaultSettings base;
  base.latency_ms = 30;
  FaultSettings merged = Merge(R"({"fail_next": 2, "rate": 1.5})", base);
  EXPECT_EQ(merged.fail_next, 2);
  EXPECT_DOUBLE_EQ(merged.rate, 1.5);
  EXPECT_EQ(merged.latency_ms, 30);
}

TEST(FaultState, MergeQueuesInjectionsAndReportsRevocation) {
  bool revoke = false;
  FaultSettings merged = Merge(
      R"({"inject": [{"resource": "applicants", "kind": "no_id"},
                     {"resource": "clients", "kind": "null_record"}],
          "revoke_tokens": true})",
      FaultSettings{}, &revoke);
  EXPECT_TRUE(revoke);
  ASSERT_EQ(merged.injections.size(), 2u);
  EXPECT_EQ(merged.injections[1].kind, HostileKind::kNullRecord);
}

TEST(FaultState, ScheduledTokenTroubleIsDueOnceAfterItsCount) {
  FaultState faults(1, Merge(R"({"revoke_tokens_after": 2,
                                  "expire_tokens_after": 1})",
                             FaultSettings{}));
  EXPECT_FALSE(faults.RevokeDue());
  EXPECT_TRUE(faults.ExpiryDue());
  EXPECT_TRUE(faults.RevokeDue());
  EXPECT_FALSE(faults.ExpiryDue());
  EXPECT_FALSE(faults.RevokeDue()) << "a schedule fires once";
}

TEST(FaultState, MergeRejectsUnknownFieldsAndWrongTypes) {
  bool revoke = false;
  for (const char* json :
       {R"({"fail_nxt": 1})", R"({"fail_next": "1"})", R"({"fail_next": -1})",
        R"({"revoke_tokens_after": -1})", R"({"company_disabled": 1})",
        R"({"inject": {"resource": "applicants", "kind": "boom"}})",
        R"({"inject": [1]})"}) {
    auto body = JsonObject::Parse(json);
    ASSERT_TRUE(body.has_value());
    EXPECT_FALSE(MergeFaults(*body, FaultSettings{}, revoke).has_value())
        << json;
  }
}

TEST(FaultState, TokenBucketAdmitsABurstThenRefusesUntilRefilled) {
  FaultSettings settings;
  settings.rate = 2;
  settings.burst = 3;
  FaultState faults(1, settings);
  auto start = FaultState::Clock::now();
  EXPECT_TRUE(faults.Admit(start));
  EXPECT_TRUE(faults.Admit(start));
  EXPECT_TRUE(faults.Admit(start));
  EXPECT_FALSE(faults.Admit(start));
  // Half a second at 2 per second buys one more request.
  EXPECT_TRUE(faults.Admit(start + std::chrono::milliseconds(500)));
  EXPECT_FALSE(faults.Admit(start + std::chrono::milliseconds(500)));
}

TEST(FaultState, CountedFaultsAreConsumedOneByOne) {
  FaultSettings settings;
  settings.fail_next = 2;
  settings.injections = {{Resource::kUsers, HostileKind::kNoId}};
  FaultState faults(1, settings);
  EXPECT_TRUE(faults.TakeFail());
  EXPECT_TRUE(faults.TakeFail());
  EXPECT_FALSE(faults.TakeFail());
  EXPECT_EQ(faults.TakeInjection(Resource::kApplicants), std::nullopt);
  EXPECT_EQ(faults.TakeInjection(Resource::kUsers), HostileKind::kNoId);
  EXPECT_EQ(faults.TakeInjection(Resource::kUsers), std::nullopt);

  faults.Reset();
  EXPECT_TRUE(faults.TakeFail());
}

TEST(FaultState, RandomErrorsAreSeededAndAlways5xx) {
  FaultSettings settings;
  settings.error_rate = 0.5;
  FaultState a(9, settings), b(9, settings);
  int errors = 0;
  for (int i = 0; i < 200; ++i) {
    std::optional<int> from_a = a.RandomError();
    EXPECT_EQ(from_a, b.RandomError());
    if (from_a) {
      ++errors;
      EXPECT_GE(*from_a, 500);
      EXPECT_LE(*from_a, 504);
    }
  }
  EXPECT_GT(errors, 50);
  EXPECT_LT(errors, 150);
}

}  // namespace
}  // namespace ceipal::fake
