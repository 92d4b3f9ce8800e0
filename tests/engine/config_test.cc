#include "engine/config.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

namespace ceipal::engine {
namespace {

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("config_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& text, mode_t mode = 0600) {
    auto path = (dir_ / "config.json").string();
    std::ofstream(path) << text;
    ::chmod(path.c_str(), mode);
    return path;
  }

  std::filesystem::path dir_;
};

TEST_F(ConfigTest, DefaultsNeedNoFile) {
  auto config = LoadConfig("", {});
  ASSERT_TRUE(config);
  EXPECT_EQ(config->base_url, "https://api.ceipal.com");
  EXPECT_EQ(config->hired_statuses,
            (std::vector<std::string>{"Hired", "Placed"}));
  EXPECT_NE(config->catalogue.Find("submissions"), nullptr);
}

TEST_F(ConfigTest, EnvironmentWinsOverFile) {
  auto path = Write(R"({"email":"file@x","password":"p","api_key":"k",
                        "base_url":"http://file/"})");
  auto config = LoadConfig(
      path, {{"CEIPAL_EMAIL", "env@x"}, {"CEIPAL_BASE_URL", "http://env/"}});
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->credentials.email, "env@x");
  EXPECT_EQ(config->credentials.password, "p");
  EXPECT_EQ(config->base_url, "http://env");
}

TEST_F(ConfigTest, GroupReadableFileIsRefused) {
  auto path = Write(R"({"password":"secret-pw"})", 0640);
  auto config = LoadConfig(path, {});
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().kind, ErrorKind::kConfig);
  EXPECT_NE(config.error().message.find("chmod 600"), std::string::npos);
  EXPECT_EQ(config.error().message.find("secret-pw"), std::string::npos);
}

TEST_F(ConfigTest, PolicyKeysAreRead) {
  auto path = Write(R"({"lookback_seconds": 120, "rate": 2.5,
                        "hired_statuses": ["Joined"],
                        "source_utc_offset": "-06:00",
                        "max_requests": 40, "deadline_seconds": 600})");
  auto config = LoadConfig(path, {});
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->lookback.count(), 120);
  EXPECT_DOUBLE_EQ(config->rate, 2.5);
  EXPECT_EQ(config->hired_statuses, std::vector<std::string>{"Joined"});
  EXPECT_EQ(config->source_clock.utc_offset_minutes, -360);
  EXPECT_EQ(config->max_requests, 40);
  EXPECT_EQ(config->deadline.count(), 600);
}

TEST_F(ConfigTest, WrongTypeNamesTheKey) {
  auto path = Write(R"({"rate": "fast"})");
  auto config = LoadConfig(path, {});
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message.find("\"rate\""), std::string::npos);
}

TEST_F(ConfigTest, InvalidJsonNamesTheOffset) {
  auto path = Write(R"({"rate": )");
  auto config = LoadConfig(path, {});
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message.find("offset"), std::string::npos);
}

TEST_F(ConfigTest, CatalogueOverrideApplies) {
  auto path = Write(
      R"({"catalogue": {"applicants": {"modified_field": "modify_date"}}})");
  auto config = LoadConfig(path, {});
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->catalogue.Find("applicants")->modified_field,
            "modify_date");
}

TEST(StatusIn, IgnoresCaseAndBlanks) {
  std::vector<std::string> set = {"Hired", "Placed"};
  EXPECT_TRUE(StatusIn(" hired ", set));
  EXPECT_TRUE(StatusIn("PLACED", set));
  EXPECT_FALSE(StatusIn("Hired - Pending", set));
  EXPECT_FALSE(StatusIn("", set));
}

}  // namespace
}  // namespace ceipal::engine
