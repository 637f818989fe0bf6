#include "community/structure/structure.hpp"

#include <map>

#include "community/shared/audit.hpp"

namespace xiaoqu::community {
namespace {

using Kind = RecordError::Kind;

std::vector<std::string> parse_levels(const std::string& json_text) {
  std::vector<std::string> out;
  auto j = nlohmann::json::parse(json_text, nullptr, false);
  if (j.is_array())
    for (const auto& v : j)
      if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

std::vector<std::string> checked_levels(const std::vector<std::string>& levels) {
  if (levels.empty() || levels.size() > kMaxLevels)
    throw RecordError(Kind::invalid, "层级数必须为 1 到 4 个，当前为 " + std::to_string(levels.size()) + " 个", "levels");
  std::vector<std::string> out;
  for (std::size_t i = 0; i < levels.size(); ++i) {
    out.push_back(checked_name(levels[i], "第 " + std::to_string(i + 1) + " 级名称", "levels"));
    for (std::size_t k = 0; k + 1 < out.size(); ++k)
      if (out[k] == out.back())
        throw RecordError(Kind::invalid, "层级名称“" + out.back() + "”重复", "levels");
  }
  return out;
}

std::int64_t resident_count_below(store::Connection& c, const std::string& prefix) {
  auto& s = c.cached(
      "SELECT COUNT(*) FROM residents r JOIN structure_nodes n ON n.id = r.room_id "
      "WHERE substr(n.path, 1, length(?1)) = ?1");
  s.bind(1, prefix);
  s.step();
  auto n = s.integer(0);
  s.reset();
  return n;
}

// The child of `parent_id` (0: top level) named `name`, through the sibling-name index.
std::optional<std::int64_t> child_named(store::Connection& c, std::int64_t structure_id, std::int64_t parent_id,
                                        const std::string& name) {
  auto& s = c.cached(
      "SELECT id FROM structure_nodes WHERE structure_id = ?1 AND IFNULL(parent_id, 0) = ?2 AND name = ?3");
  s.bind(1, structure_id).bind(2, parent_id).bind(3, name);
  std::optional<std::int64_t> id;
  if (s.step()) id = s.integer(0);
  s.reset();
  return id;
}

struct NodeRow {
  std::int64_t id = 0, structure_id = 0, parent_id = 0;
  int depth = 0;
  std::string name, path;
};

NodeRow node_in(store::Connection& c, std::int64_t community_id, std::int64_t structure_id, std::int64_t node_id) {
  auto& s = c.cached(
      "SELECT id, structure_id, IFNULL(parent_id, 0), depth, name, path FROM structure_nodes "
      "WHERE id = ?1 AND community_id = ?2 AND structure_id = ?3");
  s.bind(1, node_id).bind(2, community_id).bind(3, structure_id);
  if (!s.step()) {
    s.reset();
    throw RecordError(Kind::not_found, "节点不存在", "node");
  }
  NodeRow n{s.integer(0), s.integer(1), s.integer(2), static_cast<int>(s.integer(3)), s.text(4), s.text(5)};
  s.reset();
  return n;
}

// Inserts one node and sets its path from the parent's; the caller has checked the name.
std::int64_t insert_node(store::Connection& c, std::int64_t community_id, std::int64_t structure_id,
                         std::int64_t parent_id, const std::string& parent_path, int depth, const std::string& name) {
  auto& ins = c.cached(
      "INSERT INTO structure_nodes (structure_id, community_id, parent_id, depth, name, path) "
      "VALUES (?1, ?2, ?3, ?4, ?5, '')");
  ins.bind(1, structure_id).bind(2, community_id);
  if (parent_id == 0)
    ins.bind_null(3);
  else
    ins.bind(3, parent_id);
  ins.bind(4, depth).bind(5, name);
  ins.run();
  auto id = c.last_insert_id();
  auto& up = c.cached("UPDATE structure_nodes SET path = ?1 WHERE id = ?2");
  up.bind(1, (parent_id == 0 ? std::string("/") : parent_path) + std::to_string(id) + "/").bind(2, id);
  up.run();
  return id;
}

std::string path_of(store::Connection& c, std::int64_t node_id) {
  auto& s = c.cached("SELECT path FROM structure_nodes WHERE id = ?1");
  s.bind(1, node_id);
  std::string p;
  if (s.step()) p = s.text(0);
  s.reset();
  return p;
}

nlohmann::json levels_json(const std::vector<std::string>& levels) { return nlohmann::json(levels); }

}  // namespace

std::string checked_name(std::string_view raw, const std::string& what, const std::string& field) {
  auto name = trimmed(raw);
  if (name.empty()) throw RecordError(Kind::invalid, what + "不能为空", field);
  if (char_count(name) > kMaxNameChars)
    throw RecordError(Kind::invalid, what + "“" + name + "”超过 40 个字", field);
  for (unsigned char ch : name)
    if (ch < 0x20 || ch == 0x7f) throw RecordError(Kind::invalid, what + "含有控制字符", field);
  return name;
}

std::vector<StructureInfo> structures_of(store::Connection& c, std::int64_t community_id) {
  auto& s = c.cached("SELECT id, name, levels FROM structures WHERE community_id = ?1 ORDER BY id");
  s.bind(1, community_id);
  std::vector<StructureInfo> out;
  while (s.step()) out.push_back({s.integer(0), s.text(1), parse_levels(s.text(2))});
  s.reset();
  return out;
}

StructureInfo get_structure(store::Connection& c, std::int64_t community_id, std::int64_t structure_id) {
  auto& s = c.cached("SELECT id, name, levels FROM structures WHERE id = ?1 AND community_id = ?2");
  s.bind(1, structure_id).bind(2, community_id);
  if (!s.step()) {
    s.reset();
    throw RecordError(Kind::not_found, "楼栋结构不存在", "structure");
  }
  StructureInfo info{s.integer(0), s.text(1), parse_levels(s.text(2))};
  s.reset();
  return info;
}

std::optional<std::int64_t> find_room(store::Connection& c, std::int64_t community_id,
                                      const std::vector<std::string>& path) {
  if (path.empty()) return std::nullopt;
  for (const auto& st : structures_of(c, community_id)) {
    if (st.levels.size() != path.size()) continue;
    auto top = child_named(c, st.id, 0, trimmed(path[0]));
    if (!top) continue;
    std::int64_t at = *top;
    for (std::size_t i = 1; i < path.size(); ++i) {
      auto next = child_named(c, st.id, at, trimmed(path[i]));
      if (!next) return std::nullopt;
      at = *next;
    }
    return at;
  }
  return std::nullopt;
}

std::int64_t ensure_room(store::Connection& c, std::int64_t community_id, std::int64_t structure_id,
                         const std::vector<std::string>& path) {
  auto st = get_structure(c, community_id, structure_id);
  if (path.size() != st.levels.size())
    throw RecordError(Kind::invalid,
                      "楼栋结构“" + st.name + "”有 " + std::to_string(st.levels.size()) + " 级，房间路径却有 " +
                          std::to_string(path.size()) + " 级",
                      "room");
  return ensure_node(c, community_id, structure_id, path);
}

std::int64_t ensure_node(store::Connection& c, std::int64_t community_id, std::int64_t structure_id,
                         const std::vector<std::string>& path, std::int64_t* created) {
  auto st = get_structure(c, community_id, structure_id);
  if (path.empty() || path.size() > st.levels.size())
    throw RecordError(Kind::invalid,
                      "楼栋结构“" + st.name + "”有 " + std::to_string(st.levels.size()) + " 级，路径却有 " +
                          std::to_string(path.size()) + " 级",
                      "room");
  std::int64_t parent = 0;
  std::string parent_path;  // known only for nodes created here; looked up otherwise
  for (std::size_t i = 0; i < path.size(); ++i) {
    auto name = checked_name(path[i], st.levels[i], st.levels[i]);
    if (auto id = child_named(c, structure_id, parent, name)) {
      parent = *id;
      parent_path.clear();
      continue;
    }
    if (parent != 0 && parent_path.empty()) parent_path = path_of(c, parent);
    parent = insert_node(c, community_id, structure_id, parent, parent_path, static_cast<int>(i + 1), name);
    parent_path = (i == 0 ? std::string("/") : parent_path) + std::to_string(parent) + "/";
    if (created) ++*created;
  }
  return parent;
}

std::vector<std::string> room_path(store::Connection& c, std::int64_t room_id) {
  std::vector<std::string> names;
  auto& s = c.cached("SELECT name, IFNULL(parent_id, 0) FROM structure_nodes WHERE id = ?1");
  // Depth is at most 4, so walking the parents is four indexed look-ups at most.
  for (std::int64_t at = room_id; at != 0 && names.size() <= kMaxLevels;) {
    s.bind(1, at);
    if (!s.step()) {
      s.reset();
      break;
    }
    names.push_back(s.text(0));
    at = s.integer(1);
    s.reset();
  }
  return {names.rbegin(), names.rend()};
}

std::string node_path_prefix(store::Connection& c, std::int64_t community_id, std::int64_t node_id) {
  auto& s = c.cached("SELECT path FROM structure_nodes WHERE id = ?1 AND community_id = ?2");
  s.bind(1, node_id).bind(2, community_id);
  if (!s.step()) {
    s.reset();
    throw RecordError(Kind::not_found, "楼栋节点不存在", "node");
  }
  auto p = s.text(0);
  s.reset();
  return p;
}

std::int64_t create_structure(store::Connection& c, std::int64_t community_id, const std::string& raw_name,
                              const std::vector<std::string>& raw_levels, const std::string& actor,
                              std::int64_t now) {
  get_community(c, community_id);
  auto name = checked_name(raw_name, "结构名称", "name");
  auto levels = checked_levels(raw_levels);
  for (const auto& st : structures_of(c, community_id))
    if (st.name == name) throw RecordError(Kind::conflict, "本小区已有名为“" + name + "”的楼栋结构", "name");
  store::Statement ins(c, "INSERT INTO structures (community_id, name, levels, created_at) VALUES (?1, ?2, ?3, ?4)");
  ins.bind(1, community_id).bind(2, name).bind(3, levels_json(levels).dump()).bind(4, now);
  ins.run();
  auto id = c.last_insert_id();
  audit(c, {actor, "structure.create", "structure", id, community_id, nullptr, {{"name", name}, {"levels", levels}}},
        now);
  return id;
}

void update_structure(store::Connection& c, std::int64_t community_id, std::int64_t structure_id,
                      const std::optional<std::string>& raw_name,
                      const std::optional<std::vector<std::string>>& raw_levels, const std::string& actor,
                      std::int64_t now) {
  auto before = get_structure(c, community_id, structure_id);
  auto after = before;
  if (raw_name) {
    after.name = checked_name(*raw_name, "结构名称", "name");
    for (const auto& st : structures_of(c, community_id))
      if (st.id != structure_id && st.name == after.name)
        throw RecordError(Kind::conflict, "本小区已有名为“" + after.name + "”的楼栋结构", "name");
  }
  if (raw_levels) {
    after.levels = checked_levels(*raw_levels);
    if (after.levels.size() != before.levels.size()) {
      store::Statement n(c, "SELECT COUNT(*) FROM structure_nodes WHERE structure_id = ?1");
      n.bind(1, structure_id);
      n.step();
      if (n.integer(0) > 0)
        throw RecordError(Kind::conflict, "楼栋结构已有节点，只能重命名层级，不能改变层级数", "levels");
    }
  }
  store::Statement up(c, "UPDATE structures SET name = ?1, levels = ?2 WHERE id = ?3");
  up.bind(1, after.name).bind(2, levels_json(after.levels).dump()).bind(3, structure_id);
  up.run();
  audit(c,
        {actor, "structure.update", "structure", structure_id, community_id,
         {{"name", before.name}, {"levels", before.levels}}, {{"name", after.name}, {"levels", after.levels}}},
        now);
}

void delete_structure(store::Connection& c, std::int64_t community_id, std::int64_t structure_id,
                      const std::string& actor, std::int64_t now) {
  auto st = get_structure(c, community_id, structure_id);
  store::Statement n(c,
                     "SELECT COUNT(*) FROM residents r JOIN structure_nodes n ON n.id = r.room_id "
                     "WHERE n.structure_id = ?1");
  n.bind(1, structure_id);
  n.step();
  if (auto count = n.integer(0); count > 0)
    throw RecordError(Kind::conflict, "仍有 " + std::to_string(count) + " 位住户住在楼栋结构“" + st.name + "”中");
  store::Statement del(c, "DELETE FROM structures WHERE id = ?1");
  del.bind(1, structure_id);
  del.run();
  audit(c, {actor, "structure.delete", "structure", structure_id, community_id,
            {{"name", st.name}, {"levels", st.levels}}, nullptr},
        now);
}

std::vector<StructureNode> nodes_of(store::Connection& c, std::int64_t structure_id) {
  auto& s = c.cached(
      "SELECT id, IFNULL(parent_id, 0), depth, name, path FROM structure_nodes WHERE structure_id = ?1 "
      "ORDER BY depth, id");
  s.bind(1, structure_id);
  std::vector<StructureNode> out;
  while (s.step())
    out.push_back({s.integer(0), s.integer(1), static_cast<int>(s.integer(2)), s.text(3), s.text(4)});
  s.reset();
  return out;
}

nlohmann::json structure_tree_json(store::Connection& c, const StructureInfo& s) {
  auto nodes = nodes_of(c, s.id);
  std::map<std::int64_t, std::vector<const StructureNode*>> children;
  for (const auto& n : nodes) children[n.parent_id].push_back(&n);
  // Built bottom-up by depth so each child is complete before it is attached.
  std::map<std::int64_t, nlohmann::json> built;
  for (auto it = nodes.rbegin(); it != nodes.rend(); ++it) {
    nlohmann::json kids = nlohmann::json::array();
    for (const auto* k : children[it->id]) kids.push_back(std::move(built[k->id]));
    built[it->id] = {{"id", it->id}, {"name", it->name}, {"depth", it->depth}, {"children", std::move(kids)}};
  }
  nlohmann::json tree = nlohmann::json::array();
  for (const auto* k : children[0]) tree.push_back(std::move(built[k->id]));
  return {{"id", s.id}, {"name", s.name}, {"levels", s.levels}, {"nodes", std::move(tree)}};
}

std::int64_t add_node(store::Connection& c, std::int64_t community_id, std::int64_t structure_id,
                      std::int64_t parent_id, const std::string& raw_name, const std::string& actor,
                      std::int64_t now) {
  auto st = get_structure(c, community_id, structure_id);
  int depth = 1;
  std::string parent_path;
  if (parent_id != 0) {
    auto parent = node_in(c, community_id, structure_id, parent_id);
    depth = parent.depth + 1;
    parent_path = parent.path;
  }
  if (static_cast<std::size_t>(depth) > st.levels.size())
    throw RecordError(Kind::invalid,
                      "楼栋结构“" + st.name + "”只有 " + std::to_string(st.levels.size()) + " 级，“" +
                          st.levels.back() + "”下不能再添加节点",
                      "parent_id");
  const auto& level = st.levels[static_cast<std::size_t>(depth - 1)];
  auto name = checked_name(raw_name, level + "名称", "name");
  if (child_named(c, structure_id, parent_id, name))
    throw RecordError(Kind::conflict, "同级已有名为“" + name + "”的" + level, "name");
  auto id = insert_node(c, community_id, structure_id, parent_id, parent_path, depth, name);
  audit(c, {actor, "structure_node.create", "structure_node", id, community_id, nullptr,
            {{"structure_id", structure_id}, {"parent_id", parent_id}, {"name", name}}},
        now);
  return id;
}

void rename_node(store::Connection& c, std::int64_t community_id, std::int64_t structure_id, std::int64_t node_id,
                 const std::string& raw_name, const std::string& actor, std::int64_t now) {
  auto st = get_structure(c, community_id, structure_id);
  auto node = node_in(c, community_id, structure_id, node_id);
  const auto& level = st.levels[static_cast<std::size_t>(node.depth - 1) % st.levels.size()];
  auto name = checked_name(raw_name, level + "名称", "name");
  if (auto other = child_named(c, structure_id, node.parent_id, name); other && *other != node_id)
    throw RecordError(Kind::conflict, "同级已有名为“" + name + "”的" + level, "name");
  store::Statement up(c, "UPDATE structure_nodes SET name = ?1 WHERE id = ?2");
  up.bind(1, name).bind(2, node_id);
  up.run();
  audit(c, {actor, "structure_node.update", "structure_node", node_id, community_id, {{"name", node.name}},
            {{"name", name}}},
        now);
}

void delete_node(store::Connection& c, std::int64_t community_id, std::int64_t structure_id, std::int64_t node_id,
                 const std::string& actor, std::int64_t now) {
  auto node = node_in(c, community_id, structure_id, node_id);
  if (auto count = resident_count_below(c, node.path); count > 0)
    throw RecordError(Kind::conflict, "仍有 " + std::to_string(count) + " 位住户住在“" + node.name + "”及其下级中");
  // The node and its subtree by path prefix in one statement (the parent_id cascade agrees).
  store::Statement del(c, "DELETE FROM structure_nodes WHERE substr(path, 1, length(?1)) = ?1 AND structure_id = ?2");
  del.bind(1, node.path).bind(2, structure_id);
  del.run();
  audit(c, {actor, "structure_node.delete", "structure_node", node_id, community_id,
            {{"structure_id", structure_id}, {"name", node.name}, {"path", room_path(c, node.parent_id)}}, nullptr},
        now);
}

}  // namespace xiaoqu::community
