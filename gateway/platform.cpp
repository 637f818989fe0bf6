#include "gateway/platform.hpp"

#include <ctime>

#include "config/log.hpp"
#include "store/credentials.hpp"
#include "store/platform_records.hpp"
#include "wechat/api/component.hpp"
#include "wecom/api/suite.hpp"
#include "wecom/credentials.hpp"

namespace xiaoqu::gateway {
namespace {
std::int64_t now() { return static_cast<std::int64_t>(std::time(nullptr)); }
}  // namespace

Platform::Platform(const config::Config& cfg, store::Database& db, const store::SecretBox& box)
    : cfg_(cfg), db_(db), box_(box), workers_(cfg.http.workers), transport_(cfg.http), token_store_(db, box),
      tokens_(token_store_), wechat_api_(transport_, tokens_, cfg.platforms.wechat_api, cfg.http),
      wecom_api_(transport_, tokens_, cfg.platforms.wecom_api, cfg.http) {
  refresh_tokens_.load = [this](const std::string& component, const std::string& authorizer) -> std::optional<std::string> {
    auto c = store::load_credential(db_.reader(), box_, store::refresh_token_name(component, authorizer));
    if (!c) return std::nullopt;
    return c->value;
  };
  refresh_tokens_.save = [this](const std::string& component, const std::string& authorizer, const std::string& value) {
    db_.write([&](store::Connection& c) {
      store::save_credential(c, box_, store::refresh_token_name(component, authorizer), store::Credential{value, 0, 0}, now());
    });
  };

  for (const auto& a : cfg_.official_accounts)
    if (!a.app_secret.empty()) wechat::define_official_account(tokens_, wechat_api_, a.appid, a.app_secret);
  for (const auto& comp : cfg_.components) {
    if (comp.app_secret.empty()) continue;
    std::string appid = comp.appid;
    wechat::define_component(tokens_, wechat_api_, appid, comp.app_secret, [this, appid]() -> std::optional<std::string> {
      auto t = store::component_verify_ticket(db_.reader(), box_, appid);
      if (!t) return std::nullopt;
      return t->value;
    });
  }
  for (const auto& e : cfg_.wecom) {
    if (e.secret.empty()) continue;
    if (e.kind == config::WecomEndpoint::Kind::corp) {
      wecom::define_corp(tokens_, wecom_api_, e.corp_id, e.agent_id, e.secret);
    } else {
      std::string suite = e.suite_id;
      wecom::define_suite(tokens_, wecom_api_, suite, e.secret, [this, suite]() -> std::optional<std::string> {
        auto t = store::suite_ticket(db_.reader(), box_, suite);
        if (!t) return std::nullopt;
        return t->value;
      });
    }
  }
  // Accounts authorized before this start keep working: their refresh tokens and permanent
  // codes are in the store.
  for (const auto& [component, authorizer] : store::authorized_accounts(db_.reader())) define_authorizer(component, authorizer);
  for (const auto& [suite, corp] : store::permanent_code_owners(db_.reader())) define_authorized_corp(suite, corp);
}

Platform::~Platform() { stop(); }

void Platform::stop() { workers_.stop(); }

void Platform::define_authorizer(const std::string& component, const std::string& authorizer) {
  wechat::define_authorizer(tokens_, wechat_api_, component, authorizer, refresh_tokens_);
}

void Platform::define_authorized_corp(const std::string& suite, const std::string& corp) {
  wecom::define_authorized_corp(tokens_, wecom_api_, suite, corp, [this, suite, corp]() -> std::optional<std::string> {
    auto c = store::load_credential(db_.reader(), box_, store::permanent_code_name(suite, corp));
    if (!c) return std::nullopt;
    return c->value;
  });
}

void Platform::set_suite_hooks(SuiteInstallHook installing, CorpInstalledHook installed, SuiteInstructionHook instruction) {
  suite_installing_ = std::move(installing);
  corp_installed_ = std::move(installed);
  suite_instruction_ = std::move(instruction);
}

bool Platform::install_suite(const std::string& suite_id, const std::string& auth_code, const std::string& state) {
  std::lock_guard lk(process_mu_);
  return exchange_install_code(suite_id, auth_code, state, std::nullopt);
}

bool Platform::exchange_install_code(const std::string& suite_id, const std::string& auth_code, const std::string& state,
                                     std::optional<std::int64_t> event_id) {
  auto pc = wecom::api::get_permanent_code(wecom_api_, suite_id, auth_code);
  const std::string& corp = pc.auth.corp.corp_id;
  // The echoed state wins over the instruction's: both carry what the install link was given.
  const std::string& linking_state = pc.state.empty() ? state : pc.state;
  // Defined before the permanent code is stored (it is read from the store when needed), so a
  // caller who sees the stored code always finds the corp's key; a refused install leaves a key
  // with no code, which fails as an unknown corp did.
  define_authorized_corp(suite_id, corp);
  bool stored = false;
  db_.write([&](store::Connection& c) {
    stored = !suite_installing_ || suite_installing_(c, suite_id, pc, linking_state, now());
    if (stored)
      store::save_credential(c, box_, store::permanent_code_name(suite_id, corp), store::Credential{pc.permanent_code, 0, 0}, now());
    if (event_id) store::mark_suite_auth_event_processed(c, *event_id, now());
  });
  if (!stored) {
    log::warn("wecom.suite_install_refused", {{"suite", suite_id}, {"corp", corp}});
    return false;
  }
  log::info("wecom.suite_installed", {{"suite", suite_id}, {"corp", corp}});
  if (corp_installed_) corp_installed_(suite_id, corp);
  return true;
}

void Platform::schedule_authorizations() {
  if (queued_.exchange(true)) return;
  workers_.post([this] {
    queued_ = false;
    process_authorizations();
  });
}

void Platform::process_authorizations() {
  std::lock_guard lk(process_mu_);
  for (const auto& p : store::pending_authorizations(db_.reader(), box_)) {
    try {
      auto auth = wechat::api::query_auth(wechat_api_, p.component_appid, p.authorization_code);
      // Defined first: its refresh token is read from the store when needed, so whoever sees the
      // stored token (another thread, a test) finds the account's key already there.
      define_authorizer(p.component_appid, p.authorizer_appid);
      // The refresh token is handed out only here: store it before anything else.
      db_.write([&](store::Connection& c) {
        store::save_credential(c, box_, store::refresh_token_name(p.component_appid, p.authorizer_appid),
                               store::Credential{auth.refresh_token, 0, 0}, now());
        store::clear_authorization_code(c, p.component_appid, p.authorizer_appid);
      });
      log::info("component.authorized", {{"component", p.component_appid}, {"authorizer", p.authorizer_appid}});
    } catch (const wechat::PlatformError& e) {
      log::error("component.authorization_failed", {{"component", p.component_appid}, {"authorizer", p.authorizer_appid}, {"error", e.what()}});
      if (!e.transient()) db_.write([&](store::Connection& c) { store::clear_authorization_code(c, p.component_appid, p.authorizer_appid); });
    }
  }
  for (const auto& ev : store::pending_suite_auth_events(db_.reader(), box_)) {
    try {
      if (ev.info_type == "create_auth") {
        exchange_install_code(ev.suite_id, ev.auth_code, ev.state, ev.id);
      } else {
        // change_auth / cancel_auth are applied by the staff-linking hook with the processed mark.
        db_.write([&](store::Connection& c) {
          if (suite_instruction_) suite_instruction_(c, ev, now());
          store::mark_suite_auth_event_processed(c, ev.id, now());
        });
      }
    } catch (const wechat::PlatformError& e) {
      log::error("wecom.suite_auth_failed", {{"suite", ev.suite_id}, {"event", ev.info_type}, {"error", e.what()}});
      // An auth code is single-use and short-lived: a permanent failure will not heal.
      if (!e.transient()) db_.write([&](store::Connection& c) { store::mark_suite_auth_event_processed(c, ev.id, now()); });
    }
  }
}

std::optional<wechat::CredentialKey> Platform::account_key(const std::string& appid) {
  auto own = wechat::official_account_key(appid);
  if (tokens_.defined(own)) return own;
  // An account authorized to a component: the store knows which one.
  for (const auto& [component, authorizer] : store::authorized_accounts(db_.reader())) {
    if (authorizer != appid) continue;
    auto key = wechat::authorizer_key(component, authorizer);
    if (tokens_.defined(key)) return key;
  }
  return std::nullopt;
}

}  // namespace xiaoqu::gateway
