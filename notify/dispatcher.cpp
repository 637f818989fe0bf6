#include "notify/dispatcher.hpp"

#include <algorithm>
#include <ctime>
#include <map>

#include "config/log.hpp"
#include "wechat/api/template_message.hpp"

namespace xiaoqu::notify {
namespace {
std::int64_t unix_now() { return static_cast<std::int64_t>(std::time(nullptr)); }

// Errors the platform will answer the same way however often we ask: the recipient or the
// template is wrong, or the user refused (docs/protocol/template-messages.md).
//   40003 invalid openid, 40036/40037 invalid template, 43004 not following, 43101 user refused,
//   47003 data invalid, 40013 invalid appid, 48001 api unauthorized.
bool permanent_template_error(long long errcode) {
  switch (errcode) {
    case 40003: case 40013: case 40036: case 40037: case 43004: case 43101: case 47003: case 48001:
      return true;
    default:
      return false;
  }
}

SendOutcome transient(std::string why) { return {SendOutcome::Kind::transient, {}, std::move(why)}; }
SendOutcome permanent(std::string why) { return {SendOutcome::Kind::permanent, {}, std::move(why)}; }

std::string describe(const wechat::PlatformError& e) {
  if (e.kind() == wechat::PlatformError::Kind::platform) return std::to_string(e.errcode()) + " " + e.errmsg();
  if (e.kind() == wechat::PlatformError::Kind::http_status) return "HTTP " + std::to_string(e.http_status());
  return std::string(wechat::label(e.kind())) + ": " + e.errmsg();
}
}  // namespace

Dispatcher::Dispatcher(config::OutboxConfig cfg, store::Database& db, WorkerPool& workers, wechat::ApiClient& wechat_api,
                       CredentialFor credential, SmsClient* sms)
    : cfg_(cfg), db_(db), workers_(workers), wechat_api_(wechat_api), credential_(std::move(credential)), sms_(sms),
      // One poll interval's worth of burst: enough to keep the rate with polling, no more.
      rate_(cfg.rate_per_second, static_cast<double>(cfg.rate_per_second) * cfg.poll_ms / 1000.0) {}

Dispatcher::~Dispatcher() { stop(std::chrono::milliseconds(0)); }

std::int64_t Dispatcher::backoff_ms(const config::OutboxConfig& cfg, int attempts) {
  int doublings = std::clamp(attempts - 1, 0, 40);
  double ms = static_cast<double>(cfg.backoff_base_ms) * static_cast<double>(1ull << std::min(doublings, 40));
  return static_cast<std::int64_t>(std::min(ms, static_cast<double>(cfg.backoff_cap_ms)));
}

void Dispatcher::pump() {
  int free = 0;
  {
    std::lock_guard lk(mu_);
    if (stopped_ || claiming_ || in_flight_ >= cfg_.concurrency) return;
    claiming_ = true;
    free = static_cast<int>(cfg_.concurrency - in_flight_);
  }
  auto claimed = std::make_shared<std::vector<ClaimedRow>>();
  std::int64_t now = unix_now();
  db_.submit(
      [this, claimed, free, now](store::Connection& c) {
        *claimed = claim_due(c, now, free, static_cast<int>(cfg_.lease_seconds), [this](const std::string& account) { return rate_.take(account); });
      },
      [this, claimed](std::exception_ptr e) {
        if (e) {
          claimed->clear();
          try {
            std::rethrow_exception(e);
          } catch (const std::exception& ex) {
            log::error("outbox.claim_failed", {{"error", ex.what()}});
          }
        }
        {
          std::lock_guard lk(mu_);
          claiming_ = false;
          in_flight_ += static_cast<unsigned>(claimed->size());
          stats_.claimed += claimed->size();
        }
        for (auto& row : *claimed) workers_.post([this, row = std::move(row)]() mutable { send(std::move(row)); });
      });
}

void Dispatcher::stop(std::chrono::milliseconds grace) {
  std::unique_lock lk(mu_);
  stopped_ = true;
  idle_.wait_for(lk, grace, [this] { return in_flight_ == 0 && !claiming_; });
}

Dispatcher::Stats Dispatcher::stats() const {
  std::lock_guard lk(mu_);
  return stats_;
}

unsigned Dispatcher::in_flight() const {
  std::lock_guard lk(mu_);
  return in_flight_;
}

void Dispatcher::send(ClaimedRow row) {
  SendOutcome outcome;
  try {
    outcome = row.channel == "sms" ? send_sms(row) : send_template(row);
  } catch (const std::exception& e) {
    // An unexpected error is not proof the message is undeliverable: try again later.
    outcome = transient(std::string("unexpected: ") + e.what());
  }
  record(row, outcome);
}

SendOutcome Dispatcher::send_template(const ClaimedRow& row) {
  auto p = nlohmann::json::parse(row.payload, nullptr, false);
  if (!p.is_object()) return permanent("payload is not a JSON object");
  auto key = credential_(row.account);
  if (!key) return transient("no credential for account " + row.account + " (no app_secret and not authorized)");
  wechat::api::TemplateMessage m;
  m.touser = p.value("openid", "");
  m.template_id = p.value("template_id", "");
  m.url = p.value("url", "");
  // The platform drops a second message with the same openid + client_msg_id for 10 minutes,
  // so a send repeated after a crash does not reach the user twice.
  m.client_msg_id = row.idempotency_key;
  if (auto d = p.find("data"); d != p.end() && d->is_object())
    for (const auto& [name, entry] : d->items())
      if (entry.is_object() && entry.contains("value") && entry["value"].is_string()) m.data[name] = entry["value"].get<std::string>();
  try {
    return {SendOutcome::Kind::sent, std::to_string(wechat::api::send_template_message(wechat_api_, *key, m)), {}};
  } catch (const wechat::PlatformError& e) {
    bool gone = e.kind() == wechat::PlatformError::Kind::platform && permanent_template_error(e.errcode());
    return gone ? permanent(describe(e)) : transient(describe(e));
  }
}

SendOutcome Dispatcher::send_sms(const ClaimedRow& row) {
  if (!sms_) return transient("SMS is not configured (sms.secret_id, sms.secret_key, sms.sdk_app_id)");
  auto p = nlohmann::json::parse(row.payload, nullptr, false);
  if (!p.is_object()) return permanent("payload is not a JSON object");
  SmsMessage m;
  m.phone_numbers = {p.value("phone", "")};
  m.template_id = p.value("template_id", "");
  if (auto params = p.find("params"); params != p.end() && params->is_array())
    for (const auto& v : *params)
      if (v.is_string()) m.template_params.push_back(v.get<std::string>());
  // Echoed back in the reply and the delivery receipt: ties them to this row.
  m.session_context = row.idempotency_key;
  try {
    SmsResult r = sms_->send(m);
    if (r.statuses.empty()) return transient("SendSms returned no status");
    const SendStatus& s = r.statuses.front();
    if (s.ok()) return {SendOutcome::Kind::sent, s.serial_no, {}};
    std::string why = s.code + " " + s.message;
    return s.throttled() ? transient(why) : permanent(why);
  } catch (const SmsError& e) {
    std::string why = e.code().empty() ? std::string(label(e.kind())) + ": " + e.message() : e.code() + " " + e.message();
    return e.transient() ? transient(why) : permanent(why);
  }
}

void Dispatcher::record(const ClaimedRow& row, const SendOutcome& outcome) {
  std::int64_t now = unix_now();
  std::int64_t next = now;
  bool give_up = false;
  if (outcome.kind == SendOutcome::Kind::transient) {
    std::int64_t delay = backoff_ms(cfg_, row.attempts);
    {
      std::lock_guard lk(mu_);
      // Full jitter over the upper half, so rows that failed together do not retry together.
      delay = delay / 2 + static_cast<std::int64_t>(jitter_() % static_cast<std::uint64_t>(delay / 2 + 1));
    }
    next = now + (delay + 999) / 1000;
    give_up = row.attempts >= static_cast<int>(cfg_.max_attempts);
  }
  // Row ids and outcomes only: the payload holds the recipient.
  if (outcome.kind == SendOutcome::Kind::sent)
    log::debug("outbox.sent", {{"id", std::to_string(row.id)}, {"account", row.account}, {"msg_id", outcome.platform_msg_id}});
  else
    log::warn(outcome.kind == SendOutcome::Kind::permanent || give_up ? "outbox.failed" : "outbox.retry",
              {{"id", std::to_string(row.id)}, {"account", row.account}, {"attempts", std::to_string(row.attempts)},
               {"error", scrub_digits(outcome.error)}});
  std::int64_t id = row.id;
  db_.submit(
      [id, outcome, now, next, give_up](store::Connection& c) {
        switch (outcome.kind) {
          case SendOutcome::Kind::sent: record_sent(c, id, outcome.platform_msg_id, now); break;
          case SendOutcome::Kind::transient: record_retry(c, id, outcome.error, next, give_up, now); break;
          case SendOutcome::Kind::permanent: record_failed(c, id, outcome.error, now); break;
        }
      },
      [this, kind = outcome.kind, give_up, id](std::exception_ptr e) {
        if (e) {
          // The row stays claimed; its lease expiring sends it again.
          try {
            std::rethrow_exception(e);
          } catch (const std::exception& ex) {
            log::error("outbox.record_failed", {{"id", std::to_string(id)}, {"error", ex.what()}});
          }
        }
        {
          std::lock_guard lk(mu_);
          if (kind == SendOutcome::Kind::sent) ++stats_.sent;
          else if (kind == SendOutcome::Kind::permanent || give_up) ++stats_.failed;
          else ++stats_.retried;
        }
        finished();
      });
}

void Dispatcher::finished() {
  bool refill = false;
  {
    std::lock_guard lk(mu_);
    --in_flight_;
    // Claim again once half the slots are free, rather than one row per finished send.
    refill = !stopped_ && in_flight_ <= cfg_.concurrency / 2;
  }
  idle_.notify_all();
  if (refill) pump();
}

}  // namespace xiaoqu::notify
