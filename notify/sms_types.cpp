#include "notify/sms_types.hpp"

#include <algorithm>

#include "notify/phone_number.hpp"

namespace xiaoqu::notify {

bool SmsResult::all_ok() const noexcept {
  return std::all_of(statuses.begin(), statuses.end(), [](const SendStatus& s) { return s.ok(); });
}

std::vector<SendStatus> SmsResult::failures() const {
  std::vector<SendStatus> out;
  std::copy_if(statuses.begin(), statuses.end(), std::back_inserter(out), [](const SendStatus& s) { return !s.ok(); });
  return out;
}

const SendStatus* SmsResult::find(const std::string& phone) const {
  auto e164 = normalize_phone(phone);
  for (const auto& s : statuses)
    if (s.requested == phone || (e164 && s.phone_number == *e164)) return &s;
  return nullptr;
}

}  // namespace xiaoqu::notify
