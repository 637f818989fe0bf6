#include "wecom/event.hpp"

#include <gtest/gtest.h>

namespace xiaoqu::wecom {
namespace {

template <class T>
T instruction_as(std::string_view xml) {
  const Push p = parse_push(xml);
  EXPECT_TRUE(std::holds_alternative<Instruction>(p));
  const auto& i = std::get<Instruction>(p);
  EXPECT_TRUE(std::holds_alternative<T>(i)) << "got " << kind_label(i);
  return std::get<T>(i);
}

std::string contact_xml(std::string_view change_type, std::string_view extra) {
  return "<xml><SuiteId><![CDATA[wwd4e1f7a3c5b29068]]></SuiteId><AuthCorpId><![CDATA[ww8f2c6d1e0a9b7354]]>"
         "</AuthCorpId><InfoType><![CDATA[change_contact]]></InfoType><TimeStamp>1732500900</TimeStamp>"
         "<ChangeType><![CDATA[" +
         std::string(change_type) + "]]></ChangeType>" + std::string(extra) + "</xml>";
}

// docs/protocol/wecom.md
constexpr std::string_view kCreateAuth = R"(<xml>
  <SuiteId><![CDATA[wwd4e1f7a3c5b29068]]></SuiteId>
  <AuthCode><![CDATA[AUTHCODE-1f8e...]]></AuthCode>
  <InfoType><![CDATA[create_auth]]></InfoType>
  <TimeStamp>1732500800</TimeStamp>
  <State><![CDATA[cmty42]]></State>
</xml>)";

constexpr std::string_view kCreateUser = R"(<xml>
  <SuiteId><![CDATA[wwd4e1f7a3c5b29068]]></SuiteId>
  <AuthCorpId><![CDATA[ww8f2c6d1e0a9b7354]]></AuthCorpId>
  <InfoType><![CDATA[change_contact]]></InfoType>
  <TimeStamp>1732500900</TimeStamp>
  <ChangeType><![CDATA[create_user]]></ChangeType>
  <UserID><![CDATA[ZhangWei]]></UserID>
  <OpenUserID><![CDATA[woAbC123...]]></OpenUserID>
  <Department><![CDATA[1,2]]></Department>
  <MainDepartment>1</MainDepartment>
</xml>)";

TEST(ParsePush, SuiteTicket) {
  // tests/data/msgcrypt.json gen-wecom-suiteid-suite-ticket
  const auto t = instruction_as<SuiteTicket>(
      "<xml><SuiteId><![CDATA[wwd4e1f7a3c5b29068]]></SuiteId><InfoType><![CDATA[suite_ticket]]></InfoType>"
      "<TimeStamp>1732500200</TimeStamp><SuiteTicket><![CDATA[t1ck3t-Ab9Zq7Xw2Lm5Np8Rs4Uv6Yz0Cd3Fg]]></SuiteTicket>"
      "</xml>");
  EXPECT_EQ(t.suite_id, "wwd4e1f7a3c5b29068");
  EXPECT_EQ(t.ticket, "t1ck3t-Ab9Zq7Xw2Lm5Np8Rs4Uv6Yz0Cd3Fg");
  EXPECT_EQ(t.timestamp, 1732500200);
  EXPECT_EQ(kind_label(Instruction{t}), "wecom.suite_ticket");
  EXPECT_EQ(dedup_key(Instruction{t}), "i:suite_ticket:wwd4e1f7a3c5b29068:1732500200");
}

TEST(ParsePush, CreateAuthFromDocSample) {
  const auto a = instruction_as<CreateAuth>(kCreateAuth);
  EXPECT_EQ(a.suite_id, "wwd4e1f7a3c5b29068");
  EXPECT_EQ(a.auth_code, "AUTHCODE-1f8e...");
  EXPECT_EQ(a.state, "cmty42");
  EXPECT_EQ(a.extra_info, "");
  EXPECT_EQ(a.timestamp, 1732500800);
  EXPECT_EQ(kind_label(Instruction{a}), "wecom.create_auth");
  EXPECT_EQ(dedup_key(Instruction{a}), "i:create_auth:wwd4e1f7a3c5b29068:AUTHCODE-1f8e...:1732500800");
  EXPECT_EQ(instruction_as<CreateAuth>("<xml><InfoType>create_auth</InfoType><ExtraInfo>ab</ExtraInfo></xml>")
                .extra_info,
            "ab");
}

