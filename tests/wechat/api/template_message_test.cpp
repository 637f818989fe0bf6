// Template messages against the sandbox: send, refusals, de-duplication and the
// TEMPLATESENDJOBFINISH push that follows.
#include "wechat/api/template_message.hpp"

#include <gtest/gtest.h>

#include "api_sandbox.hpp"
#include "wechat/api/user.hpp"

namespace xiaoqu::wechat::api {
namespace {
using testing::ApiSandbox;
using testing::kMpAppid;
using testing::platform_error_of;

TemplateMessage reminder(const std::string& openid) {
  TemplateMessage m;
  m.touser = openid;
  m.template_id = "TPLreview01";
  m.url = "https://example.invalid/review/42";
  m.client_msg_id = "review-42-admin-7";
  m.data = {{"thing1", "3栋2单元 李四 业主认证"}, {"time2", "2024-11-25 10:00"}};
  return m;
}

TEST(WechatApiTemplate, SendRecordsTheMessageAndPushesTheFinishEvent) {
  ApiSandbox s;
  auto openid = get_followers(*s.api, s.mp).openids.at(0);
  TemplateMessage m = reminder(openid);
  m.miniprogram = MiniProgramLink{"wxminiprogram0001", "pages/review?id=42"};
  std::int64_t msgid = send_template_message(*s.api, s.mp, m);
  EXPECT_GT(msgid, 0);

  auto [status, body] = s.get(std::string("/sandbox/wechat/template_messages?appid=") + kMpAppid);
  ASSERT_EQ(status, 200);
  ASSERT_EQ(body["messages"].size(), 1u);
  const auto& sent = body["messages"][0];
  EXPECT_EQ(sent["msgid"], msgid);
  EXPECT_EQ(sent["touser"], openid);
  EXPECT_EQ(sent["template_id"], "TPLreview01");
  EXPECT_EQ(sent["data"]["thing1"]["value"], "3栋2单元 李四 业主认证");
  EXPECT_EQ(sent["miniprogram"]["pagepath"], "pages/review?id=42");
  EXPECT_EQ(sent["client_msg_id"], "review-42-admin-7");

  auto push = s.gateway.wait_for([](const auto&) { return true; });
  ASSERT_TRUE(push);
  auto event = wechat::parse_message(testing::open_push(*push, testing::kMpToken, testing::kMpKey));
  ASSERT_TRUE(std::holds_alternative<wechat::TemplateSendJobFinishEvent>(event));
  EXPECT_EQ(std::get<wechat::TemplateSendJobFinishEvent>(event).msg_id, msgid);
  EXPECT_FALSE(std::get<wechat::TemplateSendJobFinishEvent>(event).failed());
}

TEST(WechatApiTemplate, NonFollowerIs43004AndUnknownTemplateIs40037) {
  ApiSandbox s;
  auto openids = get_followers(*s.api, s.mp).openids;
  s.post("/sandbox/wechat/unsubscribe", {{"appid", kMpAppid}, {"openid", openids[1]}});
  auto e = platform_error_of([&] { send_template_message(*s.api, s.mp, reminder(openids[1])); });
  EXPECT_EQ(e.errcode(), 43004);
  EXPECT_EQ(e.kind(), PlatformError::Kind::platform);

  TemplateMessage wrong = reminder(openids[0]);
  wrong.template_id = "not-a-template";
  EXPECT_EQ(platform_error_of([&] { send_template_message(*s.api, s.mp, wrong); }).errcode(), 40037);
  EXPECT_EQ(platform_error_of([&] { send_template_message(*s.api, s.mp, reminder("oStranger")); }).errcode(), 40003);
  EXPECT_EQ(s.get("/sandbox/wechat/template_messages").second["messages"].size(), 0u);
}

TEST(WechatApiTemplate, SameClientMsgIdSendsOnce) {
  ApiSandbox s;
  auto openid = get_followers(*s.api, s.mp).openids.at(0);
  std::int64_t first = send_template_message(*s.api, s.mp, reminder(openid));
  std::int64_t again = send_template_message(*s.api, s.mp, reminder(openid));
  EXPECT_EQ(again, first);
  TemplateMessage other = reminder(openid);
  other.client_msg_id = "review-43-admin-7";
  EXPECT_NE(send_template_message(*s.api, s.mp, other), first);
  EXPECT_EQ(s.get("/sandbox/wechat/template_messages").second["messages"].size(), 2u);
}

TEST(WechatApiTemplate, BlockedUserFinishesAsFailed) {
  ApiSandbox s;
  auto openid = get_followers(*s.api, s.mp).openids.at(0);
  s.post("/sandbox/wechat/block", {{"appid", kMpAppid}, {"openid", openid}});
  std::int64_t msgid = send_template_message(*s.api, s.mp, reminder(openid));
  auto push = s.gateway.wait_for([](const auto&) { return true; });
  ASSERT_TRUE(push);
  auto event = wechat::parse_message(testing::open_push(*push, testing::kMpToken, testing::kMpKey));
  ASSERT_TRUE(std::holds_alternative<wechat::TemplateSendJobFinishEvent>(event));
  EXPECT_EQ(std::get<wechat::TemplateSendJobFinishEvent>(event).msg_id, msgid);
  EXPECT_TRUE(std::get<wechat::TemplateSendJobFinishEvent>(event).failed());
}

TEST(WechatApiTemplate, PlaintextAccountGetsAPlaintextSignedPush) {
  ApiSandbox s;
  auto plain = define_official_account(*s.tokens, *s.api, testing::kPlainAppid, testing::kPlainSecret);
  auto openid = get_followers(*s.api, plain).openids.at(0);
  std::int64_t msgid = send_template_message(*s.api, plain, reminder(openid));
  auto push = s.gateway.wait_for([](const auto&) { return true; });
  ASSERT_TRUE(push);
  EXPECT_EQ(push->path, std::string("/wechat/callback/") + testing::kPlainAppid);
  EXPECT_EQ(push->params.count("encrypt_type"), 0u);
  auto p = [&](const char* n) { return push->params.find(n)->second; };
  EXPECT_EQ(p("signature"), wechat::sha1_signature({testing::kPlainToken, p("timestamp"), p("nonce")}));
  auto event = wechat::parse_message(push->body);
  ASSERT_TRUE(std::holds_alternative<wechat::TemplateSendJobFinishEvent>(event));
  EXPECT_EQ(std::get<wechat::TemplateSendJobFinishEvent>(event).msg_id, msgid);
}

}  // namespace
}  // namespace xiaoqu::wechat::api
