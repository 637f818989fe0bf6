#include "sandbox/sandbox.hpp"

#include <httplib.h>

#include <chrono>
#include <ctime>
#include <random>

#include "config/log.hpp"
#include "sandbox/tickets.hpp"
#include "wechat/msg_crypt.hpp"

namespace xiaoqu::sandbox {
namespace {
std::string random_token(std::size_t n) {
  static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::string s(n, 'A');
  for (auto& c : s) c = alphabet[rng() % 64];
  return s;
}
std::int64_t now() { return static_cast<std::int64_t>(std::time(nullptr)); }
}  // namespace

Sandbox::Sandbox(config::Config cfg) : cfg_(std::move(cfg)), server_(std::make_unique<httplib::Server>()) {
  // stop() waits for idle keep-alive connections to time out: keep that short.
  server_->set_keep_alive_timeout(1);
  // Headers and body go out in two writes: without NODELAY each exchange waits a delayed ACK.
  server_->set_tcp_nodelay(true);
  // One thread per keep-alive connection: enough for tests with many concurrent callers.
  server_->new_task_queue = [] { return new httplib::ThreadPool(64); };
  register_core();
  register_modules(*this);
  for (const auto& [path, f] : cfg_.sandbox.faults) {
    Fault fault;
    fault.errcode = f.errcode;
    fault.rate = f.rate;
    fault.latency_ms = f.latency_ms;
    fault.stall = f.stall;
    fault.http_status = f.http_status;
    fault.remaining = f.count;
    set_fault(path, fault);
  }
}

Sandbox::~Sandbox() { stop(); }

unsigned short Sandbox::start() {
  if (cfg_.sandbox.port == 0) port_ = static_cast<unsigned short>(server_->bind_to_any_port(cfg_.sandbox.listen));
  else if (server_->bind_to_port(cfg_.sandbox.listen.c_str(), cfg_.sandbox.port)) port_ = cfg_.sandbox.port;
  if (port_ == 0) throw std::runtime_error("sandbox: cannot bind " + cfg_.sandbox.listen + ":" + std::to_string(cfg_.sandbox.port));
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // httplib's stop() is a no-op until the loop runs: wait, so an early stop cannot hang.
  while (!server_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  if (cfg_.sandbox.ticket_interval_seconds > 0) ticket_thread_ = std::thread([this] { ticket_loop(); });
  log::info("sandbox.listening", {{"url", base_url()}});
  return port_;
}

void Sandbox::stop() {
  {
    std::lock_guard lk(ticket_mu_);
    stopping_ = true;
  }
  ticket_cv_.notify_all();
  if (ticket_thread_.joinable()) ticket_thread_.join();
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

std::string Sandbox::base_url() const { return "http://" + cfg_.sandbox.listen + ":" + std::to_string(port_); }

void Sandbox::route(const std::string& method, const std::string& path, Claim claims, Handler h) {
  std::string key = method + " " + path;
  auto [it, fresh] = routes_.try_emplace(key);
  Route& r = it->second;
  if (claims) r.claimed.emplace_back(std::move(claims), std::move(h));
  else if (r.plain) throw std::logic_error("sandbox: " + key + " registered twice; give one of them a Claim");
  else r.plain = std::move(h);
  // httplib serves only the first route of a path: one route dispatches to all handlers.
  if (!fresh) return;
  auto wrapped = [this, path, &r](const httplib::Request& req, httplib::Response& res) {
    count("calls " + path);
    if (apply_fault(path, res)) return;
    for (const auto& [takes, handler] : r.claimed)
      if (takes(req)) return handler(req, res);
    if (r.plain) return r.plain(req, res);
    error(res, 99404, "sandbox: no handler takes this request");
  };
  if (method == "GET") server_->Get(path, wrapped);
  else server_->Post(path, wrapped);
}

void Sandbox::get(const std::string& path, Handler h) { route("GET", path, nullptr, std::move(h)); }
void Sandbox::post(const std::string& path, Handler h) { route("POST", path, nullptr, std::move(h)); }
void Sandbox::get(const std::string& path, Claim claims, Handler h) { route("GET", path, std::move(claims), std::move(h)); }
void Sandbox::post(const std::string& path, Claim claims, Handler h) { route("POST", path, std::move(claims), std::move(h)); }

bool Sandbox::apply_fault(const std::string& path, httplib::Response& res) {
  Fault f;
  {
    std::lock_guard lk(faults_mu_);
    auto it = faults_.find(path);
    if (it == faults_.end()) return false;
    if (it->second.after > 0) {
      --it->second.after;
      return false;
    }
    thread_local std::mt19937 rng{std::random_device{}()};
    if (it->second.rate < 1.0 && std::uniform_real_distribution<double>(0, 1)(rng) >= it->second.rate) return false;
    f = it->second;
    if (it->second.remaining > 0 && --it->second.remaining == 0) faults_.erase(it);
  }
  count("faults " + path);
  if (f.latency_ms) std::this_thread::sleep_for(std::chrono::milliseconds(f.latency_ms));
  if (f.stall) {
    std::this_thread::sleep_for(std::chrono::seconds(30));
    return true;
  }
  if (f.http_status) {
    res.status = f.http_status;
    res.set_content("injected HTTP error", "text/plain");
    return true;
  }
  if (f.errcode) {
    error(res, f.errcode, f.errmsg);
    return true;
  }
  return false;  // latency only: the call proceeds
}

void Sandbox::set_fault(const std::string& path, Fault f) {
  std::lock_guard lk(faults_mu_);
  faults_[path] = std::move(f);
}

void Sandbox::clear_faults() {
  std::lock_guard lk(faults_mu_);
  faults_.clear();
}

void Sandbox::count(const std::string& name, std::uint64_t n) {
  std::lock_guard lk(counters_mu_);
  counters_[name] += n;
}

std::uint64_t Sandbox::counter(const std::string& name) {
  std::lock_guard lk(counters_mu_);
  auto it = counters_.find(name);
  return it == counters_.end() ? 0 : it->second;
}

nlohmann::json Sandbox::counters() {
  std::lock_guard lk(counters_mu_);
  return nlohmann::json(counters_);
}

void Sandbox::reply(httplib::Response& res, const nlohmann::json& body) {
  res.status = 200;
  res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), "application/json; charset=utf-8");
}

void Sandbox::error(httplib::Response& res, long long errcode, const std::string& errmsg) {
  reply(res, {{"errcode", errcode}, {"errmsg", errmsg}});
}

std::optional<nlohmann::json> Sandbox::body_json(const httplib::Request& req, httplib::Response& res) {
  auto j = nlohmann::json::parse(req.body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    error(res, 47001, "data format error");
    return std::nullopt;
  }
  return j;
}

std::string Sandbox::issue_token(const std::string& kind, const std::string& owner, bool force, std::int64_t expires_in) {
  std::lock_guard lk(tokens_mu_);
  std::string key = kind + "/" + owner;
  auto live = live_token_.find(key);
  if (!force && live != live_token_.end()) {
    auto t = tokens_.find(live->second);
    if (t != tokens_.end() && t->second.expires_at > now()) return live->second;
  }
  if (live != live_token_.end()) tokens_.erase(live->second);
  std::string value = random_token(64);
  tokens_[value] = IssuedToken{kind, owner, now() + expires_in};
  live_token_[key] = value;
  count("token_issued " + kind);
  count("token_issued " + kind + " " + owner);
  return value;
}

std::optional<std::string> Sandbox::token_owner(const std::string& kind, const std::string& token) {
  std::lock_guard lk(tokens_mu_);
  auto it = tokens_.find(token);
  if (it == tokens_.end() || it->second.kind != kind || it->second.expires_at <= now()) return std::nullopt;
  return it->second.owner;
}

void Sandbox::invalidate_tokens(const std::string& kind, const std::string& owner) {
  std::lock_guard lk(tokens_mu_);
  auto live = live_token_.find(kind + "/" + owner);
  if (live == live_token_.end()) return;
  tokens_.erase(live->second);
  live_token_.erase(live);
}

std::optional<std::string> Sandbox::require_token(const httplib::Request& req, httplib::Response& res, const std::string& kind,
                                                  const char* param) {
  if (!req.has_param(param)) {
    error(res, 41001, std::string("access_token missing: ") + param);
    return std::nullopt;
  }
  auto owner = token_owner(kind, req.get_param_value(param));
  if (!owner) {
    // 40001 for the classic Official Account token ("not the latest"), 40014 elsewhere.
    error(res, kind == "mp" ? 40001 : 40014, "invalid credential, access_token is invalid or not latest");
    return std::nullopt;
  }
  return owner;
}

std::pair<int, std::string> Sandbox::push(const std::string& path, const std::string& token, const std::string& aes_key,
                                          const std::string& receive_id, const std::string& inner_xml, const std::string& to_user) {
  wechat::MsgCrypt crypt(token, aes_key);
  std::string ts = std::to_string(now());
  std::string nonce = std::to_string(100000000 + std::random_device{}() % 900000000);
  std::string enc = crypt.encrypt(inner_xml, receive_id);
  std::string body = "<xml><ToUserName><![CDATA[" + (to_user.empty() ? receive_id : to_user) +
                     "]]></ToUserName><Encrypt><![CDATA[" + enc + "]]></Encrypt></xml>";
  std::string target = path + "?signature=" + wechat::sha1_signature({token, ts, nonce}) + "&timestamp=" + ts + "&nonce=" + nonce +
                       "&encrypt_type=aes&msg_signature=" + wechat::sha1_signature({token, ts, nonce, enc});
  httplib::Client c(cfg_.sandbox.gateway_url);
  c.set_tcp_nodelay(true);
  c.set_connection_timeout(2, 0);
  c.set_read_timeout(5, 0);
  auto r = c.Post(target.c_str(), body, "text/xml");
  count("pushes " + path);
  if (!r) return {0, httplib::to_string(r.error())};
  return {r->status, r->body};
}

namespace {
std::string new_ticket(const char* prefix) { return std::string(prefix) + random_token(48); }

const config::WecomEndpoint* suite_endpoint(const config::Config& cfg, const std::string& suite_id) {
  for (const auto& e : cfg.wecom)
    if (e.kind == config::WecomEndpoint::Kind::suite && e.suite_id == suite_id) return &e;
  return nullptr;
}
}  // namespace

int push_component_verify_ticket(Sandbox& sb, const std::string& appid) {
  const config::Component* comp = nullptr;
  for (const auto& c : sb.config().components)
    if (c.appid == appid) comp = &c;
  if (!comp) return 404;
  std::string ticket = new_ticket("ticket@@@");
  {
    std::lock_guard lk(sb.mutex());
    sb.state<Tickets>().component_verify_ticket[appid] = ticket;
  }
  std::string xml = "<xml><AppId><![CDATA[" + appid + "]]></AppId><CreateTime>" + std::to_string(now()) +
                    "</CreateTime><InfoType><![CDATA[component_verify_ticket]]></InfoType><ComponentVerifyTicket><![CDATA[" + ticket +
                    "]]></ComponentVerifyTicket></xml>";
  return sb.push("/wechat/component/" + appid, comp->token, comp->encoding_aes_key, appid, xml).first;
}

int push_suite_ticket(Sandbox& sb, const std::string& suite_id) {
  const auto* ep = suite_endpoint(sb.config(), suite_id);
  if (!ep) return 404;
  std::string ticket = new_ticket("suite-ticket-");
  {
    std::lock_guard lk(sb.mutex());
    sb.state<Tickets>().suite_ticket[suite_id] = ticket;
  }
  std::string xml = "<xml><SuiteId><![CDATA[" + suite_id + "]]></SuiteId><InfoType><![CDATA[suite_ticket]]></InfoType><TimeStamp>" +
                    std::to_string(now()) + "</TimeStamp><SuiteTicket><![CDATA[" + ticket + "]]></SuiteTicket></xml>";
  return sb.push("/wecom/callback/" + ep->id, ep->token, ep->encoding_aes_key, suite_id, xml).first;
}

void Sandbox::ticket_loop() {
  std::unique_lock lk(ticket_mu_);
  do {
    lk.unlock();
    for (const auto& c : cfg_.components) push_component_verify_ticket(*this, c.appid);
    for (const auto& e : cfg_.wecom)
      if (e.kind == config::WecomEndpoint::Kind::suite) push_suite_ticket(*this, e.suite_id);
    lk.lock();
  } while (!ticket_cv_.wait_for(lk, std::chrono::seconds(cfg_.sandbox.ticket_interval_seconds), [&] { return stopping_; }));
}

// Token endpoints of the Official Account and WeCom self-built apps, and the inspection API.
void Sandbox::register_core() {
  auto find_mp = [this](const std::string& appid) -> const config::OfficialAccount* {
    for (const auto& a : cfg_.official_accounts)
      if (a.appid == appid) return &a;
    return nullptr;
  };
  /// https://developers.weixin.qq.com/doc/offiaccount/Basic_Information/Get_access_token.html
  get("/cgi-bin/token", [this, find_mp](const httplib::Request& req, httplib::Response& res) {
    const auto* a = find_mp(req.get_param_value("appid"));
    if (!a) return error(res, 40013, "invalid appid");
    if (a->app_secret.empty() || req.get_param_value("secret") != a->app_secret) return error(res, 40125, "invalid appsecret");
    // The classic endpoint issues a new token each call (the old one would linger 5 minutes).
    reply(res, {{"access_token", issue_token("mp", a->appid, true)}, {"expires_in", 7200}});
  });
  /// https://developers.weixin.qq.com/doc/service/api/base/api_getstableaccesstoken
  post("/cgi-bin/stable_token", [this, find_mp](const httplib::Request& req, httplib::Response& res) {
    auto body = body_json(req, res);
    if (!body) return;
    const auto* a = find_mp(body->value("appid", ""));
    if (!a) return error(res, 40013, "invalid appid");
    if (a->app_secret.empty() || body->value("secret", "") != a->app_secret) return error(res, 40125, "invalid appsecret");
    bool force = body->value("force_refresh", false);
    reply(res, {{"access_token", issue_token("mp", a->appid, force)}, {"expires_in", 7200}});
  });
  /// https://developer.work.weixin.qq.com/document/path/91039
  get("/cgi-bin/gettoken", [this](const httplib::Request& req, httplib::Response& res) {
    std::string corp = req.get_param_value("corpid"), secret = req.get_param_value("corpsecret");
    bool known_corp = false;
    // Each app (agent) of a corp has its own secret and so its own token.
    for (const auto& e : cfg_.wecom) {
      if (e.kind != config::WecomEndpoint::Kind::corp || e.corp_id != corp) continue;
      known_corp = true;
      if (e.secret.empty() || e.secret != secret) continue;
      reply(res, {{"errcode", 0}, {"errmsg", "ok"}, {"access_token", issue_token("wecom_corp", corp + "/" + e.agent_id)}, {"expires_in", 7200}});
      return;
    }
    if (known_corp) return error(res, 40001, "invalid secret");
    error(res, 40013, "invalid corpid");
  });

  // ---- inspection and control, for tests and the demo ----
  get("/sandbox/stats", [this](const httplib::Request&, httplib::Response& res) { reply(res, {{"counters", counters()}}); });
  post("/sandbox/faults", [this](const httplib::Request& req, httplib::Response& res) {
    auto b = body_json(req, res);
    if (!b) return;
    Fault f;
    f.errcode = b->value("errcode", 0LL);
    f.errmsg = b->value("errmsg", f.errmsg);
    f.rate = b->value("rate", 1.0);
    f.latency_ms = b->value("latency_ms", 0u);
    f.stall = b->value("stall", false);
    f.http_status = b->value("http_status", 0);
    f.remaining = b->value("count", -1LL);
    f.after = b->value("after", 0LL);
    set_fault(b->value("path", ""), f);
    reply(res, {{"ok", true}});
  });
  post("/sandbox/faults/clear", [this](const httplib::Request&, httplib::Response& res) {
    clear_faults();
    reply(res, {{"ok", true}});
  });
  post("/sandbox/invalidate_tokens", [this](const httplib::Request& req, httplib::Response& res) {
    auto b = body_json(req, res);
    if (!b) return;
    invalidate_tokens(b->value("kind", ""), b->value("owner", ""));
    reply(res, {{"ok", true}});
  });
  post("/sandbox/push/component_verify_ticket", [this](const httplib::Request& req, httplib::Response& res) {
    auto b = body_json(req, res);
    if (!b) return;
    reply(res, {{"gateway_status", push_component_verify_ticket(*this, b->value("component_appid", ""))}});
  });
  post("/sandbox/push/suite_ticket", [this](const httplib::Request& req, httplib::Response& res) {
    auto b = body_json(req, res);
    if (!b) return;
    reply(res, {{"gateway_status", push_suite_ticket(*this, b->value("suite_id", ""))}});
  });
}

}  // namespace xiaoqu::sandbox
