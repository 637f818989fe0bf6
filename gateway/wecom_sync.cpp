#include "gateway/wecom_sync.hpp"

#include <algorithm>
#include <ctime>
#include <map>
#include <set>

#include "community/shared/audit.hpp"
#include "config/log.hpp"
#include "gateway/platform.hpp"
#include "store/credentials.hpp"
#include "wechat/platform_error.hpp"
#include "wecom/api/department.hpp"
#include "wecom/api/suite.hpp"
#include "wecom/api/tag.hpp"
#include "wecom/api/user.hpp"
#include "wecom/credentials.hpp"

namespace xiaoqu::gateway {
namespace {
using community::WecomLinkError;
using community::WecomLinkMode;
using community::WecomLinkState;

std::int64_t now() { return static_cast<std::int64_t>(std::time(nullptr)); }

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return s;
}

// What the suite's app may see, as granted at install (auth_info.agent[0].privilege): the
// departments, members and tags (标签) chosen as its visible range. The extra_* lists (extra
// contacts outside the range) are not staff and stay out, as they always have.
nlohmann::json visible_range(const wecom::api::AuthInfo& auth) {
  nlohmann::json range = {{"party", nlohmann::json::array()}, {"user", nlohmann::json::array()}, {"tag", nlohmann::json::array()}};
  if (auth.agents.empty()) return range;
  const auto& p = auth.agents.front().privilege;
  range["level"] = p.level;
  range["party"] = p.allow_party;
  range["user"] = p.allow_user;
  range["tag"] = p.allow_tag;
  return range;
}

std::string agent_of(const wecom::api::AuthInfo& auth) {
  return auth.agents.empty() ? std::string() : std::to_string(auth.agents.front().agent_id);
}

WecomLinkError platform_failure(const std::exception& e) {
  return WecomLinkError(WecomLinkError::Kind::platform, "wecom_failed", wecom_failure_message(e));
}

nlohmann::json link_json(const community::WecomCorpLink& l) {
  return {{"corp_id", l.corp_id},           {"corp_name", l.corp_name}, {"mode", community::to_string(l.mode)},
          {"state", community::to_string(l.state)}, {"linked_at", l.linked_at}, {"changed_at", l.changed_at}};
}
}  // namespace

std::string wecom_failure_message(const std::exception& e) {
  if (const auto* p = dynamic_cast<const wechat::PlatformError*>(&e)) {
    switch (p->kind()) {
      case wechat::PlatformError::Kind::transport: return "无法连接企业微信，请稍后重试";
      case wechat::PlatformError::Kind::http_status: return "企业微信暂时不可用（HTTP " + std::to_string(p->http_status()) + "），请稍后重试";
      case wechat::PlatformError::Kind::credential: return "企业微信凭证不可用（尚未收到 suite_ticket 或授权已失效），请稍后重试或重新授权";
      case wechat::PlatformError::Kind::bad_response: return "企业微信返回了无法识别的数据，请稍后重试";
      case wechat::PlatformError::Kind::platform:
        return "企业微信接口 " + p->api() + " 调用失败（错误码 " + std::to_string(p->errcode()) + "：" + p->errmsg() + "）";
    }
  }
  return std::string("企业微信同步失败：") + e.what();
}

namespace {
// The admin API's route files are handed the Platform, not the App: this finds the
// linking service wired to it (one per App; tests run several Apps in one process).
std::mutex registry_mu;
std::map<const Platform*, WecomLinking*>& registry() {
  static std::map<const Platform*, WecomLinking*> r;
  return r;
}

std::string html_escape(const std::string& s) {
  std::string out;
  for (char ch : s) {
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += ch;
    }
  }
  return out;
}
}  // namespace

WecomLinking* wecom_linking_of(const Platform& platform) {
  std::lock_guard lk(registry_mu);
  auto it = registry().find(&platform);
  return it == registry().end() ? nullptr : it->second;
}

