// The one list of admin API features; the App calls register_all_routes once at start.
#include "gateway/api/openapi.hpp"
#include "gateway/api/services.hpp"

namespace xiaoqu::gateway::api {

void register_all_routes(Router& r, Services& s) {
  register_openapi_routes(r);
  register_auth_routes(r, s);
  register_community_routes(r, s);
  register_staff_routes(r, s);
  register_resident_routes(r, s);
  register_outbox_routes(r, s);
  register_wecom_routes(r, s);
  register_follower_routes(r, s);
  register_verification_routes(r, s);
}

}  // namespace xiaoqu::gateway::api
