#pragma once
// Departments (部门): one tree shared by the company's staff, created from paths such as
// "工程部—维修组" as staff are added or imported (or synced from WeCom).
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "store/sqlite.hpp"

namespace xiaoqu::community {

inline constexpr std::size_t kMaxDepartmentDepth = 15;  ///< WeCom's own limit

/// The names of a department path from the top. Separators: "—" (U+2014, as the console
/// shows paths), "／" (U+FF0F) and "/". Hyphens are not separators, so "A-1组" stays one
/// name. Names are trimmed, each 1..40 characters; RecordError invalid (field
/// "departments") naming the problem otherwise, or when the path is empty or deeper than 15.
std::vector<std::string> split_department_path(std::string_view path);

/// Several departments in one cell or field: separated by "、", "，", ",", "；", ";" or a
/// line break; empty items skipped.
std::vector<std::string> split_department_list(std::string_view text);

/// The department at that path, creating the missing ones; its id.
std::int64_t ensure_department(store::Connection& c, const std::vector<std::string>& names);

/// "工程部—维修组" for a department id; empty when there is none.
std::string department_path(store::Connection& c, std::int64_t department_id);

/// The departments of the staff serving a community, with their ancestors, as a nested tree
/// [{id, name, staff_count, children}]; staff_count counts that community's staff directly
/// in the department. Departments without staff there are left out so one customer's
/// structure is not shown to another.
nlohmann::json department_tree(store::Connection& c, std::int64_t community_id);

}  // namespace xiaoqu::community
