#pragma once
// The admin API (/api/v1): a small router whose handlers run on the worker pool (they may
// read and write the store), after the session, CSRF and community checks every endpoint
// shares. Feature files register their routes with the router; none of them sees Beast.
//
// Conventions every route follows:
//  - JSON in and out; errors are {"error": {"code": "...", "message": "...", "field": "..."}}
//    with the message in Simplified Chinese naming the problem.
//  - A path parameter named {community} is a community id: the router refuses (404, so ids
//    of other customers are not confirmed) when the signed-in admin may not see it, before
//    the handler runs. Handlers still scope every query by that community id.
//  - State-changing methods (POST, PUT, PATCH, DELETE) need the session's CSRF token in the
//    X-CSRF-Token header.
#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/http_types.hpp"

namespace xiaoqu::gateway::api {

/// The signed-in admin.
struct Principal {
  std::int64_t admin_id = 0;
  std::string username;
  bool is_operator = false;                ///< sees every community
  std::vector<std::int64_t> communities;   ///< a property admin's assigned communities
  bool can_see(std::int64_t community_id) const noexcept;
  std::string actor() const { return "admin:" + std::to_string(admin_id); }  ///< for the audit log
  std::string csrf_token;    ///< the session's (for /auth/me)
  std::string session_hash;  ///< the session's store key (for logout)
};

/// Thrown by handlers; becomes the JSON error above with this status.
class ApiError : public std::runtime_error {
 public:
  ApiError(int status, std::string code, const std::string& message, std::string field = {})
      : std::runtime_error(message), status_(status), code_(std::move(code)), field_(std::move(field)) {}
  int status() const noexcept { return status_; }
  const std::string& code() const noexcept { return code_; }
  const std::string& field() const noexcept { return field_; }

 private:
  int status_;
  std::string code_, field_;
};

struct UploadedFile {
  std::string field, file_name, content_type;
  std::string bytes;
};

struct ApiRequest {
  const Request& http;
  std::map<std::string, std::string, std::less<>> params;  ///< path parameters by name
  Principal principal;                                     ///< empty for public routes

  /// The body as a JSON object; ApiError 400 naming the problem otherwise.
  nlohmann::json json() const;
  /// A query parameter, percent-decoded.
  std::optional<std::string> query(std::string_view name) const;
  /// A whole-number query parameter in 1..max, `fallback` when absent; ApiError 400 naming it otherwise.
  std::int64_t positive_query(std::string_view name, std::int64_t fallback, std::int64_t max) const;
  /// A path parameter as an id; ApiError 404 when it is not a positive integer.
  std::int64_t id(std::string_view name) const;
  /// The {community} parameter (already checked against the principal).
  std::int64_t community() const { return id("community"); }
  /// The first file part of a multipart/form-data body; ApiError 400 when there is none.
  UploadedFile file() const;
};

struct ApiResponse {
  int status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::string body;  ///< serialized JSON, or the file bytes
  std::vector<std::pair<std::string, std::string>> headers;

  static ApiResponse json(const nlohmann::json& body, int status = 200);
  /// A download: Content-Disposition attachment with an RFC 5987 UTF-8 file name.
  static ApiResponse file(std::string bytes, std::string_view file_name, std::string_view content_type);
  /// A download of an .xlsx workbook (templates, exports, error reports).
  static ApiResponse xlsx(std::string bytes, std::string_view file_name);
  static ApiResponse no_content();
};

using ApiHandler = std::function<ApiResponse(ApiRequest&)>;

enum class Access : std::uint8_t {
  public_route,   ///< no session (login)
  signed_in,      ///< any admin; {community} in the path is checked
  operator_only,  ///< operators only (accounts, community creation)
};

class Router {
 public:
  /// `pattern` like "/api/v1/communities/{community}/residents/{resident}".
  void add(std::string_view method, std::string_view pattern, Access access, ApiHandler handler);
  /// Also records the route for the OpenAPI coverage check.
  struct Route {
    std::string method, pattern;
    Access access;
    ApiHandler handler;
    std::vector<std::string> segments;  ///< the pattern split at '/'; "{name}" matches any one segment
  };
  const std::vector<Route>& routes() const noexcept { return routes_; }
  /// The route matching method and path, with its parameters; nullptr when none.
  const Route* match(std::string_view method, std::string_view path,
                     std::map<std::string, std::string, std::less<>>& params) const;
  /// The methods registered for a path (for 405 and its Allow header); empty when unknown.
  std::vector<std::string> allowed_methods(std::string_view path) const;

 private:
  std::vector<Route> routes_;
};

}  // namespace xiaoqu::gateway::api
