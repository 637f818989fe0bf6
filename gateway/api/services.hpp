#pragma once
// What route files get to work with, wired once by the App. Each feature has one
// register_*_routes function, declared here and called from gateway/api/routes.cpp.
#include "config/config.hpp"
#include "gateway/api/api.hpp"
#include "store/database.hpp"
#include "store/secret_box.hpp"

namespace xiaoqu::gateway {
class Platform;
}

namespace xiaoqu::gateway::api {

struct Services {
  const config::Config& cfg;
  store::Database& db;
  const store::SecretBox& box;
  Platform& platform;
};

void register_auth_routes(Router& r, Services& s);       // login, logout, me, admin accounts
void register_community_routes(Router& r, Services& s);  // communities, structures, structure import/export
void register_resident_routes(Router& r, Services& s);   // residents, templates, import, export, reports
void register_staff_routes(Router& r, Services& s);      // staff, departments, staff template/import/export
void register_outbox_routes(Router& r, Services& s);     // outbox list (masked recipients) and retry of failed messages
void register_wecom_routes(Router& r, Services& s);      // WeCom corp link: install link, self-built link, unlink, sync, status
void register_follower_routes(Router& r, Services& s);  // followers of the community's Official Account, tags, remarks, sync, certification
void register_verification_routes(Router& r, Services& s);  // review queue, community QR code, 提醒设置 (admin WeChat binding)
/// All of the above (and later features); the one place the App calls.
void register_all_routes(Router& r, Services& s);

}  // namespace xiaoqu::gateway::api
