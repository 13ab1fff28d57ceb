#include "api/tokens.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

namespace mlw::api {
namespace {

TEST(TokensTest, GeneratedTokensAreDistinctAndWellFormed) {
  std::string a = GenerateToken(), b = GenerateToken();
  EXPECT_NE(a, b);
  EXPECT_EQ(a.size(), 4u + 64u);
  EXPECT_EQ(a.rfind("mlw_", 0), 0u);
}

TEST(TokensTest, HashIsSha256Hex) {
  EXPECT_EQ(HashToken("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(TokensTest, ConstantTimeEqualsComparesWholeStrings) {
  EXPECT_TRUE(ConstantTimeEquals("secret", "secret"));
  EXPECT_FALSE(ConstantTimeEquals("secret", "secreT"));
  EXPECT_FALSE(ConstantTimeEquals("secret", "secret2"));
}

TEST(TokensTest, AdminTokenIsCreatedOnceWithMode0600AndReusedAfter) {
  std::string dir = testing::TempDir() + "/admin_token_test_" + std::to_string(::getpid());
  std::filesystem::remove_all(dir);
  std::string path = dir + "/sub/admin.token";
  bool created = false;
  auto first = LoadOrCreateAdminToken(path, &created);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(created);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto second = LoadOrCreateAdminToken(path, &created);
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(created);
  EXPECT_EQ(*first, *second);
  ::chmod(path.c_str(), 0644);
  auto loose = LoadOrCreateAdminToken(path, &created);
  EXPECT_FALSE(loose.ok());
  EXPECT_NE(loose.status().message().find("chmod 600"), std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace mlw::api
