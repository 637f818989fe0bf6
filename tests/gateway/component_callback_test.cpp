// /wechat/component/... over a real socket: notices are stored (sealed), authorized
// accounts' messages are answered with the component's key.
#include <gtest/gtest.h>

#include "store/platform_records.hpp"
#include "tests/support/test_server.hpp"

using namespace xiaoqu::testing;
namespace store = xiaoqu::store;

namespace {
const std::string kPath = std::string("/wechat/component/") + kComponentAppid;

std::string notice(const std::string& body_fields) {
  return "<xml><AppId>" + std::string(kComponentAppid) + "</AppId><CreateTime>" + now_ts() + "</CreateTime>" + body_fields + "</xml>";
}
}  // namespace

TEST(ComponentCallback, VerifyTicketIsStoredSealed) {
  TestServer s;
  auto push = encrypted_push(kComponentToken, kComponentKey, kComponentAppid,
                             notice("<InfoType>component_verify_ticket</InfoType><ComponentVerifyTicket>ticket@@@SECRETxyz</ComponentVerifyTicket>"),
                             now_ts(), kComponentAppid);
  auto r = s.client().Post((kPath + "?" + push.query).c_str(), push.body, "text/xml");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "success");
  auto t = store::component_verify_ticket(s.app().database().reader(), s.app().secret_box(), kComponentAppid);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->value, "ticket@@@SECRETxyz");
  // At rest the ticket is ciphertext.
  EXPECT_EQ(s.count("SELECT count(*) FROM component_verify_tickets WHERE instr(ticket_enc, 'SECRETxyz') > 0"), 0);
}

TEST(ComponentCallback, PublishedVectorTicketIsStored) {
  TestServer s(nlohmann::json{{"callbacks", {{"timestamp_window_seconds", 0}}}});
  auto v = vector_case("gen-open-component-verify-ticket");
  auto r = s.client().Post((kPath + "?" + v["inbound_query"].get<std::string>()).c_str(),
                           v["inbound_envelope_xml"].get<std::string>(), "text/xml");
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->body, "success");
  auto t = store::component_verify_ticket(s.app().database().reader(), s.app().secret_box(), kComponentAppid);
  ASSERT_TRUE(t);
  EXPECT_NE(v["msg"].get<std::string>().find(t->value), std::string::npos);
}

TEST(ComponentCallback, AuthorizationNoticesAreRecorded) {
  TestServer s;
  auto c = s.client();
  auto granted = encrypted_push(kComponentToken, kComponentKey, kComponentAppid,
                                notice("<InfoType>authorized</InfoType><AuthorizerAppid>wx5d3c9a1b7e20f468</AuthorizerAppid>"
                                       "<AuthorizationCode>queryauthcode@@@abc</AuthorizationCode>"
                                       "<AuthorizationCodeExpiredTime>1732504300</AuthorizationCodeExpiredTime>"
                                       "<PreAuthCode>preauthcode@@@x</PreAuthCode>"),
                                now_ts(), kComponentAppid);
  ASSERT_EQ(c.Post((kPath + "?" + granted.query).c_str(), granted.body, "text/xml")->body, "success");
  EXPECT_EQ(store::authorization_state(s.app().database().reader(), kComponentAppid, "wx5d3c9a1b7e20f468"), "authorized");

  auto revoked = encrypted_push(kComponentToken, kComponentKey, kComponentAppid,
                                "<xml><AppId>" + std::string(kComponentAppid) + "</AppId><CreateTime>" +
                                    std::to_string(std::time(nullptr) + 1) +
                                    "</CreateTime><InfoType>unauthorized</InfoType><AuthorizerAppid>wx5d3c9a1b7e20f468</AuthorizerAppid></xml>",
                                now_ts(), kComponentAppid);
  ASSERT_EQ(c.Post((kPath + "?" + revoked.query).c_str(), revoked.body, "text/xml")->body, "success");
  EXPECT_EQ(store::authorization_state(s.app().database().reader(), kComponentAppid, "wx5d3c9a1b7e20f468"), "unauthorized");
  EXPECT_EQ(s.count("SELECT count(*) FROM component_authorization_events"), 2);
}

TEST(ComponentCallback, AuthorizerMessageIsAnsweredWithTheComponentKey) {
  TestServer s;
  std::string path = kPath + "/wx1111111111111111";
  auto push = encrypted_push(kComponentToken, kComponentKey, kComponentAppid, text_message("oA", 777, "代运营"));
  auto r = s.client().Post((path + "?" + push.query).c_str(), push.body, "text/xml");
  ASSERT_EQ(r->status, 200) << r->body;
  std::string receive_id;
  std::string inner = open_reply(kComponentToken, kComponentKey, r->body, &receive_id);
  EXPECT_EQ(receive_id, kComponentAppid);
  EXPECT_NE(inner.find("<ToUserName><![CDATA[oA]]></ToUserName>"), std::string::npos) << inner;
  EXPECT_EQ(s.count("SELECT count(*) FROM handled_callbacks WHERE endpoint = 'mp:wx1111111111111111'"), 1);
}

TEST(ComponentCallback, RejectsForgedAndMisaddressedNotices) {
  TestServer s;
  auto c = s.client();
  auto forged = encrypted_push("wrongToken", kComponentKey, kComponentAppid, notice("<InfoType>component_verify_ticket</InfoType>"));
  EXPECT_EQ(c.Post((kPath + "?" + forged.query).c_str(), forged.body, "text/xml")->status, 401);
  auto misaddressed = encrypted_push(kComponentToken, kComponentKey, "wx0000000000000000", notice("<InfoType>component_verify_ticket</InfoType>"));
  EXPECT_EQ(c.Post((kPath + "?" + misaddressed.query).c_str(), misaddressed.body, "text/xml")->status, 403);
  EXPECT_EQ(c.Post("/wechat/component/wx9999999999999999?timestamp=1&nonce=1&msg_signature=0", "<xml/>", "text/xml")->status, 404);
  EXPECT_EQ(c.Get((kPath + "?timestamp=1").c_str())->status, 405);
  EXPECT_EQ(s.count("SELECT count(*) FROM component_verify_tickets"), 0);
  EXPECT_EQ(s.count("SELECT count(*) FROM handled_callbacks"), 0);
}
