#include "notify/phone_number.hpp"

#include <algorithm>
#include <cctype>

namespace xiaoqu::notify {

std::optional<std::string> normalize_phone(std::string_view text) {
  std::string digits;
  bool plus = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    // Full-width forms typed with a Chinese input method: digits U+FF10..FF19, '＋' U+FF0B,
    // '－' U+FF0D and the ideographic space U+3000 count as their ASCII twins.
    if (c == 0xEF && i + 2 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0xBC) {
      unsigned char t = static_cast<unsigned char>(text[i + 2]);
      if (t >= 0x90 && t <= 0x99) c = static_cast<unsigned char>('0' + (t - 0x90));
      else if (t == 0x8B) c = '+';
      else if (t == 0x8D) c = '-';
      else return std::nullopt;
      i += 2;
    } else if (c == 0xE3 && i + 2 < text.size() && text[i + 1] == '\x80' && text[i + 2] == '\x80') {
      c = ' ';
      i += 2;
    }
    if (std::isdigit(c)) digits.push_back(static_cast<char>(c));
    else if (c == '+' && digits.empty() && !plus) plus = true;
    // Separators as people write numbers ("138 0013 8000", "138-0013-8000").
    else if (c == ' ' || c == '-' || c == '\t') continue;
    else return std::nullopt;
  }
  std::string national;
  if (plus) {
    if (digits.size() == 13 && digits.compare(0, 2, "86") == 0) national = digits.substr(2);
  } else if (digits.size() == 15 && digits.compare(0, 4, "0086") == 0) {
    national = digits.substr(4);
  } else if (digits.size() == 13 && digits.compare(0, 2, "86") == 0) {
    national = digits.substr(2);
  } else if (digits.size() == 11) {
    national = digits;
  }
  if (national.size() != 11 || national[0] != '1' || national[1] < '3' || national[1] > '9') return std::nullopt;
  return "+86" + national;
}

}  // namespace xiaoqu::notify
