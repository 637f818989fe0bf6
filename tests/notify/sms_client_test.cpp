#include "notify/sms_client.hpp"

#include <gtest/gtest.h>

#include <ctime>
#include <set>
#include <string>
#include <vector>

#include "tests/notify/sms_sandbox.hpp"

namespace {

using nlohmann::json;
using xiaoqu::notify::SmsError;
using xiaoqu::notify::SmsMessage;
using xiaoqu::notify::SmsResult;
using xiaoqu::testing::SmsSandbox;

std::int64_t now() { return static_cast<std::int64_t>(std::time(nullptr)); }

SmsMessage message(std::vector<std::string> phones, std::string outbox = "outbox-17") {
  return SmsMessage{std::move(phones), "1110", {"1234", "5"}, std::move(outbox)};
}

template <class F>
SmsError error_of(F&& f) {
  try {
    f();
  } catch (const SmsError& e) {
    return e;
  }
  throw std::runtime_error("no SmsError");
}

std::vector<std::string> numbers(int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back(std::to_string(13900000000LL + i));
  return out;
}

TEST(SmsClient, SendIsVerifiedByTheSandboxAndRecorded) {
  SmsSandbox box;
  SmsResult r = box.client().send(message({"13800138000", "+8618511122266"}));
  EXPECT_TRUE(r.all_ok());
  EXPECT_EQ(r.calls, 1u);
  ASSERT_EQ(r.request_ids.size(), 1u);
  EXPECT_FALSE(r.request_ids[0].empty());
  ASSERT_EQ(r.statuses.size(), 2u);
  EXPECT_EQ(r.statuses[0].requested, "13800138000");
  EXPECT_EQ(r.statuses[0].phone_number, "+8613800138000");
  EXPECT_EQ(r.statuses[0].code, "Ok");
  EXPECT_EQ(r.statuses[0].fee, 1);
  EXPECT_EQ(r.statuses[0].session_context, "outbox-17");
  EXPECT_FALSE(r.statuses[0].serial_no.empty());
  EXPECT_NE(r.statuses[0].serial_no, r.statuses[1].serial_no);
  EXPECT_EQ(box.sandbox().counter("sms signature_verified"), 1u);

  json m = box.messages();
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0]["phone"], "+8613800138000");
  EXPECT_EQ(m[1]["phone"], "+8618511122266");
  EXPECT_EQ(m[0]["template_id"], "1110");
  EXPECT_EQ(m[0]["params"], json({"1234", "5"}));
  EXPECT_EQ(m[0]["session_context"], "outbox-17");
  EXPECT_EQ(m[0]["sign_name"], xiaoqu::testing::kSmsSignName);
  EXPECT_EQ(m[0]["sdk_app_id"], xiaoqu::testing::kSmsAppId);
  EXPECT_EQ(m[0]["signed_headers"], "content-type;host;x-tc-action");
  EXPECT_EQ(m[0]["serial_no"], r.statuses[0].serial_no);
}

TEST(SmsClient, WrongSecretKeyIsASignatureFailureNotRetried) {
  SmsSandbox box;
  auto sms = box.config().sms;
  sms.secret_key = "notTheSandboxKey0123456789abcdef";
  SmsError e = error_of([&] { box.client(sms).send(message({"13800138000"})); });
  EXPECT_EQ(e.kind(), SmsError::Kind::api);
  EXPECT_EQ(e.code(), "AuthFailure.SignatureFailure");
  EXPECT_FALSE(e.transient());
  EXPECT_FALSE(e.request_id().empty());
  EXPECT_TRUE(e.sent().empty());
  EXPECT_EQ(box.calls(), 1u) << "a configuration error is not retried";
  EXPECT_TRUE(box.messages().empty());
  // Secrets stay out of the error text that ends up in logs.
  EXPECT_EQ(std::string(e.what()).find(sms.secret_key), std::string::npos);
  EXPECT_EQ(std::string(e.what()).find(xiaoqu::testing::kSmsSecretKey), std::string::npos);
}

