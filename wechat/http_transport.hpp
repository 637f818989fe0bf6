#pragma once
// The one outbound HTTP layer (cpp-httplib): a pool of keep-alive clients per base URL,
// connect/read timeouts, TLS verification on, the optional egress proxy. Blocking: call it
// from a worker thread, never from the server's io threads.
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/config.hpp"

namespace httplib {
class Client;
}

namespace xiaoqu::wechat {

struct HttpRequest {
  std::string method = "GET";
  std::string base_url;  ///< "https://api.weixin.qq.com" — from configuration, never hard-coded
  std::string target;    ///< path and query, already encoded
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
};

struct HttpResponse {
  int status = 0;
  std::string body;
};

class HttpTransport {
 public:
  explicit HttpTransport(config::HttpConfig cfg);
  ~HttpTransport();
  HttpTransport(const HttpTransport&) = delete;
  HttpTransport& operator=(const HttpTransport&) = delete;

  /// Sends one request. Throws PlatformError(transport) naming `api` when no response came.
  HttpResponse send(const HttpRequest& req, std::string_view api);

 private:
  std::unique_ptr<httplib::Client> make_client(const std::string& base_url) const;
  std::unique_ptr<httplib::Client> take(const std::string& base_url);
  void give_back(const std::string& base_url, std::unique_ptr<httplib::Client> c);

  config::HttpConfig cfg_;
  std::mutex mu_;
  std::map<std::string, std::vector<std::unique_ptr<httplib::Client>>> idle_;
};

/// Percent-encodes a query value (RFC 3986 unreserved kept).
std::string url_encode(std::string_view s);

}  // namespace xiaoqu::wechat
