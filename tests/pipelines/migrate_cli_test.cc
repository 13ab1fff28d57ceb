// Drives the real `mlworker migrate` binary as an operator would: fresh database, re-run, a
// database from a newer binary, and a bad URL.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "core/test_env.h"
#include "store/database_factory.h"
#include "store/migrations.h"
#include "store/test_util.h"

namespace {

std::string Binary() { return mlw::testenv::Binary(); }

struct CliRun {
  int code;
  std::string output;
};

// Runs `mlworker <args>` with stderr folded into stdout. Arguments are test constants and
// temporary paths without shell metacharacters.
CliRun Mlworker(const std::string& args, const std::string& env = "") {
  std::string cmd = env + " '" + Binary() + "' " + args + " 2>&1";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(cmd.c_str(), "r"), pclose);
  std::string out;
  std::array<char, 512> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe.get())) > 0) out.append(buf.data(), n);
  int status = pclose(pipe.release());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

class MigrateCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (access(Binary().c_str(), X_OK) != 0) GTEST_SKIP() << "mlworker not built";
  }
  mlw::store::testing::TempDir dir_;
};

TEST_F(MigrateCliTest, AppliesOnceThenReportsUpToDate) {
  std::string url = "sqlite://" + dir_.path() + "/data/mlworker.db";
  CliRun first = Mlworker("migrate --database-url " + url);
  EXPECT_EQ(first.code, 0) << first.output;
  const std::string latest =
      std::to_string(mlw::store::LatestKnownVersion(mlw::store::Dialect::kSqlite));
  EXPECT_NE(first.output.find("schema at version " + latest + " (was 0"), std::string::npos)
      << first.output;
  CliRun again = Mlworker("migrate", "DATABASE_URL=" + url);
  EXPECT_EQ(again.code, 0) << again.output;
  EXPECT_NE(again.output.find("applied 0"), std::string::npos) << again.output;
}

TEST_F(MigrateCliTest, RefusesADatabaseFromANewerBinary) {
  std::string url = "sqlite://" + dir_.path() + "/m.db";
  ASSERT_EQ(Mlworker("migrate --database-url " + url).code, 0);
  {
    auto db = mlw::store::OpenDatabase(url);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->Exec("INSERT INTO schema_migrations VALUES (9999, 'future', 0)").ok());
  }
  CliRun run = Mlworker("migrate --database-url " + url);
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.output.find("SchemaTooNew"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("9999"), std::string::npos) << run.output;
}

TEST_F(MigrateCliTest, NamesAcceptedFormsForABadUrl) {
  CliRun run = Mlworker("migrate --database-url mysql://u:secret@h/db");
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.output.find("sqlite:///abs/path/mlworker.db"), std::string::npos) << run.output;
  EXPECT_EQ(run.output.find("secret"), std::string::npos) << run.output;
}

}  // namespace
