#include "wechat/platform_error.hpp"

namespace xiaoqu::wechat {
namespace {
std::string describe(const std::string& api, PlatformError::Kind kind, long long errcode, const std::string& errmsg, int status) {
  std::string s = api + ": " + label(kind);
  if (kind == PlatformError::Kind::platform) s += " errcode " + std::to_string(errcode);
  if (status) s += " (HTTP " + std::to_string(status) + ")";
  if (!errmsg.empty()) s += ": " + errmsg;
  return s;
}
}  // namespace

PlatformError::PlatformError(std::string api, Kind kind, long long errcode, std::string errmsg, int http_status)
    : std::runtime_error(describe(api, kind, errcode, errmsg, http_status)),
      api_(std::move(api)), kind_(kind), errcode_(errcode), errmsg_(std::move(errmsg)), http_status_(http_status) {}

bool PlatformError::transient() const noexcept {
  switch (kind_) {
    case Kind::transport: return true;
    case Kind::http_status: return http_status_ >= 500 || http_status_ == 429;
    case Kind::platform: return errcode_ == -1 || errcode_ == 45009 || errcode_ == 45011;
    default: return false;
  }
}

bool PlatformError::token_rejected() const noexcept {
  return kind_ == Kind::platform && (errcode_ == 40001 || errcode_ == 40014 || errcode_ == 42001 || errcode_ == 42009);
}

const char* label(PlatformError::Kind k) noexcept {
  switch (k) {
    case PlatformError::Kind::transport: return "transport error";
    case PlatformError::Kind::http_status: return "HTTP error";
    case PlatformError::Kind::platform: return "platform error";
    case PlatformError::Kind::bad_response: return "unexpected response";
    case PlatformError::Kind::credential: return "missing credential";
  }
  return "error";
}

}  // namespace xiaoqu::wechat
