#include "community/residents/residents.hpp"

#include <cmath>

#include "community/shared/names.hpp"
#include "notify/phone_number.hpp"

namespace xiaoqu::community {
namespace {

// Days since 1970-01-01 of a civil date (Howard Hinnant's days_from_civil).
std::int64_t days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * static_cast<unsigned>(m > 2 ? m - 3 : m + 9) + 2) / 5 + static_cast<unsigned>(d) - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

// Excel's day 0 of the 1900 system is 1899-12-30 for every serial after its phantom 1900-02-29.
const std::int64_t kExcelEpoch = days_from_civil(1899, 12, 30);

bool read_number(std::string_view s, std::size_t& i, std::size_t max_digits, int& out) {
  std::size_t start = i;
  out = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9' && i - start < max_digits) out = out * 10 + (s[i++] - '0');
  return i > start && (i >= s.size() || s[i] < '0' || s[i] > '9');
}

bool skip(std::string_view s, std::size_t& i, std::string_view token) {
  if (s.substr(i, token.size()) != token) return false;
  i += token.size();
  return true;
}

}  // namespace

std::string_view to_code(Identity v) noexcept {
  switch (v) {
    case Identity::owner: return "owner";
    case Identity::family: return "family";
    case Identity::tenant: return "tenant";
    case Identity::fixed_term_tenant: return "fixed_term_tenant";
  }
  return "";
}
std::string_view to_label(Identity v) noexcept {
  switch (v) {
    case Identity::owner: return "业主";
    case Identity::family: return "家属";
    case Identity::tenant: return "长期租客";
    case Identity::fixed_term_tenant: return "限期租客";
  }
  return "";
}
std::string_view to_code(Gender v) noexcept {
  return v == Gender::male ? "male" : v == Gender::female ? "female" : "";
}
std::string_view to_label(Gender v) noexcept { return v == Gender::male ? "男" : v == Gender::female ? "女" : ""; }
std::string_view to_code(ResidentStatus v) noexcept {
  switch (v) {
    case ResidentStatus::imported: return "imported";
    case ResidentStatus::verified: return "verified";
    case ResidentStatus::pending: return "pending";
    case ResidentStatus::rejected: return "rejected";
    case ResidentStatus::lease_ended: return "lease_ended";
  }
  return "";
}
std::string_view to_label(ResidentStatus v) noexcept {
  switch (v) {
    case ResidentStatus::imported: return "未验证";
    case ResidentStatus::verified: return "已验证";
    case ResidentStatus::pending: return "待审核";
    case ResidentStatus::rejected: return "已拒绝";
    case ResidentStatus::lease_ended: return "租期已满";
  }
  return "";
}

std::optional<Identity> identity_from_text(std::string_view text) {
  std::string t = trim_text(text);
  for (auto v : {Identity::owner, Identity::family, Identity::tenant, Identity::fixed_term_tenant})
    if (t == to_label(v) || t == to_code(v)) return v;
  return std::nullopt;
}
std::optional<Gender> gender_from_text(std::string_view text) {
  std::string t = trim_text(text);
  if (t.empty()) return Gender::unspecified;
  for (auto v : {Gender::male, Gender::female})
    if (t == to_label(v) || t == to_code(v)) return v;
  return std::nullopt;
}
std::optional<ResidentStatus> status_from_text(std::string_view text) {
  std::string t = trim_text(text);
  for (auto v : {ResidentStatus::imported, ResidentStatus::verified, ResidentStatus::pending, ResidentStatus::rejected,
                 ResidentStatus::lease_ended})
    if (t == to_label(v) || t == to_code(v)) return v;
  return std::nullopt;
}

const std::vector<std::string>& identity_labels() {
  static const std::vector<std::string> v = {"业主", "家属", "长期租客", "限期租客"};
  return v;
}
const std::vector<std::string>& gender_labels() {
  static const std::vector<std::string> v = {"男", "女"};
  return v;
}
const std::vector<std::string>& id_type_labels() {
  static const std::vector<std::string> v = {"身份证", "护照", "其他"};
  return v;
}

