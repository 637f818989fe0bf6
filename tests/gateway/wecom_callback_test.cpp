// /wecom/callback/{id} over a real socket: encrypted URL verification, app messages and
// suite instructions, the receive-id set, and rejections.
#include <gtest/gtest.h>

#include "store/platform_records.hpp"
#include "tests/support/test_server.hpp"

using namespace xiaoqu::testing;
namespace store = xiaoqu::store;

namespace {
std::string verify_query(const char* token, const char* key, const std::string& receive_id, const std::string& echo,
                         std::string* echostr_out = nullptr) {
  xiaoqu::wechat::MsgCrypt crypt(token, key);
  std::string echostr = crypt.encrypt(echo, receive_id);
  if (echostr_out) *echostr_out = echostr;
  std::string ts = now_ts(), nonce = random_nonce();
  return "msg_signature=" + xiaoqu::wechat::sha1_signature({token, ts, nonce, echostr}) + "&timestamp=" + ts + "&nonce=" + nonce +
         "&echostr=" + httplib::detail::encode_query_param(echostr);
}
std::string instruction(const std::string& fields) {
  return "<xml><SuiteId><![CDATA[" + std::string(kSuiteId) + "]]></SuiteId>" + fields + "<TimeStamp>" + now_ts() + "</TimeStamp></xml>";
}
}  // namespace

TEST(WecomCallback, UrlVerificationReturnsTheDecryptedEchostr) {
  TestServer s;
  auto r = s.client().Get(("/wecom/callback/corp?" + verify_query(kCorpToken, kCorpKey, kCorpId, "1616140317555161061")).c_str());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "1616140317555161061");
}

TEST(WecomCallback, UrlVerificationToleratesALiteralPlusInEchostr) {
  TestServer s;
  // Find an echostr with '+' and send it unencoded: it must stay '+', not become a space.
  for (int i = 0; i < 200; ++i) {
    std::string echostr;
    std::string q = verify_query(kCorpToken, kCorpKey, kCorpId, "echo" + std::to_string(i), &echostr);
    if (echostr.find('+') == std::string::npos) continue;
    std::string raw = q.substr(0, q.find("&echostr=")) + "&echostr=";
    for (char ch : echostr) raw += (ch == '/') ? std::string("%2F") : (ch == '=') ? std::string("%3D") : std::string(1, ch);
    auto r = s.client().Get(("/wecom/callback/corp?" + raw).c_str());
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "echo" + std::to_string(i));
    return;
  }
  FAIL() << "no echostr with '+' in 200 tries";
}

TEST(WecomCallback, UrlVerificationRefusesOtherReceiveIds) {
  TestServer s;
  auto r = s.client().Get(("/wecom/callback/corp?" + verify_query(kCorpToken, kCorpKey, "wwOTHERCORP", "123")).c_str());
  EXPECT_EQ(r->status, 403);
  auto forged = s.client().Get(("/wecom/callback/corp?" + verify_query("badToken", kCorpKey, kCorpId, "123")).c_str());
  EXPECT_EQ(forged->status, 401);
}

TEST(WecomCallback, ConfiguredReceiveIdSetIsHonoured) {
  // A suite endpoint that also accepts the provider corp id (docs/protocol/message-crypto.md: receive ids drift).
  TestServer s(nlohmann::json{{"wecom", {{"suite", {{"receive_ids", {kSuiteId, "wwPROVIDER0001"}}}}}}});
  auto r = s.client().Get(("/wecom/callback/suite?" + verify_query(kSuiteToken, kSuiteKey, "wwPROVIDER0001", "42")).c_str());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "42");
}

TEST(WecomCallback, SuiteTicketIsStoredAndAnsweredSuccess) {
  TestServer s;
  auto push = encrypted_push(kSuiteToken, kSuiteKey, kSuiteId,
                             instruction("<InfoType><![CDATA[suite_ticket]]></InfoType><SuiteTicket><![CDATA[TICKET-abc]]></SuiteTicket>"));
  auto r = s.client().Post(("/wecom/callback/suite?" + push.query).c_str(), push.body, "text/xml");
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "success");
  auto t = store::suite_ticket(s.app().database().reader(), s.app().secret_box(), kSuiteId);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->value, "TICKET-abc");
}

TEST(WecomCallback, PublishedSuiteTicketVectorIsAccepted) {
  TestServer s(nlohmann::json{{"callbacks", {{"timestamp_window_seconds", 0}}}});
  auto v = vector_case("gen-wecom-suiteid-suite-ticket");
  auto r = s.client().Post(("/wecom/callback/suite?" + v["inbound_query"].get<std::string>()).c_str(),
                           v["inbound_envelope_xml"].get<std::string>(), "text/xml");
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->body, "success");
  EXPECT_TRUE(store::suite_ticket(s.app().database().reader(), s.app().secret_box(), kSuiteId));
}

