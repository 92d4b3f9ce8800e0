#include "state/storage_error.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include <stdexcept>

namespace ceipal::state {
namespace {

TEST(Guard, TurnsASqliteExceptionIntoAStorageErrorNamingTheOperation) {
  SQLite::Database memory(":memory:", SQLite::OPEN_READWRITE);
  auto failed = Guard("count widgets", [&]() -> Result<int> {
    return memory.execAndGet("SELECT count(*) FROM widgets").getInt();
  });
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().kind, ErrorKind::kStorage);
  EXPECT_EQ(failed.error().message, "count widgets: no such table: widgets");
}

TEST(Guard, PassesValuesAndErrorsOfTheBodyThrough) {
  auto value = Guard("answer", []() -> Result<int> { return 42; });
  ASSERT_TRUE(value);
  EXPECT_EQ(*value, 42);

  auto refused = Guard("refuse", []() -> Result<void> {
    return Fail(ErrorKind::kConfig, "bad seq");
  });
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::kConfig);
  EXPECT_EQ(refused.error().message, "bad seq");
}

TEST(Guard, CatchesAnyStandardException) {
  auto failed = Guard("parse", []() -> Result<void> {
    throw std::runtime_error("out of range");
  });
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().message, "parse: out of range");
}

}  // namespace
}  // namespace ceipal::state
