// 员工信息 → 关联企业微信: the install link / QR code of the suite, the self-built app
// link, 我要更换关联企业 (unlink), the 同步 button and the link's status. Each is one call
// into WecomLinking; its refusals become the API's JSON errors here.
#include <nlohmann/json.hpp>

#include "gateway/api/services.hpp"
#include "gateway/wecom_sync.hpp"

namespace xiaoqu::gateway::api {
namespace {
using community::WecomLinkError;

WecomLinking& linking(Services& s) {
  auto* l = wecom_linking_of(s.platform);
  if (!l) throw ApiError(503, "wecom_unavailable", "企业微信关联服务未启动");
  return *l;
}

// Runs `f`, turning the rules' refusals into API errors with their Chinese messages.
template <class F>
ApiResponse guarded(F&& f) {
  try {
    return f();
  } catch (const WecomLinkError& e) {
    switch (e.kind()) {
      case WecomLinkError::Kind::refused: throw ApiError(409, e.code(), e.what());
      case WecomLinkError::Kind::not_found: throw ApiError(404, e.code(), e.what());
      case WecomLinkError::Kind::not_configured: throw ApiError(503, e.code(), e.what());
      case WecomLinkError::Kind::platform: throw ApiError(502, e.code(), e.what());
    }
    throw;
  }
}

nlohmann::json link_json(const community::WecomCorpLink& l) {
  return {{"corp_id", l.corp_id},
          {"corp_name", l.corp_name},
          {"mode", community::to_string(l.mode)},
          {"state", community::to_string(l.state)},
          {"linked_at", l.linked_at},
          {"changed_at", l.changed_at}};
}
}  // namespace

void register_wecom_routes(Router& r, Services& s) {
  r.add("GET", "/api/v1/wecom/status", Access::signed_in,
        [&s](ApiRequest& req) { return guarded([&] { return ApiResponse::json(linking(s).status(req.principal.admin_id)); }); });

  r.add("GET", "/api/v1/wecom/install-link", Access::signed_in, [&s](ApiRequest& req) {
    return guarded([&] {
      auto link = linking(s).install_link(req.principal.admin_id);
      return ApiResponse::json({{"install_url", link.url}, {"qr_text", link.qr_text}, {"expires_at", link.expires_at}});
    });
  });

  r.add("POST", "/api/v1/wecom/link-self-built", Access::signed_in, [&s](ApiRequest& req) {
    return guarded([&] { return ApiResponse::json({{"link", link_json(linking(s).link_self_built(req.principal.admin_id))}}); });
  });

  r.add("POST", "/api/v1/wecom/unlink", Access::signed_in, [&s](ApiRequest& req) {
    return guarded([&] { return ApiResponse::json({{"link", link_json(linking(s).unlink(req.principal.admin_id))}}); });
  });

  r.add("POST", "/api/v1/wecom/sync", Access::signed_in, [&s](ApiRequest& req) {
    return guarded([&] {
      auto report = linking(s).sync_admin(req.principal.admin_id);
      const auto& c = report.counts;
      return ApiResponse::json({{"corp_id", report.corp_id},
                                {"finished_at", report.finished_at},
                                {"departments", c.departments},
                                {"departments_removed", c.departments_removed},
                                {"members", c.members},
                                {"staff_added", c.staff_added},
                                {"staff_merged", c.staff_merged},
                                {"staff_unsynced", c.staff_unsynced}});
    });
  });
}

}  // namespace xiaoqu::gateway::api
