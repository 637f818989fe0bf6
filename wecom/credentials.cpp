#include "wecom/credentials.hpp"

#include <ctime>

namespace xiaoqu::wecom {
namespace {
using wechat::ApiRequest;
using wechat::CredentialKind;
using wechat::PlatformError;

std::int64_t now() { return static_cast<std::int64_t>(std::time(nullptr)); }

wechat::Token token_from(const nlohmann::json& reply, const char* name, const std::string& api) {
  auto ttl = reply.find("expires_in");
  std::int64_t expires_in = ttl != reply.end() && ttl->is_number_integer() ? ttl->get<std::int64_t>() : 7200;
  return wechat::make_token(wechat::field<std::string>(reply, name, api), expires_in, now());
}

std::string required(const CredentialSource& source, const std::string& api, const std::string& what) {
  std::optional<std::string> value = source ? source() : std::nullopt;
  if (!value || value->empty()) throw PlatformError(api, PlatformError::Kind::credential, 0, what);
  return *value;
}
}  // namespace

wechat::CredentialKey corp_key(const std::string& corp_id, const std::string& agent_id) {
  return {CredentialKind::wecom_corp, corp_id + "/" + agent_id};
}
wechat::CredentialKey suite_key(const std::string& suite_id) { return {CredentialKind::wecom_suite, suite_id}; }
wechat::CredentialKey authorized_corp_key(const std::string& suite_id, const std::string& corp_id) {
  return {CredentialKind::wecom_authorized_corp, suite_id + "/" + corp_id};
}

wechat::CredentialKey define_corp(wechat::TokenProvider& tokens, wechat::ApiClient& api, std::string corp_id,
                                  std::string agent_id, std::string secret) {
  auto key = corp_key(corp_id, agent_id);
  tokens.define(key, [&api, corp_id = std::move(corp_id), secret = std::move(secret)](bool) {
    ApiRequest req;
    req.path = "/cgi-bin/gettoken";
    req.query = {{"corpid", corp_id}, {"corpsecret", secret}};
    return token_from(api.call(req), "access_token", req.path);
  });
  return key;
}

wechat::CredentialKey define_suite(wechat::TokenProvider& tokens, wechat::ApiClient& api, std::string suite_id,
                                   std::string suite_secret, CredentialSource suite_ticket) {
  auto key = suite_key(suite_id);
  tokens.define(key, [&api, suite_id = std::move(suite_id), secret = std::move(suite_secret),
                      ticket = std::move(suite_ticket)](bool) {
    ApiRequest req;
    req.path = "/cgi-bin/service/get_suite_token";
    // Read at each fetch: WeCom pushes a new ticket every 10 minutes and only recent ones work.
    std::string t = required(ticket, req.path,
                             "no suite_ticket received yet for suite " + suite_id + "; WeCom pushes one every 10 minutes");
    req.body = nlohmann::json{{"suite_id", suite_id}, {"suite_secret", secret}, {"suite_ticket", t}};
    return token_from(api.call(req), "suite_access_token", req.path);
  });
  return key;
}

wechat::CredentialKey define_authorized_corp(wechat::TokenProvider& tokens, wechat::ApiClient& api, std::string suite_id,
                                             std::string corp_id, CredentialSource permanent_code) {
  auto key = authorized_corp_key(suite_id, corp_id);
  tokens.define(key, [&api, suite_id = std::move(suite_id), corp_id = std::move(corp_id),
                      code = std::move(permanent_code)](bool) {
    ApiRequest req;
    req.path = "/cgi-bin/service/get_corp_token";
    req.token_param = "suite_access_token";
    std::string pc = required(code, req.path, "no permanent code stored for this corp; the suite must be installed first");
    req.body = nlohmann::json{{"auth_corpid", corp_id}, {"permanent_code", pc}};
    return token_from(api.call(req, suite_key(suite_id)), "access_token", req.path);
  });
  return key;
}

}  // namespace xiaoqu::wecom
