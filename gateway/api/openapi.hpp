#pragma once
// The OpenAPI 3 document of the admin API, built into the binary from
// gateway/api/openapi.json and one gateway/api/openapi/<feature>.json per feature.
#include <nlohmann/json.hpp>

#include "gateway/api/api.hpp"

namespace xiaoqu::gateway::api {

/// The base document with every feature part's paths and components merged in. Throws
/// std::logic_error when a part is not valid JSON or describes an operation another part
/// already does (a build mistake, found by the tests).
const nlohmann::json& openapi_document();

/// GET /api/v1/openapi.json (public).
void register_openapi_routes(Router& r);

}  // namespace xiaoqu::gateway::api
