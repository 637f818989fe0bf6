#include "wechat/component_notice.hpp"

#include <gtest/gtest.h>

#include "wechat/message.hpp"

namespace xiaoqu::wechat {
namespace {

template <class T>
T parse_as(std::string_view xml) {
  const ComponentNotice n = parse_component_notice(xml);
  EXPECT_TRUE(std::holds_alternative<T>(n)) << "got " << kind_label(n);
  return std::get<T>(n);
}

// docs/protocol/open-platform-component.md, values without CDATA as in the platform's samples.
constexpr std::string_view kAuthorized = R"(<xml>
  <AppId>wx7a2b4c6d8e0f1a3b</AppId>
  <CreateTime>1732500700</CreateTime>
  <InfoType>authorized</InfoType>
  <AuthorizerAppid>wx5d3c9a1b7e20f468</AuthorizerAppid>
  <AuthorizationCode>queryauthcode@@@9dKx...</AuthorizationCode>
  <AuthorizationCodeExpiredTime>1732504300</AuthorizationCodeExpiredTime>
  <PreAuthCode>preauthcode@@@Lm3v...</PreAuthCode>
</xml>)";

TEST(ComponentNotice, VerifyTicket) {
  // tests/data/msgcrypt.json gen-open-component-verify-ticket
  const auto t = parse_as<ComponentVerifyTicket>(
      "<xml><AppId><![CDATA[wx7a2b4c6d8e0f1a3b]]></AppId><CreateTime>1732500300</CreateTime><InfoType><![CDATA["
      "component_verify_ticket]]></InfoType><ComponentVerifyTicket><![CDATA[ticket@@@Qm9YcFhTd2VDdkR0ZXN0VGlja2V0]]>"
      "</ComponentVerifyTicket></xml>");
  EXPECT_EQ(t.component_appid, "wx7a2b4c6d8e0f1a3b");
  EXPECT_EQ(t.ticket, "ticket@@@Qm9YcFhTd2VDdkR0ZXN0VGlja2V0");
  EXPECT_EQ(t.create_time, 1732500300);
  EXPECT_EQ(kind_label(ComponentNotice{t}), "component.verify_ticket");
  EXPECT_EQ(dedup_key(ComponentNotice{t}), "n:component_verify_ticket:wx7a2b4c6d8e0f1a3b::1732500300");
}

TEST(ComponentNotice, AuthorizedFromDocSample) {
  const auto g = parse_as<AuthorizationGranted>(kAuthorized);
  EXPECT_FALSE(g.update);
  EXPECT_EQ(g.component_appid, "wx7a2b4c6d8e0f1a3b");
  EXPECT_EQ(g.authorizer_appid, "wx5d3c9a1b7e20f468");
  EXPECT_EQ(g.authorization_code, "queryauthcode@@@9dKx...");
  EXPECT_EQ(g.pre_auth_code, "preauthcode@@@Lm3v...");
  EXPECT_EQ(g.create_time, 1732500700);
  EXPECT_EQ(g.code_expires_at, 1732504300);
  EXPECT_EQ(kind_label(ComponentNotice{g}), "component.authorized");
  EXPECT_EQ(dedup_key(ComponentNotice{g}), "n:authorized:wx7a2b4c6d8e0f1a3b:wx5d3c9a1b7e20f468:1732500700");
}

TEST(ComponentNotice, UpdateAuthorizedWithCdataAndOtherOrder) {
  const auto g = parse_as<AuthorizationGranted>(
      "<xml><InfoType><![CDATA[updateauthorized]]></InfoType><PreAuthCode><![CDATA[pre]]></PreAuthCode>"
      "<AuthorizerAppid><![CDATA[wxB]]></AuthorizerAppid><AppId><![CDATA[wxA]]></AppId>"
      "<AuthorizationCode><![CDATA[code]]></AuthorizationCode><CreateTime>\n10\n</CreateTime></xml>");
  EXPECT_TRUE(g.update);
  EXPECT_EQ(g.component_appid, "wxA");
  EXPECT_EQ(g.authorizer_appid, "wxB");
  EXPECT_EQ(g.authorization_code, "code");
  EXPECT_EQ(g.pre_auth_code, "pre");
  EXPECT_EQ(g.create_time, 10);
  EXPECT_EQ(g.code_expires_at, 0);
  EXPECT_EQ(kind_label(ComponentNotice{g}), "component.updateauthorized");
  EXPECT_EQ(dedup_key(ComponentNotice{g}), "n:updateauthorized:wxA:wxB:10");
}

TEST(ComponentNotice, Unauthorized) {
  const auto r = parse_as<AuthorizationRevoked>(
      "<xml><AppId>wxA</AppId><CreateTime>11</CreateTime><InfoType>unauthorized</InfoType>"
      "<AuthorizerAppid>wxB</AuthorizerAppid></xml>");
  EXPECT_EQ(r.component_appid, "wxA");
  EXPECT_EQ(r.authorizer_appid, "wxB");
  EXPECT_EQ(r.create_time, 11);
  EXPECT_EQ(kind_label(ComponentNotice{r}), "component.unauthorized");
  EXPECT_EQ(dedup_key(ComponentNotice{r}), "n:unauthorized:wxA:wxB:11");
}

TEST(ComponentNotice, UnknownInfoTypeIsKept) {
  const auto u = parse_as<UnknownNotice>(
      "<xml><AppId>wxA</AppId><CreateTime>12</CreateTime><InfoType>notify_third_fasteregister</InfoType>"
      "<appid>wxC</appid></xml>");
  EXPECT_EQ(u.component_appid, "wxA");
  EXPECT_EQ(u.info_type, "notify_third_fasteregister");
  EXPECT_EQ(u.create_time, 12);
  EXPECT_EQ(kind_label(ComponentNotice{u}), "component.unknown");
  EXPECT_EQ(dedup_key(ComponentNotice{u}), "n:notify_third_fasteregister:wxA::12");
  EXPECT_EQ(parse_as<UnknownNotice>("<xml/>").info_type, "");
}

TEST(ComponentNotice, BadInputIsXmlError) {
  EXPECT_THROW(parse_component_notice(""), XmlError);
  EXPECT_THROW(parse_component_notice("<notice><InfoType>authorized</InfoType></notice>"), XmlError);
  EXPECT_THROW(parse_component_notice("<!DOCTYPE x><xml/>"), XmlError);
  EXPECT_THROW(parse_component_notice("<xml><InfoType>authorized</InfoType><CreateTime>now</CreateTime></xml>"),
               XmlError);
  EXPECT_THROW(parse_component_notice(
                   "<xml><InfoType>authorized</InfoType><AuthorizationCodeExpiredTime>soon</AuthorizationCodeExpiredTime>"
                   "</xml>"),
               XmlError);
}

}  // namespace
}  // namespace xiaoqu::wechat
