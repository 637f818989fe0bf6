#pragma once
// .xlsx (Office Open XML) as a stream of rows: the first visible worksheet, with shared
// strings and date formats resolved.
#include <functional>
#include <string_view>

#include "spreadsheet/sheet.hpp"

namespace xiaoqu::spreadsheet::detail {

void read_xlsx(std::string_view bytes, const ReadLimits& limits, const std::function<bool(const Row&)>& on_row);

}  // namespace xiaoqu::spreadsheet::detail
