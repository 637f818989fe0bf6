#pragma once
// Structured one-line logs: `ts=... level=info event=callback.rejected rid=... reason=...`.
// Each line goes out in one write() so lines from different threads never interleave.
// Callers pass only non-secret fields: never tokens, keys, Encrypt payloads or phones.
#include <initializer_list>
#include <string_view>
#include <utility>

namespace xiaoqu::log {

enum class Level { debug = 0, info = 1, warn = 2, error = 3 };

void set_level(Level level) noexcept;
Level level() noexcept;
/// "debug" / "info" / "warn" / "error"; false when unknown.
bool parse_level(std::string_view text, Level& out) noexcept;

using Field = std::pair<std::string_view, std::string_view>;

void write(Level level, std::string_view event, std::initializer_list<Field> fields = {});

inline bool enabled(Level l) noexcept { return l >= level(); }
inline void debug(std::string_view e, std::initializer_list<Field> f = {}) { if (enabled(Level::debug)) write(Level::debug, e, f); }
inline void info(std::string_view e, std::initializer_list<Field> f = {}) { if (enabled(Level::info)) write(Level::info, e, f); }
inline void warn(std::string_view e, std::initializer_list<Field> f = {}) { if (enabled(Level::warn)) write(Level::warn, e, f); }
inline void error(std::string_view e, std::initializer_list<Field> f = {}) { if (enabled(Level::error)) write(Level::error, e, f); }

}  // namespace xiaoqu::log
