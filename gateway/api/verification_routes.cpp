// Verification in the console: the review queue (approve / reject with a reason, audited,
// the resident told), the community's permanent QR code and poster, and 提醒设置 — the
// community's admins, their WeChat binding by a temporary QR code, unbinding, the switch.
#include <ctime>
#include <nlohmann/json.hpp>

#include "community/reminders/admin_binding.hpp"
#include "community/structure/communities.hpp"
#include "community/verification/verification_requests.hpp"
#include "gateway/api/services.hpp"
#include "gateway/platform.hpp"
#include "wechat/api/qrcode.hpp"
#include "wechat/platform_error.hpp"

namespace xiaoqu::gateway::api {
namespace {
namespace cm = community;
using json = nlohmann::json;

std::int64_t positive(const ApiRequest& req, const char* name, std::int64_t fallback, std::int64_t max) {
  auto text = req.query(name);
  if (!text) return fallback;
  try {
    std::size_t used = 0;
    long long v = std::stoll(*text, &used);
    if (used == text->size() && v >= 1 && v <= max) return v;
  } catch (const std::exception&) {
  }
  throw ApiError(400, "invalid", std::string(name) + " 必须是 1 到 " + std::to_string(max) + " 之间的整数", name);
}

const cm::Community connected_community(store::Connection& c, std::int64_t id) {
  auto com = cm::get_community(c, id);
  if (com.official_account_appid.empty())
    throw ApiError(409, "not_connected", "该小区尚未关联公众号（official_account_appid），无法生成二维码", "official_account_appid");
  return com;
}

ApiError platform_failure(const wechat::PlatformError& e) {
  return ApiError(502, "wechat_error", "微信接口调用失败（" + std::to_string(e.errcode()) + "）：" + e.what());
}

}  // namespace

void register_verification_routes(Router& r, Services& s) {
  r.add("GET", "/api/v1/communities/{community}/verification/requests", Access::signed_in, [&s](ApiRequest& req) {
    std::int64_t page = positive(req, "page", 1, 1'000'000), size = positive(req, "page_size", 20, 200), total = 0;
    auto rows = cm::list_requests(s.db.reader(), req.community(), req.query("status").value_or(""), page, size, total);
    json out = {{"total", total}, {"page", page}, {"page_size", size}, {"requests", json::array()}};
    for (const auto& row : rows) out["requests"].push_back(cm::to_json(row));
    return ApiResponse::json(out);
  });
  r.add("GET", "/api/v1/communities/{community}/verification/requests/{request}", Access::signed_in, [&s](ApiRequest& req) {
    return ApiResponse::json(cm::to_json(cm::get_request(s.db.reader(), req.community(), req.id("request"))));
  });
  for (const char* decision : {"approve", "reject"}) {
    bool approve = std::string_view(decision) == "approve";
    r.add("POST", std::string("/api/v1/communities/{community}/verification/requests/{request}/") + decision, Access::signed_in,
          [&s, approve](ApiRequest& req) {
            auto body = req.http.body.empty() ? json::object() : req.json();
            std::string note;
            for (const char* key : {"reason", "note"}) {
              auto it = body.find(key);
              if (it == body.end() || it->is_null()) continue;
              if (!it->is_string()) throw ApiError(400, "invalid", std::string(key) + " 必须是文本", key);
              note = it->get<std::string>();
            }
            cm::VerificationRequest decided;
            s.db.write([&](store::Connection& c) {
              decided = cm::review_request(c, s.cfg.verification, req.community(), req.id("request"), approve, note,
                                           req.principal.actor(), std::time(nullptr));
            });
            return ApiResponse::json(cm::to_json(decided));
          });
  }

  // The community's permanent entry code: created once through WeChat, then served from the store.
  r.add("GET", "/api/v1/communities/{community}/qrcode", Access::signed_in, [&s](ApiRequest& req) {
    auto& reader = s.db.reader();
    auto com = connected_community(reader, req.community());
    std::string ticket, url;
    {
      store::Statement q(reader, "SELECT ticket, url FROM community_qrcodes WHERE community_id = ?1 AND appid = ?2");
      q.bind(1, com.id).bind(2, com.official_account_appid);
      if (q.step()) {
        ticket = q.text(0);
        url = q.text(1);
      }
    }
    if (ticket.empty()) {
      auto key = s.platform.account_key(com.official_account_appid);
      if (!key) throw ApiError(409, "not_connected", "公众号 " + com.official_account_appid + " 未配置或未授权，无法生成二维码");
      wechat::api::QrCode qr;
      try {
        qr = wechat::api::create_permanent_qrcode(s.platform.wechat_api(), *key,
                                                  std::string(cm::kCommunityScenePrefix) + std::to_string(com.id));
      } catch (const wechat::PlatformError& e) {
        throw platform_failure(e);
      }
      ticket = qr.ticket;
      url = qr.url;
      s.db.write([&](store::Connection& c) {
        store::Statement(c,
                         "INSERT OR IGNORE INTO community_qrcodes (community_id, appid, scene, ticket, url, created_at) "
                         "VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
            .bind(1, com.id)
            .bind(2, com.official_account_appid)
            .bind(3, std::string(cm::kCommunityScenePrefix) + std::to_string(com.id))
            .bind(4, ticket)
            .bind(5, url)
            .bind(6, static_cast<std::int64_t>(std::time(nullptr)))
            .run();
      });
    }
    std::string entry = s.cfg.verification.public_url + "/r/" + std::to_string(com.id);
    return ApiResponse::json({{"ticket", ticket},
                              {"qr_content", url},
                              {"image_url", wechat::api::showqrcode_url(s.cfg.platforms.wechat_mp, ticket)},
                              {"entry_url", entry},
                              {"poster_url", entry + "/poster"}});
  });

  // 提醒设置
  r.add("GET", "/api/v1/communities/{community}/reviewers", Access::signed_in, [&s](ApiRequest& req) {
    auto& reader = s.db.reader();
    auto com = cm::get_community(reader, req.community());
    json out = {{"reviewers", json::array()}};
    for (const auto& row : cm::reviewer_settings(reader, com.id, com.official_account_appid)) out["reviewers"].push_back(cm::to_json(row));
    return ApiResponse::json(out);
  });
  r.add("POST", "/api/v1/communities/{community}/reviewers/{admin}/invite", Access::signed_in, [&s](ApiRequest& req) {
    auto com = connected_community(s.db.reader(), req.community());
    std::int64_t admin = req.id("admin");
    cm::check_admin_of_community(s.db.reader(), com.id, admin);
    auto key = s.platform.account_key(com.official_account_appid);
    if (!key) throw ApiError(409, "not_connected", "公众号 " + com.official_account_appid + " 未配置或未授权，无法生成二维码");
    std::int64_t ttl = s.cfg.verification.state_ttl_seconds;
    std::string token;
    s.db.write([&](store::Connection& c) {
      token = cm::create_binding_token(c, admin, com.official_account_appid, ttl, std::time(nullptr));
    });
    std::string scene = std::string(cm::kBindScenePrefix) + token;
    wechat::api::QrCode qr;
    try {
      qr = wechat::api::create_temporary_qrcode(s.platform.wechat_api(), *key, scene, ttl);
    } catch (const wechat::PlatformError& e) {
      throw platform_failure(e);
    }
    return ApiResponse::json({{"image_url", wechat::api::showqrcode_url(s.cfg.platforms.wechat_mp, qr.ticket)},
                              {"ticket", qr.ticket},
                              {"qr_content", qr.url},
                              {"expires_in", ttl}});
  });
  r.add("POST", "/api/v1/communities/{community}/reviewers/{admin}/unbind", Access::signed_in, [&s](ApiRequest& req) {
    std::int64_t admin = req.id("admin");
    cm::check_admin_of_community(s.db.reader(), req.community(), admin);
    s.db.write([&](store::Connection& c) { cm::unbind_admin(c, admin, req.principal.actor(), std::time(nullptr)); });
    return ApiResponse::no_content();
  });
  r.add("PATCH", "/api/v1/communities/{community}/reviewers/{admin}", Access::signed_in, [&s](ApiRequest& req) {
    std::int64_t admin = req.id("admin");
    cm::check_admin_of_community(s.db.reader(), req.community(), admin);
    auto body = req.json();
    auto it = body.find("reminders_enabled");
    if (it == body.end() || !it->is_boolean()) throw ApiError(400, "invalid", "reminders_enabled 必须是 true 或 false", "reminders_enabled");
    bool enabled = it->get<bool>();
    s.db.write([&](store::Connection& c) { cm::set_reminders(c, admin, enabled, req.principal.actor(), std::time(nullptr)); });
    auto com = cm::get_community(s.db.reader(), req.community());
    for (const auto& row : cm::reviewer_settings(s.db.reader(), com.id, com.official_account_appid))
      if (row.admin_id == admin) return ApiResponse::json(cm::to_json(row));
    return ApiResponse::no_content();
  });
}

}  // namespace xiaoqu::gateway::api
