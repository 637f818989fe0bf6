// Sandbox web authorization (docs/protocol/oauth.md): codes issued by a control endpoint standing in for the
// user's consent, single use and living 5 minutes; the code exchange and sns/userinfo.
#include <httplib.h>

#include <algorithm>
#include <cctype>

#include "sandbox/wechat_followers.hpp"
#include "sandbox/wechat_support.hpp"

namespace xiaoqu::sandbox {
namespace {
constexpr std::int64_t kCodeLifeSeconds = 300;

struct OAuthCode {
  std::string appid, openid, scope;
  std::int64_t expires_at = 0;
  bool used = false;
  bool snapshot = false;
};

struct OAuthState {
  std::map<std::string, OAuthCode> codes;
  std::map<std::string, std::string> scope_of_token;  ///< user web token → scope
};

std::string unionid_of(const std::string& openid) {
  std::string id = "uX";
  std::uint64_t h = stable_hash(openid, 11);
  for (int i = 0; i < 26; ++i, h = (h >> 5) | (h << 59)) id.push_back("ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"[h & 31]);
  return id;
}

bool valid_state(const std::string& s) {
  return s.size() <= 128 && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isalnum(c) != 0; });
}
}  // namespace

void register_wechat_oauth(Sandbox& sb) {
  /// https://developers.weixin.qq.com/doc/service/api/webdev/access/api_snsaccesstoken
  sb.get("/sns/oauth2/access_token", [&sb](const httplib::Request& req, httplib::Response& res) {
    const auto* account = find_official_account(sb.config(), req.get_param_value("appid"));
    if (!account) return Sandbox::error(res, 40013, "invalid appid");
    if (account->app_secret.empty() || req.get_param_value("secret") != account->app_secret)
      return Sandbox::error(res, 40125, "invalid appsecret");
    if (req.get_param_value("grant_type") != "authorization_code") return Sandbox::error(res, 40002, "invalid grant_type");
    if (!req.has_param("code")) return Sandbox::error(res, 41008, "missing code");
    OAuthCode code;
    {
      std::lock_guard lk(sb.mutex());
      auto& codes = sb.state<OAuthState>().codes;
      auto it = codes.find(req.get_param_value("code"));
      if (it == codes.end() || it->second.appid != account->appid) return Sandbox::error(res, 40029, "invalid code");
      if (it->second.used) return Sandbox::error(res, 40163, "code been used");
      if (it->second.expires_at <= unix_now()) return Sandbox::error(res, 42003, "code expired");
      it->second.used = true;
      code = it->second;
    }
    std::string token = sb.issue_token("sns", code.appid + "|" + code.openid, true);
    {
      std::lock_guard lk(sb.mutex());
      sb.state<OAuthState>().scope_of_token[token] = code.scope;
    }
    nlohmann::json reply = {{"access_token", token}, {"expires_in", 7200}, {"refresh_token", random_text(64)},
                            {"openid", code.openid}, {"scope", code.scope}};
    if (code.scope == "snsapi_userinfo") reply["unionid"] = unionid_of(code.openid);
    if (code.snapshot) reply["is_snapshotuser"] = 1;
    Sandbox::reply(res, reply);
  });

  /// https://developers.weixin.qq.com/doc/offiaccount/OA_Web_Apps/Wechat_webpage_authorization.html
  sb.get("/sns/userinfo", [&sb](const httplib::Request& req, httplib::Response& res) {
    auto owner = sb.require_token(req, res, "sns");
    if (!owner) return;
    std::string openid = owner->substr(owner->find('|') + 1);
    if (req.get_param_value("openid") != openid) return Sandbox::error(res, 40003, "invalid openid");
    {
      std::lock_guard lk(sb.mutex());
      auto& scopes = sb.state<OAuthState>().scope_of_token;
      auto it = scopes.find(req.get_param_value("access_token"));
      if (it == scopes.end() || it->second != "snsapi_userinfo") return Sandbox::error(res, 48001, "api unauthorized: snsapi_base grant");
    }
    Sandbox::reply(res, {{"openid", openid}, {"nickname", "微信用户"}, {"sex", 0}, {"province", ""}, {"city", ""}, {"country", ""},
                         {"headimgurl", ""}, {"privilege", nlohmann::json::array()}, {"unionid", unionid_of(openid)}});
  });

  // ---- control: the user consents on the authorize page ----
  sb.post("/sandbox/wechat/oauth/authorize", [&sb](const httplib::Request& req, httplib::Response& res) {
    auto body = Sandbox::body_json(req, res);
    if (!body) return;
    auto appid = string_member(*body, "appid");
    auto openid = string_member(*body, "openid");
    auto redirect = string_member(*body, "redirect_uri");
    std::string state = string_member(*body, "state").value_or("");
    std::string scope = string_member(*body, "scope").value_or("snsapi_base");
    if (!appid || !openid || openid->empty() || !redirect || redirect->empty())
      return control_error(res, 400, "appid, openid and redirect_uri are required");
    if (!find_official_account(sb.config(), *appid)) return control_error(res, 404, "no official account " + *appid + " in the configuration");
    if (!valid_state(state)) return control_error(res, 400, "state must be up to 128 letters or digits");
    if (scope != "snsapi_base" && scope != "snsapi_userinfo") return control_error(res, 400, "scope must be snsapi_base or snsapi_userinfo");
    // Tests shorten the life to see 42003 without waiting five minutes.
    std::int64_t life = integer_member(*body, "expires_in").value_or(kCodeLifeSeconds);
    auto snap = body->find("is_snapshotuser");
    bool snapshot = snap != body->end() && ((snap->is_boolean() && snap->get<bool>()) || (snap->is_number_integer() && snap->get<int>() == 1));
    std::string code = random_text(32);
    {
      std::lock_guard lk(sb.mutex());
      sb.state<OAuthState>().codes[code] = OAuthCode{*appid, *openid, scope, unix_now() + life, false, snapshot};
      followers_of(sb, *appid).remember(*openid);
    }
    std::string target = *redirect + (redirect->find('?') == std::string::npos ? "?" : "&") + "code=" + code + "&state=" + state;
    Sandbox::reply(res, {{"code", code}, {"redirect", target}});
  });
}

}  // namespace xiaoqu::sandbox
