#pragma once
// The outbox dispatcher wired to the gateway's platform side: the SMS client when SMS is
// configured, and each appid's credential (its own token, or an authorizer's token through
// the Open Platform component that holds its authorization).
#include <chrono>
#include <memory>

#include "config/config.hpp"
#include "gateway/platform.hpp"
#include "notify/dispatcher.hpp"
#include "notify/sms_client.hpp"
#include "store/database.hpp"

namespace xiaoqu::gateway {

class OutboxWiring {
 public:
  OutboxWiring(const config::Config& cfg, store::Database& db, Platform& platform);
  notify::Dispatcher& dispatcher() noexcept { return *dispatcher_; }
  /// No new claims; waits up to `grace` for the sends in flight.
  void stop(std::chrono::milliseconds grace) { dispatcher_->stop(grace); }

 private:
  std::unique_ptr<notify::SmsClient> sms_;
  std::unique_ptr<notify::Dispatcher> dispatcher_;
};

}  // namespace xiaoqu::gateway
