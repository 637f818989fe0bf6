#include "store/callback_log.hpp"

namespace xiaoqu::store {

void record_handled(Connection& c, std::string_view endpoint, std::string_view key, std::string_view kind,
                    std::string_view reply, std::int64_t now) {
  // Once per handled callback on the writer thread: prepared once per connection.
  Statement& s = c.cached(
      "INSERT OR IGNORE INTO handled_callbacks (endpoint, dedup_key, kind, reply, handled_at) VALUES (?,?,?,?,?)");
  try {
    s.bind(1, endpoint).bind(2, key).bind(3, kind).bind_blob(4, reply).bind(5, now).run();
  } catch (...) {
    s.reset();
    throw;
  }
  s.reset();
}

std::vector<HandledCallback> handled_since(Connection& c, std::int64_t since) {
  Statement s(c, "SELECT endpoint, dedup_key, kind, reply, handled_at FROM handled_callbacks WHERE handled_at >= ?");
  s.bind(1, since);
  std::vector<HandledCallback> out;
  while (s.step()) out.push_back({s.text(0), s.text(1), s.text(2), s.text(3), s.integer(4)});
  return out;
}

int purge_handled_before(Connection& c, std::int64_t before) {
  Statement s(c, "DELETE FROM handled_callbacks WHERE handled_at < ?");
  s.bind(1, before).run();
  return c.changes();
}

}  // namespace xiaoqu::store
