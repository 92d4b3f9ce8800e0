#include "tools/fake_ceipal/token_store.h"

#include <fmt/format.h>

#include <algorithm>

namespace ceipal::fake {
namespace {

std::string Base64Url(std::string_view bytes) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char byte : bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kAlphabet[(buffer >> bits) & 63];
    }
  }
  if (bits > 0) out += kAlphabet[(buffer << (6 - bits)) & 63];
  return out;
}

}  // namespace

TokenStore::TokenStore(int64_t ttl_seconds)
    : ttl_seconds_(ttl_seconds), random_(std::random_device{}()) {}

std::string TokenStore::MakeToken(std::string_view type, EpochSeconds issued,
                                  EpochSeconds expires) {
  // Shaped like a JWT (header.claims.signature) so clients that peek at it
  // find what they expect; the signature is random bytes.
  std::string claims = fmt::format(
      R"({{"user_id":{},"type":"{}","iat":{},"exp":{},"jti":"{:016x}"}})",
      1000 + random_() % 9000, type, issued, expires, random_());
  std::string signature;
  for (int i = 0; i < 4; ++i) {
    uint64_t word = random_();
    signature.append(reinterpret_cast<const char*>(&word), sizeof word);
  }
  return Base64Url(R"({"alg":"HS256","typ":"JWT"})") + "." + Base64Url(claims) +
         "." + Base64Url(signature);
}

TokenStore::Login TokenStore::IssueLogin(EpochSeconds now) {
  Login login;
  login.access_token = MakeToken("access", now, now + ttl_seconds_);
  login.refresh_token = MakeToken("refresh", now, now + kRefreshWindow);
  grants_[login.access_token] = Grant{now + ttl_seconds_, now + kRefreshWindow};
  return login;
}

TokenStore::Verdict TokenStore::Check(std::string_view access_token,
                                      EpochSeconds now) const {
  auto it = grants_.find(std::string(access_token));
  if (it == grants_.end()) return Verdict::kUnknown;
  return now < it->second.expires ? Verdict::kValid : Verdict::kExpired;
}

std::optional<std::string> TokenStore::Refresh(std::string_view access_token,
                                               EpochSeconds now) {
  auto it = grants_.find(std::string(access_token));
  if (it == grants_.end() || now >= it->second.refresh_until) {
    return std::nullopt;
  }
  EpochSeconds refresh_until = it->second.refresh_until;
  std::string token = MakeToken("access", now, now + ttl_seconds_);
  grants_[token] = Grant{now + ttl_seconds_, refresh_until};
  return token;
}

void TokenStore::RevokeAll() { grants_.clear(); }

void TokenStore::ExpireAll(EpochSeconds now) {
  for (auto& [token, grant] : grants_) {
    grant.expires = std::min(grant.expires, now);
  }
}

}  // namespace ceipal::fake
