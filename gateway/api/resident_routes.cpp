// Residents of a community: list (search by name or last 4 phone digits, status and
// building filters), add, edit, delete, and the spreadsheet template, import with its
// downloadable error report, and export. The rules live in community/resident*.
#include <ctime>
#include <memory>
#include <nlohmann/json.hpp>

#include "community/structure/communities.hpp"
#include "community/shared/import_reports.hpp"
#include "community/shared/personal_data.hpp"
#include "community/residents/resident_import.hpp"
#include "community/residents/resident_template.hpp"
#include "community/residents/residents_store.hpp"
#include "spreadsheet/sheet.hpp"
#include "gateway/api/services.hpp"

namespace xiaoqu::gateway::api {
namespace {
using nlohmann::json;
namespace cm = community;

std::int64_t now() { return std::time(nullptr); }

cm::ResidentQuery query_of(const ApiRequest& req) {
  return cm::ResidentQuery::from_params(req.community(), req.query("q"), req.query("status"), req.query("node_id"),
                                        req.query("page"), req.query("page_size"));
}

json body_of(const ApiRequest& req) {
  json body = req.json();
  static const char* kKnown[] = {"name",    "gender",    "identity", "lease_end", "phone",
                                 "id_type", "id_number", "room_id",  "room_path"};
  for (auto it = body.begin(); it != body.end(); ++it) {
    bool known = false;
    for (const char* k : kKnown) known |= it.key() == k;
    if (!known) throw ApiError(400, "invalid", "不支持的字段：" + it.key(), it.key());
  }
  return body;
}

}  // namespace

void register_resident_routes(Router& r, Services& s) {
  // The lookup-hash key is derived from the master key the SecretBox was built from.
  auto pd = std::make_shared<const cm::PersonalData>(s.box, store::load_master_key(s.cfg.store));
  const std::string base = "/api/v1/communities/{community}/residents";

  r.add("GET", base, Access::signed_in, [&s](ApiRequest& req) {
          auto page = cm::list_residents(s.db.reader(), query_of(req));
          json items = json::array();
          for (const auto& res : page.items) items.push_back(cm::to_json(res));
          return ApiResponse::json({{"items", items}, {"total", page.total}});
        });

  r.add("POST", base, Access::signed_in, [&s, pd](ApiRequest& req) {
          auto fields = cm::ResidentFields::from_json(body_of(req));
          std::int64_t cid = req.community();
          cm::Resident created;
          s.db.write([&](store::Connection& c) {
            std::int64_t id = cm::create_resident(c, *pd, cid, fields, req.principal.actor(), now());
            created = cm::get_resident(c, cid, id);
          });
          return ApiResponse::json(cm::to_json(created), 201);
        });

  r.add("GET", base + "/template", Access::signed_in, [&s](ApiRequest& req) {
          auto& c = s.db.reader();
          auto community = cm::get_community(c, req.community());
          auto layout = cm::resident_sheet_layout(c, community);
          return ApiResponse::xlsx(cm::resident_template_xlsx(layout), community.name + "-住户导入模板.xlsx");
        });

  r.add("GET", base + "/export", Access::signed_in, [&s](ApiRequest& req) {
          auto& c = s.db.reader();
          auto community = cm::get_community(c, req.community());
          auto layout = cm::resident_sheet_layout(c, community);
          return ApiResponse::xlsx(cm::resident_export_xlsx(c, layout, query_of(req)), community.name + "-住户信息.xlsx");
        });

  r.add("POST", base + "/import", Access::signed_in, [&s, pd](ApiRequest& req) {
          auto upload = req.file();
          cm::ImportSettings st;
          st.limits.max_file_bytes = s.cfg.import.max_file_bytes;
          st.admin_id = req.principal.admin_id;
          st.actor = req.principal.actor();
          st.file_name = upload.file_name;
          st.now = now();
          auto result = cm::import_residents(s.db, *pd, req.community(), upload.bytes, st);
          if (!result.committed)
            return ApiResponse::json({{"errors", cm::to_json(result.issues, 200)},
                                      {"error_count", result.issues.size()},
                                      {"report_id", result.report_id}},
                                     422);
          return ApiResponse::json({{"added", result.added},
                                    {"updated", result.updated},
                                    {"unchanged", result.unchanged},
                                    {"rooms_created", result.rooms_created},
                                    {"report_id", result.report_id}});
        });

  r.add("GET", "/api/v1/communities/{community}/imports/{report}/report.xlsx", Access::signed_in,
        [&s](ApiRequest& req) {
          std::string file_name;
          auto xlsx = cm::import_report_xlsx(s.db.reader(), req.community(), "residents", req.id("report"), &file_name);
          if (!xlsx) throw ApiError(404, "not_found", "没有这份导入错误报告", "report");
          return ApiResponse::xlsx(std::move(*xlsx), "错误报告-" + (file_name.empty() ? "住户导入.xlsx" : file_name));
        });

  r.add("GET", base + "/{resident}", Access::signed_in, [&s](ApiRequest& req) {
          return ApiResponse::json(cm::to_json(cm::get_resident(s.db.reader(), req.community(), req.id("resident"))));
        });

  r.add("PATCH", base + "/{resident}", Access::signed_in, [&s, pd](ApiRequest& req) {
          auto fields = cm::ResidentFields::from_json(body_of(req));
          std::int64_t cid = req.community(), id = req.id("resident");
          cm::Resident updated;
          s.db.write([&](store::Connection& c) {
            updated = cm::update_resident(c, *pd, cid, id, fields, req.principal.actor(), now());
          });
          return ApiResponse::json(cm::to_json(updated));
        });

  r.add("DELETE", base + "/{resident}", Access::signed_in, [&s](ApiRequest& req) {
          std::int64_t cid = req.community(), id = req.id("resident");
          s.db.write([&](store::Connection& c) { cm::delete_resident(c, cid, id, req.principal.actor(), now()); });
          return ApiResponse::no_content();
        });
}

}  // namespace xiaoqu::gateway::api
