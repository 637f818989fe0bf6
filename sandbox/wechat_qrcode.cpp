// Sandbox parametric QR codes (docs/protocol/qrcode.md): qrcode/create remembers ticket → scene,
// showqrcode serves the image, and the scan control plays a user scanning a code, pushing
// subscribe (qrscene_ key) or SCAN to the gateway as the platform does.
#include <httplib.h>

#include "sandbox/wechat_followers.hpp"
#include "sandbox/wechat_support.hpp"

namespace xiaoqu::sandbox {
namespace {
constexpr std::int64_t kMaxTemporarySceneId = 4'294'967'295;
constexpr std::int64_t kMaxPermanentSceneId = 100'000;
constexpr std::size_t kMaxSceneStr = 64;
constexpr std::int64_t kMaxExpireSeconds = 2'592'000;
constexpr std::int64_t kDefaultExpireSeconds = 60;

struct QrCodeRecord {
  std::string appid, scene;
  std::int64_t expires_at = 0;  ///< 0: permanent
};

struct QrCodes {
  std::map<std::string, QrCodeRecord> by_ticket;
  std::map<std::pair<std::string, std::string>, std::string> latest;  ///< (appid, scene) → ticket
};

bool live(const QrCodeRecord& qr) { return qr.expires_at == 0 || qr.expires_at > unix_now(); }

// The scene of a create body as the events will carry it, or the refusal.
std::optional<std::string> read_scene(const nlohmann::json& info, bool numeric, bool permanent, std::string& why) {
  auto scene = info.find("scene");
  // A scene directly under action_info is accepted, but its events carry 0 (docs/protocol/qrcode.md).
  if (scene == info.end() || !scene->is_object()) {
    if (info.contains("scene_id") || info.contains("scene_str")) return "0";
    return std::nullopt;
  }
  if (numeric) {
    auto id = integer_member(*scene, "scene_id");
    std::int64_t max = permanent ? kMaxPermanentSceneId : kMaxTemporarySceneId;
    if (!id || *id < 1 || *id > max) {
      why = "invalid args: scene_id";
      return std::nullopt;
    }
    return std::to_string(*id);
  }
  auto str = string_member(*scene, "scene_str");
  if (!str || utf8_length(*str) < 1 || utf8_length(*str) > kMaxSceneStr) {
    why = "invalid args: scene_str";
    return std::nullopt;
  }
  return str;
}
}  // namespace

void register_wechat_qrcode(Sandbox& sb) {
  /// https://developers.weixin.qq.com/doc/offiaccount/Account_Management/Generating_a_Parametric_QR_Code.html
  sb.post("/cgi-bin/qrcode/create", [&sb](const httplib::Request& req, httplib::Response& res) {
    auto appid = require_account(sb, req, res);
    if (!appid) return;
    auto body = Sandbox::body_json(req, res);
    if (!body) return;
    auto action = string_member(*body, "action_name");
    auto info = body->find("action_info");
    if (!action || info == body->end() || !info->is_object()) return Sandbox::error(res, 47001, "data format error: action_name, action_info");
    bool numeric = *action == "QR_SCENE" || *action == "QR_LIMIT_SCENE";
    bool permanent = *action == "QR_LIMIT_SCENE" || *action == "QR_LIMIT_STR_SCENE";
    if (!numeric && !permanent && *action != "QR_STR_SCENE") return Sandbox::error(res, 40035, "invalid args: action_name");
    std::string why = "invalid args: action_info.scene";
    auto scene = read_scene(*info, numeric, permanent, why);
    if (!scene) return Sandbox::error(res, 40035, why);
    std::int64_t expire = kDefaultExpireSeconds;
    if (!permanent && body->contains("expire_seconds")) {
      auto e = integer_member(*body, "expire_seconds");
      if (!e || *e < 1 || *e > kMaxExpireSeconds) return Sandbox::error(res, 40035, "invalid expire_seconds");
      expire = *e;
    }
    std::string ticket = "gQ" + random_text(70, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") + "==";
    // The code's content; the platform's weixin.qq.com/q/ link becomes a path on the sandbox.
    std::string url = sb.base_url() + "/q/" + random_text(22);
    {
      std::lock_guard lk(sb.mutex());
      auto& codes = sb.state<QrCodes>();
      codes.by_ticket[ticket] = QrCodeRecord{*appid, *scene, permanent ? 0 : unix_now() + expire};
      codes.latest[{*appid, *scene}] = ticket;
    }
    nlohmann::json reply = {{"ticket", ticket}, {"url", url}};
    if (!permanent) reply["expire_seconds"] = expire;
    Sandbox::reply(res, reply);
  });

  /// https://developers.weixin.qq.com/doc/offiaccount/Account_Management/Generating_a_Parametric_QR_Code.html
  sb.get("/cgi-bin/showqrcode", [&sb](const httplib::Request& req, httplib::Response& res) {
    {
      std::lock_guard lk(sb.mutex());
      auto& codes = sb.state<QrCodes>().by_ticket;
      auto it = codes.find(req.get_param_value("ticket"));
      if (it == codes.end() || !live(it->second)) {
        res.status = 404;
        return;
      }
    }
    // A placeholder image: enough for a page to show something while testing offline.
    res.set_content("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"430\" height=\"430\"><rect width=\"430\" height=\"430\" fill=\"#eee\"/>"
                    "<text x=\"20\" y=\"215\" font-size=\"20\">sandbox QR</text></svg>",
                    "image/svg+xml");
  });

  // ---- control: a user scans a code ----
  sb.post("/sandbox/wechat/scan", [&sb](const httplib::Request& req, httplib::Response& res) {
    auto body = Sandbox::body_json(req, res);
    if (!body) return;
    auto appid = string_member(*body, "appid");
    auto openid = string_member(*body, "openid");
    auto ticket = string_member(*body, "ticket");
    auto scene = string_member(*body, "scene");
    if (auto id = integer_member(*body, "scene")) scene = std::to_string(*id);
    if (!appid || !openid || openid->empty() || (!ticket && !scene)) return control_error(res, 400, "appid, openid and a ticket or scene are required");
    auto it = body->find("subscribe");
    bool will_follow = it == body->end() || (it->is_boolean() && it->get<bool>());
    auto to = account_push(sb, *appid);
    if (!to) return control_error(res, 404, "no official account " + *appid + " in the configuration");
    std::string event;
    {
      std::lock_guard lk(sb.mutex());
      auto& codes = sb.state<QrCodes>();
      if (!ticket) {
        auto latest = codes.latest.find({*appid, *scene});
        if (latest == codes.latest.end()) return control_error(res, 404, "no QR code of " + *appid + " carries scene " + *scene);
        ticket = latest->second;
      }
      auto qr = codes.by_ticket.find(*ticket);
      if (qr == codes.by_ticket.end() || qr->second.appid != *appid) return control_error(res, 404, "unknown ticket for " + *appid);
      if (!live(qr->second)) return control_error(res, 410, "the QR code has expired: WeChat shows an error and pushes nothing");
      scene = qr->second.scene;
      auto& followers = followers_of(sb, *appid);
      if (followers.standing(*openid) == AccountFollowers::Standing::following) event = "SCAN";
      else if (will_follow) {
        event = "subscribe";
        followers.subscribe(*openid, *scene);
      }
    }
    // A non-follower who scans without following causes no push at all.
    if (event.empty()) return Sandbox::reply(res, {{"event", nullptr}, {"ticket", *ticket}});
    std::string key = event == "SCAN" ? *scene : "qrscene_" + *scene;
    auto [status, reply] = deliver(*to, event_xml(*appid, *openid, event, cdata("EventKey", key) + cdata("Ticket", *ticket)));
    sb.count("pushes " + to->path);
    Sandbox::reply(res, {{"event", event}, {"ticket", *ticket}, {"gateway_status", status}});
  });
}

}  // namespace xiaoqu::sandbox
