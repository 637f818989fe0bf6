// WeCom third-party suites in the sandbox (docs/protocol/wecom.md): the suite token checked against
// the newest pushed suite_ticket, pre-authorization, installation by a simulated corp
// (control endpoints), permanent codes, authorized-corp tokens, and cancel_auth.
#include <httplib.h>

#include <algorithm>
#include <cctype>

#include "sandbox/tickets.hpp"
#include "sandbox/wecom_state.hpp"

namespace xiaoqu::sandbox {
namespace {
using nlohmann::json;

constexpr std::int64_t kAuthCodeLife = 600;     // temporary auth code: 10 minutes
constexpr std::int64_t kPreAuthCodeLife = 1200;  // pre_auth_code: 20 minutes

// A 1×1 PNG: the QR image of get_app_qrcode, when asked for the bytes.
constexpr unsigned char kPng[] = {
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00,
    0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4, 0x89, 0x00,
    0x00, 0x00, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00, 0x05, 0x00, 0x01,
    0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82};

bool alnum(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isalnum(c); });
}

json corp_info(const WecomCorp& c) {
  return {{"corpid", c.corp_id},         {"corp_name", c.name},           {"corp_type", "verified"},
          {"corp_square_logo_url", ""},  {"corp_user_max", 200},          {"corp_full_name", c.full_name},
          {"verified_end_time", 0},      {"subject_type", 1},             {"corp_wxqrcode", ""},
          {"corp_scale", "1-50人"},      {"corp_industry", "房地产"},      {"corp_sub_industry", "物业管理"}};
}

json auth_info(const WecomInstall& i) {
  json privilege = {{"level", i.contact_edit ? 3 : 1}, {"allow_party", i.allow_party}, {"allow_user", i.allow_user},
                    {"allow_tag", i.allow_tag},         {"extra_party", json::array()}, {"extra_user", json::array()},
                    {"extra_tag", json::array()}};
  return {{"agent", json::array({{{"agentid", i.agent_id},
                                  {"name", "小区管家"},
                                  {"round_logo_url", ""},
                                  {"square_logo_url", ""},
                                  {"auth_mode", 0},
                                  {"is_customized_app", false},
                                  {"privilege", privilege}}})}};
}

// The active installation named by {auth_corpid, permanent_code}, or 40084 answered.
WecomInstall* installation(WecomState& st, const std::string& suite_id, const json& body, httplib::Response& res) {
  auto* inst = st.install(suite_id, body.value("auth_corpid", ""));
  if (!inst || !inst->active || inst->permanent_code != body.value("permanent_code", "")) {
    Sandbox::error(res, 40084, "invalid permanent_code");
    return nullptr;
  }
  return inst;
}

void suite_token(Sandbox& sb) {
  /// https://developer.work.weixin.qq.com/document/path/90600
  sb.post("/cgi-bin/service/get_suite_token", wecom_guard([&sb](const httplib::Request& req, httplib::Response& res) {
    auto body = Sandbox::body_json(req, res);
    if (!body) return;
    std::string suite_id = body->value("suite_id", "");
    const auto* ep = wecom_suite_endpoint(sb.config(), suite_id);
    if (!ep) return Sandbox::error(res, 40083, "invalid suite_id");
    if (ep->secret.empty() || body->value("suite_secret", "") != ep->secret) return Sandbox::error(res, 40080, "invalid suite_secret");
    std::lock_guard lk(sb.mutex());
    // Only the newest pushed ticket is accepted, so a gateway that kept an old one fails.
    auto& tickets = sb.state<Tickets>().suite_ticket;
    auto latest = tickets.find(suite_id);
    std::string ticket = body->value("suite_ticket", "");
    if (latest == tickets.end() || ticket.empty() || ticket != latest->second)
      return Sandbox::error(res, 40085, "invalid suite_ticket");
    std::string token = sb.issue_token("wecom_suite", suite_id);
    sb.state<WecomState>().suite_tokens.insert(token);
    Sandbox::reply(res, {{"errcode", 0}, {"errmsg", "ok"}, {"suite_access_token", token}, {"expires_in", 7200}});
  }));
}

