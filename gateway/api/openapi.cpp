#include "gateway/api/openapi.hpp"

#include <memory>
#include <stdexcept>
#include <string>

#include "xiaoqu/openapi_document.hpp"

namespace xiaoqu::gateway::api {
namespace {
using nlohmann::json;

json parse(const char* text, const std::string& name) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) throw std::logic_error("OpenAPI part " + name + " is not a JSON object");
  return j;
}

json build() {
  json doc = parse(kOpenApiBase, "openapi.json");
  for (std::size_t i = 0; kOpenApiParts[i][0] != nullptr; ++i) {
    const std::string name = kOpenApiParts[i][0];
    json part = parse(kOpenApiParts[i][1], name);
    const json paths = part.value("paths", json::object()), components = part.value("components", json::object());
    for (auto& [path, ops] : paths.items()) {
      json& target = doc["paths"][path];
      for (auto& [key, op] : ops.items()) {
        if (target.contains(key) && key != "parameters")
          throw std::logic_error("OpenAPI part " + name + " describes " + key + " " + path + " again");
        target[key] = op;
      }
    }
    for (auto& [section, entries] : components.items())
      for (auto& [key, value] : entries.items()) {
        if (doc["components"][section].contains(key) && doc["components"][section][key] != value)
          throw std::logic_error("OpenAPI part " + name + " redefines components." + section + "." + key);
        doc["components"][section][key] = value;
      }
  }
  return doc;
}
}  // namespace

const json& openapi_document() {
  static const json doc = build();
  return doc;
}

void register_openapi_routes(Router& r) {
  // Serialized once: the document never changes while the process runs.
  auto body = std::make_shared<const std::string>(openapi_document().dump());
  r.add("GET", "/api/v1/openapi.json", Access::public_route, [body](ApiRequest&) {
    ApiResponse res;
    res.body = *body;
    res.headers.emplace_back("Cache-Control", "public, max-age=300");
    return res;
  });
}

}  // namespace xiaoqu::gateway::api
