#include "gateway/app.hpp"

#include <ctime>

#include "config/log.hpp"
#include "gateway/admin_api.hpp"
#include "gateway/certification_events.hpp"
#include "gateway/follower_events.hpp"
#include "gateway/qr_events.hpp"
#include "gateway/resident_pages.hpp"
#include "community/verification/resident_sessions.hpp"
#include "community/verification/verification_requests.hpp"
#include "community/residents/id_number.hpp"
#include "gateway/outbox_wiring.hpp"
#include "gateway/template_events.hpp"
#include "store/accounts.hpp"

namespace xiaoqu::gateway {
namespace {
// Splits "/a/b/c" after `prefix` into at most two segments; false when the shape differs.
bool segments(std::string_view path, std::string_view prefix, std::string_view& first, std::string_view& second) {
  if (path.substr(0, prefix.size()) != prefix) return false;
  std::string_view rest = path.substr(prefix.size());
  auto slash = rest.find('/');
  first = rest.substr(0, slash);
  second = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
  if (first.empty()) return false;
  return second.find('/') == std::string_view::npos;
}

Response text(Route route, int status, std::string body, std::string content_type = "text/plain; charset=utf-8") {
  Response r;
  r.route = route;
  r.status = status;
  r.body = std::move(body);
  r.content_type = std::move(content_type);
  return r;
}
}  // namespace

namespace {
forms::TrustedProxies trusted_proxies(const config::ServerConfig& server) {
  try {
    return forms::TrustedProxies(server.trusted_proxies);
  } catch (const std::invalid_argument& e) {
    throw config::ConfigError("server.trusted_proxies", e.what());
  }
}
}  // namespace

App::App(config::Config cfg) : cfg_(std::move(cfg)), proxies_(trusted_proxies(cfg_.server)) {
  log::Level level;
  if (log::parse_level(cfg_.log_level, level)) log::set_level(level);
  box_ = std::make_unique<store::SecretBox>(store::load_master_key(cfg_.store));
  db_ = std::make_unique<store::Database>(cfg_.store.path);
  std::int64_t now = std::time(nullptr);
  db_->write([&](store::Connection& c) { store::save_configured_accounts(c, *box_, cfg_, now); });
  auto accounts = store::load_accounts(db_->reader(), *box_);
  callbacks_ = std::make_unique<Callbacks>(cfg_.callbacks, accounts, *db_, *box_, metrics_);
  callbacks_->warm(now);
  platform_ = std::make_unique<Platform>(cfg_, *db_, *box_);
  wecom_linking_ = std::make_unique<WecomLinking>(cfg_, *db_, *box_, *platform_);
  admin_api_ = std::make_unique<AdminApi>(cfg_, *db_, *box_, *platform_);
  resident_pages_ = std::make_unique<ResidentPages>(cfg_, *db_, *box_, *platform_);
  follower_sync_ = std::make_unique<FollowerSync>(cfg_, *db_, *platform_);
  outbox_ = std::make_unique<OutboxWiring>(cfg_, *db_, *platform_);
  callbacks_->on_commit([this](std::string_view kind) {
    if (kind == "component.authorized" || kind == "component.updateauthorized" || kind == "wecom.create_auth")
      platform_->schedule_authorizations();
    // Staff linking: uninstall and scope changes go through the same instruction queue.
    if (kind == "wecom.cancel_auth" || kind == "wecom.change_auth") platform_->schedule_authorizations();
    if (kind.substr(0, 21) == "wecom.change_contact.") wecom_linking_->schedule_contact_changes();
    // A newly authorized account gets its first follower sync once its code is exchanged.
    if (kind == "component.authorized")
      platform_->workers().post([this] {
        platform_->process_authorizations();
        follower_sync_->start_due(std::time(nullptr));
      });
  });
  register_default_handlers();
  log::info("app.ready", {{"official_accounts", std::to_string(accounts.official_accounts.size())},
                          {"components", std::to_string(accounts.components.size())},
                          {"wecom_endpoints", std::to_string(accounts.wecom.size())},
                          {"store", cfg_.store.path}});
}

App::~App() {
  stop();
  follower_sync_->stop();
  // Sends in flight finish and are recorded while the workers and the store still run.
  outbox_->stop(std::chrono::milliseconds(cfg_.server.shutdown_grace_ms));
  platform_->stop();
  db_->stop();
}

void App::register_default_handlers() {
  auto& mp = callbacks_->official_account_handlers();
  register_template_events(*callbacks_);
  register_certification_handlers(mp);
  // Until the community features answer these, a follower and a message get a short acknowledgement.
  register_follower_handlers(mp, "欢迎关注！住户认证和物业通知都会在这里发给您。");
  register_qr_handlers(mp, cfg_.verification, "欢迎关注！住户认证和物业通知都会在这里发给您。");
  mp.on<wechat::TextMessage>([](const CallbackContext&, const wechat::TextMessage&) {
    return Outcome{std::string("已收到，物业将尽快处理"), {}};
  });
}

unsigned short App::start() {
  server_ = std::make_unique<Server>(cfg_.server, [this](Request&& req, Respond respond) { handle(std::move(req), std::move(respond)); },
                                     metrics_);
  unsigned short port = server_->start();
  // Expired de-duplication records are dropped once a minute.
  server_->every(std::chrono::seconds(60), [this] { callbacks_->sweep(std::time(nullptr)); });
  // Codes recorded while the platform was unreachable (or before a restart) are retried.
  platform_->schedule_authorizations();
  server_->every(std::chrono::seconds(30), [this] { platform_->schedule_authorizations(); });
  // Staff linking: contact changes left pending by a WeCom outage, and the periodic re-sync.
  wecom_linking_->schedule_contact_changes();
  server_->every(std::chrono::seconds(30), [this] { wecom_linking_->schedule_contact_changes(); });
  server_->every(std::chrono::seconds(60), [this] { wecom_linking_->schedule_due_syncs(std::time(nullptr)); });
  // Expired admin sessions are dropped every ten minutes (each request checks expiry itself).
  server_->every(std::chrono::minutes(10), [this] { admin_api_->sweep_sessions(); });
  // Fixed-term tenants move to lease-ended the day after their lease end (checked at start
  // and hourly, so a restart or a missed hour changes nothing); stale resident sessions go.
  expire_leases();
  server_->every(std::chrono::hours(1), [this] { expire_leases(); });
  // Follower syncs: interrupted ones resume, new accounts get their first, re-syncs when due.
  platform_->workers().post([this] { follower_sync_->start_due(std::time(nullptr)); });
  server_->every(std::chrono::seconds(60), [this] {
    platform_->workers().post([this] { follower_sync_->start_due(std::time(nullptr)); });
  });
  // The outbox: rows left claimed by a previous run are sent again once their lease expires.
  server_->every(std::chrono::milliseconds(cfg_.outbox.poll_ms), [this] { outbox_->dispatcher().pump(); });
  return port;
}

void App::expire_leases() {
  db_->submit(
      [](store::Connection& c) {
        std::int64_t now = std::time(nullptr);
        int changed = community::expire_leases(c, community::Date::today_in_china(now).iso(), now);
        community::purge_resident_sessions(c, now);
        if (changed) log::info("residents.leases_ended", {{"count", std::to_string(changed)}});
      },
      nullptr);
}

void App::wait_for_signal() {
  if (server_) server_->wait_for_signal();
}

void App::stop() {
  if (server_) server_->stop();
}

void App::handle(Request&& req, Respond respond) {
  // Behind a trusted reverse proxy the peer is the proxy: the client is in X-Forwarded-For.
  if (!proxies_.empty()) req.remote = proxies_.client_address(req.remote, req.header("x-forwarded-for"));
  std::string_view path = req.path;
  std::string_view a, b;
  try {
    if (segments(path, "/wechat/callback/", a, b) && b.empty()) {
      std::string appid(a);
      return callbacks_->wechat(std::move(req), appid, respond);
    }
    if (segments(path, "/wechat/component/", a, b)) {
      std::string comp(a), authorizer(b);
      return callbacks_->component(std::move(req), comp, authorizer, respond);
    }
    if (segments(path, "/wecom/callback/", a, b) && b.empty()) {
      std::string id(a);
      return callbacks_->wecom(std::move(req), id, respond);
    }
    if (AdminApi::owns(path)) return admin_api_->handle(std::move(req), std::move(respond));
    if (ResidentPages::owns(path)) return resident_pages_->handle(std::move(req), std::move(respond));
    // The suite install page sends the admin's browser back here; WeCom is called on a worker.
    if (path == "/wecom/install/callback") return answer_install_redirect(*wecom_linking_, std::move(req), std::move(respond));
    if (path == "/healthz") return respond(text(Route::healthz, 200, "ok\n"));
    if (path == "/readyz") {
      // Through the writer, off the io thread: ready means the store takes writes.
      return db_->submit([](store::Connection& c) { c.exec("SELECT 1"); },
                         [respond](std::exception_ptr e) {
                           respond(text(Route::readyz, e ? 503 : 200, e ? "store unreachable\n" : "ready\n"));
                         });
    }
    if (path == "/metrics")
      return respond(text(Route::metrics, 200, metrics_.render(), "text/plain; version=0.0.4; charset=utf-8"));
    respond(text(Route::not_found, 404, "not found\n"));
  } catch (const std::exception& e) {
    // A handler bug must not take the connection down without an answer.
    log::error("http.handler_failed", {{"rid", req.request_id}, {"error", e.what()}});
    respond(text(Route::not_found, 500, "internal error\n"));
  }
}

}  // namespace xiaoqu::gateway
