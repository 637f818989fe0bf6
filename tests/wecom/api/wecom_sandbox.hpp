#pragma once
// The sandbox on an ephemeral port playing WeCom, and a client wired as the gateway wires
// one (HttpTransport, MemoryTokenStore, TokenProvider, ApiClient on platforms.wecom_api),
// talking over real sockets. Optionally pushing to a running gateway (TestServer).
#include <httplib.h>

#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "config/config.hpp"
#include "sandbox/sandbox.hpp"
#include "sandbox/tickets.hpp"
#include "tests/support/test_server.hpp"
#include "wechat/api_client.hpp"
#include "wechat/http_transport.hpp"
#include "wechat/token_provider.hpp"
#include "wecom/credentials.hpp"

namespace xiaoqu::testing {

inline constexpr const char* kCorpAgent = "1000002";
inline constexpr const char* kCorpSecret = "corpSecretForAgent1000002";
inline constexpr const char* kCorp2Id = "wwa1b2c3d4e5f60718";
inline constexpr const char* kCorp2Agent = "1000005";
inline constexpr const char* kCorp2Secret = "corp2SecretForAgent1000005";
inline constexpr const char* kSuiteSecret = "suiteSecretXiaoqu2024";
/// A corp that exists only as a simulated installation of the suite.
inline constexpr const char* kInstallCorpId = "wwc0ffee0123456789";

inline config::Environment wecom_secrets() {
  auto env = secrets();
  env["XIAOQU_WECOM__CORP__SECRET"] = kCorpSecret;
  env["XIAOQU_WECOM__SUITE__SECRET"] = kSuiteSecret;
  env["XIAOQU_WECOM__CORP2__TOKEN"] = "xiaoquCorp2Token";
  env["XIAOQU_WECOM__CORP2__ENCODING_AES_KEY"] = kCorpKey;
  env["XIAOQU_WECOM__CORP2__SECRET"] = kCorp2Secret;
  return env;
}

class WecomSandbox {
 public:
  /// `gateway_url`: where the sandbox pushes callbacks (a TestServer), or nowhere.
  explicit WecomSandbox(const std::string& gateway_url = "http://127.0.0.1:9") {
    nlohmann::json patch = {
        {"wecom", {{"corp2", {{"kind", "corp"}, {"corp_id", kCorp2Id}, {"agent_id", kCorp2Agent}}}}},
        {"sandbox", {{"listen", "127.0.0.1"}, {"port", 0}, {"ticket_interval_seconds", 0}, {"gateway_url", gateway_url}}},
        // Short backoff so retried calls do not slow the suite.
        {"http", {{"max_attempts", 3}, {"backoff_initial_ms", 1}, {"backoff_max_ms", 5}, {"read_timeout_ms", 5000}}},
    };
    auto dir = temp_dir();
    sandbox_ = std::make_unique<sandbox::Sandbox>(config::load_from_text(config_text(dir / "unused.db", patch), wecom_secrets()));
    sandbox_->start();
    // One answered request proves the listen loop runs: a stop() before that would hang.
    get("/sandbox/stats");
    patch["platforms"] = {{"wecom_api", sandbox_->base_url()}};
    cfg_ = config::load_from_text(config_text(dir / "unused.db", patch), wecom_secrets());
    transport_ = std::make_unique<wechat::HttpTransport>(cfg_.http);
    tokens_ = std::make_unique<wechat::TokenProvider>(store_);
    api_ = std::make_unique<wechat::ApiClient>(*transport_, *tokens_, cfg_.platforms.wecom_api, cfg_.http);
  }
  ~WecomSandbox() {
    // Close the client's keep-alive connections first, or the server waits them out on stop.
    api_.reset();
    tokens_.reset();
    transport_.reset();
    sandbox_->stop();
  }

  sandbox::Sandbox& sb() { return *sandbox_; }
  const config::Config& config() const { return cfg_; }
  wechat::TokenProvider& tokens() { return *tokens_; }
  wechat::ApiClient& api() { return *api_; }

  /// The self-built app "corp" with its configured secret.
  wechat::CredentialKey corp() { return wecom::define_corp(*tokens_, *api_, kCorpId, kCorpAgent, kCorpSecret); }

  /// Makes `ticket` the newest suite_ticket, as a push from WeCom would.
  void set_latest_ticket(const std::string& ticket) {
    std::lock_guard lk(sandbox_->mutex());
    sandbox_->state<sandbox::Tickets>().suite_ticket[kSuiteId] = ticket;
  }
  /// The suite, fetching its token with whatever ticket `ticket` holds at the time.
  wechat::CredentialKey suite(std::shared_ptr<std::optional<std::string>> ticket) {
    return wecom::define_suite(*tokens_, *api_, kSuiteId, kSuiteSecret, [ticket] { return *ticket; });
  }

  std::uint64_t calls(const std::string& path) { return sandbox_->counter("calls " + path); }

  nlohmann::json post(const std::string& path, const nlohmann::json& body) {
    auto r = client().Post(path.c_str(), body.dump(), "application/json");
    if (!r) throw std::runtime_error("sandbox unreachable: " + path);
    return nlohmann::json::parse(r->body);
  }
  nlohmann::json get(const std::string& path) {
    auto r = client().Get(path.c_str());
    if (!r) throw std::runtime_error("sandbox unreachable: " + path);
    return nlohmann::json::parse(r->body);
  }

 private:
  httplib::Client client() {
    httplib::Client c(sandbox_->base_url());
    c.set_read_timeout(10, 0);
    return c;
  }

  std::unique_ptr<sandbox::Sandbox> sandbox_;
  config::Config cfg_;
  std::unique_ptr<wechat::HttpTransport> transport_;
  wechat::MemoryTokenStore store_;
  std::unique_ptr<wechat::TokenProvider> tokens_;
  std::unique_ptr<wechat::ApiClient> api_;
};

/// The PlatformError `call` throws; a call that succeeds fails the test with an exception.
template <class F>
wechat::PlatformError platform_error(F&& call) {
  try {
    call();
  } catch (const wechat::PlatformError& e) {
    return e;
  }
  throw std::runtime_error("expected a PlatformError, but the call succeeded");
}

}  // namespace xiaoqu::testing