void answer_install_redirect(WecomLinking& linking, Request&& req, Respond respond) {
  if (req.method != "GET") {
    Response res;
    res.route = Route::wecom_callback;
    res.status = 405;
    res.body = "method not allowed\n";
    return respond(std::move(res));
  }
  QueryParams q(req.query);
  std::string code(q.value("auth_code")), state(q.value("state"));
  linking.post([&linking, code, state, respond] {
    auto r = linking.complete_install(code, state);
    Response res;
    res.route = Route::wecom_callback;
    res.status = r.linked ? 200 : 409;
    res.content_type = "text/html; charset=utf-8";
    res.headers.emplace_back("Cache-Control", "no-store");
    res.body = "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
               "content=\"width=device-width, initial-scale=1\"><title>关联企业微信</title></head><body><h1>" +
               std::string(r.linked ? "关联成功" : "未能关联") + "</h1><p>" + html_escape(r.message) +
               "</p><p>请回到物业后台的“员工信息”页查看。</p></body></html>";
    respond(std::move(res));
  });
}

WecomLinking::~WecomLinking() {
  std::lock_guard lk(registry_mu);
  registry().erase(&platform_);
}

void WecomLinking::post(std::function<void()> job) { platform_.workers().post(std::move(job)); }

WecomLinking::WecomLinking(const config::Config& cfg, store::Database& db, const store::SecretBox& box, Platform& platform)
    : cfg_(cfg), db_(db), box_(box), platform_(platform) {
  {
    std::lock_guard lk(registry_mu);
    registry()[&platform_] = this;
  }
  platform_.set_suite_hooks(
      // In the transaction that would store the permanent code: link to the state's account, or refuse.
      [this](store::Connection& c, const std::string& suite_id, const wecom::api::PermanentCode& pc, const std::string& state,
             std::int64_t at) {
        const std::string& corp = pc.auth.corp.corp_id;
        auto admin = community::install_state_admin(c, state, at);
        if (!admin) {
          // An install from the WeCom app market or an expired link: nobody to link to yet. The
          // code is kept, so a linked corp reinstalling keeps working.
          log::warn("wecom_link.install_without_account", {{"suite", suite_id}, {"corp", corp}});
          return true;
        }
        if (auto refusal = community::link_refusal(c, *admin, corp)) {
          community::finish_install_state(c, state, corp, refusal->what(), at);
          log::warn("wecom_link.refused", {{"admin", std::to_string(*admin)}, {"corp", corp}, {"reason", refusal->code()}});
          // The platform replaced the code it had issued for this suite and corp: the account
          // that holds the corp needs the new one. Anything else of this attempt is dropped.
          auto held = community::link_of_corp(c, corp);
          return held && held->state == WecomLinkState::linked && held->mode == WecomLinkMode::suite && held->suite_id == suite_id;
        }
        community::NewCorpLink l;
        l.admin_id = *admin;
        l.corp_id = corp;
        l.corp_name = pc.auth.corp.corp_name;
        l.suite_id = suite_id;
        l.agent_id = agent_of(pc.auth);
        l.mode = WecomLinkMode::suite;
        l.visible_range = visible_range(pc.auth);
        auto link = community::link_corp(c, l, at);
        community::audit(c, {"admin:" + std::to_string(*admin), "wecom.link", "wecom_corp_link", link.id, 0, nullptr, link_json(link)}, at);
        community::finish_install_state(c, state, corp, "linked", at);
        return true;
      },
      // The code is stored and the corp's token defined: the first sync.
      [this](const std::string& suite_id, const std::string& corp_id) {
        auto link = community::link_of_corp(db_.reader(), corp_id);
        if (link && link->state == WecomLinkState::linked && link->suite_id == suite_id) schedule_sync(corp_id);
      },
      [this](store::Connection& c, const store::PendingSuiteAuthEvent& ev, std::int64_t at) {
        if (ev.info_type == "cancel_auth") {
          auto link = community::link_of_corp(c, ev.auth_corp_id);
          if (community::cancel_corp(c, ev.suite_id, ev.auth_corp_id, at)) {
            link->state = WecomLinkState::cancelled;
            community::audit(c, {"system", "wecom.cancel_auth", "wecom_corp_link", link->id, 0, nullptr, link_json(*link)}, at);
            log::info("wecom_link.cancelled", {{"corp", ev.auth_corp_id}});
          }
          // The uninstalled corp's permanent code is worthless now; keep no secret we cannot use.
          std::string name = store::permanent_code_name(ev.suite_id, ev.auth_corp_id);
          if (auto code = store::load_credential(c, box_, name)) store::erase_credential(c, box_, name, code->value);
        } else if (ev.info_type == "change_auth") {
          // Visible range or permissions changed: a full sync re-reads both.
          std::string corp = ev.auth_corp_id;
          platform_.workers().post([this, corp] {
            auto link = community::link_of_corp(db_.reader(), corp);
            if (link && link->state == WecomLinkState::linked) schedule_sync(corp);
          });
        }
      });
}

