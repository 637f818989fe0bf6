#pragma once
// A real gateway on an ephemeral port with a fresh SQLite file, and the means to talk to it
// as the platforms do: signed, encrypted pushes over a real socket.
#include <httplib.h>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>

#include "config/config.hpp"
#include "gateway/app.hpp"
#include "store/database.hpp"
#include "store/sqlite.hpp"
#include "wechat/msg_crypt.hpp"

#ifndef XIAOQU_TEST_DATA
#define XIAOQU_TEST_DATA "tests/data"
#endif

namespace xiaoqu::testing {

// A client writing to a connection the server closed (413, 431) must see EPIPE, not die.
inline const bool kIgnoreSigpipe = [] {
  std::signal(SIGPIPE, SIG_IGN);
  return true;
}();

// The accounts of the vectors (tests/data/msgcrypt.json), so vector pushes replay as sent.
inline constexpr const char* kMpAppid = "wx5d3c9a1b7e20f468";
inline constexpr const char* kMpToken = "xiaoquMpToken2024";
inline constexpr const char* kMpKey = "Q7mZ2xK9pL4vN8rT1wY6sB3dF5gH0jC2eA9uV7iO4kR";
inline constexpr const char* kPlainAppid = "wxplain0000000001";
inline constexpr const char* kPlainToken = "plainToken42";
inline constexpr const char* kCompatAppid = "wxcompat000000001";
inline constexpr const char* kCompatToken = "compatToken42";
inline constexpr const char* kCompatKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
inline constexpr const char* kComponentAppid = "wx7a2b4c6d8e0f1a3b";
inline constexpr const char* kComponentToken = "xiaoquComponentTk";
inline constexpr const char* kComponentKey = "Zc5Xv2Bn8Mm1Aa4Ss7Dd0Ff3Gg6Hh9Jj2Kk5Ll8Qq1W";
inline constexpr const char* kCorpId = "ww8f2c6d1e0a9b7354";
inline constexpr const char* kCorpToken = "xiaoquWeComToken";
inline constexpr const char* kCorpKey = "hT4nB8vC2xZ6mQ1wE9rY5uI3oP7aS0dF4gJ8kL2zX6c";
inline constexpr const char* kSuiteId = "wwd4e1f7a3c5b29068";
inline constexpr const char* kSuiteToken = "xiaoquSuiteToken";
inline constexpr const char* kSuiteKey = "m3Kx8Pq1Zs6Vb9Nc2Lw5Jr7Ht0Yf4Dg1Ea8Uo3Ti6Rk";

inline nlohmann::json vectors() {
  std::ifstream in(std::string(XIAOQU_TEST_DATA) + "/msgcrypt.json");
  return nlohmann::json::parse(in);
}

inline nlohmann::json vector_case(const std::string& id) {
  auto all = vectors();
  for (const auto& c : all["cases"])
    if (c["id"] == id) return c;
  throw std::runtime_error("no vector " + id);
}

inline std::filesystem::path temp_dir() {
  static std::atomic<int> n{0};
  auto p = std::filesystem::temp_directory_path() /
           ("xiaoqu-test-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
  std::filesystem::remove_all(p);
  std::filesystem::create_directories(p);
  return p;
}

inline config::Environment secrets() {
  return {
      {"XIAOQU_MASTER_KEY", "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"},
      {"XIAOQU_OFFICIAL_ACCOUNTS__WX5D3C9A1B7E20F468__TOKEN", kMpToken},
      {"XIAOQU_OFFICIAL_ACCOUNTS__WX5D3C9A1B7E20F468__ENCODING_AES_KEY", kMpKey},
      {"XIAOQU_OFFICIAL_ACCOUNTS__WXPLAIN0000000001__TOKEN", kPlainToken},
      {"XIAOQU_OFFICIAL_ACCOUNTS__WXCOMPAT000000001__TOKEN", kCompatToken},
      {"XIAOQU_OFFICIAL_ACCOUNTS__WXCOMPAT000000001__ENCODING_AES_KEY", kCompatKey},
      {"XIAOQU_COMPONENTS__WX7A2B4C6D8E0F1A3B__TOKEN", kComponentToken},
      {"XIAOQU_COMPONENTS__WX7A2B4C6D8E0F1A3B__ENCODING_AES_KEY", kComponentKey},
      {"XIAOQU_WECOM__CORP__TOKEN", kCorpToken},
      {"XIAOQU_WECOM__CORP__ENCODING_AES_KEY", kCorpKey},
      {"XIAOQU_WECOM__SUITE__TOKEN", kSuiteToken},
      {"XIAOQU_WECOM__SUITE__ENCODING_AES_KEY", kSuiteKey},
  };
}

inline std::string config_text(const std::filesystem::path& db, const nlohmann::json& patch = nlohmann::json::object()) {
  nlohmann::json j = {
      {"server", {{"listen", "127.0.0.1"}, {"port", 0}, {"threads", 2}, {"shutdown_grace_ms", 2000}}},
      {"store", {{"path", db.string()}}},
      {"log", {{"level", "error"}}},
      {"official_accounts",
       {{kMpAppid, {{"mode", "safe"}, {"name", "阳光花园"}}},
        {kPlainAppid, {{"mode", "plaintext"}}},
        {kCompatAppid, {{"mode", "compatible"}}}}},
      {"components", {{kComponentAppid, nlohmann::json::object()}}},
      {"wecom",
       {{"corp", {{"kind", "corp"}, {"corp_id", kCorpId}, {"agent_id", "1000002"}}},
        {"suite", {{"kind", "suite"}, {"suite_id", kSuiteId}}}}},
  };
  j.merge_patch(patch);
  return j.dump();
}

/// The gateway, started on 127.0.0.1 with an ephemeral port.
class TestServer {
 public:
  explicit TestServer(const nlohmann::json& patch = nlohmann::json::object(), std::filesystem::path dir = temp_dir(),
                      const config::Environment& extra_env = {})
      : dir_(std::move(dir)) {
    auto env = secrets();
    for (const auto& [k, v] : extra_env) env[k] = v;
    app_ = std::make_unique<gateway::App>(config::load_from_text(config_text(db_path(), patch), env));
    port_ = app_->start();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  ~TestServer() { app_.reset(); }

  std::filesystem::path db_path() const { return dir_ / "xiaoqu.db"; }
  const std::filesystem::path& dir() const { return dir_; }
  unsigned short port() const { return port_; }
  gateway::App& app() { return *app_; }
  httplib::Client client() const {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(5, 0);
    return c;
  }
  /// Stops the server and the store, keeping the files.
  void shutdown() { app_.reset(); }

  /// Counts rows with a fresh connection (what is on disk, not in memory).
  long long count(const std::string& sql) const {
    store::Connection c(db_path().string(), true);
    store::Statement s(c, sql);
    s.step();
    return s.integer(0);
  }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<gateway::App> app_;
  unsigned short port_ = 0;
};

inline std::string now_ts() { return std::to_string(std::time(nullptr)); }

inline std::string random_nonce() {
  static std::mt19937 rng{12345};
  return std::to_string(100000000 + rng() % 900000000);
}

/// An encrypted push as the platform sends it: envelope body and signed query.
struct Push {
  std::string query, body;
};

inline Push encrypted_push(const char* token, const char* key, const std::string& receive_id, const std::string& inner,
                           const std::string& ts = now_ts(), const std::string& to_user = "gh_3f2a91c0d7e5") {
  wechat::MsgCrypt crypt(token, key);
  std::string nonce = random_nonce();
  std::string enc = crypt.encrypt(inner, receive_id);
  Push p;
  p.body = "<xml><ToUserName><![CDATA[" + to_user + "]]></ToUserName><Encrypt><![CDATA[" + enc + "]]></Encrypt></xml>";
  p.query = "signature=" + wechat::sha1_signature({token, ts, nonce}) + "&timestamp=" + ts + "&nonce=" + nonce +
            "&encrypt_type=aes&msg_signature=" + wechat::sha1_signature({token, ts, nonce, enc});
  return p;
}

/// A push whose Encrypt text is given as is (for malformed ciphertexts), correctly signed.
inline Push signed_envelope(const char* token, const std::string& encrypt_text, const std::string& ts = now_ts()) {
  std::string nonce = random_nonce();
  Push p;
  p.body = "<xml><ToUserName><![CDATA[gh_3f2a91c0d7e5]]></ToUserName><Encrypt><![CDATA[" + encrypt_text + "]]></Encrypt></xml>";
  p.query = "timestamp=" + ts + "&nonce=" + nonce + "&encrypt_type=aes&msg_signature=" +
            wechat::sha1_signature({token, ts, nonce, encrypt_text});
  return p;
}

inline std::string text_message(const std::string& openid, long long msg_id, const std::string& content,
                                const std::string& create_time = now_ts()) {
  return "<xml><ToUserName><![CDATA[gh_3f2a91c0d7e5]]></ToUserName><FromUserName><![CDATA[" + openid +
         "]]></FromUserName><CreateTime>" + create_time + "</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[" +
         content + "]]></Content><MsgId>" + std::to_string(msg_id) + "</MsgId></xml>";
}

/// Returns the inner XML of an encrypted reply after checking its signature; empty on failure.
inline std::string open_reply(const char* token, const char* key, const std::string& envelope, std::string* receive_id = nullptr) {
  auto field = [&](const std::string& name) {
    auto b = envelope.find("<" + name + ">");
    auto e = envelope.find("</" + name + ">");
    if (b == std::string::npos || e == std::string::npos) return std::string();
    std::string v = envelope.substr(b + name.size() + 2, e - b - name.size() - 2);
    if (v.rfind("<![CDATA[", 0) == 0) v = v.substr(9, v.size() - 12);
    return v;
  };
  std::string enc = field("Encrypt"), sig = field("MsgSignature"), ts = field("TimeStamp"), nonce = field("Nonce");
  wechat::MsgCrypt crypt(token, key);
  if (!crypt.verify_msg_signature(sig, ts, nonce, enc)) return {};
  wechat::MsgCrypt::Decrypted d;
  if (crypt.decrypt(enc, d) != wechat::CryptError::ok) return {};
  if (receive_id) *receive_id = d.receive_id;
  return d.message;
}

}  // namespace xiaoqu::testing
