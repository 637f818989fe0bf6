// The OpenAPI document describes every route the router serves, and is served itself.
#include <algorithm>
#include <cctype>

#include "tests/gateway/api/admin_fixture.hpp"
#include "gateway/admin_api.hpp"
#include "gateway/api/openapi.hpp"

namespace xiaoqu::testing {
namespace {
using nlohmann::json;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

TEST(AdminOpenApi, EveryRegisteredRouteIsDocumentedWithItsMethod) {
  TestServer server(admin_patch());
  const json& doc = gateway::api::openapi_document();
  ASSERT_EQ(doc["openapi"].get<std::string>().substr(0, 2), "3.");
  std::vector<std::string> missing;
  for (const auto& r : server.app().admin_api().router().routes()) {
    const std::string method = lower(r.method);
    if (!doc["paths"].contains(r.pattern) || !doc["paths"][r.pattern].contains(method)) missing.push_back(r.method + " " + r.pattern);
  }
  EXPECT_TRUE(missing.empty()) << "add these to gateway/api/openapi/<feature>.json: " << ::testing::PrintToString(missing);
}

TEST(AdminOpenApi, EveryDocumentedOperationIsServed) {
  TestServer server(admin_patch());
  const json& doc = gateway::api::openapi_document();
  const auto& routes = server.app().admin_api().router().routes();
  std::vector<std::string> stale;
  for (const auto& [path, ops] : doc["paths"].items())
    for (const auto& [method, op] : ops.items()) {
      if (method == "parameters" || method == "summary" || method == "description") continue;
      bool served = std::any_of(routes.begin(), routes.end(), [&](const auto& r) { return r.pattern == path && lower(r.method) == method; });
      if (!served) stale.push_back(method + " " + path);
    }
  EXPECT_TRUE(stale.empty()) << "documented but not registered: " << ::testing::PrintToString(stale);
}

TEST(AdminOpenApi, PathParametersAreDeclared) {
  // Each {name} in a documented path has a parameter of that name (on the path or the operation).
  const json& doc = gateway::api::openapi_document();
  std::vector<std::string> undeclared;
  for (const auto& [path, ops] : doc["paths"].items()) {
    for (std::size_t at = path.find('{'); at != std::string::npos; at = path.find('{', at + 1)) {
      std::string name = path.substr(at + 1, path.find('}', at) - at - 1);
      auto declares = [&](const json& params) {
        for (const auto& p : params) {
          if (p.contains("$ref") && p["$ref"] == "#/components/parameters/" + name) return true;
          if (p.value("name", "") == name && p.value("in", "") == "path") return true;
        }
        return false;
      };
      bool on_path = ops.contains("parameters") && declares(ops["parameters"]);
      for (const auto& [method, op] : ops.items()) {
        if (method == "parameters" || !op.is_object()) continue;
        if (!on_path && !(op.contains("parameters") && declares(op["parameters"]))) undeclared.push_back(method + " " + path + " {" + name + "}");
      }
    }
  }
  EXPECT_TRUE(undeclared.empty()) << ::testing::PrintToString(undeclared);
}

TEST(AdminOpenApi, ServedWithoutASession) {
  TestServer server(admin_patch());
  auto r = server.client().Get("/api/v1/openapi.json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  EXPECT_NE(r->get_header_value("Content-Type").find("application/json"), std::string::npos);
  auto served = json::parse(r->body);
  EXPECT_EQ(served, gateway::api::openapi_document());
  EXPECT_TRUE(served["paths"].contains("/api/v1/auth/login"));
}

}  // namespace
}  // namespace xiaoqu::testing
