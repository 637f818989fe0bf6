#include "wechat/message.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace xiaoqu::wechat {
namespace {

// Expects parse_message to throw XmlError whose message contains `needle`.
void expect_xml_error(std::string_view xml, std::string_view needle) {
  try {
    parse_message(xml);
    ADD_FAILURE() << "no XmlError for: " << xml;
  } catch (const XmlError& e) {
    EXPECT_TRUE(std::string_view(e.what()).find(needle) != std::string_view::npos)
        << "\"" << e.what() << "\" lacks \"" << needle << '"';
  }
}

template <class T>
T parse_as(std::string_view xml) {
  const Message m = parse_message(xml);
  EXPECT_TRUE(std::holds_alternative<T>(m)) << "got " << kind_label(m);
  return std::get<T>(m);
}

// tests/data/msgcrypt.json gen-mp-appid-full-block-pad
constexpr std::string_view kMpText =
    "<xml><ToUserName><![CDATA[gh_3f2a91c0d7e5]]></ToUserName><FromUserName><![CDATA[oXq9L5mRzTe2Wb8kPaN3dC7vYh1U]]>"
    "</FromUserName><CreateTime>1732500000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[报修：3栋2"
    "单元电梯异响!!!!!!!!!!!!!!!!!]]></Content><MsgId>24812345678901234</MsgId></xml>";

// tests/data/msgcrypt.json wecom-sample-post-corpid: newlines between elements, AgentID.
constexpr std::string_view kWecomText =
    "<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>\n<FromUserName><![CDATA[mycreate]]></FromUserName>\n"
    "<CreateTime>1409659813</CreateTime>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[hello]]></Content>\n"
    "<MsgId>4561255354251345929</MsgId>\n<AgentID>218</AgentID>\n</xml>";

// docs/protocol/official-account-callback.md
constexpr std::string_view kSubscribe = R"(<xml>
  <ToUserName><![CDATA[gh_3f2a91c0d7e5]]></ToUserName>
  <FromUserName><![CDATA[oXq9L5mRzTe2Wb8kPaN3dC7vYh1U]]></FromUserName>
  <CreateTime>1732500600</CreateTime>
  <MsgType><![CDATA[event]]></MsgType>
  <Event><![CDATA[subscribe]]></Event>      <!-- or unsubscribe -->
</xml>)";

std::string event_xml(std::string_view event, std::string_view extra = {}) {
  return "<xml><ToUserName><![CDATA[gh_3f2a91c0d7e5]]></ToUserName><FromUserName><![CDATA[oUser]]></FromUserName>"
         "<CreateTime>1732500600</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[" +
         std::string(event) + "]]></Event>" + std::string(extra) + "</xml>";
}

std::string message_xml(std::string_view type, std::string_view extra) {
  return "<xml><ToUserName><![CDATA[gh_3f2a91c0d7e5]]></ToUserName><FromUserName><![CDATA[oUser]]></FromUserName>"
         "<CreateTime>1732500000</CreateTime><MsgType><![CDATA[" +
         std::string(type) + "]]></MsgType>" + std::string(extra) + "<MsgId>1234567890123456</MsgId></xml>";
}

TEST(ParseMessage, TextFromDocVector) {
  const auto t = parse_as<TextMessage>(kMpText);
  EXPECT_EQ(t.header.to_user, "gh_3f2a91c0d7e5");
  EXPECT_EQ(t.header.from_user, "oXq9L5mRzTe2Wb8kPaN3dC7vYh1U");
  EXPECT_EQ(t.header.create_time, 1732500000);
  EXPECT_EQ(t.header.agent_id, "");
  EXPECT_EQ(t.msg_id, 24812345678901234);
  EXPECT_EQ(t.content, "报修：3栋2单元电梯异响!!!!!!!!!!!!!!!!!");
}

TEST(ParseMessage, WecomTextWithNewlinesAndAgentId) {
  const auto t = parse_as<TextMessage>(kWecomText);
  EXPECT_EQ(t.header.to_user, "wx5823bf96d3bd56c7");
  EXPECT_EQ(t.header.from_user, "mycreate");
  EXPECT_EQ(t.header.create_time, 1409659813);
  EXPECT_EQ(t.header.agent_id, "218");
  EXPECT_EQ(t.msg_id, 4561255354251345929);
  EXPECT_EQ(t.content, "hello");
}

