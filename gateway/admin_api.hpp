#pragma once
// The bridge from App::handle to the admin API router: each /api/v1 request runs on the
// worker pool (handlers may block on the store), after the checks every route shares —
// session, CSRF token, operator-only routes, the {community} the admin may see — and
// every failure becomes the JSON error the API documents.
#include <string_view>

#include "gateway/api/services.hpp"
#include "gateway/http_types.hpp"

namespace xiaoqu::gateway {

class AdminApi {
 public:
  /// Registers every feature's routes (api::register_all_routes).
  AdminApi(const config::Config& cfg, store::Database& db, const store::SecretBox& box, Platform& platform);

  static bool owns(std::string_view path) noexcept { return path.substr(0, 8) == "/api/v1/" || path == "/api/v1"; }
  /// Answers on a worker thread; never blocks the caller.
  void handle(Request&& req, Respond respond);
  /// The whole answer, blocking: what handle() runs on the worker.
  Response answer(const Request& req);
  /// Drops expired sessions (queued on the store writer).
  void sweep_sessions();

  const api::Router& router() const noexcept { return router_; }
  /// For tests that add a probe route before the first request (routes are not locked).
  api::Router& router() noexcept { return router_; }

 private:
  api::Router router_;
  api::Services services_;
};

}  // namespace xiaoqu::gateway
