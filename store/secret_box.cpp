#include "store/secret_box.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "config/log.hpp"
#include "store/sqlite.hpp"

namespace xiaoqu::store {
namespace {
constexpr std::string_view kVersion = "v1";
constexpr std::size_t kNonce = 12, kTag = 16;

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using Ctx = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;

bool parse_key(std::string text, std::array<unsigned char, 32>& out) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  if (text.size() == 64) {
    for (std::size_t i = 0; i < 32; ++i) {
      auto hex = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
      };
      int hi = hex(text[2 * i]), lo = hex(text[2 * i + 1]);
      if (hi < 0 || lo < 0) return false;
      out[i] = static_cast<unsigned char>(hi * 16 + lo);
    }
    return true;
  }
  // base64 of 32 bytes is 44 characters ending in one '='.
  if (text.size() != 44 || text[43] != '=' || text[42] == '=') return false;
  unsigned char raw[33];
  if (EVP_DecodeBlock(raw, reinterpret_cast<const unsigned char*>(text.data()), 44) != 33) return false;
  std::copy(raw, raw + 32, out.begin());
  return true;
}

std::string to_hex(const unsigned char* p, std::size_t n) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (std::size_t i = 0; i < n; ++i) {
    s.push_back(d[p[i] >> 4]);
    s.push_back(d[p[i] & 15]);
  }
  return s;
}
}  // namespace

std::string SecretBox::seal(std::string_view plaintext) const {
  std::string out(kVersion.size() + kNonce + plaintext.size() + kTag, '\0');
  std::copy(kVersion.begin(), kVersion.end(), out.begin());
  auto* nonce = reinterpret_cast<unsigned char*>(out.data() + kVersion.size());
  if (RAND_bytes(nonce, kNonce) != 1) throw StoreError(0, "seal: no randomness");
  Ctx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  auto* ct = nonce + kNonce;
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), nonce) != 1 ||
      EVP_EncryptUpdate(ctx.get(), ct, &len, reinterpret_cast<const unsigned char*>(plaintext.data()),
                        static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), ct + len, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTag, ct + plaintext.size()) != 1)
    throw StoreError(0, "seal: encryption failed");
  return out;
}

std::string SecretBox::open(std::string_view sealed) const {
  if (sealed.size() < kVersion.size() + kNonce + kTag || sealed.substr(0, kVersion.size()) != kVersion)
    throw StoreError(0, "stored secret has an unknown format");
  auto* nonce = reinterpret_cast<const unsigned char*>(sealed.data() + kVersion.size());
  std::size_t n = sealed.size() - kVersion.size() - kNonce - kTag;
  const unsigned char* ct = nonce + kNonce;
  std::string out(n, '\0');
  Ctx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), nonce) != 1 ||
      EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len, ct, static_cast<int>(n)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTag, const_cast<unsigned char*>(ct + n)) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out.data()) + len, &len) != 1)
    throw StoreError(0, "stored secret does not open with this master key (wrong XIAOQU_MASTER_KEY, or altered data)");
  return out;
}

std::array<unsigned char, 32> load_master_key(const config::StoreConfig& cfg) {
  std::array<unsigned char, 32> key{};
  if (!cfg.master_key.empty()) {
    if (!parse_key(cfg.master_key, key))
      throw config::ConfigError("store.master_key", "must be 64 hex characters or base64 of 32 bytes");
    return key;
  }
  if (cfg.master_key_file.empty())
    throw config::ConfigError("store.master_key", "missing; set XIAOQU_MASTER_KEY");
  std::ifstream in(cfg.master_key_file);
  if (in) {
    std::stringstream ss;
    ss << in.rdbuf();
    if (!parse_key(ss.str(), key))
      throw config::ConfigError("store.master_key_file", cfg.master_key_file + " does not hold 64 hex characters");
    return key;
  }
  if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1) throw StoreError(0, "no randomness for the master key");
  auto parent = std::filesystem::path(cfg.master_key_file).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent);
  int fd = ::open(cfg.master_key_file.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) throw config::ConfigError("store.master_key_file", "cannot create " + cfg.master_key_file);
  std::string hex = to_hex(key.data(), key.size()) + "\n";
  bool ok = ::write(fd, hex.data(), hex.size()) == static_cast<ssize_t>(hex.size());
  ::close(fd);
  if (!ok) throw config::ConfigError("store.master_key_file", "cannot write " + cfg.master_key_file);
  log::warn("store.master_key_generated", {{"file", cfg.master_key_file},
                                           {"note", "demo only: production sets XIAOQU_MASTER_KEY from its secret store"}});
  return key;
}

}  // namespace xiaoqu::store