TEST(ParseMessage, Utf8EmojiContent) {
  // tests/data/msgcrypt.json gen-wecom-corpid-utf8-emoji
  const auto t = parse_as<TextMessage>(
      "<xml><ToUserName><![CDATA[ww8f2c6d1e0a9b7354]]></ToUserName><FromUserName><![CDATA[ZhangWei]]></FromUserName>"
      "<CreateTime>1732500100</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[您好，3号楼的电梯修好了"
      "吗？🙏]]></Content><MsgId>7428196053284710291</MsgId><AgentID>1000002</AgentID></xml>");
  EXPECT_EQ(t.content, "您好，3号楼的电梯修好了吗？🙏");
  EXPECT_EQ(t.header.agent_id, "1000002");
}

TEST(ParseMessage, PlainTextValuesAnyOrderWithoutMsgId) {
  // tests/data/msgcrypt.json wecom-wechatpy-reply-corpid: no CDATA on numbers, unusual order.
  const auto t = parse_as<TextMessage>(
      "<xml>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[test]]></Content>\n<FromUserName><![CDATA["
      "wx49f0ab532d5d035a]]></FromUserName>\n<ToUserName><![CDATA[messense]]></ToUserName>\n<AgentID>1</AgentID>\n"
      "<CreateTime>1411525903</CreateTime>\n</xml>");
  EXPECT_EQ(t.header.to_user, "messense");
  EXPECT_EQ(t.header.from_user, "wx49f0ab532d5d035a");
  EXPECT_EQ(t.header.create_time, 1411525903);
  EXPECT_EQ(t.header.agent_id, "1");
  EXPECT_EQ(t.msg_id, 0);
  EXPECT_EQ(t.content, "test");
}

TEST(ParseMessage, NoCdataAndEntities) {
  const auto t = parse_as<TextMessage>(
      "<xml><ToUserName>gh_1</ToUserName><FromUserName>oU</FromUserName><CreateTime>1</CreateTime>"
      "<MsgType>text</MsgType><Content>a &lt;b&gt; &amp; &quot;c&quot; &apos;d&apos; &#x4E2D;</Content><MsgId>7</MsgId>"
      "</xml>");
  EXPECT_EQ(t.header.to_user, "gh_1");
  EXPECT_EQ(t.content, "a <b> & \"c\" 'd' 中");
  EXPECT_EQ(t.msg_id, 7);
}

TEST(ParseMessage, WhitespaceAroundValuesIsTolerated) {
  const auto t = parse_as<TextMessage>(
      "<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n<xml>\r\n  <ToUserName>\n    <![CDATA[gh_1]]>\n  </ToUserName>\n"
      "  <FromUserName> oU </FromUserName>\n  <CreateTime>\n    1732500000\n  </CreateTime>\n"
      "  <MsgType>\n <![CDATA[text]]> \n</MsgType>\n  <Content><![CDATA[  keep my spaces ]]></Content>\n"
      "  <MsgId> 42\t</MsgId>\n</xml>\n");
  EXPECT_EQ(t.header.to_user, "gh_1");
  EXPECT_EQ(t.header.from_user, "oU");
  EXPECT_EQ(t.header.create_time, 1732500000);
  EXPECT_EQ(t.msg_id, 42);
  EXPECT_EQ(t.content, "  keep my spaces ");
}

