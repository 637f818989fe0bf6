// Staff and departments of a community: list with search, add (or update the same person),
// edit, remove, the department tree, and the staff spreadsheet template, import (with its
// downloadable error report) and export. Rules live in community/staff*.
#include <algorithm>
#include <ctime>
#include <nlohmann/json.hpp>

#include "community/structure/communities.hpp"
#include "community/staff/departments.hpp"
#include "community/shared/import_reports.hpp"
#include "community/staff/staff.hpp"
#include "community/staff/staff_sheet.hpp"
#include "gateway/api/import_report_download.hpp"
#include "gateway/api/services.hpp"

namespace xiaoqu::gateway::api {
namespace {
using nlohmann::json;
namespace cm = community;

std::int64_t now() { return std::time(nullptr); }

const std::vector<std::int64_t>* visible_to(const Principal& p) { return p.is_operator ? nullptr : &p.communities; }

cm::StaffQuery staff_query(const ApiRequest& req) {
  cm::StaffQuery q;
  q.q = req.query("q").value_or("");
  if (req.query("department_id")) q.department_id = req.positive_query("department_id", 0, INT64_MAX);
  q.page = req.positive_query("page", 1, 1'000'000);
  q.page_size = req.positive_query("page_size", 20, 200);
  return q;
}

// Applies the members present in `body` to `in`; the types are checked, the values are
// checked by the domain.
void apply(const json& body, cm::StaffInput& in, const Principal& who, std::int64_t community_id) {
  static const std::vector<std::pair<const char*, std::string cm::StaffInput::*>> text_fields = {
      {"name", &cm::StaffInput::name},         {"gender", &cm::StaffInput::gender},
      {"position", &cm::StaffInput::position}, {"rank", &cm::StaffInput::rank},
      {"phone", &cm::StaffInput::phone},       {"wechat_id", &cm::StaffInput::wechat_id},
      {"address", &cm::StaffInput::address}};
  for (auto it = body.begin(); it != body.end(); ++it) {
    bool known = it.key() == "departments" || it.key() == "communities";
    for (const auto& [key, _] : text_fields) known |= it.key() == key;
    if (!known) throw ApiError(400, "invalid", "不支持的字段：" + it.key(), it.key());
  }
  for (const auto& [key, member] : text_fields) {
    if (!body.contains(key) || body[key].is_null()) continue;
    if (!body[key].is_string()) throw ApiError(400, "invalid", std::string(key) + " 必须是文本", key);
    in.*member = body[key].get<std::string>();
  }
  if (body.contains("departments") && !body["departments"].is_null()) {
    const auto& d = body["departments"];
    in.departments.clear();
    if (d.is_string()) {
      in.departments = cm::split_department_list(d.get<std::string>());
    } else if (d.is_array()) {
      for (const auto& x : d) {
        if (!x.is_string()) throw ApiError(400, "invalid", "departments 必须是部门路径的数组", "departments");
        in.departments.push_back(x.get<std::string>());
      }
    } else {
      throw ApiError(400, "invalid", "departments 必须是部门路径的数组", "departments");
    }
  }
  if (body.contains("communities") && !body["communities"].is_null()) {
    const auto& v = body["communities"];
    if (!v.is_array()) throw ApiError(400, "invalid", "communities 必须是小区 id 的数组", "communities");
    // The communities this admin cannot see stay as they are; the ones listed replace the rest.
    std::vector<std::int64_t> kept;
    for (auto id : in.communities)
      if (!who.can_see(id)) kept.push_back(id);
    for (const auto& x : v) {
      if (!x.is_number_integer() || x.get<std::int64_t>() <= 0)
        throw ApiError(400, "invalid", "communities 必须是小区 id 的数组", "communities");
      auto id = x.get<std::int64_t>();
      if (!who.can_see(id)) throw ApiError(404, "community_not_found", "小区不存在或无权访问", "communities");
      kept.push_back(id);
    }
    in.communities = std::move(kept);
  }
  if (std::find(in.communities.begin(), in.communities.end(), community_id) == in.communities.end())
    in.communities.push_back(community_id);
}

cm::StaffInput input_of(const cm::Staff& s) {
  cm::StaffInput in;
  in.name = s.name;
  in.gender = s.gender;
  in.position = s.position;
  in.rank = s.rank;
  in.phone = s.phone;
  in.wechat_id = s.wechat_id;
  in.address = s.address;
  in.departments = s.departments;
  in.communities = s.communities;
  in.wecom_corp_id = s.wecom_corp_id;
  in.wecom_userid = s.wecom_userid;
  return in;
}

std::string outcome_name(cm::UpsertOutcome o) {
  switch (o) {
    case cm::UpsertOutcome::added: return "added";
    case cm::UpsertOutcome::updated: return "updated";
    case cm::UpsertOutcome::unchanged: break;
  }
  return "unchanged";
}

std::int64_t store_report(Services& s, std::int64_t cid, std::int64_t admin, const std::string& file_name,
                          const std::vector<cm::SheetIssue>& issues, const std::string& xlsx) {
  std::int64_t id = 0;
  s.db.write([&](store::Connection& c) {
    id = cm::record_rejected_import(c, {cid, admin, "staff", file_name, now()}, static_cast<std::int64_t>(issues.size()),
                                    cm::to_json(issues).dump(), &xlsx);
  });
  return id;
}

ApiResponse rejected(std::int64_t report_id, std::size_t bad_rows, const std::vector<cm::SheetIssue>& issues) {
  return ApiResponse::json({{"error",
                             {{"code", "invalid_rows"},
                              {"message", "有 " + std::to_string(bad_rows) + " 行有错误，未导入任何数据，请下载错误报告修改后重新导入"}}},
                            {"report_id", report_id},
                            {"error_count", issues.size()},
                            {"errors", cm::to_json(issues)}},
                           422);
}

}  // namespace

void register_staff_routes(Router& r, Services& s) {
  const std::string base = "/api/v1/communities/{community}/staff";
  r.add("GET", base, Access::signed_in, [&s](ApiRequest& req) {
          auto q = staff_query(req);
          auto found = cm::list_staff(s.db.reader(), req.community(), q);
          json items = json::array();
          for (const auto& st : found.items) items.push_back(cm::to_json(st, true, visible_to(req.principal)));
          return ApiResponse::json({{"items", items}, {"total", found.total}, {"page", q.page}, {"page_size", q.page_size}});
        });
  r.add("POST", base, Access::signed_in, [&s](ApiRequest& req) {
          auto body = req.json();
          auto cid = req.community();
          cm::StaffInput in;
          apply(body, in, req.principal, cid);
          auto actor = req.principal.actor();
          cm::UpsertResult result;
          s.db.write([&](store::Connection& c) {
            // The same phone may already be someone this admin cannot see: only their communities change then.
            result = cm::upsert_staff(c, in, actor, now());
          });
          auto st = cm::get_staff(s.db.reader(), cid, result.id);
          return ApiResponse::json({{"staff", cm::to_json(st, false, visible_to(req.principal))},
                                    {"outcome", outcome_name(result.outcome)}},
                                   result.outcome == cm::UpsertOutcome::added ? 201 : 200);
        });
  r.add("GET", base + "/{staff}", Access::signed_in, [&s](ApiRequest& req) {
          auto st = cm::get_staff(s.db.reader(), req.community(), req.id("staff"));
          return ApiResponse::json({{"staff", cm::to_json(st, false, visible_to(req.principal))}});
        });
  r.add("PATCH", base + "/{staff}", Access::signed_in, [&s](ApiRequest& req) {
          auto body = req.json();
          auto cid = req.community();
          auto id = req.id("staff");
          auto actor = req.principal.actor();
          s.db.write([&](store::Connection& c) {
            auto in = input_of(cm::get_staff(c, cid, id));
            apply(body, in, req.principal, cid);
            cm::replace_staff(c, id, in, actor, now());
          });
          auto st = cm::get_staff(s.db.reader(), cid, id);
          return ApiResponse::json({{"staff", cm::to_json(st, false, visible_to(req.principal))}});
        });
  r.add("DELETE", base + "/{staff}", Access::signed_in, [&s](ApiRequest& req) {
          auto cid = req.community();
          auto id = req.id("staff");
          auto actor = req.principal.actor();
          s.db.write([&](store::Connection& c) { cm::remove_staff(c, cid, id, actor, now()); });
          return ApiResponse::no_content();
        });
  r.add("GET", "/api/v1/communities/{community}/departments", Access::signed_in, [&s](ApiRequest& req) {
          return ApiResponse::json({{"items", cm::department_tree(s.db.reader(), req.community())}});
        });

  r.add("GET", base + "/template", Access::signed_in, [&s](ApiRequest& req) {
          auto community = cm::get_community(s.db.reader(), req.community());
          return ApiResponse::xlsx(cm::staff_template_xlsx(community), community.name + "-员工导入模板.xlsx");
        });
  r.add("GET", base + "/export", Access::signed_in, [&s](ApiRequest& req) {
          auto& c = s.db.reader();
          auto community = cm::get_community(c, req.community());
          return ApiResponse::xlsx(cm::staff_export_xlsx(c, community, staff_query(req)), community.name + "-员工信息.xlsx");
        });
  r.add("POST", base + "/import", Access::signed_in, [&s](ApiRequest& req) {
          auto cid = req.community();
          auto community = cm::get_community(s.db.reader(), cid);
          auto upload = req.file();
          spreadsheet::ReadLimits limits;
          limits.max_file_bytes = s.cfg.import.max_file_bytes;
          auto sheet = cm::read_staff_sheet(upload.bytes, limits, s.db.reader(), community, visible_to(req.principal));
          auto admin = req.principal.admin_id;
          if (!sheet.issues.empty()) {
            auto xlsx = cm::error_report_xlsx(sheet.header, sheet.bad_rows, sheet.issues);
            return rejected(store_report(s, cid, admin, upload.file_name, sheet.issues, xlsx), sheet.bad_rows.size(),
                            sheet.issues);
          }
          auto actor = req.principal.actor();
          cm::StaffImportCounts counts;
          std::int64_t report_id = 0;
          try {
            // One write job: every person of the file or none of them.
            s.db.write([&](store::Connection& c) {
              counts = cm::import_staff(c, cid, sheet, actor, now());
              report_id = cm::record_committed_import(c, {cid, admin, "staff", upload.file_name, now()}, counts.added,
                                                      counts.updated, counts.unchanged);
            });
          } catch (const cm::ImportRejected& e) {
            std::vector<std::pair<std::uint32_t, std::vector<std::string>>> rows;
            for (const auto& i : e.issues()) rows.emplace_back(i.row, std::vector<std::string>{});
            auto xlsx = cm::error_report_xlsx(sheet.header, rows, e.issues());
            return rejected(store_report(s, cid, admin, upload.file_name, e.issues(), xlsx), rows.size(), e.issues());
          }
          return ApiResponse::json({{"report_id", report_id},
                                    {"added", counts.added},
                                    {"updated", counts.updated},
                                    {"unchanged", counts.unchanged}});
        });
  r.add("GET", base + "/import-reports/{report}", Access::signed_in, [&s](ApiRequest& req) {
          return import_report_download(s.db.reader(), req.community(), "staff", req.id("report"));
        });
}

}  // namespace xiaoqu::gateway::api