TEST(SmsClient, UnknownSecretIdIsSecretIdNotFound) {
  SmsSandbox box;
  auto sms = box.config().sms;
  sms.secret_id = "AKIDsomeoneElse";
  SmsError e = error_of([&] { box.client(sms).send(message({"13800138000"})); });
  EXPECT_EQ(e.code(), "AuthFailure.SecretIdNotFound");
  EXPECT_FALSE(e.transient());
  EXPECT_EQ(box.calls(), 1u);
}

TEST(SmsClient, SkewedClockIsSignatureExpireAfterOneResign) {
  SmsSandbox box;
  SmsError e = error_of([&] { box.client([] { return now() - 1000; }).send(message({"13800138000"})); });
  EXPECT_EQ(e.code(), "AuthFailure.SignatureExpire");
  EXPECT_TRUE(e.clock_skew());
  EXPECT_FALSE(e.transient()) << "the one re-signed retry is spent";
  EXPECT_EQ(box.calls(), 2u) << "signed once, re-signed once";
  EXPECT_TRUE(box.messages().empty());
}

TEST(SmsClient, ExpiredTimestampIsResignedWithAFreshOne) {
  SmsSandbox box;
  int reads = 0;
  // Only the first reading is off: the retry carries a fresh, correct timestamp.
  SmsResult r = box.client([&] { return ++reads == 1 ? now() + 900 : now(); }).send(message({"13800138000"}));
  EXPECT_TRUE(r.all_ok());
  EXPECT_EQ(reads, 2);
  EXPECT_EQ(box.calls(), 2u);
  EXPECT_EQ(box.sandbox().counter("sms errors AuthFailure.SignatureExpire"), 1u);
}

TEST(SmsClient, TwoHundredFiftyNumbersTakeTwoCalls) {
  SmsSandbox box;
  SmsResult r = box.client().send(message(numbers(250)));
  EXPECT_EQ(r.calls, 2u);
  EXPECT_EQ(box.calls(), 2u);
  ASSERT_EQ(r.request_ids.size(), 2u);
  EXPECT_NE(r.request_ids[0], r.request_ids[1]);
  ASSERT_EQ(r.statuses.size(), 250u);
  EXPECT_TRUE(r.all_ok());
  EXPECT_EQ(r.statuses[249].phone_number, "+8613900000249");
  EXPECT_EQ(box.messages().size(), 250u);
  EXPECT_EQ(box.sandbox().counter("sms errors LimitExceeded.PhoneNumberCountLimit"), 0u);
}

TEST(SmsClient, ExactlyTwoHundredNumbersTakeOneCall) {
  SmsSandbox box;
  SmsResult r = box.client().send(message(numbers(200)));
  EXPECT_EQ(r.calls, 1u);
  EXPECT_TRUE(r.all_ok());
}

TEST(SmsClient, PerNumberFailureIsReportedForThatNumberOnly) {
  SmsSandbox box;
  box.phone_fault("18511122266", "LimitExceeded.PhoneNumberDailyLimit");
  SmsResult r = box.client().send(message({"13800138000", "8618511122266", "13912345678"}));
  EXPECT_FALSE(r.all_ok());
  ASSERT_EQ(r.statuses.size(), 3u);
  EXPECT_TRUE(r.statuses[0].ok());
  EXPECT_TRUE(r.statuses[2].ok());
  const auto* failed = r.find("+8618511122266");
  ASSERT_NE(failed, nullptr);
  EXPECT_EQ(failed, &r.statuses[1]);
  EXPECT_EQ(failed->requested, "8618511122266");
  EXPECT_EQ(failed->code, "LimitExceeded.PhoneNumberDailyLimit");
  EXPECT_TRUE(failed->throttled());
  EXPECT_EQ(failed->fee, 0);
  ASSERT_EQ(r.failures().size(), 1u);
  EXPECT_EQ(r.failures()[0].phone_number, "+8618511122266");
  json m = box.messages();
  ASSERT_EQ(m.size(), 2u);
  for (const auto& x : m) EXPECT_NE(x["phone"], "+8618511122266");
}

