#pragma once
// Versioned schema migrations, tracked in PRAGMA user_version. Each migration runs in its
// own transaction; a database newer than this binary is refused rather than guessed at.
#include <string_view>
#include <vector>

#include "store/sqlite.hpp"

namespace xiaoqu::store {

struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
};

const std::vector<Migration>& migrations();
int schema_version(Connection& c);
/// Applies the missing migrations; returns how many ran. Throws StoreError.
int migrate(Connection& c);

}  // namespace xiaoqu::store
