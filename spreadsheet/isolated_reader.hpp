#pragma once
// Runs a third-party parser (freexl) in a forked child so that memory corruption on a
// crafted upload (freexl 1.0.6 overruns a stack buffer on some) stays in the child: the
// rows come back over a pipe, and a crash or a hang becomes SheetError(corrupt).
#include <chrono>
#include <functional>

#include "spreadsheet/sheet.hpp"

namespace xiaoqu::spreadsheet::detail {

using RowSink = std::function<bool(const Row&)>;

/// Calls `produce(emit)` in a child process; each row it emits reaches `on_row` here. A
/// SheetError thrown in the child is rethrown here with its code and message.
void read_rows_isolated(const std::function<void(const RowSink& emit)>& produce, const RowSink& on_row,
                        std::chrono::milliseconds timeout);

}  // namespace xiaoqu::spreadsheet::detail
