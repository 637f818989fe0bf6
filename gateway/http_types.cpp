#include "gateway/http_types.hpp"

namespace xiaoqu::gateway {

const char* label(Route r) noexcept {
  switch (r) {
    case Route::healthz: return "/healthz";
    case Route::readyz: return "/readyz";
    case Route::metrics: return "/metrics";
    case Route::wechat_callback: return "/wechat/callback";
    case Route::wechat_component: return "/wechat/component";
    case Route::wechat_component_authorizer: return "/wechat/component/authorizer";
    case Route::wecom_callback: return "/wecom/callback";
    case Route::not_found:
    case Route::count: break;
  }
  return "not_found";
}

std::string percent_decode(std::string_view in) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%' && i + 2 < in.size()) {
      int hi = hex(in[i + 1]), lo = hex(in[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(in[i]);
  }
  return out;
}

QueryParams::QueryParams(std::string_view raw) {
  while (!raw.empty()) {
    auto amp = raw.find('&');
    std::string_view pair = raw.substr(0, amp);
    raw = amp == std::string_view::npos ? std::string_view{} : raw.substr(amp + 1);
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    std::string_view k = pair.substr(0, eq);
    std::string_view v = eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
    items_.emplace_back(percent_decode(k), percent_decode(v));
  }
}

std::optional<std::string_view> QueryParams::get(std::string_view name) const {
  for (const auto& [k, v] : items_)
    if (k == name) return std::string_view(v);
  return std::nullopt;
}

}  // namespace xiaoqu::gateway
