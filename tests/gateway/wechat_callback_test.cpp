// /wechat/callback/{appid} over a real socket: URL check, the three modes, retries,
// and every rejection class with nothing stored.
#include <gtest/gtest.h>

#include "tests/support/test_server.hpp"

using namespace xiaoqu::testing;

namespace {
const std::string kPath = std::string("/wechat/callback/") + kMpAppid;

long long handled(TestServer& s) { return s.count("SELECT count(*) FROM handled_callbacks"); }
}  // namespace

TEST(WechatCallback, UrlVerificationEchoesEchostr) {
  TestServer s;
  auto c = s.client();
  std::string ts = now_ts(), nonce = "1514711492";
  std::string sig = xiaoqu::wechat::sha1_signature({kMpToken, ts, nonce});
  auto r = c.Get((kPath + "?signature=" + sig + "&timestamp=" + ts + "&nonce=" + nonce + "&echostr=4375120948345356249").c_str());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "4375120948345356249");

  auto bad = c.Get((kPath + "?signature=" + std::string(40, '0') + "&timestamp=" + ts + "&nonce=" + nonce + "&echostr=1").c_str());
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 401);
  EXPECT_NE(bad->body, "1");
}

TEST(WechatCallback, SafeModeTextGetsEncryptedPassiveReply) {
  TestServer s;
  auto c = s.client();
  auto push = encrypted_push(kMpToken, kMpKey, kMpAppid, text_message("oUser1", 1001, "3栋漏水"));
  auto r = c.Post((kPath + "?" + push.query).c_str(), push.body, "text/xml");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  std::string receive_id;
  std::string inner = open_reply(kMpToken, kMpKey, r->body, &receive_id);
  ASSERT_FALSE(inner.empty()) << r->body;
  EXPECT_EQ(receive_id, kMpAppid);
  EXPECT_NE(inner.find("<ToUserName><![CDATA[oUser1]]></ToUserName>"), std::string::npos) << inner;
  EXPECT_NE(inner.find("<FromUserName><![CDATA[gh_3f2a91c0d7e5]]></FromUserName>"), std::string::npos);
  EXPECT_NE(inner.find("已收到"), std::string::npos);
  EXPECT_EQ(handled(s), 1);
}

TEST(WechatCallback, PublishedVectorPushIsAccepted) {
  // The vector's timestamp is fixed in the past: the window is switched off to replay it as sent.
  TestServer s(nlohmann::json{{"callbacks", {{"timestamp_window_seconds", 0}}}});
  auto v = vector_case("gen-mp-appid-full-block-pad");
  auto c = s.client();
  auto r = c.Post((kPath + "?" + v["inbound_query"].get<std::string>()).c_str(), v["inbound_envelope_xml"].get<std::string>(), "text/xml");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(handled(s), 1);
}

TEST(WechatCallback, RetryIsAnsweredAsTheFirstDeliveryAndHandledOnce) {
  TestServer s;
  auto c = s.client();
  std::string inner = text_message("oUser2", 2002, "你好");
  auto first = encrypted_push(kMpToken, kMpKey, kMpAppid, inner);
  auto retry = encrypted_push(kMpToken, kMpKey, kMpAppid, inner);  // new nonce and ciphertext, same message
  ASSERT_NE(first.body, retry.body);
  auto r1 = c.Post((kPath + "?" + first.query).c_str(), first.body, "text/xml");
  auto r2 = c.Post((kPath + "?" + retry.query).c_str(), retry.body, "text/xml");
  ASSERT_TRUE(r1 && r2);
  EXPECT_EQ(r1->status, 200);
  EXPECT_EQ(r2->status, 200);
  std::string a = open_reply(kMpToken, kMpKey, r1->body), b = open_reply(kMpToken, kMpKey, r2->body);
  EXPECT_FALSE(a.empty());
  EXPECT_EQ(a, b);
  EXPECT_EQ(handled(s), 1);
  auto m = c.Get("/metrics");
  EXPECT_NE(m->body.find("xiaoqu_callback_duplicates_total 1"), std::string::npos);
}

TEST(WechatCallback, RetryOfAKnownDeliveryIsNotRejectedAsStale) {
  TestServer s(nlohmann::json{{"callbacks", {{"timestamp_window_seconds", 60}}}});
  auto c = s.client();
  std::string inner = text_message("oUser3", 3003, "hi");
  auto first = encrypted_push(kMpToken, kMpKey, kMpAppid, inner);
  ASSERT_EQ(c.Post((kPath + "?" + first.query).c_str(), first.body, "text/xml")->status, 200);
  auto late = encrypted_push(kMpToken, kMpKey, kMpAppid, inner, std::to_string(std::time(nullptr) - 3600));
  auto r = c.Post((kPath + "?" + late.query).c_str(), late.body, "text/xml");
  EXPECT_EQ(r->status, 200);
  EXPECT_FALSE(open_reply(kMpToken, kMpKey, r->body).empty());

  auto stale_new = encrypted_push(kMpToken, kMpKey, kMpAppid, text_message("oUser3", 3004, "new"),
                                  std::to_string(std::time(nullptr) - 3600));
  auto r2 = c.Post((kPath + "?" + stale_new.query).c_str(), stale_new.body, "text/xml");
  EXPECT_EQ(r2->status, 403);
  EXPECT_EQ(handled(s), 1);
}

