#pragma once
// Writes one-sheet .xlsx files (templates, exports, error reports) that open cleanly in
// Excel, WPS and LibreOffice. Rows are written top to bottom (constant memory on large
// exports); coordinates are 0-based.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace xiaoqu::spreadsheet {

enum class Style : std::uint8_t { plain, group_header, header, error, date };

class WorkbookWriter {
 public:
  /// `normal` keeps the sheet in memory, so cells may be written in any order; `constant`
  /// flushes each row once a later row is started (large exports: memory stays flat), so
  /// rows must be written top to bottom and a write to an earlier row throws.
  enum class Memory : std::uint8_t { normal, constant };

  explicit WorkbookWriter(std::string_view sheet_name = "Sheet1", Memory memory = Memory::normal);
  ~WorkbookWriter();
  WorkbookWriter(const WorkbookWriter&) = delete;
  WorkbookWriter& operator=(const WorkbookWriter&) = delete;

  void text(std::uint32_t row, std::uint16_t col, std::string_view value, Style style = Style::plain);
  void number(std::uint32_t row, std::uint16_t col, double value, Style style = Style::plain);
  /// A merged range holding `value` (the two-row header's group names).
  void merge(std::uint32_t first_row, std::uint16_t first_col, std::uint32_t last_row, std::uint16_t last_col,
             std::string_view value, Style style = Style::group_header);
  /// Column width in characters; `as_text` formats the column as text ("@") so phone and ID
  /// numbers typed into the template stay digits instead of becoming 1.89131E+10.
  void column(std::uint16_t col, double width, bool as_text = false);
  /// A dropdown (list validation) on rows first..last of a column.
  void dropdown(std::uint32_t first_row, std::uint32_t last_row, std::uint16_t col, const std::vector<std::string>& choices);
  /// A note (comment) on a cell: the template's rules.
  void note(std::uint32_t row, std::uint16_t col, std::string_view text);
  void freeze_rows(std::uint32_t rows);
  /// Closes the workbook and returns the .xlsx bytes. Throws std::runtime_error on failure.
  std::string finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace xiaoqu::spreadsheet