TEST(SmsClient, InternalErrorIsRetried) {
  SmsSandbox box;
  box.call_fault("InternalError.Timeout", 1);
  SmsResult r = box.client().send(message({"13800138000"}));
  EXPECT_TRUE(r.all_ok());
  EXPECT_EQ(box.calls(), 2u);
  EXPECT_EQ(box.messages().size(), 1u);
}

TEST(SmsClient, PersistentInternalErrorSurfacesAsTransient) {
  SmsSandbox box;
  box.call_fault("InternalError.BackendTimeout", -1);
  SmsError e = error_of([&] { box.client().send(message({"13800138000"})); });
  EXPECT_EQ(e.code(), "InternalError.BackendTimeout");
  EXPECT_TRUE(e.transient()) << "the caller's outbox may try again later";
  EXPECT_EQ(box.calls(), box.config().http.max_attempts);
}

TEST(SmsClient, FailedSecondCallReportsWhatTheFirstSent) {
  SmsSandbox box;
  box.call_fault("FailedOperation.InsufficientBalanceInSmsPackage", 1, /*after=*/1);
  SmsError e = error_of([&] { box.client().send(message(numbers(250))); });
  EXPECT_EQ(e.code(), "FailedOperation.InsufficientBalanceInSmsPackage");
  EXPECT_FALSE(e.transient());
  ASSERT_EQ(e.sent().size(), 200u);
  EXPECT_EQ(e.sent().front().phone_number, "+8613900000000");
  EXPECT_EQ(e.sent().back().phone_number, "+8613900000199");
  EXPECT_EQ(box.calls(), 2u);
  EXPECT_EQ(box.messages().size(), 200u);
}

TEST(SmsClient, TransportFailureIsTransient) {
  SmsSandbox box;
  auto cfg = box.config();
  xiaoqu::wechat::HttpTransport transport(cfg.http);
  // Nothing listens on port 1.
  xiaoqu::notify::SmsClient client(transport, cfg.sms, "http://127.0.0.1:1", cfg.http);
  SmsError e = error_of([&] { client.send(message({"13800138000"})); });
  EXPECT_EQ(e.kind(), SmsError::Kind::transport);
  EXPECT_TRUE(e.transient());
}

TEST(SmsClient, BadNumbersAreReportedAndNotSent) {
  SmsSandbox box;
  SmsResult r = box.client().send(message({"13800138000", "12345", "+85261234567", "+86 138 0013 8000"}));
  ASSERT_EQ(r.statuses.size(), 3u) << "the duplicate of the first number is collapsed";
  EXPECT_TRUE(r.statuses[0].ok());
  EXPECT_EQ(r.statuses[1].requested, "12345");
  EXPECT_EQ(r.statuses[1].code, "InvalidParameterValue.IncorrectPhoneNumber");
  EXPECT_TRUE(r.statuses[1].phone_number.empty());
  EXPECT_EQ(r.statuses[2].requested, "+85261234567");
  EXPECT_FALSE(r.statuses[2].ok());
  EXPECT_EQ(r.failures().size(), 2u);
  EXPECT_EQ(box.messages().size(), 1u);

  SmsResult none = box.client().send(message({"12345"}));
  EXPECT_EQ(none.calls, 0u);
  EXPECT_EQ(box.calls(), 1u) << "no call for a message without a valid number";
}

// ---- the sandbox's own checks, with hand-made requests ----

TEST(SmsSandbox, RefusesMoreThanTwoHundredNumbersInOneCall) {
  SmsSandbox box;
  json body = {{"PhoneNumberSet", json::array()}, {"SmsSdkAppId", xiaoqu::testing::kSmsAppId}, {"SignName", xiaoqu::testing::kSmsSignName},
               {"TemplateId", "1110"}};
  for (const auto& n : numbers(201)) body["PhoneNumberSet"].push_back("+86" + n);
  SmsError e = error_of([&] { box.raw(box.signed_request(body.dump())); });
  EXPECT_EQ(e.code(), "LimitExceeded.PhoneNumberCountLimit");
  EXPECT_TRUE(box.messages().empty());
}

