#include "community/accounts/password.hpp"

#include <sodium.h>

#include <stdexcept>

namespace xiaoqu::community {
namespace {
constexpr std::size_t kMinLength = 10;   // characters (code points), not bytes
constexpr std::size_t kMaxBytes = 1024;  // bounds the hashing cost of a hostile request

void ensure_sodium() {
  static const int ok = sodium_init();
  if (ok < 0) throw std::runtime_error("libsodium failed to initialise");
}

std::size_t code_points(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}
}  // namespace

std::optional<std::string> password_problem(std::string_view password) {
  if (code_points(password) < kMinLength) return "密码至少需要 10 个字符";
  if (password.size() > kMaxBytes) return "密码过长（最多 1024 字节）";
  return std::nullopt;
}

std::string hash_password(std::string_view password) {
  ensure_sodium();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                            crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0)
    throw std::runtime_error("password hashing ran out of memory");
  return out;
}

bool verify_password(std::string_view stored_hash, std::string_view password) {
  ensure_sodium();
  // crypto_pwhash_str_verify wants a NUL-terminated string of at most STRBYTES.
  if (stored_hash.empty() || stored_hash.size() >= crypto_pwhash_STRBYTES) return false;
  std::string h(stored_hash);
  return crypto_pwhash_str_verify(h.c_str(), password.data(), password.size()) == 0;
}

bool password_needs_rehash(std::string_view stored_hash) {
  ensure_sodium();
  if (stored_hash.size() >= crypto_pwhash_STRBYTES) return true;
  std::string h(stored_hash);
  return crypto_pwhash_str_needs_rehash(h.c_str(), crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0;
}

const std::string& dummy_password_hash() {
  static const std::string h = [] {
    ensure_sodium();
    unsigned char random[24];
    randombytes_buf(random, sizeof random);
    return hash_password(std::string_view(reinterpret_cast<const char*>(random), sizeof random));
  }();
  return h;
}

}  // namespace xiaoqu::community
