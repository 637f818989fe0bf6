#pragma once
// The audit log: who changed what, when, and the record before and after. Callers pass
// before/after without plaintext personal data (phones and ID numbers masked).
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "store/sqlite.hpp"

namespace xiaoqu::community {

struct AuditEntry {
  std::string actor;   ///< "admin:<id>", "resident:<openid>", "system"
  std::string action;  ///< "resident.create", "resident.update", "import.commit", ...
  std::string entity;  ///< "resident", "staff", "community", ...
  std::int64_t entity_id = 0;
  std::int64_t community_id = 0;
  nlohmann::json before;  ///< null when created
  nlohmann::json after;   ///< null when deleted
};

/// Appends one entry in the caller's transaction, so the change and its record commit together.
void audit(store::Connection& c, const AuditEntry& e, std::int64_t now);

}  // namespace xiaoqu::community
