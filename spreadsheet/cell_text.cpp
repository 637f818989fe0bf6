#include "spreadsheet/cell_text.hpp"

#include <charconv>
#include <cmath>

namespace xiaoqu::spreadsheet::detail {

std::string render_number(double value) {
  if (value == 0) return "0";  // also turns -0 into "0"
  // Shortest round-trip digits in fixed notation: 1.8913101234e10 prints all 11 digits.
  char buf[400];
  auto result = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::fixed);
  if (result.ec != std::errc{}) result = std::to_chars(buf, buf + sizeof buf, value);
  return std::string(buf, result.ptr);
}

bool is_builtin_date_format(unsigned id) {
  return (id >= 14 && id <= 22) || (id >= 27 && id <= 36) || (id >= 45 && id <= 47) || (id >= 50 && id <= 58);
}

bool is_date_format_code(std::string_view code) {
  for (std::size_t i = 0; i < code.size(); ++i) {
    char c = code[i];
    switch (c) {
      case '"': {  // literal text: "年"
        auto close = code.find('"', i + 1);
        if (close == std::string_view::npos) return false;
        i = close;
        break;
      }
      case '[': {  // colour, condition or locale: [Red], [<=100], [$-804]; [h]/[mm]/[ss] are elapsed time
        auto close = code.find(']', i + 1);
        if (close == std::string_view::npos) return false;
        std::string_view inner = code.substr(i + 1, close - i - 1);
        if (!inner.empty() && inner.find_first_not_of("hHmMsS") == std::string_view::npos) return true;
        i = close;
        break;
      }
      case '\\':
      case '_':
      case '*':  // escaped, padded or repeated character
        ++i;
        break;
      case 'd': case 'D': case 'm': case 'M': case 'y': case 'Y':
      case 'h': case 'H': case 's': case 'S':
        return true;
      default:
        break;
    }
  }
  return false;
}

namespace {
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
void append_utf8(std::string& out, unsigned cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | cp >> 6);
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | cp >> 12);
    out += static_cast<char>(0x80 | (cp >> 6 & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}
}  // namespace

void decode_ooxml_escapes(std::string& text) {
  if (text.find("_x") == std::string::npos) return;
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '_' && i + 6 < text.size() && text[i + 1] == 'x' && text[i + 6] == '_') {
      int a = hex_value(text[i + 2]), b = hex_value(text[i + 3]), c = hex_value(text[i + 4]), d = hex_value(text[i + 5]);
      if (a >= 0 && b >= 0 && c >= 0 && d >= 0) {
        unsigned cp = static_cast<unsigned>(a << 12 | b << 8 | c << 4 | d);
        // A lone surrogate has no UTF-8 form; keep the escape as written.
        if (cp < 0xD800 || cp > 0xDFFF) {
          append_utf8(out, cp);
          i += 6;
          continue;
        }
      }
    }
    out += text[i];
  }
  text = std::move(out);
}

namespace {
// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's days_from_civil).
long days_from_civil(long y, unsigned m, unsigned d) {
  y -= m <= 2;
  const long era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<long>(doe) - 719468;
}
bool digits(std::string_view s, std::size_t at, std::size_t n, int& out) {
  if (s.size() < at + n) return false;
  auto [p, ec] = std::from_chars(s.data() + at, s.data() + at + n, out);
  return ec == std::errc{} && p == s.data() + at + n;
}
bool time_of_day(std::string_view s, double& fraction) {
  int h, mi, sec;
  if (s.size() != 8 || s[2] != ':' || s[5] != ':' || !digits(s, 0, 2, h) || !digits(s, 3, 2, mi) || !digits(s, 6, 2, sec) ||
      h > 23 || mi > 59 || sec > 59)
    return false;
  fraction = (h * 3600 + mi * 60 + sec) / 86400.0;
  return true;
}
}  // namespace

bool serial_from_iso(std::string_view text, double& serial) {
  double fraction = 0;
  if (time_of_day(text, fraction)) {
    serial = fraction;
    return true;
  }
  int y, m, d;
  if (text.size() < 10 || text[4] != '-' || text[7] != '-' || !digits(text, 0, 4, y) || !digits(text, 5, 2, m) ||
      !digits(text, 8, 2, d) || m < 1 || m > 12 || d < 1 || d > 31)
    return false;
  if (text.size() > 10 && !(text[10] == ' ' && time_of_day(text.substr(11), fraction))) return false;
  // Excel's 1900 system counts from 1899-12-30 for every date after February 1900.
  serial = static_cast<double>(days_from_civil(y, m, d) - days_from_civil(1899, 12, 30)) + fraction;
  return true;
}

}  // namespace xiaoqu::spreadsheet::detail