const config::WecomEndpoint* WecomLinking::suite_endpoint() const {
  for (const auto& e : cfg_.wecom) {
    if (e.kind != config::WecomEndpoint::Kind::suite) continue;
    if (cfg_.wecom_link.suite.empty() ? !e.secret.empty() : e.id == cfg_.wecom_link.suite) return &e;
  }
  return nullptr;
}

const config::WecomEndpoint* WecomLinking::self_built_endpoint() const {
  for (const auto& e : cfg_.wecom) {
    if (e.kind != config::WecomEndpoint::Kind::corp) continue;
    if (cfg_.wecom_link.self_built.empty() ? !e.secret.empty() : e.id == cfg_.wecom_link.self_built) return &e;
  }
  return nullptr;
}

wechat::CredentialKey WecomLinking::corp_credential(const community::WecomCorpLink& link) const {
  if (link.mode == WecomLinkMode::suite) return wecom::authorized_corp_key(link.suite_id, link.corp_id);
  return wecom::corp_key(link.corp_id, link.agent_id);
}

WecomLinking::InstallLink WecomLinking::install_link(std::int64_t admin_id) {
  const auto* ep = suite_endpoint();
  if (!ep || ep->secret.empty())
    throw WecomLinkError(WecomLinkError::Kind::not_configured, "suite_not_configured",
                         "未配置企业微信第三方应用（wecom_link.suite 及其 secret），无法生成安装链接");
  if (auto mine = community::link_of_admin(db_.reader(), admin_id); mine && mine->state == WecomLinkState::linked)
    throw WecomLinkError(WecomLinkError::Kind::refused, "account_already_linked",
                         "该物业账号已关联企业微信「" + (mine->corp_name.empty() ? mine->corp_id : mine->corp_name) +
                             "」，请先点击“我要更换关联企业”解除关联");
  wecom::api::PreAuthCode pre;
  try {
    pre = wecom::api::get_pre_auth_code(platform_.wecom_api(), ep->suite_id);
    wecom::api::SessionInfo session;
    session.auth_type = cfg_.wecom_link.test_install ? 1 : 0;
    wecom::api::set_session_info(platform_.wecom_api(), ep->suite_id, pre.code, session);
  } catch (const wechat::PlatformError& e) {
    log::error("wecom_link.pre_auth_failed", {{"suite", ep->suite_id}, {"error", e.what()}});
    throw platform_failure(e);
  }
  std::int64_t at = now();
  // The link is good as long as both the state and the pre_auth_code are.
  std::int64_t ttl = std::min<std::int64_t>(cfg_.wecom_link.state_ttl_seconds, pre.expires_in > 0 ? pre.expires_in : 1200);
  InstallLink out;
  db_.write([&](store::Connection& c) { out.state = community::create_install_state(c, admin_id, at, ttl); });
  out.expires_at = at + ttl;
  out.url = wecom::api::install_url(cfg_.platforms.wecom_open, ep->suite_id, pre.code,
                                    cfg_.wecom_link.public_url + "/wecom/install/callback", out.state);
  out.qr_text = out.url;
  return out;
}

WecomLinking::InstallResult WecomLinking::complete_install(const std::string& auth_code, const std::string& state) {
  InstallResult r;
  const auto* ep = suite_endpoint();
  if (!ep) {
    r.message = "未配置企业微信第三方应用，无法完成关联";
    return r;
  }
  if (auth_code.empty()) {
    r.message = "缺少授权码（auth_code），请回到物业后台重新扫码安装";
    return r;
  }
  if (!community::install_state_admin(db_.reader(), state, now())) {
    // The code is still exchanged below (it is single use and the corp did install), but
    // without a live state nobody is linked.
    r.message = "安装链接已失效，请回到物业后台重新获取安装二维码";
  }
  try {
    platform_.install_suite(ep->suite_id, auth_code, state);
  } catch (const wechat::PlatformError& e) {
    log::error("wecom_link.install_failed", {{"suite", ep->suite_id}, {"error", e.what()}});
    r.message = "企业微信授权失败：" + wecom_failure_message(e);
    return r;
  }
  auto attempt = state.empty() ? std::nullopt : community::install_attempt(db_.reader(), state);
  if (!attempt || !attempt->used_at) {
    if (r.message.empty()) r.message = "安装链接已失效，请回到物业后台重新获取安装二维码";
    return r;
  }
  r.corp_id = attempt->corp_id;
  if (attempt->outcome != "linked") {
    r.message = attempt->outcome;
    return r;
  }
  r.linked = true;
  auto link = community::link_of_corp(db_.reader(), r.corp_id);
  r.corp_name = link ? link->corp_name : std::string();
  r.message = "已关联企业微信「" + (r.corp_name.empty() ? r.corp_id : r.corp_name) + "」，员工信息正在同步";
  return r;
}

