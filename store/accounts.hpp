#pragma once
// The accounts the gateway answers for: Official Accounts, Open Platform components and
// WeCom endpoints, with their secrets sealed. Start-up writes the configured ones here;
// the callback routes are built from what this returns.
#include <vector>

#include "config/config.hpp"
#include "store/secret_box.hpp"
#include "store/sqlite.hpp"

namespace xiaoqu::store {

struct Accounts {
  std::vector<config::OfficialAccount> official_accounts;
  std::vector<config::Component> components;
  std::vector<config::WecomEndpoint> wecom;
};

/// Inserts or updates every account of the configuration.
void save_configured_accounts(Connection& c, const SecretBox& box, const config::Config& cfg, std::int64_t now);
/// Every stored account with its secrets opened. Throws StoreError on a wrong master key.
Accounts load_accounts(Connection& c, const SecretBox& box);

}  // namespace xiaoqu::store