void pre_authorization(Sandbox& sb) {
  /// https://developer.work.weixin.qq.com/document/path/90601
  sb.get("/cgi-bin/service/get_pre_auth_code", [&sb](const httplib::Request& req, httplib::Response& res) {
    auto suite = wecom_suite_caller(sb, req, res);
    if (!suite) return;
    std::lock_guard lk(sb.mutex());
    std::string code = wecom_random("PRE", 40);
    sb.state<WecomState>().pre_auth_codes[code] = {*suite, 0, wecom_now() + kPreAuthCodeLife};
    Sandbox::reply(res, {{"errcode", 0}, {"errmsg", "ok"}, {"pre_auth_code", code}, {"expires_in", kPreAuthCodeLife}});
  });

  /// https://developer.work.weixin.qq.com/document/path/90602
  sb.post("/cgi-bin/service/set_session_info", wecom_guard([&sb](const httplib::Request& req, httplib::Response& res) {
    auto suite = wecom_suite_caller(sb, req, res);
    if (!suite) return;
    auto body = Sandbox::body_json(req, res);
    if (!body) return;
    std::lock_guard lk(sb.mutex());
    auto& codes = sb.state<WecomState>().pre_auth_codes;
    auto it = codes.find(body->value("pre_auth_code", ""));
    if (it == codes.end() || it->second.suite_id != *suite) return Sandbox::error(res, 40077, "invalid pre_auth_code");
    if (it->second.expires_at <= wecom_now()) return Sandbox::error(res, 42007, "pre_auth_code expired");
    json session = body->value("session_info", json::object());
    int auth_type = session.value("auth_type", 0);
    if (auth_type != 0 && auth_type != 1) return Sandbox::error(res, 40058, "invalid auth_type");
    it->second.auth_type = auth_type;
    Sandbox::reply(res, {{"errcode", 0}, {"errmsg", "ok"}});
  }));
}

void permanent_codes(Sandbox& sb) {
  /// https://developer.work.weixin.qq.com/document/path/90603
  sb.post("/cgi-bin/service/get_permanent_code", wecom_guard([&sb](const httplib::Request& req, httplib::Response& res) {
    auto suite = wecom_suite_caller(sb, req, res);
    if (!suite) return;
    auto body = Sandbox::body_json(req, res);
    if (!body) return;
    std::lock_guard lk(sb.mutex());
    auto& st = sb.state<WecomState>();
    auto it = st.auth_codes.find(body->value("auth_code", ""));
    if (it == st.auth_codes.end() || it->second.suite_id != *suite || it->second.expires_at <= wecom_now())
      return Sandbox::error(res, 40078, "invalid auth_code");
    WecomAuthCode code = it->second;
    st.auth_codes.erase(it);  // single use
    auto& inst = st.installs[*suite + "/" + code.corp_id];
    if (inst.agent_id == 0) inst.agent_id = st.next_agent_id++;
    inst.suite_id = *suite;
    inst.corp_id = code.corp_id;
    inst.permanent_code = wecom_random("PC", 43);
    inst.state = code.state;
    inst.installer = code.installer;
    inst.allow_party = code.allow_party;
    inst.allow_user = code.allow_user;
    inst.allow_tag = code.allow_tag;
    inst.contact_edit = code.contact_edit;
    inst.auth_type = code.auth_type;
    inst.active = true;
    auto& corp = st.corp(code.corp_id);
    json reply = {{"access_token", sb.issue_token("wecom_authorized_corp", *suite + "/" + code.corp_id, true)},
                  {"expires_in", 7200},
                  {"permanent_code", inst.permanent_code},
                  {"auth_corp_info", corp_info(corp)},
                  {"auth_info", auth_info(inst)},
                  {"auth_user_info", {{"userid", inst.installer},
                                      {"open_userid", wecom_open_userid(corp.corp_id, inst.installer)},
                                      {"name", inst.installer},
                                      {"avatar", ""}}},
                  {"state", inst.state}};
    Sandbox::reply(res, reply);
  }));

  /// https://developer.work.weixin.qq.com/document/path/90604
  sb.post("/cgi-bin/service/get_auth_info", wecom_guard([&sb](const httplib::Request& req, httplib::Response& res) {
    auto suite = wecom_suite_caller(sb, req, res);
    if (!suite) return;
    auto body = Sandbox::body_json(req, res);
    if (!body) return;
    std::lock_guard lk(sb.mutex());
    auto& st = sb.state<WecomState>();
    auto* inst = installation(st, *suite, *body, res);
    if (!inst) return;
    Sandbox::reply(res, {{"errcode", 0}, {"errmsg", "ok"}, {"auth_corp_info", corp_info(st.corp(inst->corp_id))},
                         {"auth_info", auth_info(*inst)}});
  }));

  /// https://developer.work.weixin.qq.com/document/path/90605
  sb.post("/cgi-bin/service/get_corp_token", wecom_guard([&sb](const httplib::Request& req, httplib::Response& res) {
    auto suite = wecom_suite_caller(sb, req, res);
    if (!suite) return;
    auto body = Sandbox::body_json(req, res);
    if (!body) return;
    std::lock_guard lk(sb.mutex());
    auto* inst = installation(sb.state<WecomState>(), *suite, *body, res);
    if (!inst) return;
    // errcode only appears on failure, as the platform documents it.
    Sandbox::reply(res, {{"access_token", sb.issue_token("wecom_authorized_corp", *suite + "/" + inst->corp_id)}, {"expires_in", 7200}});
  }));
}

