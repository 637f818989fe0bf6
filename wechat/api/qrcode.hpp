#pragma once
// Parametric QR codes of an Official Account (docs/protocol/qrcode.md): temporary and permanent codes
// carrying a numeric or string scene, and the URL of the code's image.
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "wechat/api_client.hpp"

namespace xiaoqu::wechat::api {

/// A scene: scene_id (temporary 1..4294967295, permanent 1..100000) or scene_str (1..64 characters).
using QrScene = std::variant<std::int64_t, std::string>;

/// Longest life of a temporary code: 30 days.
inline constexpr std::int64_t kMaxQrExpireSeconds = 2'592'000;

struct QrCode {
  std::string ticket;              ///< shows the image (showqrcode_url); arrives again in the scan event
  std::int64_t expire_seconds = 0; ///< 0 for a permanent code
  std::string url;                 ///< the content of the code, to render it locally
};

/// Creates a temporary code (QR_SCENE / QR_STR_SCENE) living `expire_seconds` (1..2592000).
/// Out-of-range input throws std::invalid_argument naming the field; nothing is sent.
/// https://developers.weixin.qq.com/doc/offiaccount/Account_Management/Generating_a_Parametric_QR_Code.html
QrCode create_temporary_qrcode(ApiClient& api, const CredentialKey& account, const QrScene& scene, std::int64_t expire_seconds);

/// Creates a permanent code (QR_LIMIT_SCENE / QR_LIMIT_STR_SCENE); at most 100,000 per account.
/// Out-of-range input throws std::invalid_argument naming the field; nothing is sent.
/// https://developers.weixin.qq.com/doc/offiaccount/Account_Management/Generating_a_Parametric_QR_Code.html
QrCode create_permanent_qrcode(ApiClient& api, const CredentialKey& account, const QrScene& scene);

/// The image URL of a ticket: `mp_base_url` (config platforms.wechat_mp) + /cgi-bin/showqrcode.
/// https://developers.weixin.qq.com/doc/offiaccount/Account_Management/Generating_a_Parametric_QR_Code.html
std::string showqrcode_url(std::string_view mp_base_url, std::string_view ticket);

}  // namespace xiaoqu::wechat::api
