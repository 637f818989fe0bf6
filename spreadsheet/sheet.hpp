#pragma once
// Spreadsheets as rows of cells, whatever program wrote them: .xlsx (Excel, WPS,
// LibreOffice) read as a stream, legacy .xls through freexl. No domain knowledge here: the
// community layer decides what a column means.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace xiaoqu::spreadsheet {

/// Why a file was refused, in words a property manager can act on (Simplified Chinese),
/// plus a stable code for the API and tests.
class SheetError : public std::runtime_error {
 public:
  enum class Code { not_a_spreadsheet, encrypted, corrupt, too_large, zip_bomb, too_many_rows, too_many_columns };
  SheetError(Code code, const std::string& message) : std::runtime_error(message), code_(code) {}
  Code code() const noexcept { return code_; }
  const char* code_name() const noexcept;

 private:
  Code code_;
};

struct Cell {
  enum class Kind : std::uint8_t { empty, text, number, boolean };
  Kind kind = Kind::empty;
  /// text: the string; number: rendered without exponent or a trailing ".0"
  /// (18913101234, not 1.89131E+10); boolean: "TRUE"/"FALSE".
  std::string text;
  double number = 0;  ///< number cells (dates are Excel serial numbers)
  bool date_format = false;  ///< the cell's number format is a date format
  bool empty() const noexcept { return kind == Kind::empty || (kind == Kind::text && text.empty()); }
};

struct Row {
  std::uint32_t number = 0;  ///< 1-based, as the program shows it
  std::vector<Cell> cells;   ///< index 0 = column A; missing cells are empty
};

struct ReadLimits {
  std::size_t max_file_bytes = 20u << 20;           ///< the upload itself
  std::size_t max_uncompressed_bytes = 512u << 20;  ///< all parts of an .xlsx inflated
  double max_ratio = 200;                           ///< inflated / compressed, per part
  std::size_t max_rows = 1'100'000;
  std::size_t max_columns = 256;
};

/// Streams the first worksheet row by row (rows with no non-empty cell are skipped, so
/// blank trailing rows never reach `on_row`). `on_row` returns false to stop early.
/// Detects .xlsx / .xls by content, not by name. Throws SheetError.
void read_rows(std::string_view file, const ReadLimits& limits, const std::function<bool(const Row&)>& on_row);

/// "A", "B", ... "AA": the column letter shown to users in error messages.
std::string column_letter(std::size_t index);

}  // namespace xiaoqu::spreadsheet
