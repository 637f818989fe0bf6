#include "community/shared/masking.hpp"

namespace xiaoqu::community {

std::string mask_phone(std::string_view phone) {
  if (phone.empty()) return {};
  if (phone.size() < 7) return std::string(phone.size(), '*');
  std::string out(phone.substr(0, 3));
  out += "****";
  out += phone.substr(phone.size() - 2);
  return out;
}

std::string mask_id_number(std::string_view id) {
  if (id.empty()) return {};
  if (id.size() <= 8) return std::string(id.size(), '*');
  return std::string(id.substr(0, 4)) + std::string(id.size() - 8, '*') + std::string(id.substr(id.size() - 4));
}

}  // namespace xiaoqu::community
