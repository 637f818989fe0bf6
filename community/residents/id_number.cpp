#include "community/residents/id_number.hpp"

#include <cctype>
#include <cstdio>

#include "community/shared/names.hpp"

namespace xiaoqu::community {
namespace {
bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
int days_in_month(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : kDays[m - 1];
}
bool all_digits(std::string_view s) {
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return !s.empty();
}
int number(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}
}  // namespace

bool Date::valid() const noexcept {
  return year >= 1 && year <= 9999 && month >= 1 && month <= 12 && day >= 1 && day <= days_in_month(year, month);
}

std::string Date::iso() const {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year, month, day);
  return buf;
}

std::optional<Date> Date::from_iso(std::string_view t) {
  if (t.size() != 10 || t[4] != '-' || t[7] != '-') return std::nullopt;
  if (!all_digits(t.substr(0, 4)) || !all_digits(t.substr(5, 2)) || !all_digits(t.substr(8, 2))) return std::nullopt;
  Date d{number(t.substr(0, 4)), number(t.substr(5, 2)), number(t.substr(8, 2))};
  if (!d.valid()) return std::nullopt;
  return d;
}

Date Date::today_in_china(std::int64_t unix_seconds) {
  // Civil-from-days (Howard Hinnant's algorithm) on the UTC+8 day number.
  std::int64_t z = (unix_seconds + 8 * 3600) / 86400 + 719468;
  std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  auto doe = static_cast<unsigned>(z - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  unsigned d = doy - (153 * mp + 2) / 5 + 1;
  unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return Date{static_cast<int>(y + (m <= 2)), static_cast<int>(m), static_cast<int>(d)};
}

std::string_view to_code(IdType t) noexcept {
  switch (t) {
    case IdType::resident_id: return "resident_id";
    case IdType::passport: return "passport";
    case IdType::other: return "other";
    case IdType::none: break;
  }
  return "";
}

std::string_view to_label(IdType t) noexcept {
  switch (t) {
    case IdType::resident_id: return "身份证";
    case IdType::passport: return "护照";
    case IdType::other: return "其他";
    case IdType::none: break;
  }
  return "";
}

std::optional<IdType> id_type_from_text(std::string_view text) {
  std::string t = trim_text(text);
  if (t == "身份证" || t == "居民身份证" || t == "resident_id") return IdType::resident_id;
  if (t == "护照" || t == "passport") return IdType::passport;
  if (t == "其他" || t == "其它" || t == "other") return IdType::other;
  return std::nullopt;
}

char resident_id_check_char(std::string_view first17) {
  static constexpr int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  static constexpr char kChars[] = "10X98765432";
  int sum = 0;
  for (std::size_t i = 0; i < 17 && i < first17.size(); ++i) sum += (first17[i] - '0') * kWeights[i];
  return kChars[sum % 11];
}

IdNumberCheck check_id_number(IdType type, std::string_view text, const Date& today) {
  IdNumberCheck r;
  r.number = trim_text(text);
  std::string& n = r.number;
  if (type == IdType::resident_id) {
    if (!n.empty() && n.back() == 'x') n.back() = 'X';
    if (n.size() != 18) {
      r.error = "身份证号码应为18位，实际为" + std::to_string(utf8_length(n)) + "位";
      return r;
    }
    if (!all_digits(std::string_view(n).substr(0, 17)) || !(std::isdigit(static_cast<unsigned char>(n[17])) || n[17] == 'X')) {
      r.error = "身份证号码只能由数字组成（最后一位可为X）";
      return r;
    }
    // Region codes start with the province: 11 (北京) to 82 (澳门); 0x and 9x are never issued.
    int province = number(std::string_view(n).substr(0, 2));
    if (province < 11 || province > 82) {
      r.error = "身份证号码前两位不是有效的地区代码";
      return r;
    }
    Date birth{number(std::string_view(n).substr(6, 4)), number(std::string_view(n).substr(10, 2)),
               number(std::string_view(n).substr(12, 2))};
    if (!birth.valid() || birth.year < 1900) {
      r.error = "身份证号码中的出生日期无效";
      return r;
    }
    if (birth > today) {
      r.error = "身份证号码中的出生日期晚于今天";
      return r;
    }
    if (resident_id_check_char(n) != n[17]) {
      r.error = "身份证号码校验位不正确";
      return r;
    }
    return r;
  }
  if (n.size() < 5 || n.size() > 32) {
    r.error = "证件号码应为5到32位字母、数字或-";
    return r;
  }
  for (char c : n)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') {
      r.error = "证件号码只能包含字母、数字或-";
      return r;
    }
  return r;
}

}  // namespace xiaoqu::community
