#pragma once
// Shared pieces of the sandbox's Official Account and Open Platform modules: account lookup,
// the token check of the account APIs, control-endpoint answers, and event pushes to the
// gateway (encrypted, or plaintext for plaintext-mode accounts).
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

#include "sandbox/sandbox.hpp"

namespace xiaoqu::sandbox {

std::int64_t unix_now();
/// Random text drawn from `alphabet` (tokens, codes, tickets).
std::string random_text(std::size_t n, std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-");
/// Characters (code points) of UTF-8 text: the platform's limits count characters, not bytes.
std::size_t utf8_length(std::string_view s);
/// A stable 64-bit hash (FNV-1a, then a finaliser) for generated data.
std::uint64_t stable_hash(std::string_view s, std::uint64_t salt = 0);

const config::OfficialAccount* find_official_account(const config::Config& cfg, const std::string& appid);
const config::Component* find_component(const config::Config& cfg, const std::string& appid);
/// The account's original id (gh_...), derived from the appid since the config has none.
std::string original_id(const std::string& appid);

/// The appid behind the request's access_token: an Official Account token ("mp") or an
/// authorizer token (a component calling on the account's behalf). Answers the error otherwise.
std::optional<std::string> require_account(Sandbox& sb, const httplib::Request& req, httplib::Response& res);

/// A string member of a request body; nothing when absent or of another type.
std::optional<std::string> string_member(const nlohmann::json& j, const char* key);
/// An integer member of a request body; nothing when absent or of another type.
std::optional<std::int64_t> integer_member(const nlohmann::json& j, const char* key);

/// Control endpoints (/sandbox/...) answer misuse with an HTTP status and {"error": message}.
void control_error(httplib::Response& res, int status, const std::string& message);

/// <name><![CDATA[value]]></name>, safe for any value.
std::string cdata(std::string_view name, std::string_view value);
/// An Official Account event as pushed (docs/protocol/official-account-callback.md): header, Event, then `more`.
std::string event_xml(const std::string& appid, const std::string& openid, std::string_view event, std::string_view more = {});

/// Where and how an account's pushes go; copied so a push never touches sandbox state.
struct AccountPush {
  std::string gateway_url, path, token, aes_key, receive_id, to_user;
  bool encrypted = true;
};
/// The push target of a configured Official Account, or nothing.
std::optional<AccountPush> account_push(const Sandbox& sb, const std::string& appid);
/// POSTs `inner_xml` to the gateway now; returns {HTTP status (0 = no answer), body}.
std::pair<int, std::string> deliver(const AccountPush& to, const std::string& inner_xml);

/// Pushes delivered later on the module's own thread, so a reply is never delayed by them.
/// Sandbox state: its destructor stops the thread and drops what is still queued.
class PushQueue {
 public:
  PushQueue();
  ~PushQueue();
  PushQueue(const PushQueue&) = delete;
  PushQueue& operator=(const PushQueue&) = delete;
  void add(AccountPush to, std::string inner_xml, std::chrono::milliseconds delay);

 private:
  struct Job {
    AccountPush to;
    std::string xml;
    std::chrono::steady_clock::time_point at;
  };
  void run();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> jobs_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace xiaoqu::sandbox