TEST(ParseMessage, UnknownAndNestedFieldsAreIgnored) {
  // tests/data/msgcrypt.json mp-java-sample-utf8-video-xml: MediaId nested under <Video> is not a field.
  const auto v = parse_as<VideoMessage>(
      "<xml><ToUserName><![CDATA[oia2Tj我是中文jewbmiOUlr6X-1crbLOvLw]]></ToUserName><FromUserName><![CDATA["
      "gh_7f083739789a]]></FromUserName><CreateTime>1407743423</CreateTime><MsgType><![CDATA[video]]></MsgType><Video>"
      "<MediaId><![CDATA[eYJ1MbwPRJtOvIEabaxHs7TX2D-HV71s79GUxqdUkjm6Gs2Ed1KF3ulAOA9H1xG0]]></MediaId><Title><![CDATA["
      "testCallBackReplyVideo]]></Title><Description><![CDATA[testCallBackReplyVideo]]></Description></Video></xml>");
  EXPECT_EQ(v.header.to_user, "oia2Tj我是中文jewbmiOUlr6X-1crbLOvLw");
  EXPECT_EQ(v.media_id, "");
  const auto t = parse_as<TextMessage>(message_xml("text", "<Foo a=\"1\"><Bar/></Foo><Content>x</Content><Zed/>"));
  EXPECT_EQ(t.content, "x");
}

TEST(ParseMessage, FirstOccurrenceOfADuplicateFieldWins) {
  const auto t = parse_as<TextMessage>(message_xml("text", "<Content>one</Content><Content>two</Content>"));
  EXPECT_EQ(t.content, "one");
}

TEST(ParseMessage, SplitCdataIsJoined) {
  const auto t = parse_as<TextMessage>(message_xml("text", "<Content><![CDATA[a]]]]><![CDATA[>b]]></Content>"));
  EXPECT_EQ(t.content, "a]]>b");
}

TEST(ParseMessage, Image) {
  const auto m = parse_as<ImageMessage>(message_xml(
      "image", "<PicUrl><![CDATA[http://mmbiz.qpic.cn/x.jpg]]></PicUrl><MediaId><![CDATA[media_1]]></MediaId>"));
  EXPECT_EQ(m.pic_url, "http://mmbiz.qpic.cn/x.jpg");
  EXPECT_EQ(m.media_id, "media_1");
  EXPECT_EQ(m.msg_id, 1234567890123456);
}

TEST(ParseMessage, Voice) {
  const auto m = parse_as<VoiceMessage>(message_xml(
      "voice", "<MediaId><![CDATA[m2]]></MediaId><Format><![CDATA[amr]]></Format><Recognition><![CDATA[腾讯微信团队]]>"
               "</Recognition>"));
  EXPECT_EQ(m.media_id, "m2");
  EXPECT_EQ(m.format, "amr");
  EXPECT_EQ(m.recognition, "腾讯微信团队");
}

TEST(ParseMessage, VideoAndShortVideo) {
  const std::string extra = "<MediaId><![CDATA[m3]]></MediaId><ThumbMediaId><![CDATA[t3]]></ThumbMediaId>";
  const auto v = parse_as<VideoMessage>(message_xml("video", extra));
  EXPECT_EQ(v.media_id, "m3");
  EXPECT_EQ(v.thumb_media_id, "t3");
  const auto s = parse_as<ShortVideoMessage>(message_xml("shortvideo", extra));
  EXPECT_EQ(s.media_id, "m3");
  EXPECT_EQ(s.thumb_media_id, "t3");
  EXPECT_EQ(s.msg_id, 1234567890123456);
}

TEST(ParseMessage, Location) {
  const auto m = parse_as<LocationMessage>(
      message_xml("location",
                  "<Location_X>23.134521</Location_X><Location_Y>113.358803</Location_Y><Scale>20</Scale>"
                  "<Label><![CDATA[广州市天河区]]></Label>"));
  EXPECT_DOUBLE_EQ(m.latitude, 23.134521);
  EXPECT_DOUBLE_EQ(m.longitude, 113.358803);
  EXPECT_EQ(m.scale, 20);
  EXPECT_EQ(m.label, "广州市天河区");
}

TEST(ParseMessage, Link) {
  const auto m = parse_as<LinkMessage>(
      message_xml("link",
                  "<Title><![CDATA[公众平台官网链接]]></Title><Description><![CDATA[描述]]></Description>"
                  "<Url><![CDATA[https://mp.weixin.qq.com/]]></Url>"));
  EXPECT_EQ(m.title, "公众平台官网链接");
  EXPECT_EQ(m.description, "描述");
  EXPECT_EQ(m.url, "https://mp.weixin.qq.com/");
}

