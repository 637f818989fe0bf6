#pragma once
// The de-dup record of handled callbacks (docs/protocol/official-account-callback.md): a platform retry finds its
// first delivery here, even after a restart, and gets the same answer.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "store/sqlite.hpp"

namespace xiaoqu::store {

struct HandledCallback {
  std::string endpoint, dedup_key, kind, reply;
  std::int64_t handled_at = 0;
};

/// Records a handled callback; a second record of the same key is ignored.
void record_handled(Connection& c, std::string_view endpoint, std::string_view dedup_key,
                    std::string_view kind, std::string_view reply, std::int64_t now);
/// Callbacks handled at or after `since` (to warm the in-memory cache at start).
std::vector<HandledCallback> handled_since(Connection& c, std::int64_t since);
/// Drops records older than `before`; returns how many.
int purge_handled_before(Connection& c, std::int64_t before);

}  // namespace xiaoqu::store
