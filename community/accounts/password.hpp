#pragma once
// Admin passwords: argon2id through libsodium's crypto_pwhash_str (salt and parameters live
// in the stored string), and the one policy every way of setting a password applies.
#include <optional>
#include <string>
#include <string_view>

namespace xiaoqu::community {

/// Why a password is refused (Simplified Chinese, for the user); nullopt when acceptable.
std::optional<std::string> password_problem(std::string_view password);

/// "$argon2id$v=19$m=...": interactive limits (about 64 MiB, a fraction of a second).
std::string hash_password(std::string_view password);

/// Constant-time check against a stored hash; false for a malformed hash.
bool verify_password(std::string_view stored_hash, std::string_view password);

/// True when the stored hash used weaker parameters than hash_password does now.
bool password_needs_rehash(std::string_view stored_hash);

/// A valid hash of a random password, verified against for unknown usernames so a login
/// for a missing account costs as much time as one with a wrong password.
const std::string& dummy_password_hash();

}  // namespace xiaoqu::community
