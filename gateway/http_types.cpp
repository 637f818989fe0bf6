#include "gateway/http_types.hpp"

#include <algorithm>
#include <cstring>

namespace xiaoqu::gateway {

std::string_view Request::cookie(std::string_view name) const noexcept {
  std::string_view list = header("cookie");
  while (!list.empty()) {
    auto semi = list.find(';');
    std::string_view item = list.substr(0, semi);
    list = semi == std::string_view::npos ? std::string_view{} : list.substr(semi + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    auto eq = item.find('=');
    if (eq != std::string_view::npos && item.substr(0, eq) == name) return item.substr(eq + 1);
  }
  return {};
}

const char* label(Route r) noexcept {
  switch (r) {
    case Route::healthz: return "/healthz";
    case Route::readyz: return "/readyz";
    case Route::metrics: return "/metrics";
    case Route::wechat_callback: return "/wechat/callback";
    case Route::wechat_component: return "/wechat/component";
    case Route::wechat_component_authorizer: return "/wechat/component/authorizer";
    case Route::wecom_callback: return "/wecom/callback";
    case Route::admin_api: return "/api/v1";
    case Route::resident_pages: return "/r";
    case Route::not_found:
    case Route::count: break;
  }
  return "not_found";
}

namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes s[0, n) into its own start (the output is never longer); returns the new length.
std::size_t decode_in_place(char* s, std::size_t n) {
  std::size_t w = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (s[i] == '%' && i + 2 < n) {
      int hi = hex_digit(s[i + 1]), lo = hex_digit(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        s[w++] = static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    s[w++] = s[i];
  }
  return w;
}

}  // namespace

std::string percent_decode(std::string_view in) {
  std::string out(in);
  out.resize(decode_in_place(out.data(), out.size()));
  return out;
}

QueryParams::QueryParams(std::string_view raw) : raw_(raw) {
  items_.reserve(static_cast<std::size_t>(std::count(raw_.begin(), raw_.end(), '&')) + 1);
  // Only a slice with a '%' is rewritten; the others are used as they stand.
  const auto slice = [this](std::size_t pos, std::size_t len) {
    char* p = raw_.data() + pos;
    if (std::memchr(p, '%', len) != nullptr) len = decode_in_place(p, len);
    return Slice{pos, len};
  };
  std::size_t at = 0;
  while (at < raw_.size()) {
    std::size_t amp = raw_.find('&', at);
    if (amp == std::string::npos) amp = raw_.size();
    const std::size_t len = amp - at;
    if (len != 0) {
      const std::size_t eq = std::string_view(raw_).substr(at, len).find('=');
      if (eq == std::string_view::npos) {
        items_.emplace_back(slice(at, len), Slice{});
      } else {
        items_.emplace_back(slice(at, eq), slice(at + eq + 1, len - eq - 1));
      }
    }
    at = amp + 1;
  }
}

std::optional<std::string_view> QueryParams::get(std::string_view name) const {
  for (const auto& [k, v] : items_)
    if (view(k) == name) return view(v);
  return std::nullopt;
}

}  // namespace xiaoqu::gateway