TEST(ParseMessage, SubscribeFromDocSample) {
  const auto e = parse_as<SubscribeEvent>(kSubscribe);
  EXPECT_EQ(e.header.to_user, "gh_3f2a91c0d7e5");
  EXPECT_EQ(e.header.from_user, "oXq9L5mRzTe2Wb8kPaN3dC7vYh1U");
  EXPECT_EQ(e.header.create_time, 1732500600);
}

TEST(ParseMessage, SubscribeWithEmptyEventKey) {
  parse_as<SubscribeEvent>(event_xml("subscribe", "<EventKey><![CDATA[]]></EventKey>"));
  parse_as<SubscribeEvent>(event_xml("subscribe", "<EventKey/>"));
}

TEST(ParseMessage, SubscribeThroughQrCodeStripsPrefixOnce) {
  const auto e = parse_as<SubscribeScanEvent>(event_xml(
      "subscribe",
      "<EventKey><![CDATA[qrscene_123123]]></EventKey><Ticket><![CDATA[gQH47joAAAAAAAAAASxodHRwOi8v]]></Ticket>"));
  EXPECT_EQ(e.scene, "123123");
  EXPECT_EQ(e.ticket, "gQH47joAAAAAAAAAASxodHRwOi8v");
  EXPECT_EQ(parse_as<SubscribeScanEvent>(event_xml("subscribe", "<EventKey>qrscene_qrscene_x</EventKey>")).scene,
            "qrscene_x");
  EXPECT_EQ(parse_as<SubscribeScanEvent>(event_xml("subscribe", "<EventKey>qrscene_room:3-2-501</EventKey>")).scene,
            "room:3-2-501");
}

TEST(ParseMessage, WecomLowerCaseSubscribe) {
  const auto e = parse_as<SubscribeEvent>(
      "<xml><ToUserName><![CDATA[ww8f2c6d1e0a9b7354]]></ToUserName><FromUserName><![CDATA[ZhangWei]]></FromUserName>"
      "<CreateTime>1732500100</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event>"
      "<AgentID>1000002</AgentID></xml>");
  EXPECT_EQ(e.header.agent_id, "1000002");
}

TEST(ParseMessage, Unsubscribe) { parse_as<UnsubscribeEvent>(event_xml("unsubscribe")); }

TEST(ParseMessage, ScanKeepsKeyAsIs) {
  const auto e = parse_as<ScanEvent>(
      event_xml("SCAN", "<EventKey><![CDATA[qrscene_7]]></EventKey><Ticket><![CDATA[TICKET]]></Ticket>"));
  EXPECT_EQ(e.scene, "qrscene_7");
  EXPECT_EQ(e.ticket, "TICKET");
  EXPECT_EQ(parse_as<ScanEvent>(event_xml("scan", "<EventKey>123</EventKey>")).scene, "123");
}

TEST(ParseMessage, MenuEvents) {
  EXPECT_EQ(parse_as<ClickEvent>(event_xml("CLICK", "<EventKey><![CDATA[REPAIR]]></EventKey>")).event_key, "REPAIR");
  const auto v = parse_as<ViewEvent>(
      event_xml("VIEW", "<EventKey><![CDATA[https://example.com/a?b=1&c=2]]></EventKey><MenuId>208379533</MenuId>"));
  EXPECT_EQ(v.url, "https://example.com/a?b=1&c=2");
  EXPECT_EQ(v.menu_id, "208379533");
  EXPECT_EQ(parse_as<ViewEvent>(event_xml("view", "<EventKey>https://x/</EventKey>")).menu_id, "");
}

TEST(ParseMessage, LocationEvent) {
  const auto e = parse_as<LocationEvent>(event_xml(
      "LOCATION", "<Latitude>23.137466</Latitude><Longitude>-113.352425</Longitude><Precision>119.385040</Precision>"));
  EXPECT_DOUBLE_EQ(e.latitude, 23.137466);
  EXPECT_DOUBLE_EQ(e.longitude, -113.352425);
  EXPECT_DOUBLE_EQ(e.precision, 119.385040);
}

