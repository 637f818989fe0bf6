#pragma once
// One mechanism for every platform credential (silenceper credential/, cache/): keyed by
// kind and id, cached in memory and in a TokenStore, refreshed ahead of expiry, exactly one
// refresh in flight per key however many callers wait, invalidated on rejection.
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>

namespace xiaoqu::wechat {

enum class CredentialKind {
  official_account,       ///< id = appid (stable_token)
  component,              ///< id = component appid (component_access_token)
  authorizer,             ///< id = component appid + "/" + authorizer appid
  wecom_corp,             ///< id = corp id + "/" + agent id (each secret has its own token)
  wecom_suite,            ///< id = suite id (suite_access_token)
  wecom_authorized_corp,  ///< id = suite id + "/" + corp id (get_corp_token)
};

struct CredentialKey {
  CredentialKind kind;
  std::string id;
  /// "official_account:wx..." — the key in the TokenStore.
  std::string str() const;
  bool operator<(const CredentialKey& o) const { return kind != o.kind ? kind < o.kind : id < o.id; }
};

struct Token {
  std::string value;
  std::int64_t expires_at = 0;  ///< the platform's expiry
  std::int64_t refresh_at = 0;  ///< when we fetch a new one (ahead of expiry)
};

/// Builds a Token from the platform's expires_in: refreshed after 80 % of its life.
Token make_token(std::string value, std::int64_t expires_in, std::int64_t now);

/// Where tokens survive restarts and are shared between instances (cache/cache.go).
class TokenStore {
 public:
  virtual ~TokenStore() = default;
  virtual std::optional<Token> load(const std::string& key) = 0;
  virtual void save(const std::string& key, const Token& token) = 0;
  virtual void erase(const std::string& key, const std::string& value) = 0;  ///< only when still `value`
};

class MemoryTokenStore : public TokenStore {
 public:
  std::optional<Token> load(const std::string& key) override;
  void save(const std::string& key, const Token& token) override;
  void erase(const std::string& key, const std::string& value) override;

 private:
  std::mutex mu_;
  std::map<std::string, Token> tokens_;
};

/// Fetches a new token from the platform; `after_rejection` asks for a forced refresh
/// (stable_token force_refresh). Throws PlatformError.
using TokenFetcher = std::function<Token(bool after_rejection)>;

class TokenProvider {
 public:
  using Clock = std::function<std::int64_t()>;
  explicit TokenProvider(TokenStore& store, Clock clock = {});

  /// Says how `key` is fetched. Redefining replaces the fetcher.
  void define(const CredentialKey& key, TokenFetcher fetch);
  bool defined(const CredentialKey& key) const;

  /// A usable token. Throws PlatformError (credential when the key is not defined).
  std::string get(const CredentialKey& key);
  /// The platform refused `value`: forget it unless a newer token replaced it already.
  void invalidate(const CredentialKey& key, const std::string& value);

 private:
  struct Entry {
    TokenFetcher fetch;
    std::shared_mutex mu;       ///< guards token
    std::optional<Token> token;
    std::mutex refresh_mu;      ///< one refresh at a time per key
    bool rejected = false;      ///< the last token was refused: the next fetch forces
  };
  Entry& entry(const CredentialKey& key) const;

  TokenStore& store_;
  Clock clock_;
  mutable std::mutex map_mu_;
  std::map<CredentialKey, std::unique_ptr<Entry>> entries_;
};

}  // namespace xiaoqu::wechat
