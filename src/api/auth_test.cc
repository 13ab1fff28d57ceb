#include "api/auth.h"

#include <gtest/gtest.h>

#include "api/tokens.h"
#include "pipelines/users.h"
#include "store/test_util.h"

namespace mlw::api {
namespace {

http::Request WithToken(const std::string& token) {
  http::Request r;
  r.headers.emplace_back("Authorization", "Bearer " + token);
  return r;
}

class AuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = store::testing::OpenMigrated(dir_);
    auto user = pipelines::CreateUser(*db_, clock_, "UTC");
    ASSERT_TRUE(user.ok()) << user.status().ToString();
    user_id_ = user->id;
    auto token = Authenticator::IssueUserToken(*db_, clock_, user_id_);
    ASSERT_TRUE(token.ok());
    token_ = *token;
  }

  void Revoke() {
    ASSERT_TRUE(
        db_->Exec("DELETE FROM api_tokens WHERE token_hash = $1", {HashToken(token_)}).ok());
  }

  store::testing::TempDir dir_;
  std::unique_ptr<store::Database> db_;
  ManualClock clock_;
  int64_t user_id_ = 0;
  std::string token_;
};

TEST_F(AuthTest, ARevokedTokenStopsWorkingOnceItsCacheEntryExpires) {
  Authenticator auth(*db_, "admin", clock_, TokenCacheOptions{16, 2'000'000});
  auto p = auth.Authenticate(WithToken(token_));
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->user_id, user_id_);
  EXPECT_FALSE(p->admin);
  Revoke();
  // Within the ttl the verified digest is still trusted: that is the documented bound.
  clock_.AdvanceMicros(1'999'999);
  EXPECT_TRUE(auth.Authenticate(WithToken(token_)).ok());
  clock_.AdvanceMicros(1);
  auto revoked = auth.Authenticate(WithToken(token_));
  EXPECT_EQ(revoked.status().code(), StatusCode::kUnauthenticated);
}

TEST_F(AuthTest, WithoutCacheRevocationIsImmediate) {
  Authenticator auth(*db_, "admin", clock_, TokenCacheOptions{0, 0});
  ASSERT_TRUE(auth.Authenticate(WithToken(token_)).ok());
  Revoke();
  EXPECT_EQ(auth.Authenticate(WithToken(token_)).status().code(), StatusCode::kUnauthenticated);
}

TEST_F(AuthTest, UnknownTokensAreNotCachedAndAdminNeedsNoLookup) {
  Authenticator auth(*db_, "admin", clock_, TokenCacheOptions{16, 2'000'000});
  EXPECT_EQ(auth.Authenticate(WithToken("mlw_nope")).status().code(), StatusCode::kUnauthenticated);
  auto admin = auth.Authenticate(WithToken("admin"));
  ASSERT_TRUE(admin.ok());
  EXPECT_TRUE(admin->admin);
}

TEST(TokenCacheTest, StaysWithinCapacity) {
  ManualClock clock;
  TokenCache cache(clock, TokenCacheOptions{2, 1'000'000});
  cache.Insert("a", 1);
  cache.Insert("b", 2);
  EXPECT_EQ(cache.Find("a"), 1);
  cache.Insert("c", 3);  // full and nothing expired: starts over
  EXPECT_EQ(cache.Find("a"), std::nullopt);
  EXPECT_EQ(cache.Find("c"), 3);
  clock.AdvanceSeconds(2);
  EXPECT_EQ(cache.Find("c"), std::nullopt);
}

}  // namespace
}  // namespace mlw::api
