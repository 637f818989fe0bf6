#include "wechat/api/qrcode.hpp"

#include <stdexcept>

#include "wechat/api/reply_fields.hpp"
#include "wechat/http_transport.hpp"

namespace xiaoqu::wechat::api {
namespace {
constexpr std::int64_t kMaxTemporarySceneId = 4'294'967'295;
constexpr std::int64_t kMaxPermanentSceneId = 100'000;
constexpr std::size_t kMaxSceneStr = 64;

std::size_t utf8_length(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// Validates the scene and returns the action_info.scene object.
nlohmann::json scene_json(const QrScene& scene, bool permanent) {
  if (const auto* id = std::get_if<std::int64_t>(&scene)) {
    std::int64_t max = permanent ? kMaxPermanentSceneId : kMaxTemporarySceneId;
    if (*id < 1 || *id > max)
      throw std::invalid_argument("scene_id: a " + std::string(permanent ? "permanent" : "temporary") + " QR code takes 1 to " +
                                  std::to_string(max) + ", got " + std::to_string(*id));
    return {{"scene_id", *id}};
  }
  const auto& str = std::get<std::string>(scene);
  std::size_t len = utf8_length(str);
  if (len < 1 || len > kMaxSceneStr)
    throw std::invalid_argument("scene_str: must be 1 to 64 characters, got " + std::to_string(len));
  return {{"scene_str", str}};
}

QrCode create(ApiClient& api, const CredentialKey& account, nlohmann::json body) {
  ApiRequest req;
  req.method = "POST";
  req.path = "/cgi-bin/qrcode/create";
  req.body = std::move(body);
  nlohmann::json j = api.call(req, account);
  QrCode qr;
  qr.ticket = field<std::string>(j, "ticket", req.path);
  qr.expire_seconds = optional_field<std::int64_t>(j, "expire_seconds", req.path);
  qr.url = optional_field<std::string>(j, "url", req.path);
  return qr;
}
}  // namespace

QrCode create_temporary_qrcode(ApiClient& api, const CredentialKey& account, const QrScene& scene, std::int64_t expire_seconds) {
  if (expire_seconds < 1 || expire_seconds > kMaxQrExpireSeconds)
    throw std::invalid_argument("expire_seconds: a temporary QR code lives 1 to 2592000 seconds, got " + std::to_string(expire_seconds));
  nlohmann::json s = scene_json(scene, false);
  const char* action = s.contains("scene_id") ? "QR_SCENE" : "QR_STR_SCENE";
  // Always sent: the default life has changed between doc versions (30 s, 60 s).
  return create(api, account, {{"expire_seconds", expire_seconds}, {"action_name", action}, {"action_info", {{"scene", std::move(s)}}}});
}

QrCode create_permanent_qrcode(ApiClient& api, const CredentialKey& account, const QrScene& scene) {
  nlohmann::json s = scene_json(scene, true);
  const char* action = s.contains("scene_id") ? "QR_LIMIT_SCENE" : "QR_LIMIT_STR_SCENE";
  return create(api, account, {{"action_name", action}, {"action_info", {{"scene", std::move(s)}}}});
}

std::string showqrcode_url(std::string_view mp_base_url, std::string_view ticket) {
  std::string url(mp_base_url);
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url + "/cgi-bin/showqrcode?ticket=" + url_encode(ticket);
}

}  // namespace xiaoqu::wechat::api
