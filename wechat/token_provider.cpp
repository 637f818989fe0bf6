#include "wechat/token_provider.hpp"

#include <ctime>

#include "config/log.hpp"
#include "wechat/platform_error.hpp"

namespace xiaoqu::wechat {

std::string CredentialKey::str() const {
  static const char* names[] = {"official_account", "component", "authorizer", "wecom_corp", "wecom_suite", "wecom_authorized_corp"};
  return std::string(names[static_cast<int>(kind)]) + ":" + id;
}

Token make_token(std::string value, std::int64_t expires_in, std::int64_t now) {
  if (expires_in <= 0) expires_in = 7200;
  return Token{std::move(value), now + expires_in, now + expires_in * 4 / 5};
}

std::optional<Token> MemoryTokenStore::load(const std::string& key) {
  std::lock_guard lk(mu_);
  auto it = tokens_.find(key);
  if (it == tokens_.end()) return std::nullopt;
  return it->second;
}
void MemoryTokenStore::save(const std::string& key, const Token& t) {
  std::lock_guard lk(mu_);
  tokens_[key] = t;
}
void MemoryTokenStore::erase(const std::string& key, const std::string& value) {
  std::lock_guard lk(mu_);
  auto it = tokens_.find(key);
  if (it != tokens_.end() && it->second.value == value) tokens_.erase(it);
}

TokenProvider::TokenProvider(TokenStore& store, Clock clock) : store_(store), clock_(std::move(clock)) {
  if (!clock_) clock_ = [] { return static_cast<std::int64_t>(std::time(nullptr)); };
}

void TokenProvider::define(const CredentialKey& key, TokenFetcher fetch) {
  std::lock_guard lk(map_mu_);
  auto& e = entries_[key];
  if (!e) e = std::make_unique<Entry>();
  e->fetch = std::move(fetch);
}

bool TokenProvider::defined(const CredentialKey& key) const {
  std::lock_guard lk(map_mu_);
  return entries_.count(key) > 0;
}

TokenProvider::Entry& TokenProvider::entry(const CredentialKey& key) const {
  std::lock_guard lk(map_mu_);
  auto it = entries_.find(key);
  if (it == entries_.end())
    throw PlatformError("token " + key.str(), PlatformError::Kind::credential, 0, "no credential defined for this account");
  return *it->second;
}

std::string TokenProvider::get(const CredentialKey& key) {
  Entry& e = entry(key);
  std::int64_t now = clock_();
  {
    std::shared_lock lk(e.mu);
    if (e.token && now < e.token->refresh_at) return e.token->value;
  }
  // Slow path: one caller refreshes, the others wait here and then find the new token.
  std::lock_guard refresh(e.refresh_mu);
  now = clock_();
  {
    std::shared_lock lk(e.mu);
    if (e.token && now < e.token->refresh_at) return e.token->value;
  }
  std::string skey = key.str();
  // Another instance (or our previous life) may have stored a fresher token.
  if (auto stored = store_.load(skey); stored && now < stored->refresh_at && !e.rejected) {
    std::unique_lock lk(e.mu);
    e.token = *stored;
    return stored->value;
  }
  try {
    Token fresh = e.fetch(e.rejected);
    store_.save(skey, fresh);
    std::unique_lock lk(e.mu);
    e.token = fresh;
    e.rejected = false;
    log::info("token.refreshed", {{"credential", skey}});
    return fresh.value;
  } catch (const PlatformError& err) {
    // Ahead of expiry the old token still works: keep serving it while the platform is unwell.
    std::shared_lock lk(e.mu);
    if (err.transient() && e.token && now < e.token->expires_at) {
      log::warn("token.refresh_failed_using_current", {{"credential", skey}, {"error", err.what()}});
      return e.token->value;
    }
    throw;
  }
}

void TokenProvider::invalidate(const CredentialKey& key, const std::string& value) {
  Entry& e = entry(key);
  {
    std::unique_lock lk(e.mu);
    if (e.token && e.token->value == value) {
      e.token.reset();
      e.rejected = true;
    }
  }
  store_.erase(key.str(), value);
  log::warn("token.invalidated", {{"credential", key.str()}});
}

}  // namespace xiaoqu::wechat
