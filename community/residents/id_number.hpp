#pragma once
// Identity document numbers as residents write them: mainland resident ID cards checked
// (region digits, birth date, ISO 7064 MOD 11-2 check character), passports and other
// documents checked for shape only.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace xiaoqu::community {

/// A calendar date (no time zone): birth dates, lease ends.
struct Date {
  int year = 0, month = 0, day = 0;
  bool valid() const noexcept;
  std::string iso() const;  ///< "2018-12-31"
  auto operator<=>(const Date&) const = default;
  /// "2018-12-31" only; nothing otherwise (the stored form).
  static std::optional<Date> from_iso(std::string_view text);
  /// Today in China (UTC+8) for a Unix time: "not in the future" is judged where people live.
  static Date today_in_china(std::int64_t unix_seconds);
};

enum class IdType : std::uint8_t { none, resident_id, passport, other };

std::string_view to_code(IdType t) noexcept;   ///< "", "resident_id", "passport", "other"
std::string_view to_label(IdType t) noexcept;  ///< "", "身份证", "护照", "其他"
/// From a label (身份证 / 居民身份证 / 护照 / 其他) or a code; nothing when unknown.
std::optional<IdType> id_type_from_text(std::string_view text);

struct IdNumberCheck {
  std::string number;  ///< normalized (half-width, trimmed, resident ID 'x' as 'X')
  std::string error;   ///< why it is refused, in Chinese; empty when accepted
  bool ok() const noexcept { return error.empty(); }
};

/// Validates `text` as a number of document type `type` (not none). `today` bounds birth dates.
IdNumberCheck check_id_number(IdType type, std::string_view text, const Date& today);

/// The ISO 7064 MOD 11-2 check character ('0'..'9' or 'X') of the first 17 digits.
char resident_id_check_char(std::string_view first17);

}  // namespace xiaoqu::community