void app_qrcode(Sandbox& sb) {
  /// https://developer.work.weixin.qq.com/document/path/95430
  sb.post("/cgi-bin/service/get_app_qrcode", wecom_guard([&sb](const httplib::Request& req, httplib::Response& res) {
    auto suite = wecom_suite_caller(sb, req, res);
    if (!suite) return;
    auto body = Sandbox::body_json(req, res);
    if (!body) return;
    if (body->value("suite_id", "") != *suite) return Sandbox::error(res, 40083, "invalid suite_id");
    std::string state = body->value("state", "");
    if (state.size() > 32 || !alnum(state)) return Sandbox::error(res, 40058, "invalid state");
    int style = body->value("style", 0);
    if (style < 0 || style > 4) return Sandbox::error(res, 40058, "invalid style");
    if (body->value("result_type", 1) == 1) {
      res.set_content(std::string(reinterpret_cast<const char*>(kPng), sizeof kPng), "image/png");
      return;
    }
    Sandbox::reply(res, {{"errcode", 0}, {"errmsg", "ok"},
                         {"qrcode", sb.base_url() + "/sandbox/wecom/app_qrcode.png?suite_id=" + *suite + "&state=" + state +
                                        "&style=" + std::to_string(style)}});
  }));
  sb.get("/sandbox/wecom/app_qrcode.png", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(std::string(reinterpret_cast<const char*>(kPng), sizeof kPng), "image/png");
  });
}

