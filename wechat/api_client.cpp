#include "wechat/api_client.hpp"

#include <chrono>
#include <random>
#include <thread>

#include "config/log.hpp"

namespace xiaoqu::wechat {

ApiClient::ApiClient(HttpTransport& transport, TokenProvider& tokens, std::string base_url, const config::HttpConfig& http)
    : transport_(transport), tokens_(tokens), base_url_(std::move(base_url)), max_attempts_(http.max_attempts),
      backoff_initial_ms_(http.backoff_initial_ms), backoff_max_ms_(http.backoff_max_ms) {}

nlohmann::json ApiClient::once(const ApiRequest& req, const std::string* token) {
  HttpRequest http;
  http.method = req.method;
  http.base_url = base_url_;
  http.target = req.path;
  char sep = '?';
  auto add = [&](const std::string& k, const std::string& v) {
    http.target.push_back(sep);
    http.target.append(url_encode(k)).push_back('=');
    http.target.append(url_encode(v));
    sep = '&';
  };
  if (token) add(req.token_param, *token);
  for (const auto& [k, v] : req.query) add(k, v);
  if (req.body) {
    http.method = "POST";
    // ensure_ascii=false: WeChat expects UTF-8 text, not \u escapes (remarks, tag names).
    http.body = req.body->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  const std::string& api = req.path;
  HttpResponse res = transport_.send(http, api);
  if (res.status < 200 || res.status > 299)
    throw PlatformError(api, PlatformError::Kind::http_status, 0, res.body.substr(0, 200), res.status);
  nlohmann::json j = nlohmann::json::parse(res.body, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    throw PlatformError(api, PlatformError::Kind::bad_response, 0, "reply is not a JSON object", res.status);
  if (auto it = j.find("errcode"); it != j.end() && it->is_number_integer() && it->get<long long>() != 0)
    throw PlatformError(api, PlatformError::Kind::platform, it->get<long long>(), j.value("errmsg", ""), res.status);
  return j;
}

nlohmann::json ApiClient::call(const ApiRequest& req) {
  for (unsigned attempt = 1;; ++attempt) {
    try {
      return once(req, nullptr);
    } catch (const PlatformError& e) {
      if (!e.transient() || !req.retry_transient || attempt >= max_attempts_) throw;
      unsigned ms = std::min(backoff_max_ms_, backoff_initial_ms_ << std::min(attempt - 1, 16u));
      log::warn("api.retry", {{"api", req.path}, {"error", e.what()}, {"wait_ms", std::to_string(ms)}});
      std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    }
  }
}

nlohmann::json ApiClient::call(const ApiRequest& req, const CredentialKey& credential) {
  bool token_retried = false;
  thread_local std::mt19937 jitter{std::random_device{}()};
  for (unsigned attempt = 1;; ++attempt) {
    std::string token;
    try {
      token = tokens_.get(credential);
      return once(req, &token);
    } catch (const PlatformError& e) {
      // A refused token is dropped and fetched again, once: never a refresh loop.
      if (!token.empty() && e.token_rejected() && !token_retried) {
        tokens_.invalidate(credential, token);
        token_retried = true;
        --attempt;
        continue;
      }
      // Only a failure before the platform could act (the token fetch) is always safe to retry.
      bool safe = req.retry_transient || token.empty();
      if (!e.transient() || !safe || attempt >= max_attempts_) throw;
      unsigned base = std::min(backoff_max_ms_, backoff_initial_ms_ << std::min(attempt - 1, 16u));
      unsigned ms = base / 2 + jitter() % (base / 2 + 1);
      log::warn("api.retry", {{"api", req.path}, {"error", e.what()}, {"wait_ms", std::to_string(ms)}});
      std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    }
  }
}

}  // namespace xiaoqu::wechat
