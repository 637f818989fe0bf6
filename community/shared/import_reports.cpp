#include "community/shared/import_reports.hpp"

namespace xiaoqu::community {

std::int64_t record_committed_import(store::Connection& c, const ImportOrigin& o, std::int64_t added, std::int64_t updated,
                                     std::int64_t unchanged) {
  auto& s = c.cached(
      "INSERT INTO import_reports (community_id, admin_id, kind, file_name, outcome, added, updated, unchanged, created_at) "
      "VALUES (?1, ?2, ?3, ?4, 'committed', ?5, ?6, ?7, ?8)");
  s.bind(1, o.community_id).bind(2, o.admin_id).bind(3, o.kind).bind(4, o.file_name);
  s.bind(5, added).bind(6, updated).bind(7, unchanged).bind(8, o.now).run();
  return c.last_insert_id();
}

std::int64_t record_rejected_import(store::Connection& c, const ImportOrigin& o, std::int64_t error_count,
                                    std::string_view errors_json, const std::string* report_xlsx) {
  auto& s = c.cached(
      "INSERT INTO import_reports (community_id, admin_id, kind, file_name, outcome, error_count, errors, report_xlsx, "
      "created_at) VALUES (?1, ?2, ?3, ?4, 'rejected', ?5, ?6, ?7, ?8)");
  s.bind(1, o.community_id).bind(2, o.admin_id).bind(3, o.kind).bind(4, o.file_name);
  s.bind(5, error_count).bind(6, errors_json);
  if (report_xlsx) s.bind_blob(7, *report_xlsx);
  else s.bind_null(7);
  s.bind(8, o.now).run();
  return c.last_insert_id();
}

std::optional<std::string> import_report_xlsx(store::Connection& c, std::int64_t community_id, std::string_view kind,
                                              std::int64_t report_id, std::string* file_name) {
  auto& s = c.cached(
      "SELECT report_xlsx, file_name FROM import_reports WHERE id = ?1 AND community_id = ?2 AND kind = ?3 "
      "AND report_xlsx IS NOT NULL");
  s.bind(1, report_id).bind(2, community_id).bind(3, kind);
  std::optional<std::string> out;
  if (s.step()) {
    out = s.text(0);
    if (file_name) *file_name = s.text(1);
  }
  s.reset();
  return out;
}

}  // namespace xiaoqu::community
