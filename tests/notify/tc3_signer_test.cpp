#include "notify/tc3_signer.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#ifndef XIAOQU_TEST_DATA
#define XIAOQU_TEST_DATA "/work/main/tests/data"
#endif

namespace {

using nlohmann::json;
namespace tc3 = xiaoqu::notify::tc3;

const json& vectors() {
  static const json j = [] {
    std::ifstream in(std::string(XIAOQU_TEST_DATA) + "/tc3.json");
    if (!in) throw std::runtime_error("cannot open tc3.json under " XIAOQU_TEST_DATA);
    return json::parse(in);
  }();
  return j;
}

std::vector<std::string> case_ids() {
  std::vector<std::string> ids;
  for (const auto& c : vectors().at("cases")) ids.push_back(c.at("id").get<std::string>());
  return ids;
}

const json& vector_case(const std::string& id) {
  for (const auto& c : vectors().at("cases"))
    if (c.at("id") == id) return c;
  throw std::runtime_error("no tc3 vector " + id);
}

std::string str(const json& c, const char* key) { return c.at(key).get<std::string>(); }

// The signer's input from a vector's fields; headers given in mixed case and out of order.
tc3::Signature sign_case(const json& c, const std::string& payload) {
  tc3::SignInput in;
  std::string id = str(c, "secret_id"), key = str(c, "secret_key"), service = str(c, "service"), method = str(c, "method");
  in.secret_id = id;
  in.secret_key = key;
  in.service = service;
  in.method = method;
  in.timestamp = c.at("timestamp").get<std::int64_t>();
  if (c.at("sign_action_header").get<bool>()) in.headers.emplace_back("X-TC-Action", str(c, "action"));
  in.headers.emplace_back("Host", str(c, "host"));
  in.headers.emplace_back("Content-Type", str(c, "content_type"));
  in.payload = payload;
  return tc3::sign(in);
}

TEST(Tc3Vectors, FileHoldsTheFiveDocumentedCases) {
  EXPECT_EQ(vectors().at("schema"), "xiaoqu/tc3-vectors/1");
  EXPECT_EQ(case_ids(), (std::vector<std::string>{"tencent-doc-cvm-content-type-host", "tencent-doc-cvm-with-x-tc-action",
                                                  "gen-sms-sendsms-x-tc-action", "gen-sms-sendsms-content-type-host",
                                                  "gen-sms-sendsms-utc-date-boundary"}));
}

class Tc3VectorTest : public ::testing::TestWithParam<std::string> {};

TEST_P(Tc3VectorTest, EveryIntermediateMatches) {
  const json& c = vector_case(GetParam());
  std::string payload = str(c, "payload");
  ASSERT_EQ(payload.size(), c.at("payload_utf8_len").get<std::size_t>()) << "payload bytes as the vector counts them";
  tc3::Signature s = sign_case(c, payload);
  EXPECT_EQ(s.date, str(c, "date"));
  EXPECT_EQ(s.payload_sha256, str(c, "payload_sha256"));
  EXPECT_EQ(s.canonical_headers, str(c, "canonical_headers"));
  EXPECT_EQ(s.signed_headers, str(c, "signed_headers"));
  EXPECT_EQ(s.canonical_request, str(c, "canonical_request"));
  EXPECT_EQ(s.canonical_request_sha256, str(c, "canonical_request_sha256"));
  EXPECT_EQ(s.credential_scope, str(c, "credential_scope"));
  EXPECT_EQ(s.string_to_sign, str(c, "string_to_sign"));
  EXPECT_EQ(tc3::to_hex(s.secret_date), str(c, "secret_date_hex"));
  EXPECT_EQ(tc3::to_hex(s.secret_service), str(c, "secret_service_hex"));
  EXPECT_EQ(tc3::to_hex(s.secret_signing), str(c, "secret_signing_hex"));
  EXPECT_EQ(s.signature, str(c, "signature"));
  EXPECT_EQ(s.authorization, str(c, "authorization"));
  // The Authorization header the vector sends is the one we produce.
  bool found = false;
  for (const auto& h : c.at("http_headers"))
    if (h.at(0) == "Authorization") found = (h.at(1) == s.authorization);
  EXPECT_TRUE(found);
}

TEST_P(Tc3VectorTest, PieceFunctionsAgreeWithTheVector) {
  const json& c = vector_case(GetParam());
  EXPECT_EQ(tc3::utc_date(c.at("timestamp").get<std::int64_t>()), str(c, "date"));
  EXPECT_EQ(tc3::sha256_hex(str(c, "payload")), str(c, "payload_sha256"));
  EXPECT_EQ(tc3::sha256_hex(str(c, "canonical_request")), str(c, "canonical_request_sha256"));
  EXPECT_EQ(tc3::canonical_request(str(c, "method"), "", str(c, "canonical_headers"), str(c, "signed_headers"), str(c, "payload_sha256")),
            str(c, "canonical_request"));
  EXPECT_EQ(tc3::string_to_sign(c.at("timestamp").get<std::int64_t>(), str(c, "credential_scope"), str(c, "canonical_request_sha256")),
            str(c, "string_to_sign"));
  std::string k_date = tc3::hmac_sha256("TC3" + str(c, "secret_key"), str(c, "date"));
  EXPECT_EQ(tc3::to_hex(k_date), str(c, "secret_date_hex"));
}

TEST_P(Tc3VectorTest, AuthorizationParsesBackToItsParts) {
  const json& c = vector_case(GetParam());
  auto a = tc3::parse_authorization(str(c, "authorization"));
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->secret_id, str(c, "secret_id"));
  EXPECT_EQ(a->date, str(c, "date"));
  EXPECT_EQ(a->service, str(c, "service"));
  EXPECT_EQ(a->signed_headers, str(c, "signed_headers"));
  EXPECT_EQ(a->signature, str(c, "signature"));
}

