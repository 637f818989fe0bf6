#include "gateway/outbox_wiring.hpp"

#include "config/log.hpp"
#include "store/platform_records.hpp"
#include "wechat/credentials.hpp"

namespace xiaoqu::gateway {

OutboxWiring::OutboxWiring(const config::Config& cfg, store::Database& db, Platform& platform) {
  if (!cfg.sms.secret_id.empty()) {
    try {
      sms_ = std::make_unique<notify::SmsClient>(platform.transport(), cfg.sms, cfg.platforms.sms_api, cfg.http);
    } catch (const config::ConfigError& e) {
      // SMS rows wait (and show why) until the configuration is complete.
      log::warn("outbox.sms_unavailable", {{"key", e.key()}, {"problem", e.problem()}});
    }
  }
  auto credential = [&platform, &db](const std::string& appid) -> std::optional<wechat::CredentialKey> {
    auto own = wechat::official_account_key(appid);
    if (platform.tokens().defined(own)) return own;
    // An account authorized to a component: the store knows which one.
    for (const auto& [component, authorizer] : store::authorized_accounts(db.reader())) {
      if (authorizer != appid) continue;
      auto key = wechat::authorizer_key(component, authorizer);
      if (platform.tokens().defined(key)) return key;
    }
    return std::nullopt;
  };
  dispatcher_ = std::make_unique<notify::Dispatcher>(cfg.outbox, db, platform.workers(), platform.wechat_api(), credential, sms_.get());
}

}  // namespace xiaoqu::gateway
