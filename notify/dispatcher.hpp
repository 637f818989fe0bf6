#pragma once
// Sends what the outbox holds. Each pump() claims due rows in one write job (under a lease,
// so a sender that dies mid-send leaves rows another start sends again), sends them on the
// worker pool — template messages through the token provider's ApiClient, SMS through the
// SMS client — and records each outcome: sent with the platform's id, a transient failure
// retried with exponential backoff and jitter, or a permanent failure kept for admins.
//
// Delivery is at least once: a crash between the platform accepting a message and the
// commit of "sent" sends it again after the lease. Template messages carry the idempotency
// key as client_msg_id, which the platform de-duplicates for 10 minutes; SendSms has no
// de-duplication (SessionContext is only echoed back), so such a crash can repeat one SMS.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>

#include "config/config.hpp"
#include "config/worker_pool.hpp"
#include "notify/outbox_rate.hpp"
#include "notify/outbox_store.hpp"
#include "notify/sms_client.hpp"
#include "store/database.hpp"
#include "wechat/api_client.hpp"

namespace xiaoqu::notify {

/// What one send came to.
struct SendOutcome {
  enum class Kind { sent, transient, permanent };
  Kind kind = Kind::sent;
  std::string platform_msg_id;  ///< msgid or SerialNo when sent
  std::string error;            ///< why not, without personal data
};

class Dispatcher {
 public:
  /// The credential that sends as `appid`: the account's own token or an authorizer's.
  using CredentialFor = std::function<std::optional<wechat::CredentialKey>(const std::string& appid)>;

  /// `sms` may be null (SMS not configured): SMS rows then wait and retry until it is.
  Dispatcher(config::OutboxConfig cfg, store::Database& db, WorkerPool& workers, wechat::ApiClient& wechat_api,
             CredentialFor credential, SmsClient* sms);
  ~Dispatcher();
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  /// Claims and sends what is due, up to the free concurrency. Never blocks; call it on a timer.
  void pump();
  /// No new claims; waits up to `grace` for the sends in flight to be recorded. Rows still
  /// claimed after that are sent again once their lease expires.
  void stop(std::chrono::milliseconds grace);

  struct Stats {
    std::uint64_t claimed = 0, sent = 0, retried = 0, failed = 0;
  };
  Stats stats() const;
  unsigned in_flight() const;

  /// The delay before attempt `attempts + 1` (without jitter): base * 2^(attempts-1), capped.
  static std::int64_t backoff_ms(const config::OutboxConfig& cfg, int attempts);

 private:
  void send(ClaimedRow row);
  SendOutcome send_template(const ClaimedRow& row);
  SendOutcome send_sms(const ClaimedRow& row);
  void record(const ClaimedRow& row, const SendOutcome& outcome);
  void finished();

  config::OutboxConfig cfg_;
  store::Database& db_;
  WorkerPool& workers_;
  wechat::ApiClient& wechat_api_;
  CredentialFor credential_;
  SmsClient* sms_;
  SendRate rate_;

  mutable std::mutex mu_;
  std::condition_variable idle_;
  unsigned in_flight_ = 0;
  bool claiming_ = false;
  bool stopped_ = false;
  Stats stats_;
  std::mt19937 jitter_{std::random_device{}()};
};

}  // namespace xiaoqu::notify
