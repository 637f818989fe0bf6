#include "community/staff/departments.hpp"

#include <functional>
#include <map>

#include "community/structure/communities.hpp"
#include "community/structure/structure.hpp"

namespace xiaoqu::community {
namespace {

using Kind = RecordError::Kind;

// Splits `text` at any of `separators`, keeping empty pieces (the caller decides).
std::vector<std::string> split_any(std::string_view text, std::initializer_list<std::string_view> separators) {
  std::vector<std::string> out;
  std::size_t start = 0, i = 0;
  while (i < text.size()) {
    std::size_t matched = 0;
    for (auto sep : separators)
      if (text.substr(i, sep.size()) == sep) {
        matched = sep.size();
        break;
      }
    if (matched) {
      out.emplace_back(text.substr(start, i - start));
      i += matched;
      start = i;
    } else {
      ++i;
    }
  }
  out.emplace_back(text.substr(start));
  return out;
}

}  // namespace

std::vector<std::string> split_department_path(std::string_view path) {
  auto pieces = split_any(path, {"\xE2\x80\x94", "\xEF\xBC\x8F", "/"});
  std::vector<std::string> names;
  for (const auto& p : pieces) {
    auto name = trimmed(p);
    if (name.empty()) {
      if (pieces.size() == 1) throw RecordError(Kind::invalid, "部门不能为空", "departments");
      throw RecordError(Kind::invalid, "部门“" + std::string(path) + "”中有空的层级", "departments");
    }
    names.push_back(checked_name(name, "部门名称", "departments"));
  }
  if (names.size() > kMaxDepartmentDepth)
    throw RecordError(Kind::invalid, "部门“" + std::string(path) + "”超过 15 级", "departments");
  return names;
}

std::vector<std::string> split_department_list(std::string_view text) {
  std::vector<std::string> out;
  for (auto& item : split_any(text, {"\xE3\x80\x81", "\xEF\xBC\x8C", ",", "\xEF\xBC\x9B", ";", "\n", "\r"})) {
    auto t = trimmed(item);
    if (!t.empty()) out.push_back(std::move(t));
  }
  return out;
}

std::int64_t ensure_department(store::Connection& c, const std::vector<std::string>& names) {
  std::int64_t parent = 0;
  auto& find = c.cached("SELECT id FROM departments WHERE IFNULL(parent_id, 0) = ?1 AND name = ?2");
  auto& ins = c.cached("INSERT INTO departments (parent_id, name) VALUES (?1, ?2)");
  for (const auto& name : names) {
    find.bind(1, parent).bind(2, name);
    bool found = find.step();
    std::int64_t id = found ? find.integer(0) : 0;
    find.reset();
    if (!found) {
      if (parent == 0)
        ins.bind_null(1);
      else
        ins.bind(1, parent);
      ins.bind(2, name);
      ins.run();
      ins.reset();
      id = c.last_insert_id();
    }
    parent = id;
  }
  return parent;
}

std::string department_path(store::Connection& c, std::int64_t department_id) {
  std::vector<std::string> names;
  auto& s = c.cached("SELECT name, IFNULL(parent_id, 0) FROM departments WHERE id = ?1");
  for (std::int64_t at = department_id; at != 0 && names.size() <= kMaxDepartmentDepth;) {
    s.bind(1, at);
    if (!s.step()) {
      s.reset();
      break;
    }
    names.push_back(s.text(0));
    at = s.integer(1);
    s.reset();
  }
  std::string out;
  for (auto it = names.rbegin(); it != names.rend(); ++it) {
    if (!out.empty()) out += "\xE2\x80\x94";
    out += *it;
  }
  return out;
}

nlohmann::json department_tree(store::Connection& c, std::int64_t community_id) {
  struct Dept {
    std::string name;
    std::int64_t parent = 0, staff = 0;
  };
  std::map<std::int64_t, Dept> depts;
  store::Statement used(c,
                        "SELECT sd.department_id, COUNT(*) FROM staff_departments sd "
                        "JOIN staff_communities sc ON sc.staff_id = sd.staff_id AND sc.community_id = ?1 "
                        "GROUP BY sd.department_id");
  used.bind(1, community_id);
  std::map<std::int64_t, std::int64_t> counts;
  while (used.step()) counts[used.integer(0)] = used.integer(1);
  auto& s = c.cached("SELECT name, IFNULL(parent_id, 0) FROM departments WHERE id = ?1");
  for (const auto& [id, n] : counts) {
    // Each used department pulls in its ancestors so the tree has no orphans.
    for (std::int64_t at = id; at != 0 && !depts.count(at);) {
      s.bind(1, at);
      if (!s.step()) {
        s.reset();
        break;
      }
      depts[at] = {s.text(0), s.integer(1), 0};
      at = depts[at].parent;
      s.reset();
    }
    if (depts.count(id)) depts[id].staff = n;
  }
  std::map<std::int64_t, std::vector<std::int64_t>> children;
  for (const auto& [id, d] : depts) children[d.parent].push_back(id);
  std::function<nlohmann::json(std::int64_t)> build = [&](std::int64_t parent) {
    nlohmann::json list = nlohmann::json::array();
    for (auto id : children[parent]) {
      const auto& d = depts[id];
      list.push_back({{"id", id}, {"name", d.name}, {"staff_count", d.staff}, {"children", build(id)}});
    }
    return list;
  };
  return build(0);
}

}  // namespace xiaoqu::community
