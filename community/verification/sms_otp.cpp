#include "community/verification/sms_otp.hpp"

#include <openssl/sha.h>
#include <sodium.h>

#include <cstdio>

#include "community/accounts/admin_accounts.hpp"
#include "notify/outbox.hpp"

namespace xiaoqu::community {
namespace {

std::string code_hash(const std::string& code, const std::string& phone, const std::string& openid) {
  std::string input = code + '\n' + phone + '\n' + openid;
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : digest) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

std::int64_t count_since(store::Connection& c, const char* column, const std::string& value, std::int64_t since) {
  store::Statement s(c, std::string("SELECT COUNT(*), IFNULL(MAX(created_at), 0) FROM sms_codes WHERE ") + column + " = ?1 AND created_at > ?2");
  s.bind(1, value).bind(2, since);
  s.step();
  return s.integer(0);
}

}  // namespace

std::int64_t request_otp(store::Connection& c, const config::VerificationConfig& cfg, std::int64_t community_id, const std::string& appid,
                         const std::string& openid, const std::string& phone, std::int64_t now) {
  if (count_since(c, "phone", phone, now - kOtpResendSeconds) > 0)
    throw TooManyRequests("验证码已发送，请 60 秒后再试", kOtpResendSeconds);
  if (count_since(c, "phone", phone, now - 3600) >= cfg.otp_per_phone_per_hour)
    throw TooManyRequests("该手机号获取验证码过于频繁，请一小时后再试", 3600);
  if (count_since(c, "openid", openid, now - 86'400) >= cfg.otp_per_openid_per_day)
    throw TooManyRequests("今日获取验证码次数已达上限，请明天再试", 86'400);

  char code[8];
  std::snprintf(code, sizeof code, "%06u", randombytes_uniform(1'000'000));
  store::Statement(c,
                   "INSERT INTO sms_codes (phone, appid, openid, code_hash, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
      .bind(1, phone)
      .bind(2, appid)
      .bind(3, openid)
      .bind(4, code_hash(code, phone, openid))
      .bind(5, now)
      .bind(6, now + cfg.otp_ttl_seconds)
      .run();
  std::int64_t id = c.last_insert_id();
  notify::OutboxItem item;
  item.idempotency_key = "otp:" + std::to_string(id);
  item.purpose = "otp";
  item.community_id = community_id;
  item.sms = notify::SmsMessage{phone, cfg.sms_otp_template_id, {code, std::to_string(cfg.otp_ttl_seconds / 60)}};
  notify::enqueue(c, item, now);
  return id;
}

bool verify_otp(store::Connection& c, const std::string& appid, const std::string& openid, const std::string& phone,
                const std::string& code, std::int64_t now) {
  store::Statement s(c,
                     "SELECT id, code_hash, attempts FROM sms_codes WHERE phone = ?1 AND appid = ?2 AND openid = ?3 AND used_at IS NULL "
                     "AND expires_at >= ?4 ORDER BY id DESC LIMIT 1");
  s.bind(1, phone).bind(2, appid).bind(3, openid).bind(4, now);
  if (!s.step()) return false;
  std::int64_t id = s.integer(0);
  std::string stored = s.text(1);
  std::int64_t attempts = s.integer(2);
  if (attempts >= kOtpMaxAttempts) return false;
  bool ok = tokens_equal(stored, code_hash(code, phone, openid));
  if (ok) store::Statement(c, "UPDATE sms_codes SET used_at = ?2 WHERE id = ?1").bind(1, id).bind(2, now).run();
  else store::Statement(c, "UPDATE sms_codes SET attempts = attempts + 1 WHERE id = ?1").bind(1, id).run();
  return ok;
}

}  // namespace xiaoqu::community
