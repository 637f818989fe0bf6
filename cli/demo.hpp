#pragma once
// `xiaoqu demo`: the whole story on one machine. Starts the sandbox and the gateway on a
// fresh SQLite file, sets up the seed's community through the admin API (structure import,
// the resident template filled and imported), then plays residents and admins through the
// sandbox — an automatic approval, a pending request, reminders by template message and
// SMS, an approval — printing each step, and leaves both running.
#include "config/config.hpp"

namespace xiaoqu::cli {

/// Returns the process exit code. `keep_running` false ends after the story (tests).
int run_demo(config::Config cfg, bool keep_running = true);

}  // namespace xiaoqu::cli
