#include "config/log.hpp"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>

namespace xiaoqu::log {
namespace {
std::atomic<int> g_level{static_cast<int>(Level::info)};

const char* name(Level l) {
  switch (l) {
    case Level::debug: return "debug";
    case Level::info: return "info";
    case Level::warn: return "warn";
    case Level::error: return "error";
  }
  return "info";
}

// Values with spaces, quotes or '=' are quoted so the line stays machine-parsable.
void append_value(std::string& out, std::string_view v) {
  bool plain = !v.empty();
  for (char c : v)
    if (c == ' ' || c == '"' || c == '=' || c == '\n' || c == '\\' || static_cast<unsigned char>(c) < 0x20) { plain = false; break; }
  if (plain) { out.append(v); return; }
  out.push_back('"');
  for (char c : v) {
    if (c == '"' || c == '\\') { out.push_back('\\'); out.push_back(c); }
    else if (c == '\n') out.append("\\n");
    else if (static_cast<unsigned char>(c) < 0x20) out.push_back(' ');
    else out.push_back(c);
  }
  out.push_back('"');
}
}  // namespace

void set_level(Level l) noexcept { g_level.store(static_cast<int>(l), std::memory_order_relaxed); }
Level level() noexcept { return static_cast<Level>(g_level.load(std::memory_order_relaxed)); }

bool parse_level(std::string_view t, Level& out) noexcept {
  if (t == "debug") out = Level::debug;
  else if (t == "info") out = Level::info;
  else if (t == "warn") out = Level::warn;
  else if (t == "error") out = Level::error;
  else return false;
  return true;
}

void write(Level l, std::string_view event, std::initializer_list<Field> fields) {
  using namespace std::chrono;
  auto now = system_clock::now();
  std::time_t secs = system_clock::to_time_t(now);
  auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char ts[64];
  std::snprintf(ts, sizeof ts, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  std::string line;
  line.reserve(128);
  line.append("ts=").append(ts).append(" level=").append(name(l)).append(" event=");
  append_value(line, event);
  for (const auto& [k, v] : fields) {
    line.push_back(' ');
    line.append(k).push_back('=');
    append_value(line, v);
  }
  line.push_back('\n');
  // One write per line keeps concurrent lines whole.
  [[maybe_unused]] auto n = ::write(STDERR_FILENO, line.data(), line.size());
}

}  // namespace xiaoqu::log