TEST(ParseMessage, TemplateSendJobFinish) {
  const auto ok = parse_as<TemplateSendJobFinishEvent>(
      event_xml("TEMPLATESENDJOBFINISH", "<MsgID>200163836</MsgID><Status><![CDATA[success]]></Status>"));
  EXPECT_EQ(ok.msg_id, 200163836);
  EXPECT_EQ(ok.status, "success");
  EXPECT_FALSE(ok.failed());
  EXPECT_TRUE(parse_as<TemplateSendJobFinishEvent>(
                  event_xml("TEMPLATESENDJOBFINISH", "<MsgID>1</MsgID><Status>failed:user block</Status>"))
                  .failed());
  EXPECT_TRUE(parse_as<TemplateSendJobFinishEvent>(
                  event_xml("TEMPLATESENDJOBFINISH", "<MsgID>1</MsgID><Status>failed: system failed</Status>"))
                  .failed());
}

TEST(ParseMessage, UnknownKindsAreKept) {
  const auto u = parse_as<UnknownMessage>(message_xml("miniprogrampage", "<Title>t</Title>"));
  EXPECT_EQ(u.msg_type, "miniprogrampage");
  EXPECT_EQ(u.event, "");
  EXPECT_EQ(u.msg_id, 1234567890123456);

  // The safe-mode example of the docs, as XML.
  const auto d = parse_as<UnknownMessage>(event_xml("debug_demo", "<debug_str>hello world</debug_str>"));
  EXPECT_EQ(d.msg_type, "event");
  EXPECT_EQ(d.event, "debug_demo");
  EXPECT_EQ(d.msg_id, 0);

  const auto k = parse_as<UnknownMessage>(event_xml("scancode_push", "<EventKey>rselfmenu_0_1</EventKey>"));
  EXPECT_EQ(k.event_key, "rselfmenu_0_1");

  const auto empty = parse_as<UnknownMessage>("<xml/>");
  EXPECT_EQ(empty.msg_type, "");
  EXPECT_EQ(empty.header.create_time, 0);
}

TEST(ParseMessage, MalformedInputIsXmlError) {
  expect_xml_error("", "malformed XML: XML_ERROR_EMPTY_DOCUMENT");
  expect_xml_error("<xml><ToUserName>a</xml>", "malformed XML: XML_ERROR_MISMATCHED_ELEMENT");
  expect_xml_error("<xml><Content><![CDATA[a</Content></xml>", "malformed XML");
  expect_xml_error("<xml>", "malformed XML");
  expect_xml_error(R"({"ToUserName":"gh_97417a04a28d","MsgType":"event"})", "malformed XML: XML_ERROR_PARSING_TEXT");
  expect_xml_error("hello", "malformed XML");
  expect_xml_error(std::string_view("<xml><Content>a\0b</Content></xml>", 34), "NUL byte");
}

TEST(ParseMessage, WrongRootIsXmlError) {
  expect_xml_error("<root><MsgType>text</MsgType></root>", "root element is not <xml>");
  expect_xml_error("<XML><MsgType>text</MsgType></XML>", "root element is not <xml>");
  expect_xml_error("<xml/><xml/>", "more than one root element");
}

TEST(ParseMessage, DtdIsRejected) {
  expect_xml_error("<!DOCTYPE xml><xml><MsgType>text</MsgType></xml>", "DTD not allowed");
  expect_xml_error(
      "<?xml version=\"1.0\"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><xml><Content>&xxe;"
      "</Content></xml>",
      "DTD not allowed");
  expect_xml_error("<xml><Content><!ENTITY a \"b\"></Content></xml>", "DTD not allowed");
  expect_xml_error("<xml><Content><!FOO></Content></xml>", "DTD not allowed");
  // tinyxml2 leaves an undeclared entity as literal text, never an expansion.
  EXPECT_EQ(parse_as<TextMessage>("<xml><MsgType>text</MsgType><Content>&xxe;</Content></xml>").content, "&xxe;");
}