community::WecomCorpLink WecomLinking::link_self_built(std::int64_t admin_id) {
  const auto* ep = self_built_endpoint();
  if (!ep || ep->secret.empty())
    throw WecomLinkError(WecomLinkError::Kind::not_configured, "self_built_not_configured",
                         "未配置企业微信自建应用（wecom_link.self_built 的企业 ID 和通讯录 secret）");
  community::NewCorpLink l;
  l.admin_id = admin_id;
  l.corp_id = ep->corp_id;
  l.agent_id = ep->agent_id;
  l.mode = WecomLinkMode::self_built;
  l.visible_range = {{"party", {1}}, {"user", nlohmann::json::array()}, {"tag", nlohmann::json::array()}};
  community::WecomCorpLink link;
  std::int64_t at = now();
  db_.write([&](store::Connection& c) {
    link = community::link_corp(c, l, at);
    community::audit(c, {"admin:" + std::to_string(admin_id), "wecom.link", "wecom_corp_link", link.id, 0, nullptr, link_json(link)}, at);
  });
  schedule_sync(link.corp_id);
  return link;
}

community::WecomCorpLink WecomLinking::unlink(std::int64_t admin_id) {
  community::WecomCorpLink link;
  std::int64_t at = now();
  db_.write([&](store::Connection& c) {
    link = community::unlink_corp(c, admin_id, at);
    community::audit(c, {"admin:" + std::to_string(admin_id), "wecom.unlink", "wecom_corp_link", link.id, 0, nullptr, link_json(link)}, at);
  });
  log::info("wecom_link.unlinked", {{"admin", std::to_string(admin_id)}, {"corp", link.corp_id}});
  return link;
}

void WecomLinking::refresh_auth_info(community::WecomCorpLink& link) {
  auto code = store::load_credential(db_.reader(), box_, store::permanent_code_name(link.suite_id, link.corp_id));
  if (!code) throw wechat::PlatformError("service/get_auth_info", wechat::PlatformError::Kind::credential, 0, "no permanent code");
  auto info = wecom::api::get_auth_info(platform_.wecom_api(), link.suite_id, link.corp_id, code->value);
  if (!info.corp.corp_name.empty()) link.corp_name = info.corp.corp_name;
  link.visible_range = visible_range(info);
}

std::vector<std::int64_t> visible_tags(const community::WecomCorpLink& link) {
  std::vector<std::int64_t> tags;
  for (const auto& t : link.visible_range.value("tag", nlohmann::json::array()))
    if (t.is_number_integer()) tags.push_back(t.get<std::int64_t>());
  return tags;
}

