#pragma once
// The composition root: opens the store, registers the configured accounts, wires the
// callback endpoints and their handlers into the router, and runs the server.
#include <cstdint>
#include <memory>

#include "config/config.hpp"
#include "gateway/callbacks.hpp"
#include "gateway/follower_sync.hpp"
#include "gateway/metrics.hpp"
#include "gateway/platform.hpp"
#include "gateway/server.hpp"
#include "store/database.hpp"
#include "store/secret_box.hpp"

namespace xiaoqu::gateway {

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
  FollowerSync& follower_sync() noexcept { return *follower_sync_; }

 private:
  void register_default_handlers();

  config::Config cfg_;
  Metrics metrics_;
  std::unique_ptr<store::SecretBox> box_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<Callbacks> callbacks_;
  std::unique_ptr<Platform> platform_;
  std::unique_ptr<FollowerSync> follower_sync_;
  std::unique_ptr<Server> server_;
};

}  // namespace xiaoqu::gateway
