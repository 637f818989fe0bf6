// The access-control matrix: every route the router knows (including routes other features
// register) × no session, a property admin of another community, the property admin of
// this community, an operator. Codes tell access refusals from missing records:
// unauthenticated (401), forbidden (403, operators only), csrf (403),
// community_not_found (404, not visible), route_not_found (404, no such route);
// not_found (404) is a record missing inside a visible community.
#include <algorithm>
#include <set>

#include "tests/gateway/api/admin_fixture.hpp"
#include "gateway/admin_api.hpp"

namespace xiaoqu::testing {
namespace {
using gateway::api::Access;
using nlohmann::json;

std::string fill(const std::string& pattern, const std::string& community) {
  std::string out;
  std::size_t at = 0;
  while (at < pattern.size()) {
    auto open = pattern.find('{', at);
    if (open == std::string::npos) {
      out += pattern.substr(at);
      break;
    }
    auto close = pattern.find('}', open);
    out += pattern.substr(at, open - at);
    out += pattern.substr(open + 1, close - open - 1) == "community" ? community : "1";
    at = close + 1;
  }
  return out;
}

httplib::Result send(httplib::Client& c, const std::string& method, const std::string& path, const httplib::Headers& h) {
  if (method == "GET") return c.Get(path, h);
  if (method == "DELETE") return c.Delete(path, h);
  if (method == "POST") return c.Post(path, h, "{}", "application/json");
  if (method == "PUT") return c.Put(path, h, "{}", "application/json");
  if (method == "PATCH") return c.Patch(path, h, "{}", "application/json");
  ADD_FAILURE() << "method the matrix does not know: " << method;
  return c.Get(path, h);
}

TEST(AdminAccessMatrix, EveryRouteRefusesWhomItMustAndServesWhomItMay) {
  TestServer server(admin_patch());
  std::int64_t operator_id = add_admin(server, "root", "operator", {}, kOperatorPassword);  // id 1: never deleted
  std::int64_t community_a = add_community(server, "阳光花园");
  std::int64_t community_b = add_community(server, "腾讯小区");
  std::int64_t own = add_admin(server, "wuye.a", "property_admin", {community_a});
  std::int64_t other = add_admin(server, "wuye.b", "property_admin", {community_b});

  auto routes = server.app().admin_api().router().routes();
  ASSERT_GE(routes.size(), 7u);
  // Deletions last, deepest first, so a deleted community does not turn later rows into 404s.
  std::stable_sort(routes.begin(), routes.end(), [](const auto& x, const auto& y) {
    bool dx = x.method == "DELETE", dy = y.method == "DELETE";
    if (dx != dy) return dy;
    return dx && x.segments.size() > y.segments.size();
  });

  auto c = server.client();
  c.set_read_timeout(20, 0);
  int rows = 0;
  for (const auto& route : routes) {
    SCOPED_TRACE(route.method + " " + route.pattern);
    const bool has_community = route.pattern.find("{community}") != std::string::npos;
    const std::string path = fill(route.pattern, std::to_string(community_a));
    // Fresh sessions per route: a route may end a session (logout) or change an account.
    Session as_other = open_session(server, other), as_own = open_session(server, own), as_operator = open_session(server, operator_id);

    auto none = send(c, route.method, path, {});
    ASSERT_TRUE(none);
    if (route.access == Access::public_route) {
      EXPECT_NE(none->status, 401);
    } else {
      EXPECT_EQ(none->status, 401) << none->body;
      EXPECT_EQ(error_code(none), "unauthenticated");
      // A state change without the CSRF token is refused before anything else happens.
      if (route.method != "GET") {
        auto no_csrf = send(c, route.method, path, as_operator.headers(false));
        ASSERT_TRUE(no_csrf);
        EXPECT_EQ(no_csrf->status, 403);
        EXPECT_EQ(error_code(no_csrf), "csrf");
      }
    }

    auto by_other = send(c, route.method, path, as_other.headers());
    ASSERT_TRUE(by_other);
    if (route.access == Access::operator_only) {
      EXPECT_EQ(by_other->status, 403) << by_other->body;
      EXPECT_EQ(error_code(by_other), "forbidden");
    } else if (has_community && route.access != Access::public_route) {
      EXPECT_EQ(by_other->status, 404) << by_other->body;
      EXPECT_EQ(error_code(by_other), "community_not_found");
    } else {
      EXPECT_NE(by_other->status, 401);
      EXPECT_NE(by_other->status, 403);
    }

    auto by_own = send(c, route.method, path, as_own.headers());
    ASSERT_TRUE(by_own);
    if (route.access == Access::operator_only) {
      EXPECT_EQ(by_own->status, 403) << by_own->body;
      EXPECT_EQ(error_code(by_own), "forbidden");
    } else {
      EXPECT_NE(by_own->status, 401) << by_own->body;
      EXPECT_NE(by_own->status, 403) << by_own->body;
      EXPECT_NE(error_code(by_own), "community_not_found") << by_own->body;
      EXPECT_NE(error_code(by_own), "route_not_found");
      EXPECT_NE(by_own->status, 405);
    }

    auto by_operator = send(c, route.method, path, as_operator.headers());
    ASSERT_TRUE(by_operator);
    EXPECT_NE(by_operator->status, 401) << by_operator->body;
    EXPECT_NE(by_operator->status, 403) << by_operator->body;
    EXPECT_NE(error_code(by_operator), "community_not_found") << by_operator->body;
    EXPECT_NE(error_code(by_operator), "route_not_found");
    EXPECT_NE(by_operator->status, 405);
    ++rows;
  }
  EXPECT_EQ(rows, static_cast<int>(routes.size()));
}

// The matrix above relies on the router refusing before the handler: a community that
// exists but is not assigned looks exactly like one that does not exist.
TEST(AdminAccessMatrix, HiddenAndMissingCommunitiesLookTheSame) {
  TestServer server(admin_patch());
  std::int64_t mine = add_community(server, "阳光花园");
  std::int64_t theirs = add_community(server, "腾讯小区");
  std::int64_t admin = add_admin(server, "wuye.a", "property_admin", {mine});
  Session s = open_session(server, admin);
  // A probe route, so this holds whatever features are registered.
  server.app().admin_api().router().add("GET", "/api/v1/probe/communities/{community}", Access::signed_in,
                                        [](gateway::api::ApiRequest& q) {
                                          return gateway::api::ApiResponse::json({{"community", q.community()}});
                                        });
  const std::string pattern = "/api/v1/probe/communities/{community}";
  auto it = &pattern;
  auto c = server.client();
  auto hidden = c.Get(fill(*it, std::to_string(theirs)), s.headers());
  auto missing = c.Get(fill(*it, "987654"), s.headers());
  auto malformed = c.Get(fill(*it, "abc"), s.headers());
  ASSERT_TRUE(hidden && missing && malformed);
  EXPECT_EQ(hidden->status, 404);
  EXPECT_EQ(hidden->body, missing->body);
  EXPECT_EQ(malformed->status, 404);
  EXPECT_EQ(error_code(malformed), "community_not_found");
  auto seen = c.Get(fill(*it, std::to_string(mine)), s.headers());
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->status, 200);
  EXPECT_EQ(nlohmann::json::parse(seen->body)["community"], mine);
}

}  // namespace
}  // namespace xiaoqu::testing
