#pragma once
// ID numbers at rest: sealed with the store's SecretBox, found again through a keyed hash
// (HMAC-SHA256 under a key derived from the master key, so a copied database alone neither
// reveals nor confirms a number), and shown only masked.
#include <array>
#include <string>
#include <string_view>

#include "store/secret_box.hpp"

namespace xiaoqu::community {

class PersonalData {
 public:
  PersonalData(const store::SecretBox& box, const std::array<unsigned char, 32>& master_key);

  std::string seal(std::string_view id_number) const { return box_.seal(id_number); }
  /// Throws store::StoreError when the value was not sealed under this master key.
  std::string open(std::string_view sealed) const { return box_.open(sealed); }
  /// 64 hex characters; equal numbers give equal hashes under one master key.
  std::string lookup_hash(std::string_view id_number) const;

 private:
  const store::SecretBox& box_;
  std::array<unsigned char, 32> hash_key_{};
};

}  // namespace xiaoqu::community
