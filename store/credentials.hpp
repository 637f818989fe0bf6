#pragma once
// Sealed platform credentials by name: access tokens ("token:official_account:wx..."),
// authorizer refresh tokens and WeCom permanent codes. Values never reach the disk in clear.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/secret_box.hpp"
#include "store/sqlite.hpp"

namespace xiaoqu::store {

struct Credential {
  std::string value;
  std::int64_t expires_at = 0, refresh_at = 0;
};

void save_credential(Connection& c, const SecretBox& box, std::string_view name, const Credential& cred, std::int64_t now);
std::optional<Credential> load_credential(Connection& c, const SecretBox& box, std::string_view name);
/// Deletes `name` only while it still holds `value` (another instance may have replaced it).
void erase_credential(Connection& c, const SecretBox& box, std::string_view name, std::string_view value);

std::string refresh_token_name(std::string_view component_appid, std::string_view authorizer_appid);
std::string permanent_code_name(std::string_view suite_id, std::string_view corp_id);

}  // namespace xiaoqu::store

namespace xiaoqu::store {
/// (suite, corp) of every stored permanent code.
std::vector<std::pair<std::string, std::string>> permanent_code_owners(Connection& c);
}  // namespace xiaoqu::store