TEST(ParsePush, ChangeAndCancelAuth) {
  const auto c = instruction_as<ChangeAuth>(
      "<xml><SuiteId>wwS</SuiteId><InfoType>change_auth</InfoType><TimeStamp>5</TimeStamp>"
      "<AuthCorpId>wwC</AuthCorpId><State>st</State></xml>");
  EXPECT_EQ(c.suite_id, "wwS");
  EXPECT_EQ(c.auth_corp_id, "wwC");
  EXPECT_EQ(c.state, "st");
  EXPECT_EQ(c.timestamp, 5);
  EXPECT_EQ(kind_label(Instruction{c}), "wecom.change_auth");
  EXPECT_EQ(dedup_key(Instruction{c}), "i:change_auth:wwS:wwC:5");

  const auto x = instruction_as<CancelAuth>(
      "<xml><SuiteId>wwS</SuiteId><InfoType>cancel_auth</InfoType><TimeStamp>6</TimeStamp>"
      "<AuthCorpId>wwC</AuthCorpId></xml>");
  EXPECT_EQ(x.auth_corp_id, "wwC");
  EXPECT_EQ(x.timestamp, 6);
  EXPECT_EQ(kind_label(Instruction{x}), "wecom.cancel_auth");
  EXPECT_EQ(dedup_key(Instruction{x}), "i:cancel_auth:wwS:wwC:6");
}

TEST(ParsePush, ChangeContactCreateUserFromDocSample) {
  const auto c = instruction_as<ContactChange>(kCreateUser);
  EXPECT_EQ(c.type, ContactChange::Type::create_user);
  EXPECT_EQ(c.change_type, "create_user");
  EXPECT_EQ(c.suite_id, "wwd4e1f7a3c5b29068");
  EXPECT_EQ(c.corp_id, "ww8f2c6d1e0a9b7354");
  EXPECT_EQ(c.timestamp, 1732500900);
  EXPECT_EQ(c.user_id, "ZhangWei");
  EXPECT_EQ(c.open_user_id, "woAbC123...");
  EXPECT_EQ(c.departments, (std::vector<std::int64_t>{1, 2}));
  EXPECT_EQ(c.main_department, 1);
  EXPECT_FALSE(c.name.has_value());
  EXPECT_FALSE(c.gender.has_value());
  EXPECT_FALSE(c.parent_id.has_value());
  EXPECT_EQ(kind_label(Instruction{c}), "wecom.change_contact.create_user");
  EXPECT_EQ(dedup_key(Instruction{c}),
            "i:change_contact:wwd4e1f7a3c5b29068:ww8f2c6d1e0a9b7354:1732500900:create_user:ZhangWei:0:0");
}

TEST(ParsePush, ChangeContactUpdateUserFields) {
  const auto c = instruction_as<ContactChange>(contact_xml(
      "update_user",
      "<UserID>zhangsan</UserID><NewUserID>zhangsan001</NewUserID><Name><![CDATA[张三]]></Name>"
      "<Department> 1, 2 ,3 </Department><Mobile>13800000000</Mobile><Position><![CDATA[产品经理]]></Position>"
      "<Gender>1</Gender><Email>zs@example.com</Email><Alias>jackzhang</Alias><Status>1</Status>"));
  EXPECT_EQ(c.type, ContactChange::Type::update_user);
  EXPECT_EQ(c.user_id, "zhangsan");
  EXPECT_EQ(c.new_user_id, "zhangsan001");
  EXPECT_EQ(c.name, "张三");
  EXPECT_EQ(c.departments, (std::vector<std::int64_t>{1, 2, 3}));
  EXPECT_EQ(c.mobile, "13800000000");
  EXPECT_EQ(c.position, "产品经理");
  EXPECT_EQ(c.gender, 1);
  EXPECT_EQ(c.email, "zs@example.com");
  EXPECT_EQ(c.alias, "jackzhang");
  EXPECT_FALSE(c.main_department.has_value());
  // An element present but empty means "cleared", not "absent".
  EXPECT_EQ(instruction_as<ContactChange>(contact_xml("update_user", "<Mobile></Mobile>")).mobile, "");
}

