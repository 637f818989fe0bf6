#pragma once
// The SheetErrors every reader raises, worded once so the same problem reads the same
// whichever format it was found in.
#include <string>
#include <string_view>

#include "spreadsheet/sheet.hpp"

namespace xiaoqu::spreadsheet::detail {

[[noreturn]] void fail_not_a_spreadsheet();
[[noreturn]] void fail_encrypted();
/// "文件已损坏，无法读取：<detail>"; `detail` says what was wrong, for the manager and the log.
[[noreturn]] void fail_corrupt(std::string_view detail);
[[noreturn]] void fail_too_large(std::size_t limit_bytes);
[[noreturn]] void fail_zip_bomb_total(std::size_t limit_bytes);
[[noreturn]] void fail_zip_bomb_ratio(double limit_ratio);
[[noreturn]] void fail_too_many_rows(std::size_t limit);
[[noreturn]] void fail_too_many_columns(std::uint32_t row, std::size_t limit);

/// "20 MB", "512 KB", "100 字节": a byte limit as a manager reads it.
std::string human_size(std::size_t bytes);

}  // namespace xiaoqu::spreadsheet::detail
