#include "wechat/xml_fields.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace xiaoqu::wechat::detail {
namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;

struct Parsed {
  bool flat = false;
  Fields fields;
  std::optional<std::string> error;
};

Parsed parse(std::string_view xml, XmlFields::Parser parser = XmlFields::Parser::flat_or_tinyxml2) {
  Parsed p;
  try {
    const XmlFields f(xml, parser);
    p.flat = f.flat();
    for (const auto& field : f.fields()) p.fields.emplace_back(field.name, field.text);
  } catch (const XmlError& e) {
    p.error = e.what();
  }
  return p;
}

// The flat scanner read `xml` and found what tinyxml2 finds.
Fields expect_flat(std::string_view xml) {
  const Parsed fast = parse(xml);
  const Parsed slow = parse(xml, XmlFields::Parser::tinyxml2);
  EXPECT_TRUE(fast.flat) << xml;
  EXPECT_FALSE(fast.error) << *fast.error;
  EXPECT_FALSE(slow.error) << *slow.error;
  EXPECT_EQ(fast.fields, slow.fields) << xml;
  return fast.fields;
}

// The flat scanner declined `xml`: tinyxml2 decided, with the same fields or the same error.
Parsed expect_fallback(std::string_view xml) {
  const Parsed fast = parse(xml);
  const Parsed slow = parse(xml, XmlFields::Parser::tinyxml2);
  EXPECT_FALSE(fast.flat) << xml;
  EXPECT_EQ(fast.error, slow.error) << xml;
  EXPECT_EQ(fast.fields, slow.fields) << xml;
  return fast;
}

TEST(XmlFieldsFlat, CdataAndPlainText) {
  const Fields f = expect_flat(
      "<xml><ToUserName><![CDATA[gh_1]]></ToUserName><CreateTime>1732500000</CreateTime>"
      "<Content><![CDATA[报修：3栋 <b> & 漏水]]></Content></xml>");
  EXPECT_EQ(f, (Fields{{"ToUserName", "gh_1"}, {"CreateTime", "1732500000"}, {"Content", "报修：3栋 <b> & 漏水"}}));
}

TEST(XmlFieldsFlat, ValuesPointIntoTheInput) {
  const std::string xml = "<xml><Encrypt><![CDATA[QUJD]]></Encrypt><AgentID>1</AgentID></xml>";
  const XmlFields f(xml);
  ASSERT_TRUE(f.flat());
  EXPECT_EQ(f.text("Encrypt").data(), xml.data() + xml.find("QUJD"));
  EXPECT_EQ(f.text("AgentID").data(), xml.data() + xml.find(">1<") + 1);
}

TEST(XmlFieldsFlat, SplitCdataAndTextPiecesAreJoined) {
  EXPECT_EQ(expect_flat("<xml><Content><![CDATA[a]]]]><![CDATA[>b]]></Content></xml>"), (Fields{{"Content", "a]]>b"}}));
  EXPECT_EQ(expect_flat("<xml><Content> a <![CDATA[b]]> c </Content></xml>"), (Fields{{"Content", " a b c "}}));
  EXPECT_EQ(expect_flat("<xml><Content><![CDATA[]]><![CDATA[x]]>  </Content></xml>"), (Fields{{"Content", "x"}}));
}

TEST(XmlFieldsFlat, WhitespaceDeclarationAndEmptyFields) {
  const Fields f = expect_flat(
      "  <?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n<xml>\r\n  <ToUserName>\n    <![CDATA[gh_1]]>\n  </ToUserName>\n"
      "\t<Content>  keep my spaces </Content>\n<Empty></Empty><Blank><![CDATA[]]></Blank><Spaces>   </Spaces>\n</xml>\n\n");
  EXPECT_EQ(f, (Fields{{"ToUserName", "gh_1"},
                       {"Content", "  keep my spaces "},
                       {"Empty", ""},
                       {"Blank", ""},
                       {"Spaces", ""}}));  // tinyxml2 drops whitespace-only content too
}

TEST(XmlFieldsFlat, FirstOccurrenceWinsAndNamesMayRepeatTheRoot) {
  const std::string xml = "<xml><A>1</A><A>2</A><xml>3</xml><a.b-c_d:1>4</a.b-c_d:1></xml>";
  expect_flat(xml);
  const XmlFields f(xml);
  EXPECT_EQ(f.text("A"), "1");
  EXPECT_EQ(f.text("xml"), "3");
  EXPECT_EQ(f.text("a.b-c_d:1"), "4");
  EXPECT_TRUE(f.has("A"));
  EXPECT_FALSE(f.has("B"));
}

