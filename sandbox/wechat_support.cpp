#include "sandbox/wechat_support.hpp"

#include <httplib.h>

#include <ctime>
#include <random>

#include "config/log.hpp"
#include "wechat/msg_crypt.hpp"

namespace xiaoqu::sandbox {

std::int64_t unix_now() { return static_cast<std::int64_t>(std::time(nullptr)); }

std::string random_text(std::size_t n, std::string_view alphabet) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::string s(n, ' ');
  for (auto& c : s) c = alphabet[rng() % alphabet.size()];
  return s;
}

std::size_t utf8_length(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::uint64_t stable_hash(std::string_view s, std::uint64_t salt) {
  std::uint64_t h = 1469598103934665603ULL ^ salt;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
  // splitmix64 finaliser: neighbouring inputs give unrelated outputs.
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebULL;
  return h ^ (h >> 31);
}

const config::OfficialAccount* find_official_account(const config::Config& cfg, const std::string& appid) {
  for (const auto& a : cfg.official_accounts)
    if (a.appid == appid) return &a;
  return nullptr;
}

const config::Component* find_component(const config::Config& cfg, const std::string& appid) {
  for (const auto& c : cfg.components)
    if (c.appid == appid) return &c;
  return nullptr;
}

std::string original_id(const std::string& appid) {
  static const char* hex = "0123456789abcdef";
  std::uint64_t h = stable_hash(appid, 7);
  std::string id = "gh_";
  for (int i = 0; i < 12; ++i, h >>= 4) id.push_back(hex[h & 15]);
  return id;
}

std::optional<std::string> require_account(Sandbox& sb, const httplib::Request& req, httplib::Response& res) {
  if (req.has_param("access_token"))
    if (auto owner = sb.token_owner("authorizer", req.get_param_value("access_token"))) return owner;
  return sb.require_token(req, res, "mp");
}

std::optional<std::string> string_member(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

std::optional<std::int64_t> integer_member(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<std::int64_t>();
}

void control_error(httplib::Response& res, int status, const std::string& message) {
  Sandbox::reply(res, {{"error", message}});
  res.status = status;
}

std::string cdata(std::string_view name, std::string_view value) {
  std::string out = "<" + std::string(name) + "><![CDATA[";
  // "]]>" inside a value is split across two sections.
  for (std::size_t at = 0;;) {
    auto end = value.find("]]>", at);
    if (end == std::string_view::npos) {
      out.append(value.substr(at));
      break;
    }
    out.append(value.substr(at, end + 2 - at)).append("]]><![CDATA[");
    at = end + 2;
  }
  return out + "]]></" + std::string(name) + ">";
}

std::string event_xml(const std::string& appid, const std::string& openid, std::string_view event, std::string_view more) {
  return "<xml>" + cdata("ToUserName", original_id(appid)) + cdata("FromUserName", openid) + "<CreateTime>" + std::to_string(unix_now()) +
         "</CreateTime>" + cdata("MsgType", "event") + cdata("Event", event) + std::string(more) + "</xml>";
}

std::optional<AccountPush> account_push(const Sandbox& sb, const std::string& appid) {
  const auto* acc = find_official_account(sb.config(), appid);
  if (!acc) return std::nullopt;
  return AccountPush{sb.config().sandbox.gateway_url, "/wechat/callback/" + appid, acc->token, acc->encoding_aes_key, appid,
                     original_id(appid), acc->mode != config::MessageMode::plaintext};
}

std::pair<int, std::string> deliver(const AccountPush& to, const std::string& inner_xml) {
  std::string ts = std::to_string(unix_now());
  std::string nonce = random_text(10, "0123456789");
  std::string target = to.path + "?signature=" + wechat::sha1_signature({to.token, ts, nonce}) + "&timestamp=" + ts + "&nonce=" + nonce;
  std::string body = inner_xml;
  if (to.encrypted) {
    wechat::MsgCrypt crypt(to.token, to.aes_key);
    std::string enc = crypt.encrypt(inner_xml, to.receive_id);
    body = "<xml>" + cdata("ToUserName", to.to_user) + cdata("Encrypt", enc) + "</xml>";
    target += "&encrypt_type=aes&msg_signature=" + wechat::sha1_signature({to.token, ts, nonce, enc});
  }
  httplib::Client c(to.gateway_url);
  // Headers and body go in separate writes: without this each push waits out a delayed ACK.
  c.set_tcp_nodelay(true);
  c.set_connection_timeout(2, 0);
  c.set_read_timeout(5, 0);
  auto r = c.Post(target.c_str(), body, "text/xml");
  if (!r) return {0, httplib::to_string(r.error())};
  return {r->status, r->body};
}

PushQueue::PushQueue() : thread_([this] { run(); }) {}

PushQueue::~PushQueue() {
  {
    std::lock_guard lk(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void PushQueue::add(AccountPush to, std::string inner_xml, std::chrono::milliseconds delay) {
  {
    std::lock_guard lk(mu_);
    jobs_.push_back({std::move(to), std::move(inner_xml), std::chrono::steady_clock::now() + delay});
  }
  cv_.notify_all();
}

void PushQueue::run() {
  std::unique_lock lk(mu_);
  for (;;) {
    cv_.wait(lk, [&] { return stopping_ || !jobs_.empty(); });
    if (stopping_) return;
    // In queue order: a job never goes before its time, though it may wait for the one ahead.
    auto at = jobs_.front().at;
    if (cv_.wait_until(lk, at, [&] { return stopping_; })) return;
    Job job = std::move(jobs_.front());
    jobs_.pop_front();
    lk.unlock();
    auto [status, body] = deliver(job.to, job.xml);
    if (status != 200) log::warn("sandbox.push_failed", {{"path", job.to.path}, {"status", std::to_string(status)}});
    lk.lock();
  }
}

}  // namespace xiaoqu::sandbox
