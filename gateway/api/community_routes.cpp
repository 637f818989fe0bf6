// Communities and their building structures: CRUD, the node tree, and the structure's
// spreadsheet template, import and export. The rules live in community/; these handlers
// parse, call, and map RecordError to the API's errors.
#include <ctime>
#include <nlohmann/json.hpp>

#include "community/structure/communities.hpp"
#include "community/shared/import_reports.hpp"
#include "community/structure/structure.hpp"
#include "community/structure/structure_sheet.hpp"
#include "gateway/api/import_report_download.hpp"
#include "gateway/api/services.hpp"

namespace xiaoqu::gateway::api {
namespace {
using nlohmann::json;
namespace cm = community;

std::int64_t now() { return std::time(nullptr); }

std::vector<std::string> string_array(const json& body, const char* field, const char* label) {
  if (!body.contains(field) || !body[field].is_array())
    throw ApiError(400, "invalid", std::string(label) + "必须是文本数组", field);
  std::vector<std::string> out;
  for (const auto& v : body[field]) {
    if (!v.is_string()) throw ApiError(400, "invalid", std::string(label) + "必须是文本数组", field);
    out.push_back(v.get<std::string>());
  }
  return out;
}

std::optional<std::string> optional_string(const json& body, const char* field, const char* label) {
  if (!body.contains(field) || body[field].is_null()) return std::nullopt;
  if (!body[field].is_string()) throw ApiError(400, "invalid", std::string(label) + "必须是文本", field);
  return body[field].get<std::string>();
}

void only_fields(const json& body, std::initializer_list<const char*> allowed) {
  for (auto it = body.begin(); it != body.end(); ++it) {
    bool ok = false;
    for (const char* a : allowed) ok |= it.key() == a;
    if (!ok) throw ApiError(400, "invalid", "不支持的字段：" + it.key(), it.key());
  }
}

json structure_json(const cm::StructureInfo& s) { return {{"id", s.id}, {"name", s.name}, {"levels", s.levels}}; }

void register_communities(Router& r, Services& s) {
  r.add("POST", "/api/v1/communities", Access::operator_only, [&s](ApiRequest& req) {
          auto body = req.json();
          only_fields(body, {"name", "address", "office_phone", "allow_structure_import", "owner_review", "sms_otp",
                             "official_account_appid"});
          auto fields = cm::CommunityFields::from_json(body);
          std::int64_t id = 0;
          auto actor = req.principal.actor();
          s.db.write([&](store::Connection& c) { id = cm::create_community(c, fields, actor, now()); });
          return ApiResponse::json({{"community", cm::to_json(cm::get_community(s.db.reader(), id))}}, 201);
        });
  r.add("GET", "/api/v1/communities", Access::signed_in, [&s](ApiRequest& req) {
          auto page = req.positive_query("page", 1, 1'000'000);
          auto size = req.positive_query("page_size", 20, 200);
          const auto* visible = req.principal.is_operator ? nullptr : &req.principal.communities;
          auto found = cm::list_communities(s.db.reader(), req.query("q").value_or(""), visible, page, size);
          json items = json::array();
          for (const auto& c : found.items) items.push_back(cm::to_json(c));
          return ApiResponse::json({{"items", items}, {"total", found.total}, {"page", page}, {"page_size", size}});
        });
  r.add("GET", "/api/v1/communities/{community}", Access::signed_in, [&s](ApiRequest& req) {
          return ApiResponse::json({{"community", cm::to_json(cm::get_community(s.db.reader(), req.community()))}});
        });
  r.add("PATCH", "/api/v1/communities/{community}", Access::signed_in, [&s](ApiRequest& req) {
          auto body = req.json();
          only_fields(body, {"name", "address", "office_phone", "allow_structure_import", "owner_review", "sms_otp",
                             "official_account_appid"});
          auto fields = cm::CommunityFields::from_json(body);
          // The name identifies the customer's community across accounts, and the Official
          // Account ties it to a customer's WeChat: operators change those.
          if (fields.name && !req.principal.is_operator)
            throw ApiError(403, "forbidden", "只有运营账号可以修改小区名称", "name");
          if (fields.official_account_appid && !req.principal.is_operator)
            throw ApiError(403, "forbidden", "只有运营账号可以修改小区绑定的公众号", "official_account_appid");
          auto id = req.community();
          auto actor = req.principal.actor();
          s.db.write([&](store::Connection& c) { cm::update_community(c, id, fields, actor, now()); });
          return ApiResponse::json({{"community", cm::to_json(cm::get_community(s.db.reader(), id))}});
        });
  r.add("DELETE", "/api/v1/communities/{community}", Access::operator_only, [&s](ApiRequest& req) {
          auto id = req.community();
          auto actor = req.principal.actor();
          s.db.write([&](store::Connection& c) { cm::delete_community(c, id, actor, now()); });
          return ApiResponse::no_content();
        });
}

void register_structures(Router& r, Services& s) {
  const std::string base = "/api/v1/communities/{community}/structures";
  r.add("POST", base, Access::signed_in, [&s](ApiRequest& req) {
          auto body = req.json();
          only_fields(body, {"name", "levels"});
          auto name = optional_string(body, "name", "结构名称").value_or("");
          auto levels = string_array(body, "levels", "层级名称");
          auto cid = req.community();
          auto actor = req.principal.actor();
          std::int64_t id = 0;
          s.db.write([&](store::Connection& c) { id = cm::create_structure(c, cid, name, levels, actor, now()); });
          return ApiResponse::json({{"structure", structure_json(cm::get_structure(s.db.reader(), cid, id))}}, 201);
        });
  r.add("GET", base, Access::signed_in, [&s](ApiRequest& req) {
          json items = json::array();
          for (const auto& st : cm::structures_of(s.db.reader(), req.community())) items.push_back(structure_json(st));
          return ApiResponse::json({{"items", items}});
        });
  r.add("GET", base + "/{structure}", Access::signed_in, [&s](ApiRequest& req) {
          auto& c = s.db.reader();
          auto st = cm::get_structure(c, req.community(), req.id("structure"));
          return ApiResponse::json({{"structure", cm::structure_tree_json(c, st)}});
        });
  r.add("PATCH", base + "/{structure}", Access::signed_in, [&s](ApiRequest& req) {
          auto body = req.json();
          only_fields(body, {"name", "levels"});
          auto name = optional_string(body, "name", "结构名称");
          std::optional<std::vector<std::string>> levels;
          if (body.contains("levels") && !body["levels"].is_null()) levels = string_array(body, "levels", "层级名称");
          auto cid = req.community();
          auto sid = req.id("structure");
          auto actor = req.principal.actor();
          s.db.write([&](store::Connection& c) { cm::update_structure(c, cid, sid, name, levels, actor, now()); });
          return ApiResponse::json({{"structure", structure_json(cm::get_structure(s.db.reader(), cid, sid))}});
        });
  r.add("DELETE", base + "/{structure}", Access::signed_in, [&s](ApiRequest& req) {
          auto cid = req.community();
          auto sid = req.id("structure");
          auto actor = req.principal.actor();
          s.db.write([&](store::Connection& c) { cm::delete_structure(c, cid, sid, actor, now()); });
          return ApiResponse::no_content();
        });

  r.add("POST", base + "/{structure}/nodes", Access::signed_in, [&s](ApiRequest& req) {
          auto body = req.json();
          only_fields(body, {"parent_id", "name"});
          std::int64_t parent = 0;
          if (body.contains("parent_id") && !body["parent_id"].is_null()) {
            if (!body["parent_id"].is_number_integer() || body["parent_id"].get<std::int64_t>() <= 0)
              throw ApiError(400, "invalid", "parent_id 必须是节点 id", "parent_id");
            parent = body["parent_id"].get<std::int64_t>();
          }
          auto name = optional_string(body, "name", "节点名称").value_or("");
          auto cid = req.community();
          auto sid = req.id("structure");
          auto actor = req.principal.actor();
          std::int64_t id = 0;
          s.db.write([&](store::Connection& c) { id = cm::add_node(c, cid, sid, parent, name, actor, now()); });
          auto& c = s.db.reader();
          return ApiResponse::json({{"node", {{"id", id}, {"parent_id", parent}, {"path", cm::room_path(c, id)}}}}, 201);
        });
  r.add("PATCH", base + "/{structure}/nodes/{node}", Access::signed_in, [&s](ApiRequest& req) {
          auto body = req.json();
          only_fields(body, {"name"});
          auto name = optional_string(body, "name", "节点名称").value_or("");
          auto cid = req.community();
          auto sid = req.id("structure");
          auto nid = req.id("node");
          auto actor = req.principal.actor();
          s.db.write([&](store::Connection& c) { cm::rename_node(c, cid, sid, nid, name, actor, now()); });
          return ApiResponse::json({{"node", {{"id", nid}, {"path", cm::room_path(s.db.reader(), nid)}}}});
        });
  r.add("DELETE", base + "/{structure}/nodes/{node}", Access::signed_in, [&s](ApiRequest& req) {
          auto cid = req.community();
          auto sid = req.id("structure");
          auto nid = req.id("node");
          auto actor = req.principal.actor();
          s.db.write([&](store::Connection& c) { cm::delete_node(c, cid, sid, nid, actor, now()); });
          return ApiResponse::no_content();
        });

  r.add("GET", base + "/{structure}/template", Access::signed_in, [&s](ApiRequest& req) {
          auto& c = s.db.reader();
          auto community = cm::get_community(c, req.community());
          auto st = cm::get_structure(c, community.id, req.id("structure"));
          return ApiResponse::xlsx(cm::structure_template_xlsx(st), community.name + "-" + st.name + "-导入模板.xlsx");
        });
  r.add("GET", base + "/{structure}/export", Access::signed_in, [&s](ApiRequest& req) {
          auto& c = s.db.reader();
          auto community = cm::get_community(c, req.community());
          auto st = cm::get_structure(c, community.id, req.id("structure"));
          return ApiResponse::xlsx(cm::structure_export_xlsx(c, st), community.name + "-" + st.name + ".xlsx");
        });
  r.add("POST", base + "/{structure}/import", Access::signed_in, [&s](ApiRequest& req) {
          auto cid = req.community();
          auto st = cm::get_structure(s.db.reader(), cid, req.id("structure"));
          auto upload = req.file();
          spreadsheet::ReadLimits limits;
          limits.max_file_bytes = s.cfg.import.max_file_bytes;
          auto sheet = cm::read_structure_sheet(upload.bytes, limits, st);
          auto actor = req.principal.actor();
          auto admin = req.principal.admin_id;
          if (!sheet.issues.empty()) {
            auto report = cm::error_report_xlsx(sheet.header, sheet.bad_rows, sheet.issues);
            std::int64_t report_id = 0;
            s.db.write([&](store::Connection& c) {
              report_id = cm::record_rejected_import(c, {cid, admin, "structure", upload.file_name, now()},
                                                     static_cast<std::int64_t>(sheet.issues.size()),
                                                     cm::to_json(sheet.issues).dump(), &report);
            });
            return ApiResponse::json({{"error",
                                       {{"code", "invalid_rows"},
                                        {"message", "有 " + std::to_string(sheet.bad_rows.size()) +
                                                        " 行有错误，未导入任何数据，请修改后重新导入"}}},
                                      {"report_id", report_id},
                                      {"error_count", sheet.issues.size()},
                                      {"errors", cm::to_json(sheet.issues)}},
                                     422);
          }
          cm::StructureImportCounts counts;
          // One write job: every node of the file or none of them.
          s.db.write([&](store::Connection& c) {
            counts = cm::import_structure(c, cid, st, sheet, actor, now());
            cm::record_committed_import(c, {cid, admin, "structure", upload.file_name, now()}, counts.created_nodes, 0,
                                        counts.unchanged_rows);
          });
          return ApiResponse::json({{"rows", counts.rows},
                                    {"created_nodes", counts.created_nodes},
                                    {"created_rooms", counts.created_rooms},
                                    {"unchanged_rows", counts.unchanged_rows}});
        });
  r.add("GET", base + "/{structure}/import-reports/{report}", Access::signed_in, [&s](ApiRequest& req) {
          auto& c = s.db.reader();
          auto cid = req.community();
          cm::get_structure(c, cid, req.id("structure"));
          return import_report_download(c, cid, "structure", req.id("report"));
        });
}

}  // namespace

void register_community_routes(Router& r, Services& s) {
  register_communities(r, s);
  register_structures(r, s);
}

}  // namespace xiaoqu::gateway::api
