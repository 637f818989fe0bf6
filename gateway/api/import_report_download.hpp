#pragma once
// The download of a refused staff or structure import's error report, shared by their routes:
// 「错误报告-<uploaded name>.xlsx」, 404 when the community has no such report of that kind.
#include <cstdint>
#include <string_view>

#include "gateway/api/api.hpp"
#include "store/sqlite.hpp"

namespace xiaoqu::gateway::api {

ApiResponse import_report_download(store::Connection& c, std::int64_t community_id, std::string_view kind, std::int64_t report_id);

}  // namespace xiaoqu::gateway::api