// ---- control: a simulated corp installs or uninstalls the suite ----
void control(Sandbox& sb) {
  sb.post("/sandbox/wecom/install", wecom_guard([&sb](const httplib::Request& req, httplib::Response& res) {
    auto body = Sandbox::body_json(req, res);
    if (!body) return;
    std::string suite_id = body->value("suite_id", ""), corp_id = body->value("corp_id", ""), state = body->value("state", "");
    const auto* ep = wecom_suite_endpoint(sb.config(), suite_id);
    if (!ep) return Sandbox::error(res, 40083, "invalid suite_id: not a configured suite");
    if (corp_id.empty()) return Sandbox::error(res, 40013, "invalid corpid");
    if (state.size() > 128 || !alnum(state)) return Sandbox::error(res, 40058, "invalid state");
    std::string code = wecom_random("AC", 64);
    {
      std::lock_guard lk(sb.mutex());
      auto& st = sb.state<WecomState>();
      auto& corp = st.corp(corp_id);
      WecomAuthCode ac;
      ac.suite_id = suite_id;
      ac.corp_id = corp_id;
      ac.state = state;
      ac.expires_at = wecom_now() + kAuthCodeLife;
      ac.contact_edit = body->value("contact_edit", false);
      ac.allow_party = body->value("allow_party", std::vector<std::int64_t>{1});
      // The range may also name members and tags; the corp must have them.
      for (const auto& u : body->value("allow_user", std::vector<std::string>{})) {
        auto* m = corp.find(u);
        if (!m) return Sandbox::error(res, 60111, "userid not found: " + u);
        ac.allow_user.push_back(m->userid);
      }
      ac.allow_tag = body->value("allow_tag", std::vector<std::int64_t>{});
      for (auto t : ac.allow_tag)
        if (!corp.tags.count(t)) return Sandbox::error(res, 40068, "invalid tagid: " + std::to_string(t));
      // The admin who installs: the given member, else the first of the root department.
      std::string installer = body->value("userid", "");
      if (!installer.empty()) {
        auto* m = corp.find(installer);
        if (!m) return Sandbox::error(res, 60111, "userid not found");
        installer = m->userid;
      } else {
        for (const auto& [key, m] : corp.members)
          if (m.main_department == 1) {
            installer = m.userid;
            break;
          }
        if (installer.empty() && !corp.members.empty()) installer = corp.members.begin()->second.userid;
      }
      ac.installer = installer;
      // An install page visit consumes the pre-authorization code and its session info.
      if (std::string pre = body->value("pre_auth_code", ""); !pre.empty()) {
        auto it = st.pre_auth_codes.find(pre);
        if (it == st.pre_auth_codes.end() || it->second.suite_id != suite_id) return Sandbox::error(res, 40077, "invalid pre_auth_code");
        if (it->second.expires_at <= wecom_now()) return Sandbox::error(res, 42007, "pre_auth_code expired");
        ac.auth_type = it->second.auth_type;
        st.pre_auth_codes.erase(it);
      }
      st.auth_codes[code] = ac;
    }
    json reply = {{"errcode", 0}, {"errmsg", "ok"}, {"auth_code", code}, {"expires_in", kAuthCodeLife}, {"state", state}};
    if (body->value("push", false)) {
      std::string xml = "<xml>" + wecom_xml("SuiteId", suite_id) + wecom_xml("AuthCode", code) + wecom_xml("InfoType", "create_auth") +
                        "<TimeStamp>" + std::to_string(wecom_now()) + "</TimeStamp>" + wecom_xml("State", state) + "</xml>";
      auto [status, answer] = wecom_push(sb, *ep, suite_id, xml);
      reply["gateway_status"] = status;
      reply["gateway_body"] = answer;
    }
    Sandbox::reply(res, reply);
  }));

  sb.post("/sandbox/wecom/cancel_auth", wecom_guard([&sb](const httplib::Request& req, httplib::Response& res) {
    auto body = Sandbox::body_json(req, res);
    if (!body) return;
    std::string suite_id = body->value("suite_id", ""), corp_id = body->value("corp_id", "");
    const auto* ep = wecom_suite_endpoint(sb.config(), suite_id);
    if (!ep) return Sandbox::error(res, 40083, "invalid suite_id: not a configured suite");
    {
      std::lock_guard lk(sb.mutex());
      auto* inst = sb.state<WecomState>().install(suite_id, corp_id);
      if (!inst || !inst->active) return Sandbox::error(res, 40084, "the corp has not authorized this suite");
      inst->active = false;
      inst->permanent_code.clear();
      sb.invalidate_tokens("wecom_authorized_corp", suite_id + "/" + corp_id);
    }
    std::string xml = "<xml>" + wecom_xml("SuiteId", suite_id) + wecom_xml("InfoType", "cancel_auth") + "<TimeStamp>" +
                      std::to_string(wecom_now()) + "</TimeStamp>" + wecom_xml("AuthCorpId", corp_id) + "</xml>";
    auto [status, answer] = wecom_push(sb, *ep, suite_id, xml);
    Sandbox::reply(res, {{"errcode", 0}, {"errmsg", "ok"}, {"gateway_status", status}, {"gateway_body", answer}});
  }));
}
}  // namespace

void register_wecom_suites(Sandbox& sb) {
  suite_token(sb);
  pre_authorization(sb);
  permanent_codes(sb);
  app_qrcode(sb);
  control(sb);
}

}  // namespace xiaoqu::sandbox