TEST(ParseMessage, NonNumericFieldsAreXmlError) {
  expect_xml_error("<xml><CreateTime>abc</CreateTime><MsgType>text</MsgType></xml>", "CreateTime is not a number");
  expect_xml_error("<xml><CreateTime>12abc</CreateTime></xml>", "CreateTime is not a number");
  expect_xml_error("<xml><CreateTime>1 2</CreateTime></xml>", "CreateTime is not a number");
  expect_xml_error("<xml><MsgType>text</MsgType><MsgId>99999999999999999999</MsgId></xml>", "MsgId is not a number");
  expect_xml_error("<xml><MsgType>location</MsgType><Location_X>north</Location_X></xml>",
                   "Location_X is not a number");
  expect_xml_error("<xml><MsgType>location</MsgType><Location_X>nan</Location_X></xml>", "Location_X is not a number");
  expect_xml_error("<xml><MsgType>location</MsgType><Scale>99999999999</Scale></xml>", "Scale is out of range");
  expect_xml_error("<xml><MsgType>event</MsgType><Event>TEMPLATESENDJOBFINISH</Event><MsgID>x</MsgID></xml>",
                   "MsgID is not a number");
}

TEST(ParseMessage, MissingOptionalFieldsAreEmpty) {
  const auto t = parse_as<TextMessage>("<xml><MsgType>text</MsgType><CreateTime></CreateTime></xml>");
  EXPECT_EQ(t.header.to_user, "");
  EXPECT_EQ(t.header.create_time, 0);
  EXPECT_EQ(t.msg_id, 0);
  EXPECT_EQ(t.content, "");
}

TEST(KindLabel, EveryKind) {
  const std::vector<std::pair<std::string, std::string_view>> cases = {
      {message_xml("text", ""), "text"},
      {message_xml("image", ""), "image"},
      {message_xml("voice", ""), "voice"},
      {message_xml("video", ""), "video"},
      {message_xml("shortvideo", ""), "shortvideo"},
      {message_xml("location", ""), "location"},
      {message_xml("link", ""), "link"},
      {event_xml("subscribe"), "event.subscribe"},
      {event_xml("subscribe", "<EventKey>qrscene_1</EventKey>"), "event.subscribe_scan"},
      {event_xml("unsubscribe"), "event.unsubscribe"},
      {event_xml("SCAN"), "event.scan"},
      {event_xml("CLICK"), "event.click"},
      {event_xml("VIEW"), "event.view"},
      {event_xml("LOCATION"), "event.location"},
      {event_xml("TEMPLATESENDJOBFINISH"), "event.templatesendjobfinish"},
      {event_xml("annual_renew", "<ExpiredTime>1795000000</ExpiredTime>"), "event.certification"},
      {event_xml("MASSSENDJOBFINISH"), "unknown"},
  };
  for (const auto& [xml, label] : cases) EXPECT_EQ(kind_label(parse_message(xml)), label) << xml;
}

TEST(ParseMessage, CertificationEventsCarryWhenTheCertificationEnds) {
  for (std::string_view kind : {"qualification_verify_success", "naming_verify_success", "annual_renew", "verify_expired"}) {
    const Message m = parse_message(event_xml(kind, "<ExpiredTime>1795000000</ExpiredTime>"));
    ASSERT_TRUE(std::holds_alternative<CertificationEvent>(m)) << kind;
    EXPECT_EQ(std::get<CertificationEvent>(m).event, kind);
    EXPECT_EQ(std::get<CertificationEvent>(m).expired_time, 1795000000);
    // Two announcements of different dates are two events, not a retry of one.
    EXPECT_NE(dedup_key(m), dedup_key(parse_message(event_xml(kind, "<ExpiredTime>1795000001</ExpiredTime>"))));
  }
  // The platform's spelling differs only in case sometimes: the kind is still known.
  EXPECT_TRUE(std::holds_alternative<CertificationEvent>(parse_message(event_xml("ANNUAL_RENEW", "<ExpiredTime>1</ExpiredTime>"))));
  // Failures carry FailTime and FailReason, no date: kept as unknown events.
  EXPECT_TRUE(std::holds_alternative<UnknownMessage>(
      parse_message(event_xml("qualification_verify_fail", "<FailTime>1442401122</FailTime><FailReason><![CDATA[by time]]></FailReason>"))));
}