TEST(WecomCallback, AuthInstructionsAndContactChangesAreRecorded) {
  TestServer s;
  auto c = s.client();
  auto send = [&](const std::string& fields) {
    auto push = encrypted_push(kSuiteToken, kSuiteKey, kSuiteId, instruction(fields));
    return c.Post(("/wecom/callback/suite?" + push.query).c_str(), push.body, "text/xml");
  };
  EXPECT_EQ(send("<InfoType>create_auth</InfoType><AuthCode>AUTHCODE-secret</AuthCode><State>cmty42</State>")->body, "success");
  EXPECT_EQ(send("<InfoType>change_auth</InfoType><AuthCorpId>ww8f2c6d1e0a9b7354</AuthCorpId>")->body, "success");
  EXPECT_EQ(send("<InfoType>change_contact</InfoType><AuthCorpId>ww8f2c6d1e0a9b7354</AuthCorpId><ChangeType>create_user</ChangeType>"
                 "<UserID>ZhangWei</UserID><Mobile>13800138000</Mobile>")->body,
            "success");
  EXPECT_EQ(send("<InfoType>cancel_auth</InfoType><AuthCorpId>ww8f2c6d1e0a9b7354</AuthCorpId>")->body, "success");
  EXPECT_EQ(s.count("SELECT count(*) FROM wecom_auth_events"), 3);
  EXPECT_EQ(s.count("SELECT count(*) FROM wecom_auth_events WHERE info_type='create_auth' AND state='cmty42'"), 1);
  EXPECT_EQ(s.count("SELECT count(*) FROM wecom_auth_events WHERE instr(auth_code_enc, 'AUTHCODE') > 0"), 0);
  EXPECT_EQ(s.count("SELECT count(*) FROM wecom_contact_changes WHERE change_type='create_user' AND user_id='ZhangWei'"), 1);
  // The phone in the payload is not kept: the record is re-read from the API when applied.
  EXPECT_EQ(s.count("SELECT count(*) FROM wecom_contact_changes WHERE instr(user_id || new_user_id, '13800138000') > 0"), 0);
}

TEST(WecomCallback, SelfBuiltAppMessageGetsAnEmptyAnswer) {
  TestServer s;
  std::string inner = "<xml><ToUserName><![CDATA[" + std::string(kCorpId) + "]]></ToUserName><FromUserName><![CDATA[ZhangWei]]></FromUserName><CreateTime>" +
                      now_ts() + "</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[您好]]></Content><MsgId>99</MsgId><AgentID>1000002</AgentID></xml>";
  auto push = encrypted_push(kCorpToken, kCorpKey, kCorpId, inner, now_ts(), kCorpId);
  auto r = s.client().Post(("/wecom/callback/corp?" + push.query).c_str(), push.body, "text/xml");
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "");
  EXPECT_EQ(s.count("SELECT count(*) FROM handled_callbacks WHERE endpoint='wecom:corp'"), 1);
}

TEST(WecomCallback, SelfBuiltChangeContactEventIsRecorded) {
  TestServer s;
  std::string inner = "<xml><ToUserName><![CDATA[" + std::string(kCorpId) + "]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName><CreateTime>" +
                      now_ts() + "</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_contact]]></Event>"
                      "<ChangeType>delete_party</ChangeType><Id>7</Id></xml>";
  auto push = encrypted_push(kCorpToken, kCorpKey, kCorpId, inner, now_ts(), kCorpId);
  auto r = s.client().Post(("/wecom/callback/corp?" + push.query).c_str(), push.body, "text/xml");
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(s.count("SELECT count(*) FROM wecom_contact_changes WHERE change_type='delete_party' AND party_id=7"), 1);
}

TEST(WecomCallback, RejectionsStoreNothing) {
  TestServer s;
  auto c = s.client();
  auto wrong = encrypted_push(kSuiteToken, kSuiteKey, "wwSOMEONEELSE", instruction("<InfoType>suite_ticket</InfoType><SuiteTicket>x</SuiteTicket>"));
  EXPECT_EQ(c.Post(("/wecom/callback/suite?" + wrong.query).c_str(), wrong.body, "text/xml")->status, 403);
  auto forged = encrypted_push("forged", kSuiteKey, kSuiteId, instruction("<InfoType>suite_ticket</InfoType><SuiteTicket>x</SuiteTicket>"));
  EXPECT_EQ(c.Post(("/wecom/callback/suite?" + forged.query).c_str(), forged.body, "text/xml")->status, 401);
  auto bad_xml = encrypted_push(kSuiteToken, kSuiteKey, kSuiteId, "<xml><InfoType>suite_ticket");
  EXPECT_EQ(c.Post(("/wecom/callback/suite?" + bad_xml.query).c_str(), bad_xml.body, "text/xml")->status, 400);
  EXPECT_EQ(c.Get("/wecom/callback/nope?msg_signature=a&timestamp=1&nonce=1&echostr=x")->status, 404);
  EXPECT_EQ(s.count("SELECT count(*) FROM suite_tickets"), 0);
  EXPECT_EQ(s.count("SELECT count(*) FROM handled_callbacks"), 0);
}