TEST(SmsSandbox, RefusesBadInput) {
  SmsSandbox box;
  const std::string app = xiaoqu::testing::kSmsAppId, sign = xiaoqu::testing::kSmsSignName;
  const std::pair<json, const char*> rows[] = {
      {{{"PhoneNumberSet", {"+8613800138000"}}, {"SmsSdkAppId", app}, {"SignName", sign}}, "MissingParameter"},
      {{{"SmsSdkAppId", app}, {"SignName", sign}, {"TemplateId", "1110"}}, "MissingParameter"},
      {{{"PhoneNumberSet", {"+861380013800"}}, {"SmsSdkAppId", app}, {"SignName", sign}, {"TemplateId", "1110"}},
       "InvalidParameterValue.IncorrectPhoneNumber"},
      {{{"PhoneNumberSet", {"+8613800138000"}}, {"SmsSdkAppid", app}, {"Sign", sign}, {"TemplateID", "1110"}}, "UnknownParameter"},
      {{{"PhoneNumberSet", {"+8613800138000"}}, {"SmsSdkAppId", "1400000000"}, {"SignName", sign}, {"TemplateId", "1110"}},
       "UnauthorizedOperation.SmsSdkAppIdVerifyFail"},
      {{{"PhoneNumberSet", {"+8613800138000"}}, {"SmsSdkAppId", app}, {"SignName", sign}, {"TemplateId", "1110"}, {"TemplateParamSet", {1234}}},
       "InvalidParameterValue.TemplateParameterFormatError"},
      {{{"PhoneNumberSet", {"+8613800138000"}}, {"SmsSdkAppId", app}, {"SignName", "别家物业"}, {"TemplateId", "1110"}},
       "FailedOperation.SignatureIncorrectOrUnapproved"},
  };
  for (const auto& [body, code] : rows) EXPECT_EQ(error_of([&] { box.raw(box.signed_request(body.dump())); }).code(), code) << body.dump();
  EXPECT_TRUE(box.messages().empty());
}

TEST(SmsSandbox, RefusesRequestsThatDifferFromWhatWasSigned) {
  SmsSandbox box;
  const std::string body = R"({"PhoneNumberSet":["+8613800138000"],"SmsSdkAppId":"1400006666","SignName":"阳光物业","TemplateId":"1110"})";
  ASSERT_EQ(box.raw(box.signed_request(body)).statuses.size(), 1u) << "the untouched request is accepted";

  auto tampered_body = box.signed_request(body);
  tampered_body.body.replace(tampered_body.body.find("1110"), 4, "1111");
  EXPECT_EQ(error_of([&] { box.raw(tampered_body); }).code(), "AuthFailure.SignatureFailure");

  // The documented pitfall: a Content-Type that differs from the signed one.
  auto other_type = box.signed_request(body);
  other_type.content_type = "application/json";
  EXPECT_EQ(error_of([&] { box.raw(other_type); }).code(), "AuthFailure.SignatureFailure");

  auto other_host = box.signed_request(body);
  for (auto& [k, v] : other_host.headers)
    if (k == "Host") v = "sms.tencentcloudapi.com";
  EXPECT_EQ(error_of([&] { box.raw(other_host); }).code(), "AuthFailure.SignatureFailure");

  auto no_auth = box.signed_request(body);
  std::erase_if(no_auth.headers, [](const auto& h) { return h.first == "Authorization"; });
  EXPECT_EQ(error_of([&] { box.raw(no_auth); }).code(), "AuthFailure.InvalidAuthorization");

  auto old_ts = xiaoqu::notify::signed_send_sms(box.config().sms, box.base_url(), body, now() - 301);
  EXPECT_EQ(error_of([&] { box.raw(old_ts); }).code(), "AuthFailure.SignatureExpire");
  auto edge_ts = xiaoqu::notify::signed_send_sms(box.config().sms, box.base_url(), body, now() - 250);
  EXPECT_EQ(box.raw(edge_ts).statuses.size(), 1u) << "within 300 s is accepted";
  EXPECT_EQ(box.messages().size(), 2u);
}

}  // namespace
