#pragma once
// The sandbox on an ephemeral port with the test accounts of tests/support/test_server.hpp,
// the client stack a gateway builds over it (transport, memory token store, provider, API
// client), and a small catcher standing in for the gateway to read what the sandbox pushes.
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/config.hpp"
#include "sandbox/sandbox.hpp"
#include "tests/support/test_server.hpp"
#include "wechat/api_client.hpp"
#include "wechat/credentials.hpp"
#include "wechat/http_transport.hpp"
#include "wechat/message.hpp"
#include "wechat/msg_crypt.hpp"
#include "wechat/token_provider.hpp"

namespace xiaoqu::testing {

inline constexpr const char* kMpSecret = "mpAppSecret0123456789abcdef012345";
inline constexpr const char* kPlainSecret = "plainAppSecret0123456789abcdef01";
inline constexpr const char* kComponentSecret = "componentSecret0123456789abcdef0";

/// Records every POST it receives and answers "success", as the gateway would.
class PushCatcher {
 public:
  struct Received {
    std::string path;
    httplib::Params params;
    std::string body;
  };

  PushCatcher() {
    server_.Post(R"(/.*)", [this](const httplib::Request& req, httplib::Response& res) {
      {
        std::lock_guard lk(mu_);
        received_.push_back({req.path, req.params, req.body});
      }
      cv_.notify_all();
      res.set_content("success", "text/plain");
    });
    server_.set_tcp_nodelay(true);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // stop() before the listen loop runs is lost and join() would wait forever.
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~PushCatcher() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  /// The first push satisfying `match`, waiting up to `timeout` for it.
  std::optional<Received> wait_for(const std::function<bool(const Received&)>& match,
                                   std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    std::unique_lock lk(mu_);
    std::optional<Received> found;
    cv_.wait_for(lk, timeout, [&] {
      for (const auto& r : received_) {
        if (!match(r)) continue;
        found = r;
        return true;
      }
      return false;
    });
    return found;
  }
  std::size_t count() {
    std::lock_guard lk(mu_);
    return received_.size();
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Received> received_;
};

/// The inner XML of an encrypted push after checking its msg_signature; empty on failure.
inline std::string open_push(const PushCatcher::Received& r, const char* token, const char* key, std::string* receive_id = nullptr) {
  auto param = [&](const char* name) {
    auto it = r.params.find(name);
    return it == r.params.end() ? std::string() : it->second;
  };
  wechat::Envelope env = wechat::parse_envelope(r.body);
  wechat::MsgCrypt crypt(token, key);
  if (!crypt.verify_msg_signature(param("msg_signature"), param("timestamp"), param("nonce"), env.encrypt)) return {};
  wechat::MsgCrypt::Decrypted d;
  if (crypt.decrypt(env.encrypt, d) != wechat::CryptError::ok) return {};
  if (receive_id) *receive_id = d.receive_id;
  return d.message;
}

inline config::Environment api_secrets() {
  return {
      {"XIAOQU_MASTER_KEY", "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"},
      {"XIAOQU_OFFICIAL_ACCOUNTS__WX5D3C9A1B7E20F468__TOKEN", kMpToken},
      {"XIAOQU_OFFICIAL_ACCOUNTS__WX5D3C9A1B7E20F468__ENCODING_AES_KEY", kMpKey},
      {"XIAOQU_OFFICIAL_ACCOUNTS__WX5D3C9A1B7E20F468__APP_SECRET", kMpSecret},
      {"XIAOQU_OFFICIAL_ACCOUNTS__WXPLAIN0000000001__TOKEN", kPlainToken},
      {"XIAOQU_OFFICIAL_ACCOUNTS__WXPLAIN0000000001__APP_SECRET", kPlainSecret},
      {"XIAOQU_COMPONENTS__WX7A2B4C6D8E0F1A3B__TOKEN", kComponentToken},
      {"XIAOQU_COMPONENTS__WX7A2B4C6D8E0F1A3B__ENCODING_AES_KEY", kComponentKey},
      {"XIAOQU_COMPONENTS__WX7A2B4C6D8E0F1A3B__APP_SECRET", kComponentSecret},
  };
}

/// A config patch giving each Official Account `n` generated followers.
inline nlohmann::json with_followers(unsigned n) { return {{"sandbox", {{"followers", n}}}}; }

/// A started sandbox and a client stack pointed at it, with kMpAppid's token defined.
class ApiSandbox {
 public:
  explicit ApiSandbox(const nlohmann::json& patch = nlohmann::json::object()) {
    nlohmann::json j = {
        {"store", {{"path", "unused.db"}}},
        {"log", {{"level", "error"}}},
        {"official_accounts", {{kMpAppid, {{"mode", "safe"}, {"name", "阳光花园"}}}, {kPlainAppid, {{"mode", "plaintext"}}}}},
        {"components", {{kComponentAppid, nlohmann::json::object()}}},
        {"http", {{"backoff_initial_ms", 5}, {"backoff_max_ms", 40}}},
        {"sandbox", {{"listen", "127.0.0.1"}, {"port", 0}, {"gateway_url", gateway.url()}, {"followers", 30}, {"ticket_interval_seconds", 0}}},
    };
    j.merge_patch(patch);
    cfg = config::load_from_text(j.dump(), api_secrets());
    sb = std::make_unique<sandbox::Sandbox>(cfg);
    sb->start();
    cfg.platforms.wechat_api = sb->base_url();
    cfg.platforms.wechat_mp = sb->base_url();
    transport = std::make_unique<wechat::HttpTransport>(cfg.http);
    tokens = std::make_unique<wechat::TokenProvider>(store);
    api = std::make_unique<wechat::ApiClient>(*transport, *tokens, cfg.platforms.wechat_api, cfg.http);
    mp = wechat::define_official_account(*tokens, *api, kMpAppid, kMpSecret);
  }
  ~ApiSandbox() {
    // Our idle keep-alive connections would hold the sandbox's workers (and stop()) for seconds.
    api.reset();
    tokens.reset();
    transport.reset();
    sb->stop();
  }

  /// POSTs JSON to the sandbox (control endpoints, or raw API calls) and returns {status, body}.
  std::pair<int, nlohmann::json> post(const std::string& target, const nlohmann::json& body) {
    httplib::Client c(sb->base_url());
    c.set_tcp_nodelay(true);
    c.set_read_timeout(10, 0);
    auto r = c.Post(target.c_str(), body.dump(), "application/json");
    if (!r) return {0, nullptr};
    return {r->status, nlohmann::json::parse(r->body, nullptr, false)};
  }
  std::pair<int, nlohmann::json> get(const std::string& target) {
    httplib::Client c(sb->base_url());
    c.set_tcp_nodelay(true);
    auto r = c.Get(target.c_str());
    if (!r) return {0, nullptr};
    return {r->status, nlohmann::json::parse(r->body, nullptr, false)};
  }
  /// A live Official Account token for raw calls.
  std::string mp_token() { return tokens->get(mp); }
  std::uint64_t counter(const std::string& name) { return sb->counter(name); }

  PushCatcher gateway;  // first: the sandbox's config points at it
  config::Config cfg;
  std::unique_ptr<sandbox::Sandbox> sb;
  std::unique_ptr<wechat::HttpTransport> transport;
  wechat::MemoryTokenStore store;
  std::unique_ptr<wechat::TokenProvider> tokens;
  std::unique_ptr<wechat::ApiClient> api;
  wechat::CredentialKey mp;
};

/// Runs `f` and returns the PlatformError it throws (fails the test when it throws none).
template <class F>
wechat::PlatformError platform_error_of(F&& f) {
  try {
    f();
  } catch (const wechat::PlatformError& e) {
    return e;
  }
  ADD_FAILURE() << "no PlatformError thrown";
  return wechat::PlatformError("none", wechat::PlatformError::Kind::bad_response, 0, "none");
}

}  // namespace xiaoqu::testing
