// libFuzzer target: any upload must either give rows or throw SheetError, within small
// limits, and the rows must keep the reader's promises (no empty row, no column past the
// limit, numbers rendered without an exponent).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "spreadsheet/compound_file.hpp"
#include "spreadsheet/sheet.hpp"

using namespace xiaoqu::spreadsheet;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  // Legacy .xls goes to freexl in a forked child (isolated_reader): a crash there is
  // contained by design, and ASan would report it from the child. Our own code on that
  // path, the compound-file classifier, is fuzzed here directly.
  if (xiaoqu::spreadsheet::detail::is_compound_file(bytes)) {
    (void)xiaoqu::spreadsheet::detail::classify_compound_file(bytes);
    return 0;
  }
  ReadLimits limits;
  limits.max_file_bytes = 1u << 20;
  limits.max_uncompressed_bytes = 8u << 20;
  limits.max_ratio = 50;
  limits.max_rows = 5000;
  limits.max_columns = 64;
  std::size_t rows = 0;
  try {
    read_rows(bytes, limits, [&](const Row& row) {
      if (row.cells.empty() || row.cells.size() > limits.max_columns || row.cells.back().empty()) __builtin_trap();
      for (const Cell& c : row.cells) {
        if (c.kind == Cell::Kind::number && (c.text.find_first_of("eE") != std::string::npos || c.text.empty())) __builtin_trap();
        if (c.date_format && c.kind != Cell::Kind::number) __builtin_trap();
      }
      if (++rows > limits.max_rows) __builtin_trap();
      return true;
    });
  } catch (const SheetError& e) {
    if (std::string_view(e.what()).empty() || std::string_view(e.code_name()) == "unknown") __builtin_trap();
  }
  return 0;
}
