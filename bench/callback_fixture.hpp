#pragma once
// Shared by callback_parse_bench.cpp and callback_gen.cpp: the benchmark accounts and a
// deterministic generator of distinct, valid Official Account text pushes (safe mode:
// encrypted envelope + signed query; plaintext mode: XML body + plain signature).
// Everything is single-line (no '\n', '\r' or '\t'), so a request fits one line of a file.
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <random>
#include <string>
#include <string_view>

#include "wechat/msg_crypt.hpp"

namespace xiaoqu::bench {

// Same accounts as tests/support/test_server.hpp (and tests/data/msgcrypt.json).
inline constexpr const char* kSafeAppid = "wx5d3c9a1b7e20f468";
inline constexpr const char* kSafeToken = "xiaoquMpToken2024";
inline constexpr const char* kSafeKey = "Q7mZ2xK9pL4vN8rT1wY6sB3dF5gH0jC2eA9uV7iO4kR";
inline constexpr const char* kPlainAppid = "wxplain0000000001";
inline constexpr const char* kPlainToken = "plainToken42";
inline constexpr const char* kGhId = "gh_3f2a91c0d7e5";

/// A message content of exactly `target` bytes (100..300 in practice): whole UTF-8 pieces,
/// Chinese and ASCII mixed, topped up with ASCII so it never splits a character.
inline std::string make_content(std::mt19937_64& rng, std::size_t target, std::uint64_t index) {
  static constexpr std::string_view kPieces[] = {
      "您好，", "物业你好，", "3号楼2单元", "1203室", "楼道的灯坏了", "电梯又停了，", "厨房漏水，", "请尽快安排维修。",
      "停车位被占用", "快递柜打不开", "小区东门", "垃圾没有清运", "晚上噪音很大", "谢谢！", "麻烦师傅上门看一下",
      "Room 1203, Bldg 5. ", "please check ", "the water meter ", "ASAP, ", "thanks! ", "ticket #", "OK ",
      "WiFi down since 8am; ", "gate card lost. ", "2F corridor, ", "(urgent) ", "call me back: 138****6677 ",
  };
  static constexpr std::string_view kFill = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::string s;
  s.reserve(target + 8);
  s.push_back('#');
  s.append(std::to_string(index)).push_back(' ');
  std::uniform_int_distribution<std::size_t> pick(0, std::size(kPieces) - 1);
  for (int attempts = 0; s.size() < target && attempts < 64; ++attempts) {
    std::string_view p = kPieces[pick(rng)];
    if (s.size() + p.size() <= target) s.append(p);
  }
  while (s.size() < target) s.push_back(kFill[rng() % kFill.size()]);
  if (s.size() > target) s.resize(target);  // only when the "#index " prefix alone is longer
  return s;
}

/// A 28-character openid, distinct per index ("o" + 9 digits of the index + 18 random).
inline std::string make_openid(std::mt19937_64& rng, std::uint64_t index) {
  static constexpr std::string_view kChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
  char digits[16];
  std::snprintf(digits, sizeof digits, "%09llu", static_cast<unsigned long long>(index % 1'000'000'000ULL));
  std::string s = "o";
  s += digits;
  while (s.size() < 28) s.push_back(kChars[rng() % kChars.size()]);
  return s;
}

inline std::string make_nonce(std::mt19937_64& rng) { return std::to_string(1'000'000'000ULL + rng() % 9'000'000'000ULL); }

/// The inner text message as the platform sends it (single line).
inline std::string text_message_xml(std::string_view openid, std::int64_t create_time, std::string_view content,
                                    std::int64_t msg_id) {
  std::string x;
  x.reserve(220 + openid.size() + content.size());
  x.append("<xml><ToUserName><![CDATA[").append(kGhId).append("]]></ToUserName><FromUserName><![CDATA[");
  x.append(openid).append("]]></FromUserName><CreateTime>").append(std::to_string(create_time));
  x.append("</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[").append(content);
  x.append("]]></Content><MsgId>").append(std::to_string(msg_id)).append("</MsgId></xml>");
  return x;
}

/// One push: everything a benchmark needs, already signed.
struct Push {
  std::string openid, timestamp, nonce;
  std::string inner;          ///< the plaintext message XML
  std::string encrypt;        ///< base64 ciphertext (safe mode only)
  std::string msg_signature;  ///< over token, timestamp, nonce, encrypt (safe mode only)
  std::string signature;      ///< over token, timestamp, nonce
  std::string body;           ///< HTTP body: envelope (safe) or inner (plain)
  std::string target;         ///< path?query
};

struct PushGenerator {
  explicit PushGenerator(std::uint64_t seed, std::int64_t timestamp = std::time(nullptr))
      : rng(seed), ts(timestamp), safe(kSafeToken, kSafeKey) {}

  /// Distinct pushes for distinct `index` values (MsgId = base + index, openid has the index).
  Push make(bool encrypted, std::uint64_t index, std::uint64_t msg_id_base = 24'000'000'000'000'000ULL) {
    Push p;
    p.openid = make_openid(rng, index);
    p.timestamp = std::to_string(ts);
    p.nonce = make_nonce(rng);
    std::uniform_int_distribution<std::size_t> len(100, 300);
    const std::string content = make_content(rng, len(rng), index);
    p.inner = text_message_xml(p.openid, ts, content, static_cast<std::int64_t>(msg_id_base + index));
    const char* token = encrypted ? kSafeToken : kPlainToken;
    p.signature = wechat::sha1_signature({token, p.timestamp, p.nonce});
    if (encrypted) {
      p.encrypt = safe.encrypt(p.inner, kSafeAppid);
      p.msg_signature = wechat::sha1_signature({kSafeToken, p.timestamp, p.nonce, p.encrypt});
      p.body.append("<xml><ToUserName><![CDATA[").append(kGhId).append("]]></ToUserName><Encrypt><![CDATA[");
      p.body.append(p.encrypt).append("]]></Encrypt></xml>");
      p.target.append("/wechat/callback/").append(kSafeAppid).append("?signature=").append(p.signature);
      p.target.append("&timestamp=").append(p.timestamp).append("&nonce=").append(p.nonce);
      p.target.append("&openid=").append(p.openid).append("&encrypt_type=aes&msg_signature=").append(p.msg_signature);
    } else {
      p.body = p.inner;
      p.target.append("/wechat/callback/").append(kPlainAppid).append("?signature=").append(p.signature);
      p.target.append("&timestamp=").append(p.timestamp).append("&nonce=").append(p.nonce);
      p.target.append("&openid=").append(p.openid);
    }
    return p;
  }

  std::mt19937_64 rng;
  std::int64_t ts;
  wechat::MsgCrypt safe;
};

}  // namespace xiaoqu::bench
