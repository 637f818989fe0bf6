#include "notify/send_sms.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "config/config.hpp"
#include "notify/sms_client.hpp"

#ifndef XIAOQU_TEST_DATA
#define XIAOQU_TEST_DATA "/work/main/tests/data"
#endif

namespace {

using nlohmann::json;
using xiaoqu::notify::SmsError;
namespace notify = xiaoqu::notify;
namespace wechat = xiaoqu::wechat;

const json& vectors() {
  static const json j = [] {
    std::ifstream in(std::string(XIAOQU_TEST_DATA) + "/tc3.json");
    if (!in) throw std::runtime_error("cannot open tc3.json under " XIAOQU_TEST_DATA);
    return json::parse(in);
  }();
  return j;
}

const json& vector_case(const std::string& id) {
  for (const auto& c : vectors().at("cases"))
    if (c.at("id") == id) return c;
  throw std::runtime_error("no tc3 vector " + id);
}

using Headers = std::vector<std::pair<std::string, std::string>>;

Headers sorted(Headers h) {
  std::sort(h.begin(), h.end());
  return h;
}

SmsError error_of(const wechat::HttpResponse& res) {
  try {
    notify::read_send_sms_reply(res);
  } catch (const SmsError& e) {
    return e;
  }
  throw std::runtime_error("no SmsError for: " + res.body);
}

// The gateway's body and headers for a vector's request are the vector's, byte for byte.
TEST(SmsWire, SignedRequestIsTheVectorsRequest) {
  for (const char* id : {"gen-sms-sendsms-x-tc-action", "gen-sms-sendsms-utc-date-boundary"}) {
    SCOPED_TRACE(id);
    const json& c = vector_case(id);
    const json payload = json::parse(c.at("payload").get<std::string>());
    notify::SendSmsCall call;
    call.phone_numbers = payload.at("PhoneNumberSet").get<std::vector<std::string>>();
    call.sdk_app_id = payload.at("SmsSdkAppId");
    call.sign_name = payload.at("SignName");
    call.template_id = payload.at("TemplateId");
    call.template_params = payload.at("TemplateParamSet").get<std::vector<std::string>>();
    call.session_context = payload.at("SessionContext");
    std::string body = notify::send_sms_body(call);
    ASSERT_EQ(body, c.at("payload").get<std::string>());

    xiaoqu::config::SmsConfig sms;
    sms.secret_id = c.at("secret_id");
    sms.secret_key = c.at("secret_key");
    sms.region = c.at("region");
    wechat::HttpRequest req = notify::signed_send_sms(sms, "https://" + c.at("host").get<std::string>(), body,
                                                          c.at("timestamp").get<std::int64_t>());
    EXPECT_EQ(req.method, "POST");
    EXPECT_EQ(req.target, "/");
    EXPECT_EQ(req.body, c.at("payload").get<std::string>());
    Headers sent = req.headers;
    sent.emplace_back("Content-Type", req.content_type);
    EXPECT_EQ(sorted(sent), sorted(c.at("http_headers").get<Headers>()));
    // Content-Type travels once, through content_type, exactly as signed.
    EXPECT_EQ(std::count_if(req.headers.begin(), req.headers.end(), [](const auto& h) { return h.first == "Content-Type"; }), 0);
  }
}

TEST(SmsWire, BodyLeavesOutUnsetOptionalFields) {
  notify::SendSmsCall call;
  call.phone_numbers = {"+8613800138000"};
  call.sdk_app_id = "1400006666";
  call.template_id = "1110";
  EXPECT_EQ(notify::send_sms_body(call), R"({"PhoneNumberSet":["+8613800138000"],"SmsSdkAppId":"1400006666","TemplateId":"1110"})");
}

TEST(SmsWire, HostIsTheBaseUrlsHost) {
  EXPECT_EQ(notify::host_of("https://sms.tencentcloudapi.com"), "sms.tencentcloudapi.com");
  EXPECT_EQ(notify::host_of("https://sms.tencentcloudapi.com:443"), "sms.tencentcloudapi.com");
  EXPECT_EQ(notify::host_of("https://sms.tencentcloudapi.com:8443"), "sms.tencentcloudapi.com:8443");
  EXPECT_EQ(notify::host_of("http://127.0.0.1:9090"), "127.0.0.1:9090");
  EXPECT_EQ(notify::host_of("http://sandbox:80/"), "sandbox");
}

TEST(SmsWire, ReadsPerNumberStatuses) {
  wechat::HttpResponse res{200, vectors().at("sendsms_response_example").dump()};
  notify::SendSmsReply reply = notify::read_send_sms_reply(res);
  EXPECT_EQ(reply.request_id, "6f0c1d2e-3a4b-4c5d-8e9f-0a1b2c3d4e5f");
  ASSERT_EQ(reply.statuses.size(), 2u);
  EXPECT_TRUE(reply.statuses[0].ok());
  EXPECT_EQ(reply.statuses[0].phone_number, "+8613800138000");
  EXPECT_EQ(reply.statuses[0].serial_no, "2028:4405918273645500917263845");
  EXPECT_EQ(reply.statuses[0].fee, 1);
  EXPECT_EQ(reply.statuses[0].session_context, "review-42");
  EXPECT_EQ(reply.statuses[0].iso_code, "CN");
  EXPECT_FALSE(reply.statuses[1].ok());
  EXPECT_TRUE(reply.statuses[1].throttled());
  EXPECT_EQ(reply.statuses[1].code, "LimitExceeded.PhoneNumberDailyLimit");
  EXPECT_EQ(reply.statuses[1].fee, 0);
}

TEST(SmsWire, ResponseErrorBecomesATypedError) {
  SmsError e = error_of({200, vectors().at("error_response_example").dump()});
  EXPECT_EQ(e.kind(), SmsError::Kind::api);
  EXPECT_EQ(e.code(), "AuthFailure.SignatureFailure");
  EXPECT_EQ(e.message(), "(human-readable reason)");
  EXPECT_EQ(e.request_id(), "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d");
  EXPECT_EQ(std::string(e.api()), "sms/SendSms");
  EXPECT_FALSE(e.transient());
  EXPECT_NE(std::string(e.what()).find("AuthFailure.SignatureFailure"), std::string::npos);
}

TEST(SmsWire, HttpStatusAndUnreadableRepliesAreTyped) {
  SmsError bad_gateway = error_of({502, "<html>bad gateway</html>"});
  EXPECT_EQ(bad_gateway.kind(), SmsError::Kind::http_status);
  EXPECT_EQ(bad_gateway.http_status(), 502);
  EXPECT_TRUE(bad_gateway.transient());
  EXPECT_FALSE(error_of({403, "forbidden"}).transient());
  EXPECT_EQ(error_of({200, "not json"}).kind(), SmsError::Kind::bad_response);
  EXPECT_EQ(error_of({200, R"({"Response":{"RequestId":"x"}})"}).kind(), SmsError::Kind::bad_response);
  EXPECT_EQ(error_of({200, R"({"Response":{"Error":{"Message":"no code"}}})"}).kind(), SmsError::Kind::bad_response);
  EXPECT_EQ(error_of({200, R"({"errcode":-1,"errmsg":"wechat shape"})"}).kind(), SmsError::Kind::bad_response);
}

// The handling table of docs/protocol/sms-tc3.md, code by code.
TEST(SmsWire, TransientFollowsTheDocumentedHandling) {
  const std::pair<const char*, bool> rows[] = {
      {"InternalError.Timeout", true},
      {"InternalError.RequestTimeException", true},
      {"InternalError", true},
      {"RequestLimitExceeded", true},
      {"AuthFailure.SignatureExpire", true},
      {"AuthFailure.SignatureFailure", false},
      {"AuthFailure.SecretIdNotFound", false},
      {"AuthFailure.InvalidSecretId", false},
      {"FailedOperation.SignatureIncorrectOrUnapproved", false},
      {"FailedOperation.TemplateIncorrectOrUnapproved", false},
      {"InvalidParameterValue.IncorrectPhoneNumber", false},
      {"InvalidParameterValue.TemplateParameterFormatError", false},
      {"LimitExceeded.PhoneNumberCountLimit", false},
      {"FailedOperation.InsufficientBalanceInSmsPackage", false},
      {"UnauthorizedOperation.SmsSdkAppIdVerifyFail", false},
      {"UnauthorizedOperation.RequestIpNotInWhitelist", false},
  };
  for (auto [code, transient] : rows) EXPECT_EQ(SmsError(SmsError::Kind::api, code, "").transient(), transient) << code;
  SmsError expired(SmsError::Kind::api, "AuthFailure.SignatureExpire", "");
  EXPECT_TRUE(expired.clock_skew());
  EXPECT_FALSE(expired.after_resign().transient()) << "re-signed once already";
  EXPECT_TRUE(SmsError(SmsError::Kind::transport, "", "Connection").transient());
  EXPECT_FALSE(SmsError(SmsError::Kind::invalid_request, "", "x").transient());
}

TEST(SmsWire, ClientRefusesAConfigWithoutSecrets) {
  xiaoqu::config::HttpConfig http;
  wechat::HttpTransport transport(http);
  xiaoqu::config::SmsConfig sms;
  sms.secret_id = "AKIDx";
  sms.sdk_app_id = "1400006666";
  try {
    notify::SmsClient client(transport, sms, "https://sms.tencentcloudapi.com", http);
    FAIL() << "constructed without a secret key";
  } catch (const xiaoqu::config::ConfigError& e) {
    EXPECT_EQ(e.key(), "sms.secret_key");
    EXPECT_NE(std::string(e.what()).find("XIAOQU_SMS__SECRET_KEY"), std::string::npos);
  }
}

TEST(SmsWire, InvalidRequestsAreRefusedBeforeSending) {
  xiaoqu::config::HttpConfig http;
  wechat::HttpTransport transport(http);
  xiaoqu::config::SmsConfig sms{"AKIDx", "key", "1400006666", "", "ap-guangzhou"};
  // Nothing listens on port 1: a request that got sent would be a transport error instead.
  notify::SmsClient client(transport, sms, "http://127.0.0.1:1", http);
  notify::SmsMessage no_template{{"13800138000"}, "", {}, "outbox-1"};
  notify::SmsMessage long_context{{"13800138000"}, "1110", {}, std::string(512, 'x')};
  for (const auto& m : {no_template, long_context}) {
    try {
      client.send(m);
      FAIL() << "sent";
    } catch (const SmsError& e) {
      EXPECT_EQ(e.kind(), SmsError::Kind::invalid_request) << e.what();
    }
  }
}

}  // namespace
