#include "notify/phone_number.hpp"

#include <algorithm>
#include <cctype>

namespace xiaoqu::notify {

std::optional<std::string> normalize_phone(std::string_view text) {
  std::string digits;
  bool plus = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
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
