#pragma once
// How WeCom tokens are fetched: self-built app tokens (gettoken with a corp secret), the
// suite token (get_suite_token with the newest suite_ticket) and authorized-corp tokens
// (get_corp_token with a permanent code). Each defines a key on the shared TokenProvider,
// which owns caching, the one-refresh-at-a-time rule and invalidation (docs/protocol/tokens.md).
#include <functional>
#include <optional>
#include <string>

#include "wechat/api_client.hpp"
#include "wechat/token_provider.hpp"

namespace xiaoqu::wecom {

/// Supplies a credential input that changes at run time (the newest suite_ticket, a stored
/// permanent code); nullopt when there is none yet.
using CredentialSource = std::function<std::optional<std::string>()>;

/// {wecom_corp, "corp/agent"}: `agent_id` names the secret ("1000002", or e.g. "contacts"
/// for the contacts-sync secret), since each secret has its own token.
wechat::CredentialKey corp_key(const std::string& corp_id, const std::string& agent_id);
/// {wecom_suite, suite id}.
wechat::CredentialKey suite_key(const std::string& suite_id);
/// {wecom_authorized_corp, "suite/corp"}.
wechat::CredentialKey authorized_corp_key(const std::string& suite_id, const std::string& corp_id);

/// Defines corp_key(corp_id, agent_id) as GET /cgi-bin/gettoken?corpid&corpsecret and returns
/// the key. `api` must outlive `tokens`' use of the key.
/// https://developer.work.weixin.qq.com/document/path/91039
wechat::CredentialKey define_corp(wechat::TokenProvider& tokens, wechat::ApiClient& api, std::string corp_id,
                                  std::string agent_id, std::string secret);

/// Defines suite_key(suite_id) as POST /cgi-bin/service/get_suite_token with the ticket
/// `suite_ticket` returns at fetch time; no ticket yet → PlatformError(credential).
/// https://developer.work.weixin.qq.com/document/path/90600
wechat::CredentialKey define_suite(wechat::TokenProvider& tokens, wechat::ApiClient& api, std::string suite_id,
                                   std::string suite_secret, CredentialSource suite_ticket);

/// Defines authorized_corp_key(suite_id, corp_id) as POST /cgi-bin/service/get_corp_token,
/// authenticated with the suite token; no permanent code → PlatformError(credential).
/// https://developer.work.weixin.qq.com/document/path/90605
wechat::CredentialKey define_authorized_corp(wechat::TokenProvider& tokens, wechat::ApiClient& api, std::string suite_id,
                                             std::string corp_id, CredentialSource permanent_code);

}  // namespace xiaoqu::wecom