TEST(ParsePush, ChangeContactOtherTypes) {
  EXPECT_EQ(instruction_as<ContactChange>(contact_xml("delete_user", "<UserID>u</UserID>")).type,
            ContactChange::Type::delete_user);

  const auto p = instruction_as<ContactChange>(
      contact_xml("create_party", "<Id>2</Id><Name>物业部</Name><ParentId>1</ParentId><Order>1</Order>"));
  EXPECT_EQ(p.type, ContactChange::Type::create_party);
  EXPECT_EQ(p.party_id, 2);
  EXPECT_EQ(p.name, "物业部");
  EXPECT_EQ(p.parent_id, 1);
  EXPECT_EQ(p.order, 1);
  EXPECT_EQ(kind_label(Instruction{p}), "wecom.change_contact.create_party");
  EXPECT_EQ(dedup_key(Instruction{p}),
            "i:change_contact:wwd4e1f7a3c5b29068:ww8f2c6d1e0a9b7354:1732500900:create_party::2:0");

  const auto u = instruction_as<ContactChange>(contact_xml("update_party", "<Id>2</Id><ParentId>3</ParentId>"));
  EXPECT_EQ(u.type, ContactChange::Type::update_party);
  EXPECT_EQ(u.parent_id, 3);
  EXPECT_FALSE(u.order.has_value());
  EXPECT_EQ(instruction_as<ContactChange>(contact_xml("delete_party", "<Id>2</Id>")).type,
            ContactChange::Type::delete_party);

  const auto t = instruction_as<ContactChange>(
      contact_xml("update_tag", "<TagId>7</TagId><AddUserItems><![CDATA[zhangsan,lisi]]></AddUserItems>"
                                "<DelUserItems><![CDATA[wangwu]]></DelUserItems><AddPartyItems><![CDATA[1,2]]></AddPartyItems>"
                                "<DelPartyItems><![CDATA[3,,4]]></DelPartyItems>"));
  EXPECT_EQ(t.type, ContactChange::Type::update_tag);
  EXPECT_EQ(t.tag_id, 7);
  EXPECT_EQ(t.add_users, (std::vector<std::string>{"zhangsan", "lisi"}));
  EXPECT_EQ(t.del_users, (std::vector<std::string>{"wangwu"}));
  EXPECT_EQ(t.add_parties, (std::vector<std::int64_t>{1, 2}));
  EXPECT_EQ(t.del_parties, (std::vector<std::int64_t>{3, 4}));
  // Tagged and untagged within one second: two changes, not a duplicate.
  auto untagged = t;
  std::swap(untagged.add_users, untagged.del_users);
  EXPECT_NE(dedup_key(Instruction{t}), dedup_key(Instruction{untagged}));
  EXPECT_EQ(kind_label(Instruction{t}), "wecom.change_contact.update_tag");

  const auto o = instruction_as<ContactChange>(contact_xml("brand_new_type", ""));
  EXPECT_EQ(o.type, ContactChange::Type::other);
  EXPECT_EQ(o.change_type, "brand_new_type");
  EXPECT_EQ(kind_label(Instruction{o}), "wecom.change_contact.other");
}

TEST(ParsePush, SelfBuiltChangeContactEvent) {
  const auto c = instruction_as<ContactChange>(
      "<xml><ToUserName><![CDATA[ww8f2c6d1e0a9b7354]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName>"
      "<CreateTime>1403610513</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_contact]]>"
      "</Event><ChangeType>create_user</ChangeType><UserID><![CDATA[zhangsan]]></UserID><Name><![CDATA[张三]]>"
      "</Name><Department><![CDATA[1,2,3]]></Department><MainDepartment>1</MainDepartment><Gender>2</Gender></xml>");
  EXPECT_EQ(c.type, ContactChange::Type::create_user);
  EXPECT_EQ(c.suite_id, "");
  EXPECT_EQ(c.corp_id, "ww8f2c6d1e0a9b7354");
  EXPECT_EQ(c.timestamp, 1403610513);
  EXPECT_EQ(c.user_id, "zhangsan");
  EXPECT_EQ(c.name, "张三");
  EXPECT_EQ(c.gender, 2);
  EXPECT_EQ(c.departments, (std::vector<std::int64_t>{1, 2, 3}));
  EXPECT_EQ(dedup_key(Instruction{c}), "i:change_contact::ww8f2c6d1e0a9b7354:1403610513:create_user:zhangsan:0:0");
}

