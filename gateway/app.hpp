#pragma once
// The composition root: opens the store, registers the configured accounts, wires the
// callback endpoints and their handlers into the router, and runs the server.
#include <cstdint>
#include <memory>

#include "config/config.hpp"
#include "gateway/callbacks.hpp"
#include "gateway/follower_sync.hpp"
#include "gateway/forms/client_address.hpp"
#include "gateway/metrics.hpp"
#include "gateway/platform.hpp"
#include "gateway/server.hpp"
#include "gateway/wecom_sync.hpp"
#include "store/database.hpp"
#include "store/secret_box.hpp"

namespace xiaoqu::gateway {

class OutboxWiring;

class AdminApi;
class ResidentPages;

class App {
 public:
  /// Opens (and migrates) the store and saves the configured accounts. Throws ConfigError
  /// or StoreError with a message for the operator.
  explicit App(config::Config cfg);
  ~App();

  /// Starts listening; returns the bound port.
  unsigned short start();
  /// Blocks until SIGINT/SIGTERM, then shuts down gracefully.
  void wait_for_signal();
  void stop();

  /// Maps a request to its endpoint (also used by tests without sockets).
  void handle(Request&& req, Respond respond);

  const config::Config& config() const noexcept { return cfg_; }
  store::Database& database() noexcept { return *db_; }
  const store::SecretBox& secret_box() const noexcept { return *box_; }
  Callbacks& callbacks() noexcept { return *callbacks_; }
  Metrics& metrics() noexcept { return metrics_; }
  Platform& platform() noexcept { return *platform_; }
  /// 员工信息 ↔ 企业微信: corp links, contact syncs, change_contact application.
  WecomLinking& wecom_linking() noexcept { return *wecom_linking_; }
  /// The /api/v1 router and its checks (tests walk its routes).
  AdminApi& admin_api() noexcept { return *admin_api_; }
  FollowerSync& follower_sync() noexcept { return *follower_sync_; }
  /// The notification outbox's sender (claims and sends on the server's timer once started).
  OutboxWiring& outbox() noexcept { return *outbox_; }

 private:
  void register_default_handlers();
  void expire_leases();

  config::Config cfg_;
  forms::TrustedProxies proxies_;  ///< whose X-Forwarded-For names the client
  Metrics metrics_;
  std::unique_ptr<store::SecretBox> box_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<Callbacks> callbacks_;
  std::unique_ptr<Platform> platform_;
  std::unique_ptr<WecomLinking> wecom_linking_;
  std::unique_ptr<AdminApi> admin_api_;  ///< after platform_: its handlers run on the platform's workers
  std::unique_ptr<FollowerSync> follower_sync_;
  std::unique_ptr<ResidentPages> resident_pages_;
  std::unique_ptr<OutboxWiring> outbox_;
  std::unique_ptr<Server> server_;
};

}  // namespace xiaoqu::gateway
