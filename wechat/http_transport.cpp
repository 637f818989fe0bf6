#include "wechat/http_transport.hpp"

#include <httplib.h>

#include "wechat/platform_error.hpp"

namespace xiaoqu::wechat {
namespace {
// Idle keep-alive connections kept per host; more concurrent callers open extra ones.
constexpr std::size_t kMaxIdlePerHost = 32;
}  // namespace

HttpTransport::HttpTransport(config::HttpConfig cfg) : cfg_(std::move(cfg)) {}
HttpTransport::~HttpTransport() = default;

std::unique_ptr<httplib::Client> HttpTransport::make_client(const std::string& base_url) const {
  auto c = std::make_unique<httplib::Client>(base_url);
  c->set_keep_alive(true);
  // httplib sends headers and body separately: NODELAY avoids a delayed-ACK stall per POST.
  c->set_tcp_nodelay(true);
  c->set_connection_timeout(cfg_.connect_timeout_ms / 1000, (cfg_.connect_timeout_ms % 1000) * 1000);
  c->set_read_timeout(cfg_.read_timeout_ms / 1000, (cfg_.read_timeout_ms % 1000) * 1000);
  c->set_write_timeout(cfg_.read_timeout_ms / 1000, (cfg_.read_timeout_ms % 1000) * 1000);
  c->enable_server_certificate_verification(cfg_.verify_tls);
  if (!cfg_.ca_file.empty()) c->set_ca_cert_path(cfg_.ca_file);
  if (!cfg_.proxy.empty()) {
    auto colon = cfg_.proxy.rfind(':');
    c->set_proxy(cfg_.proxy.substr(0, colon), std::stoi(cfg_.proxy.substr(colon + 1)));
  }
  return c;
}

std::unique_ptr<httplib::Client> HttpTransport::take(const std::string& base_url) {
  {
    std::lock_guard lk(mu_);
    auto& pool = idle_[base_url];
    if (!pool.empty()) {
      auto c = std::move(pool.back());
      pool.pop_back();
      return c;
    }
  }
  return make_client(base_url);
}

void HttpTransport::give_back(const std::string& base_url, std::unique_ptr<httplib::Client> c) {
  std::lock_guard lk(mu_);
  auto& pool = idle_[base_url];
  if (pool.size() < kMaxIdlePerHost) pool.push_back(std::move(c));
}

HttpResponse HttpTransport::send(const HttpRequest& req, std::string_view api) {
  auto client = take(req.base_url);
  httplib::Headers headers;
  for (const auto& [k, v] : req.headers) headers.emplace(k, v);
  httplib::Result r = req.method == "POST" ? client->Post(req.target.c_str(), headers, req.body, req.content_type.c_str())
                                           : client->Get(req.target.c_str(), headers);
  if (!r) {
    // A broken connection is not returned to the pool.
    throw PlatformError(std::string(api), PlatformError::Kind::transport, 0, httplib::to_string(r.error()));
  }
  HttpResponse out{r->status, std::move(r->body)};
  give_back(req.base_url, std::move(client));
  return out;
}

std::string url_encode(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() * 3);
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

}  // namespace xiaoqu::wechat
