// Access tokens the sandbox has issued, and their lifetimes on the simulated
// clock. A login issues a JWT-looking access token (living --token-ttl
// seconds) and a refresh token; refreshing with an issued access token, even
// an expired one, yields a new access token for as long as the login's
// refresh window (7 days) lasts. Token text is random per login; it is never
// logged. Not thread-safe: the server guards it.
#ifndef CEIPAL_TOOLS_FAKE_CEIPAL_TOKEN_STORE_H_
#define CEIPAL_TOOLS_FAKE_CEIPAL_TOKEN_STORE_H_

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>

#include "tools/fake_ceipal/sim_clock.h"

namespace ceipal::fake {

class TokenStore {
 public:
  static constexpr int64_t kRefreshWindow = 7 * 86400;

  struct Login {
    std::string access_token;
    std::string refresh_token;
  };

  enum class Verdict { kValid, kUnknown, kExpired };

  explicit TokenStore(int64_t ttl_seconds);

  Login IssueLogin(EpochSeconds now);

  // kUnknown covers never issued and revoked alike.
  Verdict Check(std::string_view access_token, EpochSeconds now) const;

  // A new access token, or nullopt when `access_token` was never issued, was
  // revoked, or its login's refresh window has closed.
  std::optional<std::string> Refresh(std::string_view access_token,
                                     EpochSeconds now);

  // Every token issued so far stops working, refresh included.
  void RevokeAll();

  // Every access token issued so far is expired from `now` on; refreshing
  // still works while each login's refresh window lasts.
  void ExpireAll(EpochSeconds now);

 private:
  struct Grant {
    EpochSeconds expires;
    EpochSeconds refresh_until;
  };

  std::string MakeToken(std::string_view type, EpochSeconds issued,
                        EpochSeconds expires);

  int64_t ttl_seconds_;
  std::mt19937_64 random_;
  std::unordered_map<std::string, Grant> grants_;
};

}  // namespace ceipal::fake

#endif  // CEIPAL_TOOLS_FAKE_CEIPAL_TOKEN_STORE_H_