community::ContactSnapshot WecomLinking::fetch_snapshot(const community::WecomCorpLink& link) {
  auto& api = platform_.wecom_api();
  auto key = corp_credential(link);
  bool suite = link.mode == WecomLinkMode::suite;
  community::ContactSnapshot snap;
  std::set<std::int64_t> known;  // department ids already in the snapshot
  auto add_department = [&](const wecom::api::Department& d) {
    if (!known.insert(d.id).second) return;
    community::WecomDepartmentRecord r{d.id, d.parent_id, d.order, d.name};
    // Suites see no names; the corp's own name is the best a root can get.
    if ((!r.name || r.name->empty()) && d.parent_id == 0 && !link.corp_name.empty()) r.name = link.corp_name;
    snap.departments.push_back(std::move(r));
  };
  // department/list without an id answers the app's whole visible tree.
  for (const auto& d : wecom::api::list_departments(api, key)) add_department(d);
  // A range given by tags: each tag's departments (with everything below them) and its own
  // members are staff too. Every tag is read before any member, so a refused tag/get fails
  // the sync before the long part, and nothing is applied either way.
  std::vector<wecom::api::TagMembers> tags;
  for (auto tag_id : visible_tags(link)) tags.push_back(wecom::api::get_tag(api, key, tag_id));
  for (const auto& tag : tags)
    for (auto party : tag.parties)
      if (!known.count(party))
        for (const auto& d : wecom::api::list_departments(api, key, party)) add_department(d);

  std::map<std::string, std::size_t> seen;  // lower-case userid -> index: a member of two departments is listed twice
  auto add = [&](const wecom::api::Member& m) {
    auto [it, fresh] = seen.try_emplace(lower(m.userid), snap.members.size());
    if (!fresh) return;
    community::WecomMemberRecord r;
    r.userid = m.userid;
    // A suite's "name" is the userid, not the person's name: leave what the admin entered.
    if (!suite && !m.name.empty()) r.name = m.name;
    r.position = m.position;
    r.mobile = m.mobile;
    r.gender = m.gender;
    r.departments = m.departments;
    snap.members.push_back(std::move(r));
  };
  auto add_one = [&](const std::string& userid) {
    if (!userid.empty() && !seen.count(lower(userid))) add(wecom::api::get_user(api, key, userid));
  };
  for (const auto& d : snap.departments)
    for (const auto& m : wecom::api::list_users(api, key, d.id)) add(m);
  // Members tagged one by one, and members granted one by one, outside any visible
  // department: tag/get gives only userids, user/get the rest.
  for (const auto& tag : tags)
    for (const auto& u : tag.users) add_one(u.userid);
  for (const auto& u : link.visible_range.value("user", nlohmann::json::array()))
    if (u.is_string()) add_one(u.get<std::string>());
  return snap;
}

void WecomLinking::record_failure(const std::string& corp_id, const std::string& message) {
  try {
    db_.write([&](store::Connection& c) { community::record_sync_result(c, corp_id, now(), message); });
  } catch (const std::exception& e) {
    log::error("wecom_link.record_failed", {{"corp", corp_id}, {"error", e.what()}});
  }
}

WecomLinking::SyncReport WecomLinking::sync_corp(const std::string& corp_id) {
  std::lock_guard lk(sync_mu_);
  auto link = community::link_of_corp(db_.reader(), corp_id);
  if (!link || link->state != WecomLinkState::linked)
    throw WecomLinkError(WecomLinkError::Kind::not_found, "not_linked", "该企业微信未关联物业账号");
  try {
    return read_and_apply(*link, {});
  } catch (const wechat::PlatformError& e) {
    // Nothing was applied: the snapshot is only written once it is complete.
    std::string message = wecom_failure_message(e);
    log::error("wecom_link.sync_failed", {{"corp", corp_id}, {"error", e.what()}});
    record_failure(corp_id, message);
    throw WecomLinkError(WecomLinkError::Kind::platform, "wecom_failed", message);
  }
}

WecomLinking::SyncReport WecomLinking::read_and_apply(community::WecomCorpLink link, const AlsoInSync& also) {
  const std::string corp_id = link.corp_id;
  if (link.mode == WecomLinkMode::suite) refresh_auth_info(link);
  community::ContactSnapshot snap = fetch_snapshot(link);
  if (link.mode == WecomLinkMode::self_built && link.corp_name.empty())
    for (const auto& d : snap.departments)
      if (d.parent_id == 0 && d.name) link.corp_name = *d.name;
  SyncReport report;
  report.corp_id = corp_id;
  report.finished_at = now();
  db_.write([&](store::Connection& c) {
    if (also) also(c, report.finished_at);
    // The link may have been unlinked while WeCom was being read: then nothing is applied.
    auto current = community::link_of_corp(c, corp_id);
    if (!current || current->state != WecomLinkState::linked || current->admin_id != link.admin_id) return;
    report.counts = community::apply_contact_snapshot(c, corp_id, snap, report.finished_at);
    c.cached("UPDATE wecom_corp_links SET corp_name = ?2, visible_range = ?3 WHERE corp_id = ?1")
        .bind(1, corp_id)
        .bind(2, link.corp_name)
        .bind(3, link.visible_range.dump())
        .run();
    community::record_sync_result(c, corp_id, report.finished_at, "");
  });
  log::info("wecom_link.synced", {{"corp", corp_id},
                                  {"departments", std::to_string(report.counts.departments)},
                                  {"members", std::to_string(report.counts.members)},
                                  {"added", std::to_string(report.counts.staff_added)},
                                  {"merged", std::to_string(report.counts.staff_merged)},
                                  {"unsynced", std::to_string(report.counts.staff_unsynced)}});
  return report;
}

