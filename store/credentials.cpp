#include "store/credentials.hpp"

namespace xiaoqu::store {

void save_credential(Connection& c, const SecretBox& box, std::string_view name, const Credential& cred, std::int64_t now) {
  Statement s(c,
              "INSERT INTO credentials (name, value_enc, expires_at, refresh_at, updated_at) VALUES (?,?,?,?,?) "
              "ON CONFLICT (name) DO UPDATE SET value_enc = excluded.value_enc, expires_at = excluded.expires_at, "
              "refresh_at = excluded.refresh_at, updated_at = excluded.updated_at");
  s.bind(1, name).bind_blob(2, box.seal(cred.value)).bind(3, cred.expires_at).bind(4, cred.refresh_at).bind(5, now).run();
}

std::optional<Credential> load_credential(Connection& c, const SecretBox& box, std::string_view name) {
  Statement s(c, "SELECT value_enc, expires_at, refresh_at FROM credentials WHERE name = ?");
  s.bind(1, name);
  if (!s.step()) return std::nullopt;
  return Credential{box.open(s.text(0)), s.integer(1), s.integer(2)};
}

void erase_credential(Connection& c, const SecretBox& box, std::string_view name, std::string_view value) {
  // Sealed values differ on every seal, so compare after opening.
  auto current = load_credential(c, box, name);
  if (!current || current->value != value) return;
  Statement s(c, "DELETE FROM credentials WHERE name = ?");
  s.bind(1, name).run();
}

std::string refresh_token_name(std::string_view component, std::string_view authorizer) {
  return "refresh_token:" + std::string(component) + "/" + std::string(authorizer);
}

std::string permanent_code_name(std::string_view suite, std::string_view corp) {
  return "permanent_code:" + std::string(suite) + "/" + std::string(corp);
}

}  // namespace xiaoqu::store

namespace xiaoqu::store {
std::vector<std::pair<std::string, std::string>> permanent_code_owners(Connection& c) {
  Statement s(c, "SELECT substr(name, 16) FROM credentials WHERE name LIKE 'permanent\\_code:%' ESCAPE '\\'");
  std::vector<std::pair<std::string, std::string>> out;
  while (s.step()) {
    std::string rest = s.text(0);
    auto slash = rest.find('/');
    if (slash != std::string::npos) out.emplace_back(rest.substr(0, slash), rest.substr(slash + 1));
  }
  return out;
}
}  // namespace xiaoqu::store
