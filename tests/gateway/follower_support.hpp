#pragma once
// A sandbox playing WeChat with N generated followers and a gateway whose Official Account
// kMpAppid is configured with its secret, so the follower sync starts by itself.
#include <chrono>
#include <memory>
#include <thread>

#include "sandbox/sandbox.hpp"
#include "tests/support/test_server.hpp"

namespace xiaoqu::testing {

inline config::Environment follower_env() {
  auto env = secrets();
  env["XIAOQU_OFFICIAL_ACCOUNTS__WX5D3C9A1B7E20F468__APP_SECRET"] = "mpSecret0123456789";
  return env;
}

inline nlohmann::json follower_patch(const std::string& sandbox_url, unsigned followers, const nlohmann::json& more = nlohmann::json::object()) {
  nlohmann::json j = {{"platforms", {{"wechat_api", sandbox_url}}},
                      {"http", {{"backoff_initial_ms", 10}, {"backoff_max_ms", 50}, {"max_attempts", 2}}},
                      {"sandbox", {{"port", 0}, {"ticket_interval_seconds", 0}, {"followers", followers}}}};
  j.merge_patch(more);
  return j;
}

/// The sandbox first (the gateway's config needs its address), then the gateway.
class FollowerWorld {
 public:
  explicit FollowerWorld(unsigned followers, const nlohmann::json& more = nlohmann::json::object())
      : dir_(temp_dir()), followers_(followers), more_(more) {
    sb_ = std::make_unique<sandbox::Sandbox>(
        config::load_from_text(config_text(dir_ / "sandbox-unused.db", follower_patch("http://127.0.0.1:1", followers)), follower_env()));
    sb_->start();
    restart();
  }
  ~FollowerWorld() {
    gw_.reset();
    sb_->stop();
  }
  /// (Re)starts the gateway on the same store.
  void restart() {
    gw_.reset();
    gw_ = std::make_unique<TestServer>(follower_patch(sb_->base_url(), followers_, more_), dir_, follower_env());
    sb_->set_gateway_url(gw_->url());
  }
  void shutdown() { gw_.reset(); }

  sandbox::Sandbox& sb() { return *sb_; }
  TestServer& gw() { return *gw_; }
  long long count(const std::string& sql) const {
    store::Connection c((dir_ / "xiaoqu.db").string(), true);
    store::Statement s(c, sql);
    s.step();
    return s.integer(0);
  }
  /// Waits until `sql` counts at least `n`; false after `seconds`.
  bool wait_for(const std::string& sql, long long n, int seconds = 120) const {
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (std::chrono::steady_clock::now() < until) {
      if (count(sql) >= n) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }
  std::uint64_t calls(const std::string& path) { return sb_->counter("calls " + path); }
  nlohmann::json control(const std::string& path, const nlohmann::json& body) {
    httplib::Client c(sb_->base_url());
    c.set_read_timeout(10, 0);
    auto r = c.Post(path.c_str(), body.dump(), "application/json");
    if (!r) return {{"error", "no response"}};
    return nlohmann::json::parse(r->body, nullptr, false);
  }

 private:
  std::filesystem::path dir_;
  unsigned followers_;
  nlohmann::json more_;
  std::unique_ptr<sandbox::Sandbox> sb_;
  std::unique_ptr<TestServer> gw_;
};

}  // namespace xiaoqu::testing
