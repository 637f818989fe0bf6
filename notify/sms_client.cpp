#include "notify/sms_client.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <map>
#include <random>
#include <thread>

#include "config/log.hpp"
#include "notify/phone_number.hpp"
#include "wechat/platform_error.hpp"

namespace xiaoqu::notify {
namespace {
constexpr std::size_t kMaxSessionContextBytes = 511;

SendStatus placeholder(const std::string& requested, std::string phone, const char* code, const char* message) {
  SendStatus s;
  s.requested = requested;
  s.phone_number = std::move(phone);
  s.code = code;
  s.message = message;
  return s;
}

void require(const std::string& value, const char* key, const char* how) {
  if (value.empty()) throw config::ConfigError(key, std::string("missing; ") + how);
}
}  // namespace

SmsClient::SmsClient(wechat::HttpTransport& transport, config::SmsConfig sms, std::string base_url, const config::HttpConfig& http,
                     Clock clock)
    : transport_(transport), sms_(std::move(sms)), base_url_(std::move(base_url)), max_attempts_(std::max(1u, http.max_attempts)),
      backoff_initial_ms_(http.backoff_initial_ms), backoff_max_ms_(http.backoff_max_ms), clock_(std::move(clock)) {
  require(sms_.secret_id, "sms.secret_id", "set XIAOQU_SMS__SECRET_ID");
  require(sms_.secret_key, "sms.secret_key", "set XIAOQU_SMS__SECRET_KEY");
  require(sms_.sdk_app_id, "sms.sdk_app_id", "set the SmsSdkAppId of the SMS console");
  require(sms_.region, "sms.region", "set e.g. ap-guangzhou");
  if (!clock_) clock_ = [] { return static_cast<std::int64_t>(std::time(nullptr)); };
}

SendSmsReply SmsClient::call(const std::string& body) {
  thread_local std::mt19937 jitter{std::random_device{}()};
  bool resigned = false;
  for (unsigned attempt = 1;; ++attempt) {
    try {
      // Each attempt signs the same body bytes with a fresh timestamp.
      wechat::HttpRequest req = signed_send_sms(sms_, base_url_, body, clock_());
      wechat::HttpResponse res;
      try {
        res = transport_.send(req, kSendSmsApi);
      } catch (const wechat::PlatformError& e) {
        throw SmsError(SmsError::Kind::transport, "", e.errmsg());
      }
      return read_send_sms_reply(res);
    } catch (const SmsError& e) {
      // docs/protocol/sms-tc3.md: a skewed timestamp is re-signed once, and not counted as an attempt.
      if (e.clock_skew()) {
        if (resigned) throw e.after_resign();
        resigned = true;
        --attempt;
        log::warn("sms.resign", {{"code", e.code()}, {"request_id", e.request_id()}});
        continue;
      }
      if (!e.transient() || attempt >= max_attempts_) throw;
      unsigned base = std::min(backoff_max_ms_, backoff_initial_ms_ << std::min(attempt - 1, 16u));
      unsigned ms = base / 2 + jitter() % (base / 2 + 1);
      log::warn("sms.retry", {{"error", e.what()}, {"attempt", std::to_string(attempt)}, {"wait_ms", std::to_string(ms)}});
      std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    }
  }
}

SmsResult SmsClient::send(const SmsMessage& msg) {
  using Kind = SmsError::Kind;
  if (msg.template_id.empty()) throw SmsError(Kind::invalid_request, "", "template_id is empty");
  if (msg.session_context.size() > kMaxSessionContextBytes) throw SmsError(Kind::invalid_request, "", "session_context exceeds 511 bytes");

  SmsResult result;
  std::map<std::string, std::size_t> index;  // E.164 number → its entry in result.statuses
  std::vector<std::string> numbers;
  for (const auto& raw : msg.phone_numbers) {
    auto e164 = normalize_phone(raw);
    if (!e164) {
      result.statuses.push_back(placeholder(raw, {}, "InvalidParameterValue.IncorrectPhoneNumber", "not a mainland mobile number; not sent"));
      continue;
    }
    // The same resident listed twice gets one message.
    if (!index.emplace(*e164, result.statuses.size()).second) continue;
    // Overwritten by the reply; left only if the platform omits this number.
    result.statuses.push_back(placeholder(raw, *e164, "xiaoqu.NoSendStatus", "the reply has no status for this number"));
    numbers.push_back(*e164);
  }

  std::vector<SendStatus> sent;
  for (std::size_t first = 0; first < numbers.size(); first += kMaxNumbersPerCall) {
    SendSmsCall c;
    c.phone_numbers.assign(numbers.begin() + static_cast<std::ptrdiff_t>(first),
                           numbers.begin() + static_cast<std::ptrdiff_t>(std::min(numbers.size(), first + kMaxNumbersPerCall)));
    c.sdk_app_id = sms_.sdk_app_id;
    c.sign_name = sms_.sign_name;
    c.template_id = msg.template_id;
    c.template_params = msg.template_params;
    c.session_context = msg.session_context;
    SendSmsReply reply;
    try {
      reply = call(send_sms_body(c));
    } catch (const SmsError& e) {
      throw e.with_sent(std::move(sent));
    }
    ++result.calls;
    result.request_ids.push_back(reply.request_id);
    for (auto& s : reply.statuses) {
      auto it = index.find(s.phone_number);
      if (it == index.end()) continue;
      s.requested = result.statuses[it->second].requested;
      result.statuses[it->second] = s;
      if (s.ok()) sent.push_back(std::move(s));
    }
  }
  return result;
}

}  // namespace xiaoqu::notify
