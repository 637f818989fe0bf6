#pragma once
// WXBizMsgCrypt: the signature and AES scheme that protects Official Account,
// Open Platform and WeCom callbacks (docs/protocol/message-crypto.md).
// Deals only in bytes: no XML, no HTTP.
#include <array>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

namespace xiaoqu::wechat {

/// Error codes of the official library; reused as log and metric labels.
enum class CryptError : int {
  ok = 0,
  bad_signature = -40001,
  parse_xml = -40002,
  compute_signature = -40003,
  illegal_aes_key = -40004,
  bad_receive_id = -40005,
  encrypt_aes = -40006,
  decrypt_aes = -40007,
  illegal_buffer = -40008,
  encode_base64 = -40009,
  decode_base64 = -40010,
  gen_return_xml = -40011,
};

/// Stable snake_case label for metrics and logs ("bad_signature", "decrypt_aes", ...).
const char* label(CryptError e) noexcept;

class CryptException : public std::runtime_error {
 public:
  CryptException(CryptError code, const std::string& what) : std::runtime_error(what), code_(code) {}
  CryptError code() const noexcept { return code_; }

 private:
  CryptError code_;
};

/// hex_lower(SHA1(concat(sort(parts)))) — both the plain `signature` and `msg_signature`.
std::string sha1_signature(std::initializer_list<std::string_view> parts);

/// Constant-time comparison of two signatures (different lengths compare unequal).
bool signatures_equal(std::string_view a, std::string_view b) noexcept;

/// Standard base64 with '=' padding.
std::string base64_encode(std::span<const unsigned char> bytes);
/// Tolerant decoder: ignores non-zero spare bits; false on invalid characters or length.
bool base64_decode(std::string_view text, std::string& out);

/// One account's crypto: token + EncodingAESKey. Immutable, safe to share between threads.
class MsgCrypt {
 public:
  /// Throws CryptException(illegal_aes_key) when the key is not 43 base64 characters.
  MsgCrypt(std::string token, std::string_view encoding_aes_key);

  const std::string& token() const noexcept { return token_; }
  const std::array<unsigned char, 32>& aes_key() const noexcept { return key_; }

  /// Plain `signature` over (token, timestamp, nonce), constant time.
  bool verify_signature(std::string_view signature, std::string_view timestamp,
                        std::string_view nonce) const;
  /// `msg_signature` over (token, timestamp, nonce, encrypt), constant time.
  bool verify_msg_signature(std::string_view msg_signature, std::string_view timestamp,
                            std::string_view nonce, std::string_view encrypt) const;

  struct Decrypted {
    std::string message;     ///< the inner XML/JSON bytes
    std::string receive_id;  ///< appid / corpid / suite id found after the message
  };
  /// base64-decode, AES-256-CBC decrypt, strip 1..32 padding, split. Does not check the
  /// signature nor the receive id. Returns decode_base64, decrypt_aes or illegal_buffer.
  CryptError decrypt(std::string_view encrypt_b64, Decrypted& out) const;

  /// Encrypt `message` for `receive_id` with 16 CSPRNG bytes; returns base64 text.
  std::string encrypt(std::string_view message, std::string_view receive_id) const;
  /// Same with given random bytes (tests, vectors).
  std::string encrypt(std::string_view message, std::string_view receive_id,
                      std::span<const unsigned char, 16> random) const;

  /// The four-field encrypted reply envelope (Encrypt, MsgSignature, TimeStamp, Nonce).
  /// Throws CryptException: compute_signature when token, timestamp or nonce is empty;
  /// gen_return_xml when timestamp is not decimal digits or nonce contains "]]>".
  std::string reply_envelope(std::string_view message, std::string_view receive_id,
                             std::string_view timestamp, std::string_view nonce) const;
  /// Same with given random bytes (tests, vectors).
  std::string reply_envelope(std::string_view message, std::string_view receive_id,
                             std::string_view timestamp, std::string_view nonce,
                             std::span<const unsigned char, 16> random) const;

 private:
  std::string token_;
  std::array<unsigned char, 32> key_{};
};

}  // namespace xiaoqu::wechat
