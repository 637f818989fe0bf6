#pragma once
// Plain request/response values that routes work with. Beast stays inside
// http_session.cpp and listener.cpp; everything else sees only these.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace xiaoqu::gateway {

/// Routes, as labelled in metrics.
enum class Route : std::uint8_t {
  not_found, healthz, readyz, metrics, wechat_callback, wechat_component, wechat_component_authorizer, wecom_callback, admin_api, resident_pages, count
};
const char* label(Route r) noexcept;

struct Request {
  std::string method;  ///< "GET", "POST", ...
  std::string path;    ///< without the query
  std::string query;   ///< raw, still percent-encoded
  std::string body;
  std::string request_id;
  std::string remote;
  /// Headers the routes need (Cookie, Content-Type, X-CSRF-Token, ...), names lower-case.
  std::vector<std::pair<std::string, std::string>> headers;
  /// The first header of that (lower-case) name, or empty.
  std::string_view header(std::string_view lower_name) const noexcept {
    for (const auto& [k, v] : headers)
      if (k == lower_name) return v;
    return {};
  }
  /// The value of cookie `name` in the Cookie header, or empty.
  std::string_view cookie(std::string_view name) const noexcept;
};

struct Response {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  Route route = Route::not_found;
  /// Extra headers (Set-Cookie, Content-Disposition, Location, Cache-Control, ...).
  std::vector<std::pair<std::string, std::string>> headers;
};

/// Completes a request; called exactly once, from any thread.
using Respond = std::function<void(Response&&)>;
using Handler = std::function<void(Request&&, Respond)>;

/// Query parameters percent-decoded exactly once. '+' stays '+': WeCom's echostr is
/// base64 and a literal '+' in it is data, not a space.
class QueryParams {
 public:
  explicit QueryParams(std::string_view raw);
  std::optional<std::string_view> get(std::string_view name) const;
  std::string_view value(std::string_view name) const { return get(name).value_or(std::string_view{}); }

 private:
  struct Slice {
    std::size_t pos = 0, len = 0;
  };
  std::string_view view(Slice s) const noexcept { return std::string_view(raw_).substr(s.pos, s.len); }

  std::string raw_;  ///< the query; an encoded key or value is decoded in place (decoding only shrinks)
  std::vector<std::pair<Slice, Slice>> items_;
};

std::string percent_decode(std::string_view in);

}  // namespace xiaoqu::gateway
