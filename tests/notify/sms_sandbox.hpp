#pragma once
// The sandbox on an ephemeral port with an SMS account, and SmsClients pointed at it over
// real sockets, for the notify tests.
#include <httplib.h>

#include <ctime>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "config/config.hpp"
#include "notify/sms_client.hpp"
#include "sandbox/sandbox.hpp"
#include "wechat/http_transport.hpp"

namespace xiaoqu::testing {

inline constexpr const char* kSmsSecretId = "AKIDsandboxXiaoquSms000000000000";
inline constexpr const char* kSmsSecretKey = "sandboxSmsSecretKey0123456789abc";
inline constexpr const char* kSmsAppId = "1400006666";
inline constexpr const char* kSmsSignName = "阳光物业";

inline config::Config sms_config() {
  nlohmann::json j = {
      {"log", {{"level", "error"}}},
      {"sandbox", {{"listen", "127.0.0.1"}, {"port", 0}, {"ticket_interval_seconds", 0}}},
      {"sms", {{"sdk_app_id", kSmsAppId}, {"sign_name", kSmsSignName}, {"region", "ap-guangzhou"}}},
      // Short backoff so retried calls do not slow the suite.
      {"http", {{"max_attempts", 3}, {"backoff_initial_ms", 1}, {"backoff_max_ms", 5}, {"read_timeout_ms", 5000}}},
  };
  config::Environment env = {
      {"XIAOQU_MASTER_KEY", "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"},
      {"XIAOQU_SMS__SECRET_ID", kSmsSecretId},
      {"XIAOQU_SMS__SECRET_KEY", kSmsSecretKey},
  };
  return config::load_from_text(j.dump(), env);
}

/// A started sandbox, a transport, and helpers for its SMS inspection and control API.
class SmsSandbox {
 public:
  SmsSandbox()
      : cfg_(sms_config()), sandbox_(std::make_unique<sandbox::Sandbox>(cfg_)),
        transport_(std::make_unique<wechat::HttpTransport>(cfg_.http)) {
    sandbox_->start();
  }
  ~SmsSandbox() {
    // Closing the pooled keep-alive connections first lets the server stop without waiting them out.
    transport_.reset();
    sandbox_->stop();
  }

  const config::Config& config() const { return cfg_; }
  sandbox::Sandbox& sandbox() { return *sandbox_; }
  wechat::HttpTransport& transport() { return *transport_; }
  std::string base_url() const { return sandbox_->base_url(); }
  /// SendSms calls the sandbox received, verified or not.
  std::uint64_t calls() { return sandbox_->counter("calls /"); }

  /// A client with the sandbox's SMS account, or with `sms` when given.
  notify::SmsClient client(notify::SmsClient::Clock clock = {}) { return client(cfg_.sms, std::move(clock)); }
  notify::SmsClient client(config::SmsConfig sms, notify::SmsClient::Clock clock = {}) {
    return notify::SmsClient(*transport_, std::move(sms), base_url(), cfg_.http, std::move(clock));
  }

  nlohmann::json messages() { return get("/sandbox/sms/messages").at("messages"); }
  void phone_fault(const std::string& phone, const std::string& code) { post("/sandbox/sms/phone_fault", {{"phone", phone}, {"code", code}}); }
  void call_fault(const std::string& code, long long count, long long after = 0) {
    post("/sandbox/sms/call_fault", {{"code", code}, {"count", count}, {"after", after}});
  }

  /// Sends a request as is and maps the reply (for hand-made and tampered requests).
  notify::SendSmsReply raw(const wechat::HttpRequest& req) { return notify::read_send_sms_reply(transport_->send(req, "test")); }
  /// A correctly signed request for `body` at the current time.
  wechat::HttpRequest signed_request(const std::string& body) {
    return notify::signed_send_sms(cfg_.sms, base_url(), body, static_cast<std::int64_t>(std::time(nullptr)));
  }

 private:
  nlohmann::json get(const std::string& path) {
    httplib::Client c(base_url());
    auto r = c.Get(path.c_str());
    if (!r || r->status != 200) throw std::runtime_error("sandbox GET " + path + " failed");
    return nlohmann::json::parse(r->body);
  }
  nlohmann::json post(const std::string& path, const nlohmann::json& body) {
    httplib::Client c(base_url());
    auto r = c.Post(path.c_str(), body.dump(), "application/json");
    if (!r || r->status != 200) throw std::runtime_error("sandbox POST " + path + " failed");
    return nlohmann::json::parse(r->body);
  }

  config::Config cfg_;
  std::unique_ptr<sandbox::Sandbox> sandbox_;
  std::unique_ptr<wechat::HttpTransport> transport_;
};

}  // namespace xiaoqu::testing
