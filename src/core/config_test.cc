#include "core/config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

namespace mlw {
namespace {

std::vector<ConfigKey> Spec() {
  return {
      {"worker.mode",
       "ML_WORKER_MODE",
       ConfigType::kEnum,
       "both",
       0,
       0,
       {"sqs", "aggregation", "both"},
       "worker mode"},
      {"worker.batch_size", "ML_WORKER_BATCH_SIZE", ConfigType::kInt, "10", 1, 10, {}, ""},
      {"worker.enabled", "ML_WORKER_ENABLED", ConfigType::kBool, "true", 0, 0, {}, ""},
  };
}

// Each test runs in its own process under ctest, several at once: the file name must be unique
// per process, which mkstemps guarantees (a time-based seed did not).
std::string WriteToml(const std::string& text) {
  std::string path = testing::TempDir() + "/cfg_XXXXXX.toml";
  const int fd = ::mkstemps(path.data(), 5);
  if (fd < 0) ADD_FAILURE() << "mkstemps failed for " << path;
  ::close(fd);
  std::ofstream(path) << text;
  return path;
}

TEST(ConfigTest, PrecedenceIsFlagsOverEnvOverFileOverDefault) {
  std::string path = WriteToml("[worker]\nmode = \"sqs\"\nbatch_size = 3\nenabled = false\n");
  auto cfg =
      Config::Load(Spec(), path, {{"ML_WORKER_BATCH_SIZE", "5"}}, {{"worker.enabled", "true"}});
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  EXPECT_EQ(cfg->GetString("worker.mode"), "sqs");
  EXPECT_EQ(cfg->Origin("worker.mode"), ConfigOrigin::kFile);
  EXPECT_EQ(cfg->GetInt("worker.batch_size"), 5);
  EXPECT_EQ(cfg->Origin("worker.batch_size"), ConfigOrigin::kEnvironment);
  EXPECT_TRUE(cfg->GetBool("worker.enabled"));
  EXPECT_EQ(cfg->Origin("worker.enabled"), ConfigOrigin::kFlag);
  std::remove(path.c_str());
}

TEST(ConfigTest, DefaultsApplyWhenNothingIsGiven) {
  auto cfg = Config::Load(Spec(), "", {}, {});
  ASSERT_TRUE(cfg.ok());
  EXPECT_EQ(cfg->GetString("worker.mode"), "both");
  EXPECT_EQ(cfg->GetInt("worker.batch_size"), 10);
}

TEST(ConfigTest, EveryBadValueIsNamedWithKeyValueAndExpectation) {
  std::string path = WriteToml("[worker]\nbogus = 1\n");
  auto cfg =
      Config::Load(Spec(), path, {{"ML_WORKER_BATCH_SIZE", "20"}, {"ML_WORKER_MODE", "fast"}}, {});
  ASSERT_FALSE(cfg.ok());
  const std::string msg = cfg.status().message();
  EXPECT_NE(msg.find("ML_WORKER_BATCH_SIZE=\"20\": expected an integer from 1 to 10"),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("ML_WORKER_MODE=\"fast\": expected one of sqs, aggregation, both"),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("worker.bogus (config file): unknown key"), std::string::npos) << msg;
  std::remove(path.c_str());
}

TEST(ConfigTest, MalformedTomlReportsLineAndColumn) {
  std::string path = WriteToml("[worker\nmode = 1\n");
  auto cfg = Config::Load(Spec(), path, {}, {});
  ASSERT_FALSE(cfg.ok());
  EXPECT_NE(cfg.status().message().find(path + ":1:"), std::string::npos) << cfg.status().message();
  std::remove(path.c_str());
}

}  // namespace
}  // namespace mlw
