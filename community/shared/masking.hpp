#pragma once
// How personal data is shown in lists, exports of lists and audit entries: never whole.
#include <string>
#include <string_view>

namespace xiaoqu::community {

/// "189****21" for 18913101221, as the console shows phones in lists: the first three
/// digits, four stars, the last two. Shorter or empty input gives "" or all stars.
std::string mask_phone(std::string_view phone);

/// "4403**********123X": the first four and last four characters of an ID number.
std::string mask_id_number(std::string_view id_number);

}  // namespace xiaoqu::community
