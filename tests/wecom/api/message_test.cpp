// message/send against the sandbox: text and text cards, invalid recipients, and what the
// sandbox recorded as sent.
#include <gtest/gtest.h>

#include <algorithm>

#include "wecom/api/message.hpp"
#include "wecom/api/user.hpp"
#include "tests/wecom/api/wecom_sandbox.hpp"

using namespace xiaoqu::testing;
namespace api = xiaoqu::wecom::api;
using nlohmann::json;

namespace {
json last_message(WecomSandbox& w) {
  auto all = w.get(std::string("/sandbox/wecom/messages?corp_id=") + kCorpId).at("messages");
  if (all.empty()) throw std::runtime_error("no message recorded");
  return all.back();
}
bool holds(const json& list, const std::string& v) { return std::find(list.begin(), list.end(), v) != list.end(); }
}  // namespace

TEST(WecomMessages, TextGoesToValidUsersAndNamesTheInvalidOnes) {
  WecomSandbox w;
  auto key = w.corp();
  api::AppMessage m;
  m.to.users = {"ZhangWei", "WangJun", "nobody"};
  m.agent_id = 1000002;
  m.body = api::TextMessage{"3号楼电梯今晚22点检修"};
  auto r = api::send_message(w.api(), key, m);
  EXPECT_EQ(r.invalid_users, std::vector<std::string>{"nobody"});
  EXPECT_TRUE(r.invalid_parties.empty());
  EXPECT_FALSE(r.msgid.empty());
  auto sent = last_message(w);
  EXPECT_EQ(sent["msgid"], r.msgid);
  EXPECT_EQ(sent["msgtype"], "text");
  EXPECT_EQ(sent["text"]["content"], "3号楼电梯今晚22点检修");
  EXPECT_EQ(sent["agentid"], "1000002");
  EXPECT_EQ(sent["recipients"].size(), 2u);
  EXPECT_TRUE(holds(sent["recipients"], "ZhangWei"));
  EXPECT_TRUE(holds(sent["recipients"], "WangJun"));
}

TEST(WecomMessages, TextCardToADepartmentReachesItsSubDepartments) {
  WecomSandbox w;
  auto key = w.corp();
  api::AppMessage m;
  m.to.parties = {2, 999};
  m.agent_id = 1000002;
  m.body = api::TextCardMessage{"报修待处理", "2栋1单元 漏水", "https://xq.example.com/repairs/42", "处理"};
  auto r = api::send_message(w.api(), key, m);
  EXPECT_EQ(r.invalid_parties, std::vector<std::string>{"999"});
  auto sent = last_message(w);
  EXPECT_EQ(sent["msgtype"], "textcard");
  EXPECT_EQ(sent["textcard"]["title"], "报修待处理");
  EXPECT_EQ(sent["textcard"]["btntxt"], "处理");
  EXPECT_EQ(sent["toparty"], "2|999");
  for (const auto& member : api::list_users_brief(w.api(), key, 3)) EXPECT_TRUE(holds(sent["recipients"], member.userid));
}

TEST(WecomMessages, AllRecipientsInvalidIs81013AndNothingIsSent) {
  WecomSandbox w;
  auto key = w.corp();
  api::AppMessage m;
  m.to.users = {"nobody", "ghost"};
  m.agent_id = 1000002;
  m.body = api::TextMessage{"hello"};
  EXPECT_EQ(platform_error([&] { api::send_message(w.api(), key, m); }).errcode(), 81013);
  EXPECT_TRUE(w.get(std::string("/sandbox/wecom/messages?corp_id=") + kCorpId)["messages"].empty());
}

TEST(WecomMessages, AnotherAppsAgentIdIs40056) {
  WecomSandbox w;
  auto key = w.corp();
  api::AppMessage m;
  m.to.users = {"ZhangWei"};
  m.agent_id = 1000003;
  m.body = api::TextMessage{"hello"};
  EXPECT_EQ(platform_error([&] { api::send_message(w.api(), key, m); }).errcode(), 40056);
}

TEST(WecomMessages, IncompleteMessagesAreRefusedBeforeSending) {
  WecomSandbox w;
  auto key = w.corp();
  api::AppMessage m;
  m.agent_id = 1000002;
  m.body = api::TextMessage{"hello"};
  EXPECT_THROW(api::send_message(w.api(), key, m), std::invalid_argument);  // nobody to send to
  m.to.users = {"ZhangWei"};
  m.body = api::TextMessage{""};
  EXPECT_THROW(api::send_message(w.api(), key, m), std::invalid_argument);
  m.body = api::TextCardMessage{"标题", "", "https://xq.example.com", ""};
  EXPECT_THROW(api::send_message(w.api(), key, m), std::invalid_argument);
  m.body = api::TextMessage{std::string(2049, 'x')};
  EXPECT_THROW(api::send_message(w.api(), key, m), std::invalid_argument);
  EXPECT_EQ(w.calls("/cgi-bin/message/send"), 0u);
}
