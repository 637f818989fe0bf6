#pragma once
// Building structures (楼栋结构): 1 to 4 named levels (栋/单元/房间, 组团/门牌号) and a tree
// of nodes per structure; a room is a node at the last level. One community may hold
// several structures. structure_nodes.path is '/id/id/' from the root down to and including
// the node, so "everything below this building" is a path prefix.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "community/structure/communities.hpp"
#include "store/sqlite.hpp"

namespace xiaoqu::community {

inline constexpr std::size_t kMaxLevels = 4;
inline constexpr std::size_t kMaxNameChars = 40;  ///< level names and node names

struct StructureInfo {
  std::int64_t id;
  std::string name;
  std::vector<std::string> levels;  ///< from the top, 1..4
};

struct StructureNode {
  std::int64_t id = 0;
  std::int64_t parent_id = 0;  ///< 0 at the top level
  int depth = 1;               ///< 1 = top level
  std::string name;
  std::string path;
};

// --- look-ups the resident records build on -----------------------------------------------

/// The room at `path` (level names from the top) in one of the community's structures whose
/// level count equals path.size(); when several structures have that depth, the first (by
/// id) whose top-level node is path[0]. Nothing when no such room exists.
std::optional<std::int64_t> find_room(store::Connection& c, std::int64_t community_id,
                                      const std::vector<std::string>& path);
/// The room at `path` in that structure, creating the missing nodes (names trimmed and
/// checked). RecordError invalid when the depth differs from the structure's levels or a
/// name is empty or too long; not_found when the structure is not the community's. Not
/// audited: the caller's import records what it did.
std::int64_t ensure_room(store::Connection& c, std::int64_t community_id, std::int64_t structure_id,
                         const std::vector<std::string>& path);
/// The node at `path` (1..levels names from the top) in that structure, creating the missing
/// nodes; adds the number created to `*created` when given. Same checks as ensure_room,
/// except that a path may stop above the rooms (a building without its rooms yet).
std::int64_t ensure_node(store::Connection& c, std::int64_t community_id, std::int64_t structure_id,
                         const std::vector<std::string>& path, std::int64_t* created = nullptr);
/// The community's structures by id.
std::vector<StructureInfo> structures_of(store::Connection& c, std::int64_t community_id);
/// Node names from the top down to `room_id` (any node); empty when there is no such node.
std::vector<std::string> room_path(store::Connection& c, std::int64_t room_id);
/// The node's '/id/id/' path, for "this node and everything below" filters. RecordError
/// not_found when the node is not in that community.
std::string node_path_prefix(store::Connection& c, std::int64_t community_id, std::int64_t node_id);

// --- structures ---------------------------------------------------------------------------

/// RecordError not_found when the structure is not the community's.
StructureInfo get_structure(store::Connection& c, std::int64_t community_id, std::int64_t structure_id);
/// Name 1..40 characters, unique in the community; 1..4 level names of 1..40 characters.
std::int64_t create_structure(store::Connection& c, std::int64_t community_id, const std::string& name,
                              const std::vector<std::string>& levels, const std::string& actor, std::int64_t now);
/// Renames the structure and/or its levels. The number of levels may change only while the
/// structure has no nodes (the tree's depth would no longer match).
void update_structure(store::Connection& c, std::int64_t community_id, std::int64_t structure_id,
                      const std::optional<std::string>& name, const std::optional<std::vector<std::string>>& levels,
                      const std::string& actor, std::int64_t now);
/// Refuses (conflict) while residents live in its rooms.
void delete_structure(store::Connection& c, std::int64_t community_id, std::int64_t structure_id,
                      const std::string& actor, std::int64_t now);

// --- nodes --------------------------------------------------------------------------------

/// Every node of the structure, parents before children, siblings by id.
std::vector<StructureNode> nodes_of(store::Connection& c, std::int64_t structure_id);
/// The structure as JSON: id, name, levels and the nested tree {id, name, depth, children}.
nlohmann::json structure_tree_json(store::Connection& c, const StructureInfo& s);
/// Adds a node under `parent_id` (0: top level). depth ≤ levels; sibling names unique
/// (conflict naming the duplicate).
std::int64_t add_node(store::Connection& c, std::int64_t community_id, std::int64_t structure_id,
                      std::int64_t parent_id, const std::string& name, const std::string& actor, std::int64_t now);
void rename_node(store::Connection& c, std::int64_t community_id, std::int64_t structure_id, std::int64_t node_id,
                 const std::string& name, const std::string& actor, std::int64_t now);
/// Deletes the node and everything below; refuses (conflict) while residents live below.
void delete_node(store::Connection& c, std::int64_t community_id, std::int64_t structure_id, std::int64_t node_id,
                 const std::string& actor, std::int64_t now);

/// A checked node or level name: trimmed, 1..40 characters. RecordError invalid naming
/// `what` (e.g. "楼栋名称") otherwise.
std::string checked_name(std::string_view raw, const std::string& what, const std::string& field);

}  // namespace xiaoqu::community
