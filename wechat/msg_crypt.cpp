#include "wechat/msg_crypt.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <functional>
#include <iterator>
#include <limits>
#include <utility>
#include <vector>

namespace xiaoqu::wechat {
namespace {

constexpr std::size_t kRandomLen = 16;
constexpr std::size_t kHeaderLen = kRandomLen + 4;  // random bytes + big-endian msg length
constexpr std::size_t kPadBlock = 32;               // WXBizMsgCrypt pads to 32, not the AES 16
constexpr std::size_t kSignatureLen = 40;

constexpr char kB64Alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::uint32_t kB64Invalid = 1u << 24;  // above the 24 data bits of a quantum

// Per-position tables holding each character's 6 bits pre-shifted, so a quantum is four ORs.
constexpr std::array<std::uint32_t, 256> make_b64_table(int shift) {
  std::array<std::uint32_t, 256> t{};
  for (auto& v : t) v = kB64Invalid;
  for (std::uint32_t i = 0; i < 64; ++i) t[static_cast<unsigned char>(kB64Alphabet[i])] = i << shift;
  return t;
}
constexpr auto kB64D0 = make_b64_table(18);
constexpr auto kB64D1 = make_b64_table(12);
constexpr auto kB64D2 = make_b64_table(6);
constexpr auto kB64D3 = make_b64_table(0);

// Explicit fetches: OpenSSL 3 otherwise repeats an implicit provider lookup on every init.
const EVP_CIPHER* aes_256_cbc() {
  static EVP_CIPHER* const c = EVP_CIPHER_fetch(nullptr, "AES-256-CBC", nullptr);
  return c;
}
const EVP_MD* sha1_md() {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA1", nullptr);
  return md;
}

struct CipherCtx {
  EVP_CIPHER_CTX* p = nullptr;
  std::array<unsigned char, 32> key{};  // key scheduled in p, valid when keyed
  bool keyed = false;
  CipherCtx() = default;
  CipherCtx(const CipherCtx&) = delete;
  CipherCtx& operator=(const CipherCtx&) = delete;
  ~CipherCtx() {
    EVP_CIPHER_CTX_free(p);
    OPENSSL_cleanse(key.data(), key.size());
  }
};
// A few keyed contexts per thread and direction, so that accounts taking turns are not re-keyed.
struct CipherCache {
  std::array<CipherCtx, 4> slots;
  std::size_t victim = 0;  // round-robin replacement
};
struct DigestCtx {
  EVP_MD_CTX* p = EVP_MD_CTX_new();
  ~DigestCtx() { EVP_MD_CTX_free(p); }
};

EVP_MD_CTX* digest_ctx() {
  thread_local DigestCtx ctx;
  return ctx.p;
}

// This thread's context for key and direction, IV reset to the first 16 key bytes (docs/protocol/message-crypto.md).
// Contexts are per thread because MsgCrypt is shared; the key schedule is done once per key.
CipherCtx* keyed_ctx(const std::array<unsigned char, 32>& key, bool encrypt) {
  thread_local CipherCache enc_cache;
  thread_local CipherCache dec_cache;
  CipherCache& cache = encrypt ? enc_cache : dec_cache;
  for (CipherCtx& slot : cache.slots) {
    if (!slot.keyed || CRYPTO_memcmp(slot.key.data(), key.data(), key.size()) != 0) continue;
    // NULL cipher and key: only the IV is reset, the key schedule stays.
    if (EVP_CipherInit_ex(slot.p, nullptr, nullptr, nullptr, key.data(), -1) == 1) return &slot;
    slot.keyed = false;
    return nullptr;
  }
  const EVP_CIPHER* cipher = aes_256_cbc();
  CipherCtx& slot = cache.slots[cache.victim];
  cache.victim = (cache.victim + 1) % cache.slots.size();
  slot.keyed = false;
  if (slot.p == nullptr) slot.p = EVP_CIPHER_CTX_new();
  // Padding off is a context setting that survives the IV-only re-inits above.
  if (slot.p == nullptr || cipher == nullptr ||
      EVP_CipherInit_ex(slot.p, cipher, nullptr, key.data(), key.data(), encrypt ? 1 : 0) != 1 ||
      EVP_CIPHER_CTX_set_padding(slot.p, 0) != 1) {
    return nullptr;
  }
  slot.key = key;
  slot.keyed = true;
  return &slot;
}

// In-place AES-256-CBC without library padding; len must be a multiple of 16.
bool aes_cbc(const std::array<unsigned char, 32>& key, unsigned char* data, std::size_t len, bool encrypt) {
  if (len > static_cast<std::size_t>(std::numeric_limits<int>::max())) return false;
  CipherCtx* slot = keyed_ctx(key, encrypt);
  if (slot == nullptr) return false;
  int out_len = 0;
  // Without padding every whole block comes out of Update, so Final would add nothing.
  const bool ok = EVP_CipherUpdate(slot->p, data, &out_len, data, static_cast<int>(len)) == 1 &&
                  static_cast<std::size_t>(out_len) == len;
  if (!ok) slot->keyed = false;  // never trust a context that failed mid-way
  return ok;
}

// Bumped in a forked child, so that it never replays random bytes its parent buffered.
std::atomic<unsigned> g_fork_generation{0};

// CSPRNG output drawn from RAND_bytes 4 KiB at a time: one DRBG call per 256 replies.
class RandomPool {
 public:
  RandomPool() {
    static const bool registered = [] {
      pthread_atfork(nullptr, nullptr, [] { g_fork_generation.fetch_add(1, std::memory_order_relaxed); });
      return true;
    }();
    (void)registered;
  }
  RandomPool(const RandomPool&) = delete;
  RandomPool& operator=(const RandomPool&) = delete;
  ~RandomPool() { OPENSSL_cleanse(buf_.data(), buf_.size()); }