TEST(XmlFieldsFlat, EmptyRoot) { EXPECT_TRUE(expect_flat("<xml></xml>").empty()); }

TEST(XmlFieldsFallback, Attributes) {
  EXPECT_EQ(expect_fallback("<xml><A x=\"1\">v</A></xml>").fields, (Fields{{"A", "v"}}));
  expect_fallback("<xml id=\"1\"><A>v</A></xml>");
}

TEST(XmlFieldsFallback, Comments) {
  EXPECT_EQ(expect_fallback("<xml><A>v</A><!-- c --></xml>").fields, (Fields{{"A", "v"}}));
  EXPECT_EQ(expect_fallback("<xml><A>v<!-- c -->w</A></xml>").fields, (Fields{{"A", "vw"}}));
  expect_fallback("<!-- c --><xml><A>v</A></xml>");
}

TEST(XmlFieldsFallback, EntityReferences) {
  EXPECT_EQ(expect_fallback("<xml><A>a &amp; b &#x4E2D;</A></xml>").fields, (Fields{{"A", "a & b 中"}}));
  EXPECT_EQ(expect_fallback("<xml><A><![CDATA[x]]>&lt;</A></xml>").fields, (Fields{{"A", "x<"}}));
}

TEST(XmlFieldsFallback, NestedElements) {
  const Parsed p = expect_fallback("<xml><Video><MediaId>m</MediaId></Video><B>b</B></xml>");
  EXPECT_EQ(p.fields, (Fields{{"Video", ""}, {"B", "b"}}));
}

TEST(XmlFieldsFallback, ProcessingInstructions) {
  EXPECT_TRUE(expect_fallback("<xml><A>v<?pi x?></A></xml>").error);
  expect_fallback("<xml><?pi x?><A>v</A></xml>");
  expect_fallback("<?xml version=\"1.0\"?><?xml version=\"1.0\"?><xml><A>v</A></xml>");
}

TEST(XmlFieldsFallback, DoctypeAndEntity) {
  EXPECT_EQ(*expect_fallback("<!DOCTYPE xml><xml><A>v</A></xml>").error, "DTD not allowed");
  EXPECT_EQ(*expect_fallback("<xml><A><![CDATA[<!ENTITY a \"b\">]]></A></xml>").error, "DTD not allowed");
}

TEST(XmlFieldsFallback, NulByte) {
  using namespace std::string_view_literals;
  EXPECT_EQ(*expect_fallback("<xml><A>v\0w</A></xml>"sv).error, "malformed XML: NUL byte");
}

TEST(XmlFieldsFallback, UnbalancedTags) {
  EXPECT_EQ(*expect_fallback("<xml><A>a</B></xml>").error, "malformed XML: XML_ERROR_MISMATCHED_ELEMENT");
  EXPECT_TRUE(expect_fallback("<xml><A>a</xml>").error);
  EXPECT_TRUE(expect_fallback("<xml><A>a</A>").error);
  EXPECT_TRUE(expect_fallback("<xml><A><![CDATA[a</A></xml>").error);
  EXPECT_TRUE(expect_fallback("<xml><A>a").error);
}

TEST(XmlFieldsFallback, SecondRootAndTrailingGarbage) {
  EXPECT_EQ(*expect_fallback("<xml><A>a</A></xml><xml></xml>").error, "more than one root element");
  expect_fallback("<xml><A>a</A></xml>garbage");
  expect_fallback("<xml><A>a</A></xml><!-- c -->");
}

TEST(XmlFieldsFallback, OtherShapes) {
  expect_fallback("<root><A>a</A></root>");                        // wrong root
  expect_fallback("<xml ><A>a</A></xml>");                         // space in a tag
  expect_fallback("<xml><A >a</A ></xml>");
  expect_fallback("<xml><A/><B>b</B></xml>");                      // self-closing element
  expect_fallback("<xml>text<A>a</A></xml>");                      // text directly under the root
  expect_fallback("<xml><A>a\r\nb</A></xml>");                     // newline normalisation
  expect_fallback("<xml><A><![CDATA[a\rb]]></A></xml>");
  expect_fallback("<xml><A>\v<![CDATA[a]]></A></xml>");            // whitespace tinyxml2 also skips
  expect_fallback("\xEF\xBB\xBF<xml><A>a</A></xml>");              // byte order mark
  expect_fallback("<xml><\xE5\x90\x8D>a</\xE5\x90\x8D></xml>");    // non-ASCII name
  expect_fallback("{\"ToUserName\":\"gh_1\"}");
  expect_fallback("");
  expect_fallback(std::string_view());                            // null view
}

}  // namespace
}  // namespace xiaoqu::wechat::detail
