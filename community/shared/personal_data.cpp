#include "community/shared/personal_data.hpp"

#include <sodium.h>

#include <stdexcept>

namespace xiaoqu::community {
namespace {
// Domain separation: the lookup key is never the encryption key itself.
constexpr std::string_view kLookupKeyLabel = "xiaoqu/personal-data/id-number-lookup/v1";
}  // namespace

PersonalData::PersonalData(const store::SecretBox& box, const std::array<unsigned char, 32>& master_key) : box_(box) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialize");
  crypto_auth_hmacsha256(hash_key_.data(), reinterpret_cast<const unsigned char*>(kLookupKeyLabel.data()),
                         kLookupKeyLabel.size(), master_key.data());
}

std::string PersonalData::lookup_hash(std::string_view id_number) const {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256(mac, reinterpret_cast<const unsigned char*>(id_number.data()), id_number.size(), hash_key_.data());
  char hex[2 * sizeof mac + 1];
  sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
  return std::string(hex, 2 * sizeof mac);
}

}  // namespace xiaoqu::community