WecomLinking::SyncReport WecomLinking::sync_admin(std::int64_t admin_id) {
  auto link = community::link_of_admin(db_.reader(), admin_id);
  if (!link || link->state != WecomLinkState::linked)
    throw WecomLinkError(WecomLinkError::Kind::not_found, "not_linked", "该物业账号尚未关联企业微信，请先扫码关联");
  return sync_corp(link->corp_id);
}

void WecomLinking::schedule_sync(const std::string& corp_id) {
  platform_.workers().post([this, corp_id] {
    try {
      sync_corp(corp_id);
    } catch (const std::exception& e) {
      // Already recorded on the link (platform failures) or no longer linked.
      log::warn("wecom_link.background_sync_failed", {{"corp", corp_id}, {"error", e.what()}});
    }
  });
}

void WecomLinking::schedule_due_syncs(std::int64_t at) {
  if (cfg_.wecom_link.resync_interval_seconds == 0) return;
  std::vector<std::string> due;
  {
    store::Statement s(db_.reader(),
                       "SELECT corp_id FROM wecom_corp_links WHERE state = 'linked' AND IFNULL(last_sync_at, linked_at) <= ?1");
    s.bind(1, at - static_cast<std::int64_t>(cfg_.wecom_link.resync_interval_seconds));
    while (s.step()) due.push_back(s.text(0));
  }
  std::lock_guard lk(due_mu_);
  for (const auto& corp : due) {
    // A corp whose re-sync keeps failing is tried again every ten minutes, not every tick.
    auto& last = due_attempts_[corp];
    if (at - last < 600) continue;
    last = at;
    schedule_sync(corp);
  }
}

nlohmann::json WecomLinking::status(std::int64_t admin_id) {
  auto& c = db_.reader();
  nlohmann::json out = {{"linked", false}, {"state", "none"}};
  out["suite_available"] = suite_endpoint() != nullptr && !suite_endpoint()->secret.empty();
  out["self_built_available"] = self_built_endpoint() != nullptr && !self_built_endpoint()->secret.empty();
  if (auto link = community::link_of_admin(c, admin_id)) {
    out["linked"] = link->state == WecomLinkState::linked;
    out["state"] = community::to_string(link->state);
    out["corp_id"] = link->corp_id;
    out["corp_name"] = link->corp_name;
    out["mode"] = community::to_string(link->mode);
    out["linked_at"] = link->linked_at;
    out["changed_at"] = link->changed_at;
    out["visible_range"] = link->visible_range;
    out["last_sync_at"] = link->last_sync_at ? nlohmann::json(*link->last_sync_at) : nlohmann::json(nullptr);
    out["last_sync_error"] = link->last_sync_error;
    auto counts = community::corp_counts(c, link->corp_id);
    out["counts"] = {{"departments", counts.departments}, {"staff_synced", counts.staff_synced}, {"staff_unsynced", counts.staff_unsynced}};
    store::Statement p(c, "SELECT count(*) FROM wecom_contact_changes WHERE corp_id = ?1 AND processed_at IS NULL");
    p.bind(1, link->corp_id);
    out["pending_changes"] = p.step() ? p.integer(0) : 0;
  }
  if (auto attempt = community::latest_install_attempt(c, admin_id)) {
    out["last_install"] = {{"created_at", attempt->created_at},
                           {"used_at", attempt->used_at ? nlohmann::json(*attempt->used_at) : nlohmann::json(nullptr)},
                           {"corp_id", attempt->corp_id},
                           {"outcome", attempt->outcome}};
  }
  return out;
}

void WecomLinking::schedule_contact_changes() {
  if (changes_queued_.exchange(true)) return;
  platform_.workers().post([this] {
    changes_queued_ = false;
    apply_contact_changes();
  });
}

}  // namespace xiaoqu::gateway
