#pragma once
// The token provider's persistence in the SQLite store: tokens survive a restart, so a
// restart does not spend fetch quota, and instances sharing the file share one token.
// Blocking: used from worker threads only.
#include "store/database.hpp"
#include "store/secret_box.hpp"
#include "wechat/token_provider.hpp"

namespace xiaoqu::gateway {

class SqliteTokenStore : public wechat::TokenStore {
 public:
  SqliteTokenStore(store::Database& db, const store::SecretBox& box) : db_(db), box_(box) {}
  std::optional<wechat::Token> load(const std::string& key) override;
  void save(const std::string& key, const wechat::Token& token) override;
  void erase(const std::string& key, const std::string& value) override;

 private:
  store::Database& db_;
  const store::SecretBox& box_;
};

}  // namespace xiaoqu::gateway