TEST(WechatCallback, DeduplicationSurvivesRestart) {
  auto dir = temp_dir();
  std::string inner = text_message("oUser4", 4004, "重启前");
  std::string first_reply;
  {
    TestServer s(nlohmann::json::object(), dir);
    auto push = encrypted_push(kMpToken, kMpKey, kMpAppid, inner);
    auto r = s.client().Post((kPath + "?" + push.query).c_str(), push.body, "text/xml");
    first_reply = open_reply(kMpToken, kMpKey, r->body);
  }
  TestServer s(nlohmann::json::object(), dir);
  auto push = encrypted_push(kMpToken, kMpKey, kMpAppid, inner);
  auto r = s.client().Post((kPath + "?" + push.query).c_str(), push.body, "text/xml");
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(open_reply(kMpToken, kMpKey, r->body), first_reply);
  EXPECT_EQ(handled(s), 1);
  EXPECT_NE(s.client().Get("/metrics")->body.find("xiaoqu_callback_duplicates_total 1"), std::string::npos);
}

TEST(WechatCallback, EventsWithoutHandlerAreAnsweredSuccess) {
  TestServer s;
  std::string ts = now_ts();
  std::string inner = "<xml><ToUserName><![CDATA[gh_3f2a91c0d7e5]]></ToUserName><FromUserName><![CDATA[oUser5]]></FromUserName><CreateTime>" +
                      ts + "</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[SCAN]]></Event><EventKey><![CDATA[bind-7f3a]]></EventKey><Ticket><![CDATA[gQ==]]></Ticket></xml>";
  auto push = encrypted_push(kMpToken, kMpKey, kMpAppid, inner, ts);
  auto r = s.client().Post((kPath + "?" + push.query).c_str(), push.body, "text/xml");
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "success");
  EXPECT_NE(s.client().Get("/metrics")->body.find("kind=\"mp.event.scan\""), std::string::npos);
}

TEST(WechatCallback, PlaintextModeChecksSignatureAndRepliesInClear) {
  TestServer s;
  auto c = s.client();
  std::string ts = now_ts(), nonce = random_nonce();
  std::string path = std::string("/wechat/callback/") + kPlainAppid;
  std::string sig = xiaoqu::wechat::sha1_signature({kPlainToken, ts, nonce});
  auto r = c.Post((path + "?signature=" + sig + "&timestamp=" + ts + "&nonce=" + nonce + "&openid=oP").c_str(),
                  text_message("oP", 5005, "明文"), "text/xml");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_NE(r->body.find("<ToUserName><![CDATA[oP]]></ToUserName>"), std::string::npos) << r->body;

  auto bad = c.Post((path + "?signature=" + std::string(40, 'a') + "&timestamp=" + ts + "&nonce=" + nonce).c_str(),
                    text_message("oP", 5006, "伪造"), "text/xml");
  EXPECT_EQ(bad->status, 401);
  EXPECT_EQ(handled(s), 1);
}

TEST(WechatCallback, CompatibleModeAcceptsBothForms) {
  TestServer s;
  auto c = s.client();
  std::string path = std::string("/wechat/callback/") + kCompatAppid;
  auto push = encrypted_push(kCompatToken, kCompatKey, kCompatAppid, text_message("oC", 6006, "兼容"));
  auto r = c.Post((path + "?" + push.query).c_str(), push.body, "text/xml");
  EXPECT_EQ(r->status, 200);
  EXPECT_FALSE(open_reply(kCompatToken, kCompatKey, r->body).empty()) << r->body;

  std::string ts = now_ts(), nonce = random_nonce();
  std::string sig = xiaoqu::wechat::sha1_signature({kCompatToken, ts, nonce});
  auto plain = c.Post((path + "?signature=" + sig + "&timestamp=" + ts + "&nonce=" + nonce).c_str(),
                      text_message("oC", 6007, "明文"), "text/xml");
  EXPECT_EQ(plain->status, 200);
  EXPECT_NE(plain->body.find("<ToUserName><![CDATA[oC]]></ToUserName>"), std::string::npos);
}

struct RejectionCase {
  const char* name;
  int status;
  const char* reason;
};

