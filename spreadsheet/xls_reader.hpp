#pragma once
// Legacy .xls (BIFF, Excel 97-2003) through freexl: the first worksheet, dates turned into
// the same serial numbers an .xlsx gives.
#include <functional>
#include <string_view>

#include "spreadsheet/sheet.hpp"

namespace xiaoqu::spreadsheet::detail {

void read_xls(std::string_view bytes, const ReadLimits& limits, const std::function<bool(const Row&)>& on_row);

}  // namespace xiaoqu::spreadsheet::detail