TEST(HeaderOf, EveryKindExposesItsHeader) {
  for (const std::string& xml : {message_xml("text", ""), message_xml("link", ""), event_xml("VIEW"),
                                 event_xml("TEMPLATESENDJOBFINISH"), event_xml("nope")}) {
    const Message m = parse_message(xml);
    EXPECT_EQ(header_of(m).to_user, "gh_3f2a91c0d7e5");
    EXPECT_EQ(header_of(m).from_user, "oUser");
  }
}

TEST(DedupKey, Messages) {
  EXPECT_EQ(dedup_key(parse_message(kMpText)), "m:24812345678901234");
  EXPECT_EQ(dedup_key(parse_message(kWecomText)), "m:4561255354251345929:a218");
  EXPECT_EQ(dedup_key(parse_message(message_xml("image", ""))), "m:1234567890123456");
  // No MsgId: falls back to the event form keyed on the kind.
  EXPECT_EQ(dedup_key(parse_message("<xml><FromUserName>u</FromUserName><CreateTime>5</CreateTime>"
                                    "<MsgType>text</MsgType></xml>")),
            "e:u:5:text:");
}

TEST(DedupKey, Events) {
  EXPECT_EQ(dedup_key(parse_message(kSubscribe)), "e:oXq9L5mRzTe2Wb8kPaN3dC7vYh1U:1732500600:subscribe:");
  EXPECT_EQ(dedup_key(parse_message(event_xml("subscribe", "<EventKey>qrscene_42</EventKey>"))),
            "e:oUser:1732500600:subscribe:qrscene_42");
  EXPECT_EQ(dedup_key(parse_message(event_xml("scan", "<EventKey>42</EventKey>"))), "e:oUser:1732500600:SCAN:42");
  EXPECT_EQ(dedup_key(parse_message(event_xml("unsubscribe"))), "e:oUser:1732500600:unsubscribe:");
  EXPECT_EQ(dedup_key(parse_message(event_xml("CLICK", "<EventKey>K</EventKey>"))), "e:oUser:1732500600:CLICK:K");
  EXPECT_EQ(dedup_key(parse_message(event_xml("VIEW", "<EventKey>https://x/</EventKey>"))),
            "e:oUser:1732500600:VIEW:https://x/");
  EXPECT_EQ(dedup_key(parse_message(event_xml("LOCATION", "<Latitude>1</Latitude>"))),
            "e:oUser:1732500600:LOCATION:");
  EXPECT_EQ(dedup_key(parse_message(event_xml("TEMPLATESENDJOBFINISH", "<MsgID>200163836</MsgID>"))),
            "e:oUser:1732500600:TEMPLATESENDJOBFINISH:200163836");
  EXPECT_EQ(dedup_key(parse_message(event_xml("CLICK", "<EventKey>K</EventKey><AgentID>1000002</AgentID>"))),
            "e:oUser:1732500600:CLICK:K:a1000002");
  // Two clicks in the same second on different buttons stay apart.
  EXPECT_NE(dedup_key(parse_message(event_xml("CLICK", "<EventKey>A</EventKey>"))),
            dedup_key(parse_message(event_xml("CLICK", "<EventKey>B</EventKey>"))));
}

TEST(DedupKey, Unknown) {
  EXPECT_EQ(dedup_key(parse_message(message_xml("miniprogrampage", ""))), "m:1234567890123456");
  EXPECT_EQ(dedup_key(parse_message(event_xml("debug_demo"))), "e:oUser:1732500600:debug_demo:");
  EXPECT_EQ(dedup_key(parse_message(event_xml("scancode_push", "<EventKey>k</EventKey>"))),
            "e:oUser:1732500600:scancode_push:k");
}

