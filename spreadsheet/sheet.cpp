#include "spreadsheet/sheet.hpp"

#include "spreadsheet/compound_file.hpp"
#include "spreadsheet/read_error.hpp"
#include "spreadsheet/xls_reader.hpp"
#include "spreadsheet/xlsx_reader.hpp"

namespace xiaoqu::spreadsheet {

const char* SheetError::code_name() const noexcept {
  switch (code_) {
    case Code::not_a_spreadsheet: return "not_a_spreadsheet";
    case Code::encrypted: return "encrypted";
    case Code::corrupt: return "corrupt";
    case Code::too_large: return "too_large";
    case Code::zip_bomb: return "zip_bomb";
    case Code::too_many_rows: return "too_many_rows";
    case Code::too_many_columns: return "too_many_columns";
  }
  return "unknown";
}

void read_rows(std::string_view file, const ReadLimits& limits, const std::function<bool(const Row&)>& on_row) {
  if (file.size() > limits.max_file_bytes) detail::fail_too_large(limits.max_file_bytes);
  if (file.substr(0, 4) == std::string_view("PK\x03\x04", 4)) return detail::read_xlsx(file, limits, on_row);
  if (detail::is_compound_file(file)) {
    switch (detail::classify_compound_file(file)) {
      case detail::CompoundKind::encrypted_package: detail::fail_encrypted();
      case detail::CompoundKind::xls_workbook: return detail::read_xls(file, limits, on_row);
      case detail::CompoundKind::other: detail::fail_not_a_spreadsheet();  // a .doc or .ppt
      case detail::CompoundKind::damaged: detail::fail_corrupt("复合文档目录缺失，文件可能不完整");
    }
  }
  detail::fail_not_a_spreadsheet();
}

std::string column_letter(std::size_t index) {
  std::string letters;
  for (std::size_t n = index + 1; n > 0; n = (n - 1) / 26) letters.insert(letters.begin(), static_cast<char>('A' + (n - 1) % 26));
  return letters;
}

}  // namespace xiaoqu::spreadsheet
