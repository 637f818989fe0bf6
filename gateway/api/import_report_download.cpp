#include "gateway/api/import_report_download.hpp"

#include "community/shared/import_reports.hpp"

namespace xiaoqu::gateway::api {

ApiResponse import_report_download(store::Connection& c, std::int64_t community_id, std::string_view kind, std::int64_t report_id) {
  std::string name;
  auto xlsx = community::import_report_xlsx(c, community_id, kind, report_id, &name);
  if (!xlsx) throw ApiError(404, "not_found", "错误报告不存在");
  if (auto dot = name.rfind('.'); dot != std::string::npos) name.resize(dot);
  return ApiResponse::xlsx(std::move(*xlsx), "错误报告-" + name + ".xlsx");
}

}  // namespace xiaoqu::gateway::api
