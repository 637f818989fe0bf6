#include "wechat/msg_crypt.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <fstream>
#include <optional>
#include <random>
#include <span>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#ifndef XIAOQU_TEST_DATA
#define XIAOQU_TEST_DATA "/work/main/tests/data"
#endif

namespace {

using nlohmann::json;
using xiaoqu::wechat::base64_decode;
using xiaoqu::wechat::base64_encode;
using xiaoqu::wechat::CryptError;
using xiaoqu::wechat::CryptException;
using xiaoqu::wechat::label;
using xiaoqu::wechat::MsgCrypt;
using xiaoqu::wechat::sha1_signature;
using xiaoqu::wechat::signatures_equal;

const json& vectors() {
  static const json j = [] {
    std::ifstream in(std::string(XIAOQU_TEST_DATA) + "/msgcrypt.json");
    if (!in) throw std::runtime_error("cannot open msgcrypt.json under " XIAOQU_TEST_DATA);
    return json::parse(in);
  }();
  return j;
}

std::string str(const json& c, const char* key) { return c.at(key).get<std::string>(); }

bool has_string(const json& c, const char* key) { return c.contains(key) && c.at(key).is_string(); }

std::vector<unsigned char> from_hex(std::string_view hex) {
  std::vector<unsigned char> out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<unsigned char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

std::string to_hex(std::span<const unsigned char> bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

std::array<unsigned char, 16> random16(std::string_view hex) {
  const auto v = from_hex(hex);
  std::array<unsigned char, 16> out{};
  EXPECT_EQ(v.size(), out.size());
  std::copy_n(v.begin(), std::min(v.size(), out.size()), out.begin());
  return out;
}

std::span<const unsigned char> bytes_of(std::string_view s) {
  return {reinterpret_cast<const unsigned char*>(s.data()), s.size()};
}

// Independent AES-256-CBC (no padding) through OpenSSL, to inspect or forge raw plaintexts.
std::string raw_aes(const std::array<unsigned char, 32>& key, std::string_view in, bool encrypt) {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  std::string out(in.size() + 32, '\0');
  int n1 = 0, n2 = 0;
  const bool ok =
      EVP_CipherInit_ex(ctx, EVP_aes_256_cbc(), nullptr, key.data(), key.data(), encrypt ? 1 : 0) == 1 &&
      EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
      EVP_CipherUpdate(ctx, reinterpret_cast<unsigned char*>(out.data()), &n1,
                       reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size())) == 1 &&
      EVP_CipherFinal_ex(ctx, reinterpret_cast<unsigned char*>(out.data()) + n1, &n2) == 1;
  EVP_CIPHER_CTX_free(ctx);
  EXPECT_TRUE(ok);
  out.resize(static_cast<std::size_t>(n1 + n2));
  return out;
}

std::string raw_plaintext(const MsgCrypt& crypt, std::string_view encrypt_b64) {
  std::string cipher;
  EXPECT_TRUE(base64_decode(encrypt_b64, cipher));
  return raw_aes(crypt.aes_key(), cipher, false);
}

// Encrypt an arbitrary (already padded, block-aligned) plaintext and base64 it.
std::string forge(const MsgCrypt& crypt, std::string_view plain) {
  return base64_encode(bytes_of(raw_aes(crypt.aes_key(), plain, true)));
}

std::string be32(std::uint32_t n) {
  return {static_cast<char>(n >> 24), static_cast<char>(n >> 16), static_cast<char>(n >> 8), static_cast<char>(n)};
}

// The receiver's order of checks (docs/protocol/message-crypto.md), returning the first failing step's code.
CryptError official_decrypt(const json& c, MsgCrypt::Decrypted* result = nullptr) {
  const std::string token = str(c, "token"), ts = str(c, "timestamp"), nonce = str(c, "nonce");
  const std::string encrypt = str(c, "encrypt");
  if (!signatures_equal(sha1_signature({token, ts, nonce, encrypt}), str(c, "msg_signature"))) {
    return CryptError::bad_signature;
  }
  std::string raw;
  if (!base64_decode(encrypt, raw)) return CryptError::decode_base64;
  std::optional<MsgCrypt> crypt;
  try {
    crypt.emplace(token, str(c, "encoding_aes_key"));
  } catch (const CryptException& e) {
    return e.code();
  }
  EXPECT_TRUE(crypt->verify_msg_signature(str(c, "msg_signature"), ts, nonce, encrypt));
  MsgCrypt::Decrypted d;
  if (const CryptError e = crypt->decrypt(encrypt, d); e != CryptError::ok) return e;
  if (d.receive_id != str(c, "receive_id")) return CryptError::bad_receive_id;
  if (result != nullptr) *result = std::move(d);
  return CryptError::ok;
}

const std::string kKeyA(43, 'A');

// ---------------------------------------------------------------------------------------------

TEST(MsgCryptLabel, SnakeCaseNames) {
  EXPECT_STREQ(label(CryptError::ok), "ok");
  EXPECT_STREQ(label(CryptError::bad_signature), "bad_signature");
  EXPECT_STREQ(label(CryptError::parse_xml), "parse_xml");
  EXPECT_STREQ(label(CryptError::compute_signature), "compute_signature");
  EXPECT_STREQ(label(CryptError::illegal_aes_key), "illegal_aes_key");
  EXPECT_STREQ(label(CryptError::bad_receive_id), "bad_receive_id");
  EXPECT_STREQ(label(CryptError::encrypt_aes), "encrypt_aes");
  EXPECT_STREQ(label(CryptError::decrypt_aes), "decrypt_aes");
  EXPECT_STREQ(label(CryptError::illegal_buffer), "illegal_buffer");
  EXPECT_STREQ(label(CryptError::encode_base64), "encode_base64");
  EXPECT_STREQ(label(CryptError::decode_base64), "decode_base64");
  EXPECT_STREQ(label(CryptError::gen_return_xml), "gen_return_xml");
}

TEST(MsgCryptLabel, ErrorCodesMatchVectorTable) {
  const json& codes = vectors().at("error_codes");
  for (int code : {0, -40001, -40002, -40003, -40004, -40005, -40006, -40007, -40008, -40009, -40010, -40011}) {
    EXPECT_TRUE(codes.contains(std::to_string(code))) << code;
    EXPECT_STRNE(label(static_cast<CryptError>(code)), "unknown") << code;
  }
}

TEST(MsgCryptBase64, Rfc4648Vectors) {
  const std::pair<std::string, std::string> table[] = {
      {"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : table) {
    EXPECT_EQ(base64_encode(bytes_of(plain)), encoded);
    std::string out = "stale";
    ASSERT_TRUE(base64_decode(encoded, out)) << encoded;
    EXPECT_EQ(out, plain);
  }
  const std::string all = [] {
    std::string s;
    for (int i = 0; i < 256; ++i) s.push_back(static_cast<char>(i));
    return s;
  }();
  std::string out;
  ASSERT_TRUE(base64_decode(base64_encode(bytes_of(all)), out));
  EXPECT_EQ(out, all);
  EXPECT_EQ(base64_encode(bytes_of(std::string("\xfb\xff", 2))), "+/8=");
}

TEST(MsgCryptBase64, IgnoresSpareBits) {
  std::string a, b;
  ASSERT_TRUE(base64_decode("QQ==", a));
  ASSERT_TRUE(base64_decode("QR==", b));  // non-zero spare bits, still 'A'
  EXPECT_EQ(a, "A");
  EXPECT_EQ(b, "A");
  ASSERT_TRUE(base64_decode("QUJ=", b));
  EXPECT_EQ(b, "AB");
}

TEST(MsgCryptBase64, RejectsInvalidInput) {
  std::string out = "stale";
  for (std::string_view bad : {"Zg=", "Zm9", "Z", "Zg=a", "Z===", "====", "Zm9v\n", "Zm 9v", "Zm9-", "Zm9_",
                               "@@@@not-base64@@@@", "Zg==Zg==", "Zm=v"}) {
    EXPECT_FALSE(base64_decode(bad, out)) << bad;
    EXPECT_TRUE(out.empty()) << bad;
  }
  EXPECT_FALSE(base64_decode(std::string_view("Zm9\0", 4), out));
}

TEST(MsgCryptSignature, PlainSignatureCases) {
  for (const json& c : vectors().at("plain_signature_cases")) {
    SCOPED_TRACE(str(c, "id"));
    const std::string token = str(c, "token"), ts = str(c, "timestamp"), nonce = str(c, "nonce");
    const std::string sig = str(c, "signature");
    EXPECT_EQ(sha1_signature({token, ts, nonce}), sig);
    EXPECT_EQ(sha1_signature({nonce, token, ts}), sig);  // order of the arguments is irrelevant
    EXPECT_EQ(sha1_signature({str(c, "sorted_concat")}), sig);

    const MsgCrypt crypt(token, kKeyA);
    EXPECT_TRUE(crypt.verify_signature(sig, ts, nonce));
    std::string flipped = sig;
    flipped[7] = flipped[7] == 'a' ? 'b' : 'a';
    EXPECT_FALSE(crypt.verify_signature(flipped, ts, nonce));
    EXPECT_FALSE(crypt.verify_signature(sig.substr(0, 39), ts, nonce));
    EXPECT_FALSE(crypt.verify_signature(sig, ts + "1", nonce));
    if (has_string(c, "echostr")) {
      EXPECT_EQ(str(c, "echostr"), str(c, "expected_reply_body"));
    }
  }
}

TEST(MsgCryptSignature, SortIsBytewise) {
  // 0xE4 sorts after 'z' when bytes compare unsigned.
  const std::string high = "\xe4\xb8\xad";
  EXPECT_EQ(sha1_signature({high, "z", "A"}), sha1_signature({"A" + std::string("z") + high}));
  EXPECT_EQ(sha1_signature({"ab", "a", "b"}), sha1_signature({"aabb"}));
  EXPECT_EQ(sha1_signature({}), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  // More parts than the stack buffer holds.
  EXPECT_EQ(sha1_signature({"9", "8", "7", "6", "5", "4", "3", "2", "1", "0"}), sha1_signature({"0123456789"}));
}

TEST(MsgCryptSignature, ConstantTimeEquality) {
  EXPECT_TRUE(signatures_equal("abc", "abc"));
  EXPECT_TRUE(signatures_equal("", ""));
  EXPECT_FALSE(signatures_equal("abc", "abd"));
  EXPECT_FALSE(signatures_equal("abc", "abcd"));
  EXPECT_FALSE(signatures_equal("", "a"));
}

TEST(MsgCryptSignature, EmptyPartsNeverVerify) {
  const MsgCrypt crypt("tok", kKeyA);
  EXPECT_FALSE(crypt.verify_signature(sha1_signature({"tok", "", "n"}), "", "n"));
  EXPECT_FALSE(crypt.verify_msg_signature(sha1_signature({"tok", "1", "n", ""}), "1", "n", ""));
  EXPECT_FALSE(crypt.verify_msg_signature("", "1", "n", "x"));
  const MsgCrypt no_token("", kKeyA);
  EXPECT_FALSE(no_token.verify_signature(sha1_signature({"1", "n"}), "1", "n"));
}

TEST(MsgCryptKey, DerivedKeyAndIvMatchVectors) {
  for (const json& c : vectors().at("cases")) {
    SCOPED_TRACE(str(c, "id"));
    const MsgCrypt crypt(str(c, "token"), str(c, "encoding_aes_key"));
    EXPECT_EQ(to_hex(crypt.aes_key()), str(c, "aes_key_hex"));
    EXPECT_EQ(to_hex(std::span(crypt.aes_key()).first(16)), str(c, "iv_hex"));
    EXPECT_EQ(crypt.token(), str(c, "token"));
  }
}

TEST(MsgCryptKey, ToleratesSpareBitsInKey) {
  // 'G' leaves spare bits 10; a strict decoder would refuse the published sample key.
  const MsgCrypt g("t", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG");
  const MsgCrypt e("t", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFE");
  EXPECT_EQ(g.aes_key(), e.aes_key());
  EXPECT_EQ(to_hex(g.aes_key()), "69b71d79f8218a39259a7a29aabb2dbafc31cb3d35db7e39ebbf3d0010831051");
}

TEST(MsgCryptKey, RejectsIllegalKeys) {
  const std::string bad[] = {"", "abcde", std::string(42, 'A'), std::string(44, 'A'), std::string(42, 'A') + "=",
                             std::string(42, 'A') + "*", "A=" + std::string(41, 'A'), std::string(42, 'A') + "-",
                             std::string(21, 'A') + " " + std::string(21, 'A')};
  for (const std::string& key : bad) {
    try {
      MsgCrypt crypt("t", key);
      ADD_FAILURE() << "accepted key '" << key << "'";
    } catch (const CryptException& e) {
      EXPECT_EQ(e.code(), CryptError::illegal_aes_key) << key;
    }
  }
}

TEST(MsgCryptCases, EncryptReproducesVectors) {
  for (const json& c : vectors().at("cases")) {
    SCOPED_TRACE(str(c, "id"));
    if (!has_string(c, "random_hex")) continue;
    const MsgCrypt crypt(str(c, "token"), str(c, "encoding_aes_key"));
    const auto random = random16(str(c, "random_hex"));
    const std::string enc = crypt.encrypt(str(c, "msg"), str(c, "receive_id"), random);
    EXPECT_EQ(enc, str(c, "encrypt"));
    EXPECT_EQ(to_hex(bytes_of(raw_plaintext(crypt, enc))), str(c, "padded_plain_hex"));
    std::string cipher;
    ASSERT_TRUE(base64_decode(enc, cipher));
    EXPECT_EQ(cipher.size(), c.at("ciphertext_len").get<std::size_t>());
  }
}

TEST(MsgCryptCases, DecryptRecoversMessageAndReceiveId) {
  for (const json& c : vectors().at("cases")) {
    SCOPED_TRACE(str(c, "id"));
    const MsgCrypt crypt(str(c, "token"), str(c, "encoding_aes_key"));
    MsgCrypt::Decrypted d;
    ASSERT_EQ(crypt.decrypt(str(c, "encrypt"), d), CryptError::ok);
    EXPECT_EQ(d.message, str(c, "msg"));
    EXPECT_EQ(d.message.size(), c.at("msg_len").get<std::size_t>());
    EXPECT_EQ(d.receive_id, str(c, "receive_id"));
    // A 16-byte-block encoder's output of the same plaintext must decode too (docs/protocol/message-crypto.md).
    if (has_string(c, "encrypt_if_16_byte_block")) {
      MsgCrypt::Decrypted d16;
      ASSERT_EQ(crypt.decrypt(str(c, "encrypt_if_16_byte_block"), d16), CryptError::ok);
      EXPECT_EQ(d16.message, d.message);
      EXPECT_EQ(d16.receive_id, d.receive_id);
    }
    MsgCrypt::Decrypted full;
    EXPECT_EQ(official_decrypt(c, &full), CryptError::ok);
    EXPECT_EQ(full.message, str(c, "msg"));
  }
}

TEST(MsgCryptCases, MsgSignatureVerifiesAndFlipsFail) {
  for (const json& c : vectors().at("cases")) {
    SCOPED_TRACE(str(c, "id"));
    const MsgCrypt crypt(str(c, "token"), str(c, "encoding_aes_key"));
    const std::string ts = str(c, "timestamp"), nonce = str(c, "nonce"), enc = str(c, "encrypt");
    const std::string sig = str(c, "msg_signature");
    EXPECT_EQ(sha1_signature({crypt.token(), ts, nonce, enc}), sig);
    EXPECT_TRUE(crypt.verify_msg_signature(sig, ts, nonce, enc));
    for (std::size_t pos : {std::size_t{0}, std::size_t{17}, sig.size() - 1}) {
      std::string flipped = sig;
      flipped[pos] = flipped[pos] == '0' ? '1' : '0';
      EXPECT_FALSE(crypt.verify_msg_signature(flipped, ts, nonce, enc)) << pos;
    }
    std::string upper = sig;
    std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char ch) { return std::toupper(ch); });
    if (upper != sig) {
      EXPECT_FALSE(crypt.verify_msg_signature(upper, ts, nonce, enc));
    }
    std::string enc_flipped = enc;
    enc_flipped[5] = enc_flipped[5] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(crypt.verify_msg_signature(sig, ts, nonce, enc_flipped));
    EXPECT_FALSE(crypt.verify_msg_signature(sig, ts + "0", nonce, enc));
    // Sorting makes the scheme blind to which field holds which value: a known property.
    EXPECT_TRUE(crypt.verify_msg_signature(sig, nonce, ts, enc));
    EXPECT_FALSE(crypt.verify_signature(sig, ts, nonce));
  }
}

TEST(MsgCryptCases, UrlSignatureIsTokenTimestampNonce) {
  // field_notes/algorithm: url_signature = sha1 over [token, timestamp, nonce] ('signature' parameter).
  ASSERT_TRUE(vectors().at("algorithm").contains("url_signature"));
  for (const json& c : vectors().at("cases")) {
    SCOPED_TRACE(str(c, "id"));
    if (!has_string(c, "url_signature")) continue;
    const MsgCrypt crypt(str(c, "token"), str(c, "encoding_aes_key"));
    const std::string sig = str(c, "url_signature");
    EXPECT_TRUE(crypt.verify_signature(sig, str(c, "timestamp"), str(c, "nonce")));
    std::string flipped = sig;
    flipped[3] = flipped[3] == 'f' ? 'e' : 'f';
    EXPECT_FALSE(crypt.verify_signature(flipped, str(c, "timestamp"), str(c, "nonce")));
    // The plain signature must never pass as the body-covering msg_signature.
    EXPECT_FALSE(crypt.verify_msg_signature(sig, str(c, "timestamp"), str(c, "nonce"), str(c, "encrypt")));
  }
}

TEST(MsgCryptCases, ReplyEnvelopeReproducesVectors) {
  int checked = 0;
  for (const json& c : vectors().at("cases")) {
    SCOPED_TRACE(str(c, "id"));
    if (!has_string(c, "reply_envelope_xml") || !has_string(c, "random_hex")) continue;
    const MsgCrypt crypt(str(c, "token"), str(c, "encoding_aes_key"));
    EXPECT_EQ(crypt.reply_envelope(str(c, "msg"), str(c, "receive_id"), str(c, "timestamp"), str(c, "nonce"),
                                   random16(str(c, "random_hex"))),
              str(c, "reply_envelope_xml"));
    ++checked;
  }
  EXPECT_GT(checked, 0);
}

std::string between(const std::string& xml, const std::string& open, const std::string& close) {
  const auto a = xml.find(open);
  const auto b = xml.find(close, a == std::string::npos ? 0 : a + open.size());
  if (a == std::string::npos || b == std::string::npos) return {};
  return xml.substr(a + open.size(), b - a - open.size());
}

TEST(MsgCryptReply, RandomEnvelopeRoundTrips) {
  const MsgCrypt crypt("xiaoquMpToken2024", "hT4nB8vC2xZ6mQ1wE9rY5uI3oP7aS0dF4gJ8kL2zX6c");
  const std::string msg = "<xml><Content><![CDATA[已收到]]></Content></xml>";
  const std::string a = crypt.reply_envelope(msg, "wx1234", "1732500001", "1839204756");
  const std::string b = crypt.reply_envelope(msg, "wx1234", "1732500001", "1839204756");
  EXPECT_NE(a, b);  // fresh CSPRNG bytes every time
  const std::string enc = between(a, "<Encrypt><![CDATA[", "]]></Encrypt>");
  const std::string sig = between(a, "<MsgSignature><![CDATA[", "]]></MsgSignature>");
  EXPECT_EQ(between(a, "<TimeStamp>", "</TimeStamp>"), "1732500001");
  EXPECT_EQ(between(a, "<Nonce><![CDATA[", "]]></Nonce>"), "1839204756");
  EXPECT_TRUE(crypt.verify_msg_signature(sig, "1732500001", "1839204756", enc));
  MsgCrypt::Decrypted d;
  ASSERT_EQ(crypt.decrypt(enc, d), CryptError::ok);
  EXPECT_EQ(d.message, msg);
  EXPECT_EQ(d.receive_id, "wx1234");
}

TEST(MsgCryptReply, RejectsUnsignableOrUnsafeFields) {
  const MsgCrypt crypt("tok", kKeyA);
  const auto code_of = [&](std::string_view ts, std::string_view nonce) {
    try {
      (void)crypt.reply_envelope("m", "id", ts, nonce);
    } catch (const CryptException& e) {
      return e.code();
    }
    return CryptError::ok;
  };
  EXPECT_EQ(code_of("", "n"), CryptError::compute_signature);
  EXPECT_EQ(code_of("1", ""), CryptError::compute_signature);
  EXPECT_EQ(code_of("12<a>", "n"), CryptError::gen_return_xml);
  EXPECT_EQ(code_of("1", "a]]>b"), CryptError::gen_return_xml);
  EXPECT_EQ(code_of("1", "nonce-ABC123"), CryptError::ok);
  const MsgCrypt no_token("", kKeyA);
  EXPECT_THROW((void)no_token.reply_envelope("m", "id", "1", "n"), CryptException);
}

TEST(MsgCryptVerifyUrl, EchostrCases) {
  for (const json& c : vectors().at("verify_url_cases")) {
    SCOPED_TRACE(str(c, "id"));
    const MsgCrypt crypt(str(c, "token"), str(c, "encoding_aes_key"));
    const std::string ts = str(c, "timestamp"), nonce = str(c, "nonce"), echostr = str(c, "echostr");
    EXPECT_TRUE(crypt.verify_msg_signature(str(c, "msg_signature"), ts, nonce, echostr));
    if (has_string(c, "echostr_as_sent_in_query")) {
      // The signature covers the URL-decoded echostr, never the raw query text.
      EXPECT_FALSE(crypt.verify_msg_signature(str(c, "msg_signature"), ts, nonce, str(c, "echostr_as_sent_in_query")));
    }
    MsgCrypt::Decrypted d;
    ASSERT_EQ(crypt.decrypt(echostr, d), CryptError::ok);
    EXPECT_EQ(d.message, str(c, "expected_reply_body"));
    EXPECT_EQ(d.receive_id, str(c, "receive_id"));
    if (has_string(c, "random_hex")) {
      EXPECT_EQ(crypt.encrypt(d.message, d.receive_id, random16(str(c, "random_hex"))), echostr);
    }
  }
}

TEST(MsgCryptNegative, EachCaseFailsAtItsStep) {
  const json& cases = vectors().at("negative_cases");
  ASSERT_EQ(cases.size(), 7u);
  for (const json& c : cases) {
    SCOPED_TRACE(str(c, "id"));
    const auto expected = static_cast<CryptError>(c.at("expected_error").get<int>());
    EXPECT_EQ(official_decrypt(c), expected) << label(official_decrypt(c)) << " vs " << label(expected);
  }
}

TEST(MsgCryptNegative, DecryptCodesDirectly) {
  for (const json& c : vectors().at("negative_cases")) {
    SCOPED_TRACE(str(c, "id"));
    const auto expected = static_cast<CryptError>(c.at("expected_error").get<int>());
    if (expected != CryptError::decode_base64 && expected != CryptError::decrypt_aes &&
        expected != CryptError::illegal_buffer) {
      continue;
    }
    const MsgCrypt crypt(str(c, "token"), str(c, "encoding_aes_key"));
    MsgCrypt::Decrypted d{"stale message", "stale id"};
    EXPECT_EQ(crypt.decrypt(str(c, "encrypt"), d), expected);
    EXPECT_TRUE(d.message.empty());
    EXPECT_TRUE(d.receive_id.empty());
  }
}

TEST(MsgCryptLenient, SixteenByteBlockPadding) {
  for (const json& c : vectors().at("lenient_decode_cases")) {
    SCOPED_TRACE(str(c, "id"));
    const MsgCrypt crypt(str(c, "token"), str(c, "encoding_aes_key"));
    const std::string enc = str(c, "encrypt");
    std::string cipher;
    ASSERT_TRUE(base64_decode(enc, cipher));
    EXPECT_EQ(cipher.size() % 32, 16u);
    EXPECT_TRUE(crypt.verify_msg_signature(str(c, "msg_signature"), str(c, "timestamp"), str(c, "nonce"), enc));
    MsgCrypt::Decrypted d;
    ASSERT_EQ(crypt.decrypt(enc, d), CryptError::ok);
    EXPECT_EQ(d.message, str(c, "expected_msg"));
    EXPECT_EQ(d.receive_id, str(c, "receive_id"));
    EXPECT_EQ(static_cast<unsigned char>(raw_plaintext(crypt, enc).back()), c.at("pad_len").get<unsigned>());

    // Our encoder, fed the same random bytes, emits the 32-byte-block form.
    const std::string random = raw_plaintext(crypt, enc).substr(0, 16);
    std::array<unsigned char, 16> r{};
    std::copy(random.begin(), random.end(), r.begin());
    EXPECT_EQ(crypt.encrypt(d.message, d.receive_id, r), str(c, "same_input_with_32_byte_block"));
    MsgCrypt::Decrypted d32;
    ASSERT_EQ(crypt.decrypt(str(c, "same_input_with_32_byte_block"), d32), CryptError::ok);
    EXPECT_EQ(d32.message, d.message);
  }
}

TEST(MsgCryptRoundTrip, RandomMessagesAndReceiveIds) {
  std::mt19937 rng(20241126);
  const MsgCrypt crypt("tok", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG");
  const std::string ids[] = {"", "wxb11529c136998cb6", "ww8f2c6d1e0a9b7354", "x", std::string(40, 'z')};
  MsgCrypt::Decrypted d;  // reused on purpose: decrypt must overwrite stale contents
  for (std::size_t len = 0; len <= 200; ++len) {
    for (const std::string& id : ids) {
      std::string msg(len, '\0');
      for (char& ch : msg) ch = static_cast<char>(rng());
      const std::string enc = crypt.encrypt(msg, id);
      std::string cipher;
      ASSERT_TRUE(base64_decode(enc, cipher));
      const std::size_t plain = 20 + len + id.size();
      const std::size_t pad = 32 - plain % 32;
      ASSERT_EQ(cipher.size(), plain + pad);
      ASSERT_EQ(cipher.size() % 32, 0u);
      const std::string raw = raw_aes(crypt.aes_key(), cipher, false);
      ASSERT_EQ(raw.substr(16, 4), be32(static_cast<std::uint32_t>(len)));
      ASSERT_EQ(raw.substr(plain), std::string(pad, static_cast<char>(pad)));
      if (plain % 32 == 0) {
        ASSERT_EQ(pad, 32u);
      }

      const CryptError e = crypt.decrypt(enc, d);
      if (plain == 20) {
        // Empty message and empty id: the samples require more than 20 bytes (docs/protocol/message-crypto.md).
        EXPECT_EQ(e, CryptError::illegal_buffer);
        continue;
      }
      ASSERT_EQ(e, CryptError::ok) << len << " " << id;
      ASSERT_EQ(d.message, msg);
      ASSERT_EQ(d.receive_id, id);
    }
  }
}

TEST(MsgCryptRoundTrip, FullBlockPadIsThirtyTwoBytes) {
  const MsgCrypt crypt("tok", kKeyA);
  const std::array<unsigned char, 16> r{};
  for (std::size_t msg_len : {std::size_t{12}, std::size_t{44}, std::size_t{236}}) {
    const std::string msg(msg_len - 6, 'm');
    const std::string enc = crypt.encrypt(msg, "abcdef", r);  // 20 + msg_len is a multiple of 32
    const std::string raw = raw_plaintext(crypt, enc);
    ASSERT_EQ(raw.size(), 20 + msg_len + 32);
    EXPECT_EQ(raw.substr(raw.size() - 32), std::string(32, '\x20'));
    MsgCrypt::Decrypted d;
    ASSERT_EQ(crypt.decrypt(enc, d), CryptError::ok);
    EXPECT_EQ(d.message, msg);
    EXPECT_EQ(d.receive_id, "abcdef");
  }
}

TEST(MsgCryptRoundTrip, DecryptFromViewIntoItsOwnOutput) {
  const MsgCrypt crypt("tok", kKeyA);
  MsgCrypt::Decrypted d;
  d.message = crypt.encrypt("inner", "rid");
  ASSERT_EQ(crypt.decrypt(d.message, d), CryptError::ok);
  EXPECT_EQ(d.message, "inner");
  EXPECT_EQ(d.receive_id, "rid");
  d.receive_id = crypt.encrypt("again", "rid2");
  ASSERT_EQ(crypt.decrypt(d.receive_id, d), CryptError::ok);
  EXPECT_EQ(d.message, "again");
  EXPECT_EQ(d.receive_id, "rid2");
}

TEST(MsgCryptRoundTrip, EncryptIsDeterministicOnlyWithGivenRandom) {
  const MsgCrypt crypt("tok", kKeyA);
  const std::array<unsigned char, 16> r{1, 2, 3};
  EXPECT_EQ(crypt.encrypt("hello", "id", r), crypt.encrypt("hello", "id", r));
  EXPECT_NE(crypt.encrypt("hello", "id"), crypt.encrypt("hello", "id"));
}

TEST(MsgCryptMalformed, ForgedPlaintexts) {
  const MsgCrypt crypt("tok", kKeyA);
  const std::string rnd(16, 'r');
  MsgCrypt::Decrypted d;
  const auto decrypt = [&](const std::string& plain) { return crypt.decrypt(forge(crypt, plain), d); };

  std::string body = rnd + be32(3) + "abc" + "id";  // 25 bytes
  EXPECT_EQ(decrypt(body + std::string(7, '\x07')), CryptError::ok);
  EXPECT_EQ(d.message, "abc");
  EXPECT_EQ(decrypt(body + std::string(6, '\x07') + '\x00'), CryptError::decrypt_aes);  // pad 0
  EXPECT_EQ(decrypt(body + std::string(6, '\x07') + '\x21'), CryptError::decrypt_aes);  // pad 33
  EXPECT_EQ(decrypt(body + std::string(6, '\x07') + '\xff'), CryptError::decrypt_aes);
  // Pad values are not checked byte by byte, as in the samples.
  EXPECT_EQ(decrypt(body + std::string(6, '\x00') + '\x07'), CryptError::ok);
  // A pad that eats the whole buffer.
  EXPECT_EQ(decrypt(std::string(16, '\x10')), CryptError::decrypt_aes);
  EXPECT_EQ(decrypt(std::string(32, '\x20')), CryptError::decrypt_aes);
  // 20 bytes left after unpadding is not enough.
  EXPECT_EQ(decrypt(rnd + be32(0) + std::string(12, '\x0c')), CryptError::illegal_buffer);
  EXPECT_EQ(decrypt(rnd + be32(0) + "i" + std::string(11, '\x0b')), CryptError::ok);
  EXPECT_EQ(d.message, "");
  EXPECT_EQ(d.receive_id, "i");
  // msg_len one past the end, exactly at the end, and huge.
  EXPECT_EQ(decrypt(rnd + be32(6) + "abcde" + std::string(7, '\x07')), CryptError::illegal_buffer);
  EXPECT_EQ(decrypt(rnd + be32(5) + "abcde" + std::string(7, '\x07')), CryptError::ok);
  EXPECT_EQ(d.receive_id, "");
  EXPECT_EQ(decrypt(rnd + be32(0xffffffffu) + "abcde" + std::string(7, '\x07')), CryptError::illegal_buffer);
  EXPECT_TRUE(d.message.empty());
}

TEST(MsgCryptMalformed, TruncatedAndGarbageNeverCrash) {
  const MsgCrypt crypt("tok", kKeyA);
  const std::string enc = crypt.encrypt(std::string(150, 'x'), "wxb11529c136998cb6");
  MsgCrypt::Decrypted d;
  for (std::size_t n = 0; n < enc.size(); ++n) {
    const CryptError e = crypt.decrypt(enc.substr(0, n), d);
    EXPECT_NE(e, CryptError::ok) << n;
    EXPECT_TRUE(d.message.empty() && d.receive_id.empty());
  }
  EXPECT_EQ(crypt.decrypt("", d), CryptError::decrypt_aes);

  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) {
    std::string bytes(static_cast<std::size_t>(rng() % 100), '\0');
    for (char& ch : bytes) ch = static_cast<char>(rng());
    const CryptError e = crypt.decrypt(base64_encode(bytes_of(bytes)), d);
    if (e != CryptError::ok) {
      EXPECT_TRUE(e == CryptError::decrypt_aes || e == CryptError::illegal_buffer) << label(e);
      EXPECT_TRUE(d.message.empty() && d.receive_id.empty());
    }
    std::string text(static_cast<std::size_t>(rng() % 64), '\0');
    for (char& ch : text) ch = static_cast<char>(rng());
    (void)crypt.decrypt(text, d);
    (void)crypt.verify_msg_signature(text, "1", "2", text);
  }
}

TEST(MsgCryptThreads, SharedInstancesAcrossThreads) {
  const MsgCrypt a("ta", kKeyA);
  const MsgCrypt b("tb", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG");
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      MsgCrypt::Decrypted d;
      for (int i = 0; i < 300; ++i) {
        const MsgCrypt& c = (i + t) % 2 == 0 ? a : b;
        const MsgCrypt& other = (i + t) % 2 == 0 ? b : a;
        const std::string msg = "m" + std::to_string(t * 1000 + i);
        const std::string enc = c.encrypt(msg, "rid");
        if (c.decrypt(enc, d) != CryptError::ok || d.message != msg || d.receive_id != "rid") ++failures;
        if (other.decrypt(enc, d) == CryptError::ok && d.message == msg) ++failures;
        const std::string sig = sha1_signature({c.token(), "1", "2", enc});
        if (!c.verify_msg_signature(sig, "1", "2", enc) || other.verify_msg_signature(sig, "1", "2", enc)) {
          ++failures;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
}

}  // namespace
