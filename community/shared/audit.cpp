#include "community/shared/audit.hpp"

namespace xiaoqu::community {

void audit(store::Connection& c, const AuditEntry& e, std::int64_t now) {
  auto& s = c.cached(
      "INSERT INTO audit_log (at, actor, action, entity, entity_id, community_id, before, after) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  s.bind(1, now).bind(2, e.actor).bind(3, e.action).bind(4, e.entity).bind(5, e.entity_id).bind(6, e.community_id);
  s.bind(7, e.before.is_null() ? std::string() : e.before.dump());
  s.bind(8, e.after.is_null() ? std::string() : e.after.dump());
  s.run();
}

}  // namespace xiaoqu::community
