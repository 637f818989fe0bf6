#pragma once
// The outbound side, wired once: the worker pool, the HTTP transport, the token provider
// over the SQLite store, one ApiClient per platform, and every configured or authorized
// account's credential defined on the provider. Also finishes what callbacks recorded and
// what needs a platform call: exchanging authorization codes and WeCom install codes, so the
// refresh tokens and permanent codes are stored before anything uses them.
#include <atomic>
#include <memory>
#include <mutex>

#include "config/config.hpp"
#include "config/worker_pool.hpp"
#include "gateway/sqlite_token_store.hpp"
#include "store/database.hpp"
#include "store/secret_box.hpp"
#include "wechat/api_client.hpp"
#include "wechat/credentials.hpp"
#include "wechat/http_transport.hpp"
#include "wechat/token_provider.hpp"

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

  /// Queues the processing of recorded authorizations on a worker (at most one run queued).
  void schedule_authorizations();
  /// Exchanges pending authorization codes and WeCom install codes. Blocking: workers only.
  void process_authorizations();
  /// Stops the workers after what is queued.
  void stop();

 private:
  void define_authorizer(const std::string& component, const std::string& authorizer);
  void define_authorized_corp(const std::string& suite, const std::string& corp);

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
};

}  // namespace xiaoqu::gateway
