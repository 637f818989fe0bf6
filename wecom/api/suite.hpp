#pragma once
// WeCom third-party suite installation (docs/protocol/wecom.md): pre-authorization codes, the install
// page URL, exchanging the temporary auth code for the permanent code, authorization info
// and the install QR code. Every call takes the suite id; the suite token comes from
// wecom::define_suite.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "wechat/api_client.hpp"

namespace xiaoqu::wecom::api {

struct PreAuthCode {
  std::string code;
  std::int64_t expires_in = 0;  ///< seconds (1200)
};

/// set_session_info: auth_type 1 marks a test install (unreleased apps), 0 a real one.
struct SessionInfo {
  std::vector<std::int64_t> appids;  ///< only for old multi-app suites
  int auth_type = 0;
};

struct AuthCorpInfo {
  std::string corp_id;
  std::string corp_name;
  std::string corp_full_name;
  std::string corp_type;  ///< "verified", "unverified"
  std::optional<std::int64_t> corp_user_max;
};

/// What one app of the suite may see in the corp (auth_info.agent[].privilege).
struct AgentPrivilege {
  int level = 0;  ///< 1 contacts read-only, 3 read-write, 4 single member basic info
  std::vector<std::int64_t> allow_party, extra_party, allow_tag, extra_tag;
  std::vector<std::string> allow_user, extra_user;
};

struct AuthAgent {
  std::int64_t agent_id = 0;
  std::string name;
  std::optional<std::int64_t> appid;  ///< old multi-app suites only
  int auth_mode = 0;                  ///< 0 installed by an admin, 1 by a member
  AgentPrivilege privilege;
};

struct AuthUser {
  std::string userid, open_userid, name, avatar;
};

struct AuthInfo {
  AuthCorpInfo corp;
  std::vector<AuthAgent> agents;
};

/// get_permanent_code: store corp id, agent id and the permanent code securely.
struct PermanentCode {
  std::string permanent_code;
  std::string access_token;  ///< a corp token, valid now for expires_in seconds
  std::int64_t expires_in = 0;
  AuthInfo auth;
  AuthUser auth_user;  ///< the installing admin
  std::string state;   ///< echoed from the install URL or QR code
};

/// get_app_qrcode input; the reply asked for is always an image URL (result_type 2).
struct AppQrcodeRequest {
  std::optional<std::int64_t> appid;  ///< old multi-app suites only
  std::string state;                  ///< at most 32 bytes of [a-zA-Z0-9]
  int style = 2;                      ///< 0/1 framed for print/screen, 2/3/4 plain small/medium/large
};

/// service/get_pre_auth_code. https://developer.work.weixin.qq.com/document/path/90601
PreAuthCode get_pre_auth_code(wechat::ApiClient& api, const std::string& suite_id);

/// service/set_session_info. https://developer.work.weixin.qq.com/document/path/90602
void set_session_info(wechat::ApiClient& api, const std::string& suite_id, const std::string& pre_auth_code,
                      const SessionInfo& info);

/// service/get_permanent_code: the temporary code is valid 10 minutes and single use.
/// https://developer.work.weixin.qq.com/document/path/90603
PermanentCode get_permanent_code(wechat::ApiClient& api, const std::string& suite_id, const std::string& auth_code);

/// service/get_auth_info. https://developer.work.weixin.qq.com/document/path/90604
AuthInfo get_auth_info(wechat::ApiClient& api, const std::string& suite_id, const std::string& auth_corp_id,
                       const std::string& permanent_code);

/// service/get_app_qrcode: the URL of a "scan to install" QR code.
/// https://developer.work.weixin.qq.com/document/path/95430
std::string get_app_qrcode(wechat::ApiClient& api, const std::string& suite_id, const AppQrcodeRequest& request);

/// The install page (3rdapp/install) an admin is sent to; `wecom_open_base` is config
/// platforms.wecom_open. `state` must be at most 128 bytes of [a-zA-Z0-9], else
/// std::invalid_argument. https://developer.work.weixin.qq.com/document/path/90597
std::string install_url(const std::string& wecom_open_base, const std::string& suite_id, const std::string& pre_auth_code,
                        const std::string& redirect_uri, const std::string& state);

}  // namespace xiaoqu::wecom::api
