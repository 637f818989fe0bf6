// The one list of admin API features; the App calls register_all_routes once at start.
#include "gateway/api/services.hpp"

namespace xiaoqu::gateway::api {

void register_all_routes(Router& r, Services& s) {
  register_auth_routes(r, s);
  register_follower_routes(r, s);
}

}  // namespace xiaoqu::gateway::api