std::optional<Date> parse_date_text(std::string_view text) {
  std::string s = trim_text(text);
  std::size_t i = 0;
  Date d;
  // 20181231, as a number typed without separators.
  if (s.size() == 8 && s.find_first_not_of("0123456789") == std::string::npos) {
    d = Date{std::stoi(s.substr(0, 4)), std::stoi(s.substr(4, 2)), std::stoi(s.substr(6, 2))};
    return d.valid() ? std::optional<Date>(d) : std::nullopt;
  }
  if (!read_number(s, i, 4, d.year) || i != 4) return std::nullopt;
  bool chinese = false;
  if (skip(s, i, "年")) chinese = true;
  else if (i < s.size() && (s[i] == '-' || s[i] == '/' || s[i] == '.')) {
    char sep = s[i++];
    if (!read_number(s, i, 2, d.month) || i >= s.size() || s[i] != sep) return std::nullopt;
    ++i;
    if (!read_number(s, i, 2, d.day) || i != s.size()) return std::nullopt;
    return d.valid() ? std::optional<Date>(d) : std::nullopt;
  } else {
    return std::nullopt;
  }
  if (!chinese || !read_number(s, i, 2, d.month) || !skip(s, i, "月") || !read_number(s, i, 2, d.day)) return std::nullopt;
  skip(s, i, "日") || skip(s, i, "号");
  if (i != s.size()) return std::nullopt;
  return d.valid() ? std::optional<Date>(d) : std::nullopt;
}

std::optional<Date> date_from_excel_serial(double serial) {
  // Serial 61 is 1900-03-01, the first day Excel's phantom 1900-02-29 no longer shifts.
  if (!std::isfinite(serial) || serial < 61 || serial >= excel_serial(Date{2200, 1, 1})) return std::nullopt;
  std::int64_t days = kExcelEpoch + static_cast<std::int64_t>(std::floor(serial));
  return Date::today_in_china(days * 86400 - 8 * 3600);
}

double excel_serial(const Date& d) {
  return static_cast<double>(days_from_civil(d.year, d.month, d.day) - kExcelEpoch);
}

std::optional<std::string> normalize_mobile(std::string_view text) {
  auto e164 = notify::normalize_phone(text);
  if (!e164) return std::nullopt;
  return e164->substr(3);  // "+86" then the 11 national digits
}

std::vector<FieldError> validate_resident(const ResidentDraft& d, const Date& today, CleanResident& out) {
  std::vector<FieldError> errors;
  out = CleanResident{};
  out.name = trim_text(d.name);
  // Collapse what people type between given and family names, but keep their spelling.
  out.name_key = normalize_name(out.name);
  std::string phone = trim_text(d.phone);
  std::string identity = trim_text(d.identity);

  if (phone.empty()) {
    errors.push_back({"phone", out.name.empty() && identity.empty() ? "缺少手机号" : "填写姓名和身份时必须填写手机号"});
  } else if (auto p = normalize_mobile(phone)) {
    out.phone = *p;
  } else {
    errors.push_back({"phone", "手机号“" + phone + "”不是有效的11位大陆手机号"});
  }

  if (out.name.empty()) errors.push_back({"name", "缺少姓名"});
  else if (utf8_length(out.name) > kMaxResidentNameChars)
    errors.push_back({"name", "姓名不能超过" + std::to_string(kMaxResidentNameChars) + "个字"});

  std::optional<Identity> id = identity_from_text(identity);
  if (identity.empty()) errors.push_back({"identity", "缺少身份（业主、家属、长期租客、限期租客）"});
  else if (!id) errors.push_back({"identity", "身份“" + identity + "”无效，应为 业主、家属、长期租客、限期租客 之一"});
  else out.identity = *id;

  if (auto g = gender_from_text(d.gender)) out.gender = *g;
  else errors.push_back({"gender", "性别“" + trim_text(d.gender) + "”无效，应为 男 或 女"});

  std::string lease = trim_text(d.lease_end);
  if (id == Identity::fixed_term_tenant) {
    if (lease.empty()) errors.push_back({"lease_end", "限期租客必须填写租期截止日期"});
    else if (auto date = parse_date_text(lease)) out.lease_end = *date;
    else errors.push_back({"lease_end", "租期截止日期“" + lease + "”无法识别，应为 2018-12-31 这样的日期"});
  } else if (!lease.empty() && id) {
    errors.push_back({"lease_end", "只有限期租客可以填写租期截止日期"});
  }

  std::string number = trim_text(d.id_number);
  std::string type_text = trim_text(d.id_type);
  std::optional<IdType> type = type_text.empty() ? std::optional<IdType>(IdType::none) : id_type_from_text(type_text);
  if (!type) {
    errors.push_back({"id_type", "证件类型“" + type_text + "”无效，应为 身份证、护照、其他 之一"});
  } else if (!number.empty()) {
    out.id_type = *type == IdType::none ? IdType::resident_id : *type;
    IdNumberCheck check = check_id_number(out.id_type, number, today);
    if (check.ok()) out.id_number = std::move(check.number);
    else errors.push_back({"id_number", check.error});
  } else if (*type != IdType::none) {
    errors.push_back({"id_number", "选择了证件类型时必须填写证件号码"});
  }
  return errors;
}

}  // namespace xiaoqu::community
