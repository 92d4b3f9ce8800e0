// Shared by the state tests: a private temporary directory per test, a
// freshly created database in it, and a way to append change_log rows the
// way the engine's writer would.
#ifndef CEIPAL_TESTS_STATE_STATE_TEST_UTIL_H_
#define CEIPAL_TESTS_STATE_STATE_TEST_UTIL_H_

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "state/database.h"

namespace ceipal::state::testing {

// A directory of its own, removed with everything in it at destruction.
class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "ceipal-state-XXXXXX")
            .string();
    if (mkdtemp(pattern.data()) == nullptr) {
      ADD_FAILURE() << "mkdtemp " << pattern << " failed";
    }
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string File(const std::string& name) const {
    return (path_ / name).string();
  }

 private:
  std::filesystem::path path_;
};

inline mode_t FileMode(const std::string& path) {
  struct stat status {};
  if (::stat(path.c_str(), &status) != 0) return 0;
  return status.st_mode & 07777;
}

// A test with a fresh database, created in its own temporary directory.
class StateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_path_ = dir_.File("ceipal.db");
    auto opened = Database::Open(db_path_, OpenMode::kCreate);
    ASSERT_TRUE(opened) << opened.error().message;
    db_ = std::move(*opened);
  }

  Database& db() { return *db_; }

  // Appends a change as the engine's writer would and returns its seq.
  int64_t AppendChange(const std::string& recorded_at,
                       const std::optional<std::string>& event = std::nullopt,
                       const std::string& record_id = "rec-1") {
    SQLite::Statement insert(
        db_->sql(),
        "INSERT INTO change_log (run_id, resource, record_id, op, event,"
        " changed_fields, after_json, recorded_at) VALUES"
        " (1, 'submissions', ?, 'update', ?, '[\"status\"]',"
        " '{\"status\":\"Hired\"}', ?)");
    insert.bind(1, record_id);
    if (event) {
      insert.bind(2, *event);
    } else {
      insert.bind(2);
    }
    insert.bind(3, recorded_at);
    insert.exec();
    return db_->sql().getLastInsertRowid();
  }

  int64_t CountRows(const std::string& table) {
    return db_->sql().execAndGet("SELECT count(*) FROM " + table).getInt64();
  }

  TempDir dir_;
  std::string db_path_;
  std::unique_ptr<Database> db_;
};

}  // namespace ceipal::state::testing

#endif  // CEIPAL_TESTS_STATE_STATE_TEST_UTIL_H_
