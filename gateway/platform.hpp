#pragma once
// The outbound side, wired once: the worker pool, the HTTP transport, the token provider
// over the SQLite store, one ApiClient per platform, and every configured or authorized
// account's credential defined on the provider. Also finishes what callbacks recorded and
// what needs a platform call: exchanging authorization codes and WeCom install codes, so the
// refresh tokens and permanent codes are stored before anything uses them.
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>

#include "config/config.hpp"
#include "config/worker_pool.hpp"
#include "gateway/sqlite_token_store.hpp"
#include "store/database.hpp"
#include "store/platform_records.hpp"
#include "store/secret_box.hpp"
#include "wechat/api_client.hpp"
#include "wechat/credentials.hpp"
#include "wechat/http_transport.hpp"
#include "wechat/token_provider.hpp"
#include "wecom/api/suite.hpp"

namespace xiaoqu::gateway {

class Platform {
 public:
  Platform(const config::Config& cfg, store::Database& db, const store::SecretBox& box);
  ~Platform();

  WorkerPool& workers() noexcept { return workers_; }
  wechat::TokenProvider& tokens() noexcept { return tokens_; }
  wechat::ApiClient& wechat_api() noexcept { return wechat_api_; }
  wechat::ApiClient& wecom_api() noexcept { return wecom_api_; }
  wechat::HttpTransport& transport() noexcept { return transport_; }

  /// The token of an Official Account, configured directly or authorized to a component;
  /// nothing when neither is defined. Reads the store: workers only.
  std::optional<wechat::CredentialKey> account_key(const std::string& appid);
  /// Queues the processing of recorded authorizations on a worker (at most one run queued).
  void schedule_authorizations();
  /// Exchanges pending authorization codes and WeCom install codes. Blocking: workers only.
  void process_authorizations();
  /// Stops the workers after what is queued.
  void stop();

  /// Staff linking's say in a suite install: runs in the transaction that would store the
  /// permanent code and returns whether to store it (a refused link stores nothing).
  using SuiteInstallHook = std::function<bool(store::Connection&, const std::string& suite_id,
                                             const wecom::api::PermanentCode&, const std::string& state, std::int64_t now)>;
  /// After a stored permanent code's corp credential is defined (on the calling worker).
  using CorpInstalledHook = std::function<void(const std::string& suite_id, const std::string& corp_id)>;
  /// change_auth / cancel_auth, in the transaction that marks the instruction processed.
  using SuiteInstructionHook = std::function<void(store::Connection&, const store::PendingSuiteAuthEvent&, std::int64_t now)>;
  /// Set once, before the server starts.
  void set_suite_hooks(SuiteInstallHook installing, CorpInstalledHook installed, SuiteInstructionHook instruction);
  /// Exchanges an install code now (the install page's redirect) as create_auth does.
  /// Blocking; throws wechat::PlatformError. True when the permanent code was stored.
  bool install_suite(const std::string& suite_id, const std::string& auth_code, const std::string& state);

 private:
  void define_authorizer(const std::string& component, const std::string& authorizer);
  void define_authorized_corp(const std::string& suite, const std::string& corp);
  bool exchange_install_code(const std::string& suite_id, const std::string& auth_code, const std::string& state,
                             std::optional<std::int64_t> event_id);

  const config::Config& cfg_;
  store::Database& db_;
  const store::SecretBox& box_;
  WorkerPool workers_;
  wechat::HttpTransport transport_;
  SqliteTokenStore token_store_;
  wechat::TokenProvider tokens_;
  wechat::ApiClient wechat_api_;
  wechat::ApiClient wecom_api_;
  wechat::RefreshTokenStore refresh_tokens_;
  std::mutex process_mu_;
  std::atomic<bool> queued_{false};
  SuiteInstallHook suite_installing_;
  CorpInstalledHook corp_installed_;
  SuiteInstructionHook suite_instruction_;
};

}  // namespace xiaoqu::gateway
