#pragma once
// Encrypts secrets at rest (tokens, keys, tickets, permanent codes) with AES-256-GCM under
// the master key. The stored form is "v1" || nonce(12) || ciphertext || tag(16), so a
// tampered or mis-keyed value fails loudly instead of decrypting to garbage.
#include <array>
#include <string>
#include <string_view>

#include "config/config.hpp"

namespace xiaoqu::store {

class SecretBox {
 public:
  explicit SecretBox(const std::array<unsigned char, 32>& key) : key_(key) {}

  std::string seal(std::string_view plaintext) const;
  /// Throws StoreError when the value was not sealed with this key or was altered.
  std::string open(std::string_view sealed) const;

 private:
  std::array<unsigned char, 32> key_;
};

/// The master key from store.master_key (64 hex characters or base64 of 32 bytes), or from
/// store.master_key_file, generating that file (mode 0600) on first run and saying so in
/// the log. Throws ConfigError naming the key when neither gives a valid key.
std::array<unsigned char, 32> load_master_key(const config::StoreConfig& cfg);

}  // namespace xiaoqu::store
