#pragma once
// How cell values become the text the importer sees, the same for .xlsx and .xls.
#include <string>
#include <string_view>

namespace xiaoqu::spreadsheet::detail {

/// 18913101234 → "18913101234", 0.5 → "0.5", 1e-7 → "0.0000001": the shortest text that
/// reads back as the same double, never in exponent form (phones and ID numbers typed
/// into a General column must come out as the digits the manager typed).
std::string render_number(double value);

/// Whether an Excel number-format code shows a date or time: a d, m, y, h or s outside
/// quotes, brackets and escapes ("yyyy-mm-dd", "yyyy\"年\"m\"月\"", not "0.00" or "[Red]0").
bool is_date_format_code(std::string_view code);

/// Whether a built-in number-format id is a date or time (14-22, 45-47, and the
/// zh-CN/ja/ko built-ins 27-36, 50-58 that WPS and Chinese Excel write undeclared).
bool is_builtin_date_format(unsigned id);

/// Decodes OOXML's "_x000D_" escapes (control characters in cell text) in place.
void decode_ooxml_escapes(std::string& text);

/// "2018-12-31", "2018-12-31 08:30:00" or "08:30:00" to an Excel serial (1900 system);
/// false when the text is none of those.
bool serial_from_iso(std::string_view text, double& serial);

}  // namespace xiaoqu::spreadsheet::detail