class WechatRejection : public ::testing::TestWithParam<RejectionCase> {};

TEST_P(WechatRejection, IsRefusedWithItsStatusAndStoresNothing) {
  const auto& rc = GetParam();
  TestServer s;
  auto c = s.client();
  std::string name = rc.name;
  std::string path = kPath, query, body;
  if (name == "missing_signature") {
    auto p = encrypted_push(kMpToken, kMpKey, kMpAppid, text_message("oX", 1, "x"));
    body = p.body;
    query = "timestamp=" + now_ts() + "&nonce=1&encrypt_type=aes";
  } else if (name == "forged_signature") {
    auto p = encrypted_push("otherToken", kMpKey, kMpAppid, text_message("oX", 1, "x"));
    query = p.query;
    body = p.body;
  } else if (name == "stale_timestamp") {
    auto p = encrypted_push(kMpToken, kMpKey, kMpAppid, text_message("oX", 1, "x"), std::to_string(std::time(nullptr) - 7200));
    query = p.query;
    body = p.body;
  } else if (name == "bad_base64") {
    auto p = signed_envelope(kMpToken, "not*base64!");
    query = p.query;
    body = p.body;
  } else if (name == "bad_padding") {
    auto p = signed_envelope(kMpToken, "AAAAAAAAAAAAAAAAAAAAAAAAAAAA");  // 21 bytes: not a block multiple
    query = p.query;
    body = p.body;
  } else if (name == "wrong_receive_id") {
    auto p = encrypted_push(kMpToken, kMpKey, "wx0000000000000000", text_message("oX", 1, "x"));
    query = p.query;
    body = p.body;
  } else if (name == "malformed_envelope") {
    query = "timestamp=" + now_ts() + "&nonce=1&encrypt_type=aes&msg_signature=00";
    body = "<xml><Encrypt>unterminated";
  } else if (name == "malformed_message") {
    auto p = encrypted_push(kMpToken, kMpKey, kMpAppid, "<xml><MsgType>text</MsgType>");
    query = p.query;
    body = p.body;
  } else if (name == "dtd_message") {
    auto p = encrypted_push(kMpToken, kMpKey, kMpAppid,
                            "<!DOCTYPE xml [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><xml><MsgType>text</MsgType><Content>&x;</Content></xml>");
    query = p.query;
    body = p.body;
  } else if (name == "unknown_appid") {
    auto p = encrypted_push(kMpToken, kMpKey, kMpAppid, text_message("oX", 1, "x"));
    path = "/wechat/callback/wx9999999999999999";
    query = p.query;
    body = p.body;
  } else if (name == "plaintext_to_safe_account") {
    std::string ts = now_ts();
    query = "signature=" + xiaoqu::wechat::sha1_signature({kMpToken, ts, "1"}) + "&timestamp=" + ts + "&nonce=1";
    body = text_message("oX", 1, "x");
  } else if (name == "oversized_body") {
    auto p = encrypted_push(kMpToken, kMpKey, kMpAppid, text_message("oX", 1, std::string(1100 * 1024, 'a')));
    query = p.query;
    body = p.body;
  }
  auto r = c.Post((path + "?" + query).c_str(), body, "text/xml");
  ASSERT_TRUE(r) << "no response for " << name;
  EXPECT_EQ(r->status, rc.status) << name << ": " << r->body;
  EXPECT_NE(r->body, "success");
  EXPECT_EQ(handled(s), 0);
  auto m = s.client().Get("/metrics");
  std::string label = std::string("xiaoqu_rejections_total{reason=\"") + rc.reason + "\"} 1";
  EXPECT_NE(m->body.find(label), std::string::npos) << label;
}

INSTANTIATE_TEST_SUITE_P(
    AllClasses, WechatRejection,
    ::testing::Values(RejectionCase{"missing_signature", 400, "missing_parameter"},
                      RejectionCase{"forged_signature", 401, "bad_signature"},
                      RejectionCase{"stale_timestamp", 403, "stale_timestamp"},
                      RejectionCase{"bad_base64", 400, "bad_base64"},
                      RejectionCase{"bad_padding", 400, "bad_padding"},
                      RejectionCase{"wrong_receive_id", 403, "wrong_receive_id"},
                      RejectionCase{"malformed_envelope", 400, "malformed_xml"},
                      RejectionCase{"malformed_message", 400, "malformed_xml"},
                      RejectionCase{"dtd_message", 400, "malformed_xml"},
                      RejectionCase{"unknown_appid", 404, "unknown_account"},
                      RejectionCase{"plaintext_to_safe_account", 400, "missing_parameter"},
                      RejectionCase{"oversized_body", 413, "body_too_large"}),
    [](const auto& info) { return std::string(info.param.name); });