TEST(ParseEnvelope, SafeMode) {
  const Envelope e = parse_envelope(
      "<xml>\n  <ToUserName><![CDATA[gh_3f2a91c0d7e5]]></ToUserName>\n  <Encrypt><![CDATA[8BAqyh8yXimHZtW52qkh3/"
      "VhqYHndwo/CukJ2U7Oxcw+wEZFXE2el4pjdqnMGdZNtsWku5xbSbnKHZJZl9pN2k==]]></Encrypt>\n</xml>");
  EXPECT_EQ(e.to_user, "gh_3f2a91c0d7e5");
  EXPECT_EQ(e.encrypt, "8BAqyh8yXimHZtW52qkh3/VhqYHndwo/CukJ2U7Oxcw+wEZFXE2el4pjdqnMGdZNtsWku5xbSbnKHZJZl9pN2k==");
  EXPECT_EQ(e.agent_id, "");
}

TEST(ParseEnvelope, WecomWithAgentId) {
  // docs/protocol/wecom.md
  const Envelope e = parse_envelope(R"(<xml>
  <ToUserName><![CDATA[ww8f2c6d1e0a9b7354]]></ToUserName>
  <AgentID><![CDATA[1000002]]></AgentID>
  <Encrypt><![CDATA[RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo]]></Encrypt>
</xml>)");
  EXPECT_EQ(e.to_user, "ww8f2c6d1e0a9b7354");
  EXPECT_EQ(e.agent_id, "1000002");
  EXPECT_EQ(e.encrypt, "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo");
}

TEST(ParseEnvelope, CompatibleModeAndPlaintext) {
  std::string compatible(kMpText);
  compatible.insert(compatible.size() - 6, "<Encrypt><![CDATA[QUJD]]></Encrypt>");
  const Envelope c = parse_envelope(compatible);
  EXPECT_EQ(c.to_user, "gh_3f2a91c0d7e5");
  EXPECT_EQ(c.encrypt, "QUJD");
  const Envelope p = parse_envelope(kMpText);
  EXPECT_EQ(p.to_user, "gh_3f2a91c0d7e5");
  EXPECT_EQ(p.encrypt, "");
}

TEST(ParseEnvelope, NotXmlIsXmlError) {
  EXPECT_THROW(parse_envelope("Encrypt=abc"), XmlError);
  EXPECT_THROW(parse_envelope("<xml><Encrypt>abc</xml>"), XmlError);
  EXPECT_THROW(parse_envelope("<!DOCTYPE xml><xml><Encrypt>abc</Encrypt></xml>"), XmlError);
}

TEST(RenderTextReply, SwapsAddresses) {
  const Header in{"gh_3f2a91c0d7e5", "oXq9L5mRzTe2Wb8kPaN3dC7vYh1U", 1732500000, ""};
  EXPECT_EQ(render_text_reply(in, "已收到，物业将尽快处理", 1732500001),
            "<xml><ToUserName><![CDATA[oXq9L5mRzTe2Wb8kPaN3dC7vYh1U]]></ToUserName><FromUserName><![CDATA["
            "gh_3f2a91c0d7e5]]></FromUserName><CreateTime>1732500001</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            "<Content><![CDATA[已收到，物业将尽快处理]]></Content></xml>");
}

TEST(RenderTextReply, SplitsCdataTerminator) {
  const Header in{"gh_1", "oU", 1, ""};
  EXPECT_EQ(render_text_reply(in, "a]]>b", 2),
            "<xml><ToUserName><![CDATA[oU]]></ToUserName><FromUserName><![CDATA[gh_1]]></FromUserName>"
            "<CreateTime>2</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[a]]]]><![CDATA[>b]]>"
            "</Content></xml>");
}

TEST(RenderTextReply, RoundTripsThroughParse) {
  const Header in{"gh_1", "oU", 1, ""};
  for (std::string_view content : {"", "]]>", "]]>]]>", "]]]>>", "x]]", "<b>&amp;</b>", "换行\n第二行 🙂",
                                   "]]><!-- -->]]>", "a]]>b]]>c"}) {
    const auto t = parse_as<TextMessage>(render_text_reply(in, content, 1732500001));
    EXPECT_EQ(t.content, content);
    EXPECT_EQ(t.header.to_user, "oU");
    EXPECT_EQ(t.header.from_user, "gh_1");
    EXPECT_EQ(t.header.create_time, 1732500001);
  }
}

}  // namespace
}  // namespace xiaoqu::wechat
