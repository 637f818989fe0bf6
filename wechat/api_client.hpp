#pragma once
// The one request path of every platform API call (wechatpy client/base.py): builds the URL
// from the configured base, injects the token, maps the transport error, then the HTTP
// status, then the errcode to a PlatformError; on a refused token invalidates it and
// retries once; backs off and retries transient errors within a bound.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/config.hpp"
#include "wechat/http_transport.hpp"
#include "wechat/platform_error.hpp"
#include "wechat/token_provider.hpp"

namespace xiaoqu::wechat {

struct ApiRequest {
  std::string method = "GET";
  std::string path;  ///< "/cgi-bin/user/get"
  std::vector<std::pair<std::string, std::string>> query;  ///< not yet encoded
  std::optional<nlohmann::json> body;                       ///< POSTed as JSON when set
  std::string token_param = "access_token";                 ///< the query name the token goes in
  /// False for calls that use something up (a one-time code, a rotating refresh token, a
  /// message sent): a lost reply must not be retried into 40163/61023 or a duplicate.
  bool retry_transient = true;
};

class ApiClient {
 public:
  ApiClient(HttpTransport& transport, TokenProvider& tokens, std::string base_url, const config::HttpConfig& http);

  /// Calls with the token of `credential`; returns the JSON body (errcode absent or 0).
  nlohmann::json call(const ApiRequest& req, const CredentialKey& credential);
  /// Calls without a token (token endpoints themselves, OAuth code exchange).
  nlohmann::json call(const ApiRequest& req);

  const std::string& base_url() const noexcept { return base_url_; }

 private:
  nlohmann::json once(const ApiRequest& req, const std::string* token);

  HttpTransport& transport_;
  TokenProvider& tokens_;
  std::string base_url_;
  unsigned max_attempts_, backoff_initial_ms_, backoff_max_ms_;
};

/// Reads a required field of a reply, or throws PlatformError(bad_response) naming it.
template <class T>
T field(const nlohmann::json& j, const char* name, const std::string& api) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null())
    throw PlatformError(api, PlatformError::Kind::bad_response, 0, std::string("reply lacks ") + name);
  try {
    return it->get<T>();
  } catch (const nlohmann::json::exception&) {
    throw PlatformError(api, PlatformError::Kind::bad_response, 0, std::string("reply field ") + name + " has the wrong type");
  }
}

}  // namespace xiaoqu::wechat