INSTANTIATE_TEST_SUITE_P(Tc3, Tc3VectorTest, ::testing::ValuesIn(case_ids()), [](const auto& info) {
  std::string name = info.param;
  for (auto& ch : name)
    if (ch == '-') ch = '_';
  return name;
});

TEST(Tc3Signer, DateIsTheUtcDateOfTheTimestamp) {
  EXPECT_EQ(tc3::utc_date(0), "1970-01-01");
  EXPECT_EQ(tc3::utc_date(1735660799), "2024-12-31");  // 23:59:59 Beijing, 15:59:59 UTC
  EXPECT_EQ(tc3::utc_date(1735660800), "2024-12-31");  // 00:00 Beijing on 2025-01-01
  EXPECT_EQ(tc3::utc_date(1735689599), "2024-12-31");
  EXPECT_EQ(tc3::utc_date(1735689600), "2025-01-01");
  EXPECT_EQ(tc3::utc_date(951782400), "2000-02-29");
  EXPECT_EQ(tc3::utc_date(4102444800), "2100-01-01");
}

TEST(Tc3Signer, CanonicalHeadersAreLowerCasedTrimmedAndSorted) {
  auto [block, names] = tc3::canonical_headers(
      {{"X-TC-Action", " SendSms "}, {"HOST", "\tSMS.TencentCloudAPI.com"}, {"Content-Type", "application/json; charset=utf-8 "}});
  EXPECT_EQ(block, "content-type:application/json; charset=utf-8\nhost:sms.tencentcloudapi.com\nx-tc-action:sendsms\n");
  EXPECT_EQ(names, "content-type;host;x-tc-action");
}

TEST(Tc3Signer, EverySignedInputChangesTheSignature) {
  const json& c = vector_case("gen-sms-sendsms-x-tc-action");
  std::string payload = str(c, "payload");
  const std::string reference = sign_case(c, payload).signature;
  ASSERT_EQ(reference, str(c, "signature"));

  std::string altered = payload;
  altered.back() = ' ';
  EXPECT_NE(sign_case(c, altered).signature, reference) << "payload";
  json later = c;
  later["timestamp"] = c.at("timestamp").get<std::int64_t>() + 1;
  EXPECT_NE(sign_case(later, payload).signature, reference) << "timestamp";
  json other_key = c;
  other_key["secret_key"] = str(c, "secret_key") + "x";
  EXPECT_NE(sign_case(other_key, payload).signature, reference) << "secret key";
  json other_host = c;
  other_host["host"] = "sms.ap-guangzhou.tencentcloudapi.com";
  EXPECT_NE(sign_case(other_host, payload).signature, reference) << "host";
  json other_type = c;
  other_type["content_type"] = "application/json";
  EXPECT_NE(sign_case(other_type, payload).signature, reference) << "content type";
  json other_id = c;
  other_id["secret_id"] = "AKIDother";
  EXPECT_EQ(sign_case(other_id, payload).signature, reference) << "the SecretId is only in the Credential";
}

TEST(Tc3Signer, MalformedAuthorizationIsRefused) {
  const std::string good = str(vector_case("gen-sms-sendsms-x-tc-action"), "authorization");
  ASSERT_TRUE(tc3::parse_authorization(good));
  for (const std::string& bad : {
           std::string(""),
           std::string("TC3-HMAC-SHA1 Credential=A/2024-11-25/sms/tc3_request, SignedHeaders=host, Signature=00"),
           std::string("TC3-HMAC-SHA256"),
           std::string("TC3-HMAC-SHA256 Credential=A/2024-11-25/sms/tc3_request, SignedHeaders=host"),
           std::string("TC3-HMAC-SHA256 Credential=2024-11-25/sms/tc3_request, SignedHeaders=host, Signature=00"),
           std::string("TC3-HMAC-SHA256 Credential=A/2024-11-25/sms/tc4_request, SignedHeaders=host, Signature=00"),
           std::string("TC3-HMAC-SHA256 Credential=A/2024-11-25/sms/tc3_request, SignedHeaders=host, Signature=00, Extra=1"),
           std::string("TC3-HMAC-SHA256 Credential=A/2024-11-25/sms/tc3_request, SignedHeaders, Signature=00"),
       })
    EXPECT_FALSE(tc3::parse_authorization(bad)) << bad;
}

TEST(Tc3Signer, EqualComparesWholeStrings) {
  EXPECT_TRUE(tc3::equal("abc", "abc"));
  EXPECT_FALSE(tc3::equal("abc", "abd"));
  EXPECT_FALSE(tc3::equal("abc", "ab"));
  EXPECT_TRUE(tc3::equal("", ""));
}

}  // namespace
