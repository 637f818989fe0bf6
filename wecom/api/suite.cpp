#include "wecom/api/suite.hpp"

#include <cctype>
#include <stdexcept>

#include "wecom/api/reply_fields.hpp"
#include "wecom/credentials.hpp"

namespace xiaoqu::wecom::api {
namespace {
using detail::int_list;
using detail::opt_int;
using detail::string_list;
using detail::string_or_empty;

wechat::ApiRequest suite_request(const char* path) {
  wechat::ApiRequest req;
  req.path = path;
  req.token_param = "suite_access_token";
  return req;
}

void check_state(const std::string& state, std::size_t max) {
  if (state.size() > max) throw std::invalid_argument("state: must be at most " + std::to_string(max) + " bytes");
  for (unsigned char c : state)
    if (!std::isalnum(c)) throw std::invalid_argument("state: may hold only letters and digits");
}

AuthCorpInfo corp_from(const nlohmann::json& j, const std::string& api) {
  AuthCorpInfo c;
  c.corp_id = wechat::field<std::string>(j, "corpid", api);
  c.corp_name = string_or_empty(j, "corp_name");
  c.corp_full_name = string_or_empty(j, "corp_full_name");
  c.corp_type = string_or_empty(j, "corp_type");
  c.corp_user_max = opt_int(j, "corp_user_max");
  return c;
}

AuthInfo auth_from(const nlohmann::json& reply, const std::string& api) {
  AuthInfo info;
  info.corp = corp_from(wechat::field<nlohmann::json>(reply, "auth_corp_info", api), api);
  auto auth = wechat::field<nlohmann::json>(reply, "auth_info", api);
  for (const auto& a : detail::array_field(auth, "agent", api)) {
    AuthAgent agent;
    agent.agent_id = wechat::field<std::int64_t>(a, "agentid", api);
    agent.name = string_or_empty(a, "name");
    agent.appid = opt_int(a, "appid");
    agent.auth_mode = static_cast<int>(opt_int(a, "auth_mode").value_or(0));
    if (auto p = a.find("privilege"); p != a.end() && p->is_object()) {
      agent.privilege.level = static_cast<int>(opt_int(*p, "level").value_or(0));
      agent.privilege.allow_party = int_list(*p, "allow_party");
      agent.privilege.extra_party = int_list(*p, "extra_party");
      agent.privilege.allow_tag = int_list(*p, "allow_tag");
      agent.privilege.extra_tag = int_list(*p, "extra_tag");
      agent.privilege.allow_user = string_list(*p, "allow_user");
      agent.privilege.extra_user = string_list(*p, "extra_user");
    }
    info.agents.push_back(std::move(agent));
  }
  return info;
}
}  // namespace

PreAuthCode get_pre_auth_code(wechat::ApiClient& api, const std::string& suite_id) {
  auto req = suite_request("/cgi-bin/service/get_pre_auth_code");
  auto reply = api.call(req, suite_key(suite_id));
  return {wechat::field<std::string>(reply, "pre_auth_code", req.path), opt_int(reply, "expires_in").value_or(1200)};
}

void set_session_info(wechat::ApiClient& api, const std::string& suite_id, const std::string& pre_auth_code,
                      const SessionInfo& info) {
  if (info.auth_type != 0 && info.auth_type != 1) throw std::invalid_argument("session_info.auth_type: must be 0 or 1");
  auto req = suite_request("/cgi-bin/service/set_session_info");
  req.body = nlohmann::json{{"pre_auth_code", pre_auth_code},
                            {"session_info", {{"appid", info.appids}, {"auth_type", info.auth_type}}}};
  api.call(req, suite_key(suite_id));
}

PermanentCode get_permanent_code(wechat::ApiClient& api, const std::string& suite_id, const std::string& auth_code) {
  auto req = suite_request("/cgi-bin/service/get_permanent_code");
  req.retry_transient = false;  // the auth code is single-use
  req.body = nlohmann::json{{"auth_code", auth_code}};
  auto reply = api.call(req, suite_key(suite_id));
  PermanentCode out;
  out.permanent_code = wechat::field<std::string>(reply, "permanent_code", req.path);
  out.access_token = string_or_empty(reply, "access_token");
  out.expires_in = opt_int(reply, "expires_in").value_or(0);
  out.auth = auth_from(reply, req.path);
  if (auto u = reply.find("auth_user_info"); u != reply.end() && u->is_object())
    out.auth_user = {string_or_empty(*u, "userid"), string_or_empty(*u, "open_userid"), string_or_empty(*u, "name"),
                     string_or_empty(*u, "avatar")};
  out.state = string_or_empty(reply, "state");
  return out;
}

AuthInfo get_auth_info(wechat::ApiClient& api, const std::string& suite_id, const std::string& auth_corp_id,
                       const std::string& permanent_code) {
  auto req = suite_request("/cgi-bin/service/get_auth_info");
  req.body = nlohmann::json{{"auth_corpid", auth_corp_id}, {"permanent_code", permanent_code}};
  return auth_from(api.call(req, suite_key(suite_id)), req.path);
}

std::string get_app_qrcode(wechat::ApiClient& api, const std::string& suite_id, const AppQrcodeRequest& r) {
  check_state(r.state, 32);
  if (r.style < 0 || r.style > 4) throw std::invalid_argument("style: must be 0 to 4");
  auto req = suite_request("/cgi-bin/service/get_app_qrcode");
  nlohmann::json body = {{"suite_id", suite_id}, {"style", r.style}, {"result_type", 2}};
  if (r.appid) body["appid"] = *r.appid;
  if (!r.state.empty()) body["state"] = r.state;
  req.body = std::move(body);
  return wechat::field<std::string>(api.call(req, suite_key(suite_id)), "qrcode", req.path);
}

std::string install_url(const std::string& wecom_open_base, const std::string& suite_id, const std::string& pre_auth_code,
                        const std::string& redirect_uri, const std::string& state) {
  check_state(state, 128);
  if (suite_id.empty() || pre_auth_code.empty()) throw std::invalid_argument("pre_auth_code: required with the suite id");
  return wecom_open_base + "/3rdapp/install?suite_id=" + wechat::url_encode(suite_id) +
         "&pre_auth_code=" + wechat::url_encode(pre_auth_code) + "&redirect_uri=" + wechat::url_encode(redirect_uri) +
         "&state=" + wechat::url_encode(state);
}

}  // namespace xiaoqu::wecom::api
