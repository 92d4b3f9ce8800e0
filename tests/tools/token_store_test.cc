#include "tools/fake_ceipal/token_store.h"

#include <gtest/gtest.h>

namespace ceipal::fake {
namespace {

using Verdict = TokenStore::Verdict;

TEST(TokenStore, TokensLookLikeJwts) {
  TokenStore tokens(3600);
  TokenStore::Login login = tokens.IssueLogin(kSandboxStart);
  EXPECT_EQ(
      std::count(login.access_token.begin(), login.access_token.end(), '.'), 2);
  EXPECT_TRUE(login.access_token.starts_with("eyJ"));
  EXPECT_NE(login.access_token, login.refresh_token);
  EXPECT_NE(login.access_token, tokens.IssueLogin(kSandboxStart).access_token);
}

TEST(TokenStore, AccessTokensExpireAfterTheirLifetime) {
  TokenStore tokens(60);
  std::string token = tokens.IssueLogin(kSandboxStart).access_token;
  EXPECT_EQ(tokens.Check(token, kSandboxStart + 59), Verdict::kValid);
  EXPECT_EQ(tokens.Check(token, kSandboxStart + 60), Verdict::kExpired);
  EXPECT_EQ(tokens.Check("eyJnot.a.token", kSandboxStart), Verdict::kUnknown);
}

TEST(TokenStore, AnExpiredTokenRefreshesWithinTheWindow) {
  TokenStore tokens(60);
  std::string token = tokens.IssueLogin(kSandboxStart).access_token;
  std::optional<std::string> fresh = tokens.Refresh(token, kSandboxStart + 600);
  ASSERT_TRUE(fresh.has_value());
  EXPECT_EQ(tokens.Check(*fresh, kSandboxStart + 600), Verdict::kValid);

  // The window belongs to the login, not to the refreshed token.
  EpochSeconds closed = kSandboxStart + TokenStore::kRefreshWindow;
  EXPECT_EQ(tokens.Refresh(*fresh, closed), std::nullopt);
  EXPECT_EQ(tokens.Refresh("never-issued", kSandboxStart), std::nullopt);
}

TEST(TokenStore, RevocationInvalidatesEveryIssuedToken) {
  TokenStore tokens(3600);
  std::string token = tokens.IssueLogin(kSandboxStart).access_token;
  tokens.RevokeAll();
  EXPECT_EQ(tokens.Check(token, kSandboxStart), Verdict::kUnknown);
  EXPECT_EQ(tokens.Refresh(token, kSandboxStart), std::nullopt);
  std::string later = tokens.IssueLogin(kSandboxStart).access_token;
  EXPECT_EQ(tokens.Check(later, kSandboxStart), Verdict::kValid);
}

}  // namespace
}  // namespace ceipal::fake
