// WeCom web login in the sandbox (docs/protocol/oauth.md): codes handed out by a control endpoint stand in
// for the browser's redirect; auth/getuserinfo and service/auth/getuserinfo3rd exchange
// them once, in the current or the old capitalised spelling.
#include <httplib.h>

#include "sandbox/wecom_state.hpp"

namespace xiaoqu::sandbox {
namespace {
using nlohmann::json;

constexpr std::int64_t kCodeLife = 300;  // login codes: 5 minutes, single use

// Takes the code out of the state when it belongs to this corp/suite; 40029 otherwise.
std::optional<WecomLoginCode> redeem(Sandbox& sb, const std::string& code, const std::string& corp_id, const std::string& suite_id,
                                     httplib::Response& res) {
  std::lock_guard lk(sb.mutex());
  auto& codes = sb.state<WecomState>().login_codes;
  auto it = codes.find(code);
  bool ok = it != codes.end() && it->second.suite_id == suite_id && (corp_id.empty() || it->second.corp_id == corp_id) &&
            it->second.expires_at > wecom_now();
  if (!ok) {
    Sandbox::error(res, 40029, "invalid code");
    return std::nullopt;
  }
  WecomLoginCode c = it->second;
  codes.erase(it);
  return c;
}
}  // namespace

void register_wecom_login(Sandbox& sb) {
  /// https://developer.work.weixin.qq.com/document/path/98177
  sb.get("/cgi-bin/auth/getuserinfo", [&sb](const httplib::Request& req, httplib::Response& res) {
    auto caller = wecom_caller(sb, req, res);
    if (!caller) return;
    auto c = redeem(sb, req.get_param_value("code"), caller->corp_id, caller->suite_id, res);
    if (!c) return;
    json j = {{"errcode", 0}, {"errmsg", "ok"}};
    if (!c->openid.empty()) j[c->legacy ? "OpenId" : "openid"] = c->openid;
    else j[c->legacy ? "UserId" : "userid"] = c->userid;
    if (c->legacy) j["DeviceId"] = "";
    Sandbox::reply(res, j);
  });

  /// https://developer.work.weixin.qq.com/document/path/91121
  sb.get("/cgi-bin/service/auth/getuserinfo3rd", [&sb](const httplib::Request& req, httplib::Response& res) {
    auto suite = wecom_suite_caller(sb, req, res);
    if (!suite) return;
    auto c = redeem(sb, req.get_param_value("code"), "", *suite, res);
    if (!c) return;
    json j = {{"errcode", 0}, {"errmsg", "ok"}, {c->legacy ? "CorpId" : "corpid", c->corp_id}, {"expires_in", 1800}};
    if (!c->openid.empty()) {
      j[c->legacy ? "OpenId" : "openid"] = c->openid;
    } else {
      j[c->legacy ? "UserId" : "userid"] = c->userid;
      j["open_userid"] = wecom_open_userid(c->corp_id, c->userid);
    }
    if (c->legacy) j["DeviceId"] = "";
    Sandbox::reply(res, j);
  });

  // Control: the code a browser would bring back after {userid} scanned the login QR code.
  sb.post("/sandbox/wecom/login_code", wecom_guard([&sb](const httplib::Request& req, httplib::Response& res) {
    auto body = Sandbox::body_json(req, res);
    if (!body) return;
    WecomLoginCode code;
    code.suite_id = body->value("suite_id", "");
    code.corp_id = body->value("corp_id", "");
    code.openid = body->value("openid", "");
    code.legacy = body->value("legacy", false);
    code.expires_at = wecom_now() + kCodeLife;
    std::lock_guard lk(sb.mutex());
    auto& st = sb.state<WecomState>();
    if (!code.suite_id.empty()) {
      if (!wecom_suite_endpoint(sb.config(), code.suite_id)) return Sandbox::error(res, 40083, "invalid suite_id");
      // Without a corp id, the one corp that installed the suite.
      if (code.corp_id.empty())
        for (const auto& [key, inst] : st.installs)
          if (inst.suite_id == code.suite_id && inst.active) {
            if (!code.corp_id.empty()) return Sandbox::error(res, 40013, "several corps installed the suite: give corp_id");
            code.corp_id = inst.corp_id;
          }
      auto* inst = st.install(code.suite_id, code.corp_id);
      if (!inst || !inst->active) return Sandbox::error(res, 40084, "the corp has not authorized this suite");
    } else if (code.corp_id.empty() || (wecom_corp_endpoints(sb.config(), code.corp_id).empty() && !st.corps.count(code.corp_id))) {
      return Sandbox::error(res, 40013, "invalid corpid");
    }
    if (code.openid.empty()) {
      auto* m = st.corp(code.corp_id).find(body->value("userid", ""));
      if (!m) return Sandbox::error(res, 60111, "userid not found");
      code.userid = m->userid;
    }
    std::string value = wecom_random("LC", 32);
    st.login_codes[value] = code;
    Sandbox::reply(res, {{"errcode", 0}, {"errmsg", "ok"}, {"code", value}, {"expires_in", kCodeLife}});
  }));
}

}  // namespace xiaoqu::sandbox