TEST(ParsePush, UnknownInstruction) {
  const auto u = instruction_as<UnknownInstruction>(
      "<xml><SuiteId>wwS</SuiteId><InfoType>reset_permanent_code</InfoType><TimeStamp>9</TimeStamp>"
      "<AuthCorpId>wwC</AuthCorpId></xml>");
  EXPECT_EQ(u.suite_id, "wwS");
  EXPECT_EQ(u.info_type, "reset_permanent_code");
  EXPECT_EQ(u.timestamp, 9);
  EXPECT_EQ(kind_label(Instruction{u}), "wecom.unknown");
  EXPECT_EQ(dedup_key(Instruction{u}), "i:reset_permanent_code:wwS:9");
}

TEST(ParsePush, AppMessagesAreWechatMessages) {
  // tests/data/msgcrypt.json wecom-wechatpy-inbound-corpid
  const Push p = parse_push(
      "<xml><ToUserName><![CDATA[wx49f0ab532d5d035a]]></ToUserName>\n<FromUserName><![CDATA[messense]]></FromUserName>\n"
      "<CreateTime>1411525903</CreateTime>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[test]]></Content>\n"
      "<MsgId>4363689963896700987</MsgId>\n<AgentID>1</AgentID>\n</xml>");
  ASSERT_TRUE(std::holds_alternative<wechat::Message>(p));
  const auto& m = std::get<wechat::Message>(p);
  ASSERT_TRUE(std::holds_alternative<wechat::TextMessage>(m));
  const auto& t = std::get<wechat::TextMessage>(m);
  EXPECT_EQ(t.content, "test");
  EXPECT_EQ(t.header.agent_id, "1");
  EXPECT_EQ(wechat::dedup_key(m), "m:4363689963896700987:a1");

  const Push e = parse_push(
      "<xml><ToUserName>ww1</ToUserName><FromUserName>u</FromUserName><CreateTime>3</CreateTime><MsgType>event"
      "</MsgType><Event>enter_agent</Event><EventKey></EventKey><AgentID>1000002</AgentID></xml>");
  const auto& u = std::get<wechat::UnknownMessage>(std::get<wechat::Message>(e));
  EXPECT_EQ(u.event, "enter_agent");
  EXPECT_EQ(u.header.agent_id, "1000002");
}

TEST(ParsePush, BadInputIsXmlError) {
  EXPECT_THROW(parse_push("<xml><InfoType>suite_ticket</InfoType>"), wechat::XmlError);
  EXPECT_THROW(parse_push("<Xml><InfoType>suite_ticket</InfoType></Xml>"), wechat::XmlError);
  EXPECT_THROW(parse_push("<!DOCTYPE xml [<!ENTITY a \"b\">]><xml><InfoType>&a;</InfoType></xml>"), wechat::XmlError);
  EXPECT_THROW(parse_push("<xml><InfoType>suite_ticket</InfoType><TimeStamp>t</TimeStamp></xml>"), wechat::XmlError);
  EXPECT_THROW(parse_push(contact_xml("create_user", "<Department>1,x</Department>")), wechat::XmlError);
  EXPECT_THROW(parse_push(contact_xml("create_user", "<Gender>99999999999</Gender>")), wechat::XmlError);
  EXPECT_THROW(parse_push(contact_xml("create_party", "<Id>two</Id>")), wechat::XmlError);
  EXPECT_THROW(parse_push("<xml><MsgType>text</MsgType><CreateTime>x</CreateTime></xml>"), wechat::XmlError);
}

}  // namespace
}  // namespace xiaoqu::wecom
