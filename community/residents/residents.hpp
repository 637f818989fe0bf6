#pragma once
// Residents (住户): the fields a property manager keeps, their Chinese labels, and the one
// validation both the admin API and the spreadsheet import apply. Plain functions, tested
// without a server; the store side is residents_store.hpp.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "community/residents/id_number.hpp"

namespace xiaoqu::community {

enum class Identity : std::uint8_t { owner, family, tenant, fixed_term_tenant };
enum class Gender : std::uint8_t { unspecified, male, female };
enum class ResidentStatus : std::uint8_t { imported, verified, pending, rejected, lease_ended };

std::string_view to_code(Identity v) noexcept;        ///< "owner", "family", "tenant", "fixed_term_tenant"
std::string_view to_label(Identity v) noexcept;       ///< 业主, 家属, 长期租客, 限期租客
std::string_view to_code(Gender v) noexcept;          ///< "", "male", "female"
std::string_view to_label(Gender v) noexcept;         ///< "", 男, 女
std::string_view to_code(ResidentStatus v) noexcept;  ///< the residents.status values
std::string_view to_label(ResidentStatus v) noexcept; ///< 未验证, 已验证, 待审核, 已拒绝, 租期已满

/// From the Chinese label or the code (trimmed, full-width tolerated); nothing otherwise.
std::optional<Identity> identity_from_text(std::string_view text);
std::optional<Gender> gender_from_text(std::string_view text);
std::optional<ResidentStatus> status_from_text(std::string_view text);

/// The choices the template's dropdowns offer.
const std::vector<std::string>& identity_labels();
const std::vector<std::string>& gender_labels();
const std::vector<std::string>& id_type_labels();

/// A date as written in a form or a spreadsheet text cell: 2018-12-31, 2018/12/31,
/// 2018.12.31, 2018年12月31日 (one-digit month and day allowed) or 20181231.
std::optional<Date> parse_date_text(std::string_view text);
/// An Excel serial day number (1900 date system, as Excel, WPS and LibreOffice save) when it
/// falls in 1900..2199; nothing otherwise.
std::optional<Date> date_from_excel_serial(double serial);
/// The Excel serial number of a date (for writing dates back into spreadsheets).
double excel_serial(const Date& d);

/// A resident as typed (a form or a spreadsheet row), before validation.
struct ResidentDraft {
  std::string name, gender, identity, lease_end, phone, id_type, id_number;
};

/// A validated resident. The ID number is in plaintext only here, on its way to be sealed.
struct CleanResident {
  std::string name, name_key;
  Gender gender = Gender::unspecified;
  Identity identity = Identity::owner;
  std::optional<Date> lease_end;
  std::string phone;  ///< 11 digits
  IdType id_type = IdType::none;
  std::string id_number;
};

/// One refused field: `field` is the ResidentDraft member name ("phone"), `message` Chinese.
struct FieldError {
  std::string field;
  std::string message;
};

inline constexpr std::size_t kMaxResidentNameChars = 50;

/// The rules of the template, for one person: name, identity and phone required (name and
/// identity count only together with a phone); gender 男/女 or empty; a lease end exactly
/// for 限期租客; an ID number checked against its type (身份证 when the type is empty).
/// Every refused field is reported, not just the first.
std::vector<FieldError> validate_resident(const ResidentDraft& d, const Date& today, CleanResident& out);

/// "18913101221" from whatever notify::normalize_phone accepts; nothing otherwise.
std::optional<std::string> normalize_mobile(std::string_view text);

}  // namespace xiaoqu::community
