#include "gateway/sqlite_token_store.hpp"

#include <ctime>

#include "store/credentials.hpp"

namespace xiaoqu::gateway {
namespace {
std::string name_of(const std::string& key) { return "token:" + key; }
}  // namespace

std::optional<wechat::Token> SqliteTokenStore::load(const std::string& key) {
  auto c = store::load_credential(db_.reader(), box_, name_of(key));
  if (!c) return std::nullopt;
  return wechat::Token{c->value, c->expires_at, c->refresh_at};
}

void SqliteTokenStore::save(const std::string& key, const wechat::Token& t) {
  std::int64_t now = std::time(nullptr);
  db_.write([&](store::Connection& c) {
    store::save_credential(c, box_, name_of(key), store::Credential{t.value, t.expires_at, t.refresh_at}, now);
  });
}

void SqliteTokenStore::erase(const std::string& key, const std::string& value) {
  db_.write([&](store::Connection& c) { store::erase_credential(c, box_, name_of(key), value); });
}

}  // namespace xiaoqu::gateway