  bool take(unsigned char* out, std::size_t n) {
    const unsigned gen = g_fork_generation.load(std::memory_order_relaxed);
    if (gen != generation_) {
      generation_ = gen;
      pos_ = buf_.size();
    }
    if (buf_.size() - pos_ < n) {
      if (RAND_bytes(buf_.data(), static_cast<int>(buf_.size())) != 1) return false;
      pos_ = 0;
    }
    std::memcpy(out, buf_.data() + pos_, n);
    // Handed-out bytes do not stay behind in the buffer.
    OPENSSL_cleanse(buf_.data() + pos_, n);
    pos_ += n;
    return true;
  }

 private:
  std::array<unsigned char, 4096> buf_;
  std::size_t pos_ = buf_.size();
  unsigned generation_ = g_fork_generation.load(std::memory_order_relaxed);
};

bool random_bytes(unsigned char* out, std::size_t n) {
  thread_local RandomPool pool;
  return pool.take(out, n);
}

// Plaintext, then ciphertext, of encrypt(): reused per thread so a reply costs no buffer allocation.
std::string& crypt_scratch() {
  thread_local std::string buf;
  return buf;
}
constexpr std::size_t kScratchKeep = 64 * 1024;  // larger one-off messages do not pin memory

std::size_t base64_len(std::size_t n) { return (n + 2) / 3 * 4; }

// Appends the base64 text of bytes to out.
void base64_append(std::span<const unsigned char> bytes, std::string& out) {
  const std::size_t at = out.size();
  out.resize(at + base64_len(bytes.size()));
  char* o = out.data() + at;
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t v = (std::uint32_t{bytes[i]} << 16) | (std::uint32_t{bytes[i + 1]} << 8) | bytes[i + 2];
    *o++ = kB64Alphabet[(v >> 18) & 63];
    *o++ = kB64Alphabet[(v >> 12) & 63];
    *o++ = kB64Alphabet[(v >> 6) & 63];
    *o++ = kB64Alphabet[v & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest != 0) {
    std::uint32_t v = std::uint32_t{bytes[i]} << 16;
    if (rest == 2) v |= std::uint32_t{bytes[i + 1]} << 8;
    *o++ = kB64Alphabet[(v >> 18) & 63];
    *o++ = kB64Alphabet[(v >> 12) & 63];
    *o++ = rest == 2 ? kB64Alphabet[(v >> 6) & 63] : '=';
    *o++ = '=';
  }
}

std::size_t cipher_len(std::string_view message, std::string_view receive_id) {
  const std::size_t plain_len = kHeaderLen + message.size() + receive_id.size();
  return plain_len + (kPadBlock - plain_len % kPadBlock);  // pad 1..32, a full block when aligned
}

// Encrypts (random | length | message | receive_id | padding) and appends its base64 to out.
void encrypt_append(const std::array<unsigned char, 32>& key, std::string_view message, std::string_view receive_id,
                    std::span<const unsigned char, 16> random, std::string& out) {
  if (message.size() > std::numeric_limits<std::uint32_t>::max()) {
    throw CryptException(CryptError::encrypt_aes, "message longer than 4 GiB");
  }
  const std::size_t total = cipher_len(message, receive_id);
  const std::size_t plain_len = kHeaderLen + message.size() + receive_id.size();
  std::string one_off;
  std::string& buf = total <= kScratchKeep ? crypt_scratch() : one_off;
  buf.resize(total);
  auto* data = reinterpret_cast<unsigned char*>(buf.data());
  std::memcpy(data, random.data(), kRandomLen);
  const auto n = static_cast<std::uint32_t>(message.size());
  data[16] = static_cast<unsigned char>(n >> 24);
  data[17] = static_cast<unsigned char>(n >> 16);
  data[18] = static_cast<unsigned char>(n >> 8);
  data[19] = static_cast<unsigned char>(n);
  if (!message.empty()) std::memcpy(data + kHeaderLen, message.data(), message.size());
  if (!receive_id.empty()) std::memcpy(data + kHeaderLen + message.size(), receive_id.data(), receive_id.size());
  std::memset(data + plain_len, static_cast<int>(total - plain_len), total - plain_len);
  if (!aes_cbc(key, data, total, true)) {
    OPENSSL_cleanse(data, total);  // the plaintext must not linger in the scratch buffer
    throw CryptException(CryptError::encrypt_aes, "AES-256-CBC encryption failed");
  }
  base64_append(std::span<const unsigned char>(data, total), out);
}

// hex_lower(SHA1(concat(sort(parts)))) into out without building the concatenation.
bool sha1_hex(const std::string_view* parts, std::size_t n, char (&out)[kSignatureLen]) {
  constexpr std::size_t kStackParts = 8;
  std::string_view stack_parts[kStackParts];
  std::vector<std::string_view> heap_parts;
  std::string_view* sorted = stack_parts;
  if (n > kStackParts) {
    heap_parts.assign(parts, parts + n);
    sorted = heap_parts.data();
  } else {
    std::copy(parts, parts + n, stack_parts);
  }
  // string_view ordering uses char_traits<char>, which compares as unsigned char: byte-wise.
  std::sort(sorted, sorted + n);

  EVP_MD_CTX* ctx = digest_ctx();
  const EVP_MD* md = sha1_md();
  if (ctx == nullptr || md == nullptr || EVP_DigestInit_ex(ctx, md, nullptr) != 1) return false;
  for (std::size_t i = 0; i < n; ++i) {
    if (!sorted[i].empty() && EVP_DigestUpdate(ctx, sorted[i].data(), sorted[i].size()) != 1) return false;
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;
  if (EVP_DigestFinal_ex(ctx, digest, &digest_len) != 1 || digest_len != kSignatureLen / 2) return false;
  constexpr char kHex[] = "0123456789abcdef";
  for (unsigned int i = 0; i < digest_len; ++i) {
    out[2 * i] = kHex[digest[i] >> 4];
    out[2 * i + 1] = kHex[digest[i] & 0x0f];
  }
  return true;
}

bool verify_parts(std::string_view signature, const std::string_view* parts, std::size_t n) {
  // The official samples refuse to sign empty inputs (-40003); such a request cannot verify.
  for (std::size_t i = 0; i < n; ++i) {
    if (parts[i].empty()) return false;
  }
  char expected[kSignatureLen];
  if (!sha1_hex(parts, n, expected)) return false;
  return signatures_equal(signature, std::string_view(expected, kSignatureLen));
}

bool overlaps(std::string_view view, const std::string& s) {
  const std::less_equal<const char*> le;
  return !view.empty() && le(s.data(), view.data()) && le(view.data(), s.data() + s.capacity());
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

void check_envelope_inputs(std::string_view token, std::string_view timestamp, std::string_view nonce) {
  if (token.empty() || timestamp.empty() || nonce.empty()) {
    throw CryptException(CryptError::compute_signature, "empty token, timestamp or nonce");
  }
  // TimeStamp is written as bare text and Nonce inside CDATA: both must stay inert in XML.
  if (!all_digits(timestamp) || nonce.find("]]>") != std::string_view::npos) {
    throw CryptException(CryptError::gen_return_xml, "timestamp must be decimal, nonce must not contain ]]>");
  }
}

constexpr std::string_view kEnv1 = "<xml><Encrypt><![CDATA[";
constexpr std::string_view kEnv2 = "]]></Encrypt><MsgSignature><![CDATA[";
constexpr std::string_view kEnv3 = "]]></MsgSignature><TimeStamp>";
constexpr std::string_view kEnv4 = "</TimeStamp><Nonce><![CDATA[";
constexpr std::string_view kEnv5 = "]]></Nonce></xml>";

// The envelope built in one allocation: the ciphertext's base64 is written straight into it.
std::string envelope_xml(std::string_view token, const std::array<unsigned char, 32>& key, std::string_view message,
                         std::string_view receive_id, std::span<const unsigned char, 16> random,
                         std::string_view timestamp, std::string_view nonce) {
  std::string xml;
  xml.reserve(kEnv1.size() + base64_len(cipher_len(message, receive_id)) + kEnv2.size() + kSignatureLen +
              kEnv3.size() + timestamp.size() + kEnv4.size() + nonce.size() + kEnv5.size());
  xml.append(kEnv1);
  encrypt_append(key, message, receive_id, random, xml);
  const std::string_view encrypted = std::string_view(xml).substr(kEnv1.size());
  char signature[kSignatureLen];
  const std::string_view parts[] = {token, timestamp, nonce, encrypted};
  if (!sha1_hex(parts, std::size(parts), signature)) {
    throw CryptException(CryptError::compute_signature, "sha1 signature failed");
  }
  xml.append(kEnv2).append(signature, kSignatureLen).append(kEnv3);
  xml.append(timestamp).append(kEnv4).append(nonce).append(kEnv5);
  return xml;
}

}  // namespace

const char* label(CryptError e) noexcept {
  switch (e) {
    case CryptError::ok: return "ok";
    case CryptError::bad_signature: return "bad_signature";
    case CryptError::parse_xml: return "parse_xml";
    case CryptError::compute_signature: return "compute_signature";
    case CryptError::illegal_aes_key: return "illegal_aes_key";
    case CryptError::bad_receive_id: return "bad_receive_id";
    case CryptError::encrypt_aes: return "encrypt_aes";
    case CryptError::decrypt_aes: return "decrypt_aes";
    case CryptError::illegal_buffer: return "illegal_buffer";
    case CryptError::encode_base64: return "encode_base64";
    case CryptError::decode_base64: return "decode_base64";
    case CryptError::gen_return_xml: return "gen_return_xml";
  }
  return "unknown";
}

std::string sha1_signature(std::initializer_list<std::string_view> parts) {
  char hex[kSignatureLen];
  if (!sha1_hex(parts.begin(), parts.size(), hex)) {
    throw CryptException(CryptError::compute_signature, "sha1 signature failed");
  }
  return std::string(hex, kSignatureLen);
}

bool signatures_equal(std::string_view a, std::string_view b) noexcept {
  // Lengths are public (always 40 for a real signature); only the contents need constant time.
  if (a.size() != b.size()) return false;
  return a.empty() || CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string base64_encode(std::span<const unsigned char> bytes) {
  std::string out;
  base64_append(bytes, out);
  return out;
}

bool base64_decode(std::string_view text, std::string& out) {
  out.clear();
  if (text.size() % 4 != 0) return false;
  std::size_t pad = 0;
  if (!text.empty() && text.back() == '=') {
    pad = (text.size() >= 2 && text[text.size() - 2] == '=') ? 2 : 1;
  }
  out.resize(text.size() / 4 * 3);
  const auto* in = reinterpret_cast<const unsigned char*>(text.data());
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  // Full quanta only; a '=' before the tail maps to kB64Invalid and fails the check below.
  const std::size_t full = (text.size() - (pad != 0 ? 4 : 0)) / 4;
  std::uint32_t err = 0;
  for (std::size_t q = 0; q < full; ++q, in += 4, o += 3) {
    const std::uint32_t v = kB64D0[in[0]] | kB64D1[in[1]] | kB64D2[in[2]] | kB64D3[in[3]];
    err |= v;
    o[0] = static_cast<unsigned char>(v >> 16);
    o[1] = static_cast<unsigned char>(v >> 8);
    o[2] = static_cast<unsigned char>(v);
  }
  if (pad != 0) {
    // Spare low bits of the last data character are ignored on purpose (docs/protocol/message-crypto.md).
    std::uint32_t v = kB64D0[in[0]] | kB64D1[in[1]];
    if (pad == 1) v |= kB64D2[in[2]];
    err |= v;
    *o++ = static_cast<unsigned char>(v >> 16);
    if (pad == 1) *o++ = static_cast<unsigned char>(v >> 8);
  }
  if ((err & kB64Invalid) != 0) {
    out.clear();
    return false;
  }
  out.resize(static_cast<std::size_t>(reinterpret_cast<char*>(o) - out.data()));
  return true;
}

MsgCrypt::MsgCrypt(std::string token, std::string_view encoding_aes_key) : token_(std::move(token)) {
  if (encoding_aes_key.size() != 43) {
    throw CryptException(CryptError::illegal_aes_key, "EncodingAESKey must be 43 characters");
  }
  char padded[44];
  std::memcpy(padded, encoding_aes_key.data(), 43);
  padded[43] = '=';
  std::string raw;
  if (!base64_decode(std::string_view(padded, sizeof padded), raw) || raw.size() != key_.size()) {
    throw CryptException(CryptError::illegal_aes_key, "EncodingAESKey is not valid base64");
  }
  std::memcpy(key_.data(), raw.data(), key_.size());
  OPENSSL_cleanse(raw.data(), raw.size());
}

bool MsgCrypt::verify_signature(std::string_view signature, std::string_view timestamp,
                                std::string_view nonce) const {
  const std::string_view parts[] = {token_, timestamp, nonce};
  return verify_parts(signature, parts, std::size(parts));
}

bool MsgCrypt::verify_msg_signature(std::string_view msg_signature, std::string_view timestamp,
                                    std::string_view nonce, std::string_view encrypt) const {
  const std::string_view parts[] = {token_, timestamp, nonce, encrypt};
  return verify_parts(msg_signature, parts, std::size(parts));
}

CryptError MsgCrypt::decrypt(std::string_view encrypt_b64, Decrypted& out) const {
  if (overlaps(encrypt_b64, out.message) || overlaps(encrypt_b64, out.receive_id)) {
    const std::string copy(encrypt_b64);  // out is overwritten below
    return decrypt(copy, out);
  }
  // Decode and decrypt inside out.message so a reused Decrypted costs no allocation.
  std::string& buf = out.message;
  out.receive_id.clear();
  if (!base64_decode(encrypt_b64, buf)) return CryptError::decode_base64;
  const auto fail = [&](CryptError e) {
    buf.clear();
    return e;
  };
  // Multiples of 16 are accepted though WeChat sends 32 (third-party encoders, docs/protocol/message-crypto.md).
  if (buf.empty() || buf.size() % 16 != 0) return fail(CryptError::decrypt_aes);
  auto* data = reinterpret_cast<unsigned char*>(buf.data());
  if (!aes_cbc(key_, data, buf.size(), false)) return fail(CryptError::decrypt_aes);

  const std::size_t pad = data[buf.size() - 1];
  if (pad < 1 || pad > kPadBlock || pad >= buf.size()) return fail(CryptError::decrypt_aes);
  const std::size_t len = buf.size() - pad;
  if (len <= kHeaderLen) return fail(CryptError::illegal_buffer);
  const std::size_t msg_len = (std::size_t{data[16]} << 24) | (std::size_t{data[17]} << 16) |
                              (std::size_t{data[18]} << 8) | std::size_t{data[19]};
  if (msg_len > len - kHeaderLen) return fail(CryptError::illegal_buffer);

  out.receive_id.assign(buf.data() + kHeaderLen + msg_len, len - kHeaderLen - msg_len);
  buf.resize(kHeaderLen + msg_len);
  buf.erase(0, kHeaderLen);
  return CryptError::ok;
}

std::string MsgCrypt::encrypt(std::string_view message, std::string_view receive_id) const {
  std::array<unsigned char, kRandomLen> random{};
  if (!random_bytes(random.data(), random.size())) {
    throw CryptException(CryptError::encrypt_aes, "RAND_bytes failed");
  }
  return encrypt(message, receive_id, std::span<const unsigned char, 16>(random));
}

std::string MsgCrypt::encrypt(std::string_view message, std::string_view receive_id,
                              std::span<const unsigned char, 16> random) const {
  std::string out;
  encrypt_append(key_, message, receive_id, random, out);
  return out;
}

std::string MsgCrypt::reply_envelope(std::string_view message, std::string_view receive_id,
                                     std::string_view timestamp, std::string_view nonce) const {
  check_envelope_inputs(token_, timestamp, nonce);
  std::array<unsigned char, kRandomLen> random{};
  if (!random_bytes(random.data(), random.size())) {
    throw CryptException(CryptError::encrypt_aes, "RAND_bytes failed");
  }
  return envelope_xml(token_, key_, message, receive_id, std::span<const unsigned char, 16>(random), timestamp, nonce);
}

std::string MsgCrypt::reply_envelope(std::string_view message, std::string_view receive_id,
                                     std::string_view timestamp, std::string_view nonce,
                                     std::span<const unsigned char, 16> random) const {
  check_envelope_inputs(token_, timestamp, nonce);
  return envelope_xml(token_, key_, message, receive_id, random, timestamp, nonce);
}

}  // namespace xiaoqu::wechat
