// The .xlsx reader against hand-built files: cell kinds, references, shared strings, date
// formats, blank rows, and every way a file is refused.
#include "spreadsheet/sheet.hpp"

#include <gtest/gtest.h>

#include "tests/spreadsheet/read_helpers.hpp"
#include "tests/spreadsheet/zip_builder.hpp"

using namespace xiaoqu::spreadsheet;
using xiaoqu::testing::cell_text;
using xiaoqu::testing::minimal_xlsx;
using xiaoqu::testing::read_all;
using xiaoqu::testing::read_error;
using xiaoqu::testing::ZipBuilder;

TEST(SheetReader, ReadsEveryCellKind) {
  std::string sst = R"(<si><t>张三</t></si><si><r><t xml:space="preserve">腾讯 </t></r><r><rPr><b/></rPr><t>小区</t></r></si>)";
  std::string data =
      R"(<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="inlineStr"><is><t>业主</t></is></c>)"
      R"(<c r="D1"><v>18913101234</v></c><c r="E1" t="n"><v>0.5</v></c><c r="F1" t="b"><v>1</v></c>)"
      R"(<c r="G1" t="str"><f>A1&amp;"x"</f><v>张三x</v></c><c r="H1" t="e"><v>#N/A</v></c><c r="I1"><v>1.8913101234E10</v></c></row>)";
  auto rows = read_all(minimal_xlsx(data, sst));
  ASSERT_EQ(rows.size(), 1u);
  const auto& c = rows[0].cells;
  ASSERT_EQ(c.size(), 9u);
  EXPECT_EQ(rows[0].number, 1u);
  EXPECT_EQ(c[0].kind, Cell::Kind::text);
  EXPECT_EQ(c[0].text, "张三");
  EXPECT_EQ(c[1].text, "腾讯 小区");
  EXPECT_EQ(c[2].text, "业主");
  EXPECT_EQ(c[3].kind, Cell::Kind::number);
  EXPECT_EQ(c[3].text, "18913101234");
  EXPECT_EQ(c[3].number, 18913101234.0);
  EXPECT_EQ(c[4].text, "0.5");
  EXPECT_EQ(c[5].kind, Cell::Kind::boolean);
  EXPECT_EQ(c[5].text, "TRUE");
  EXPECT_EQ(c[6].text, "张三x");
  EXPECT_EQ(c[7].text, "#N/A");
  EXPECT_EQ(c[8].text, "18913101234");
}

TEST(SheetReader, PlacesCellsByReferenceOrSequence) {
  std::string data =
      R"(<row r="2"><c r="C2" t="inlineStr"><is><t>c</t></is></c><c t="inlineStr"><is><t>d</t></is></c></row>)"
      R"(<row><c t="inlineStr"><is><t>a</t></is></c><c r="AA4" t="inlineStr"><is><t>aa</t></is></c></row>)";
  auto rows = read_all(minimal_xlsx(data));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].number, 2u);
  ASSERT_EQ(rows[0].cells.size(), 4u);
  EXPECT_TRUE(rows[0].cells[0].empty());
  EXPECT_EQ(cell_text(rows[0], 2), "c");
  EXPECT_EQ(cell_text(rows[0], 3), "d");
  EXPECT_EQ(rows[1].number, 3u);  // no r=: the row after the previous one
  EXPECT_EQ(cell_text(rows[1], 0), "a");
  ASSERT_EQ(rows[1].cells.size(), 27u);
  EXPECT_EQ(cell_text(rows[1], 26), "aa");
}

TEST(SheetReader, SkipsRowsWithoutValuesAndTrimsEmptyCells) {
  std::string data =
      R"(<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c><c r="B1" s="1"/></row>)"
      R"(<row r="2"><c r="A2" s="1"/><c r="B2" t="inlineStr"><is><t></t></is></c></row>)"
      R"(<row r="3" spans="1:5"/><row r="5"><c r="B5"><v>7</v></c></row>)"
      R"(<row r="1000" customHeight="1"><c r="A1000" s="1"/></row>)";
  auto rows = read_all(minimal_xlsx(data));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].cells.size(), 1u);
  EXPECT_EQ(rows[1].number, 5u);
  EXPECT_EQ(cell_text(rows[1], 1), "7");
}

TEST(SheetReader, KnowsDateFormatsBuiltInAndCustom) {
  std::string styles =
      R"(<numFmts count="3"><numFmt numFmtId="164" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/>)"
      R"(<numFmt numFmtId="165" formatCode="0.00&quot;天&quot;"/><numFmt numFmtId="166" formatCode="[Red]#,##0"/></numFmts>)"
      R"(<cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs>)"
      R"(<cellXfs count="6"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="165"/><xf numFmtId="166"/><xf numFmtId="58"/></cellXfs>)"
      // A conditional format's own numFmt does not redefine the cell format of that id.
      R"(<dxfs count="1"><dxf><numFmt numFmtId="165" formatCode="yyyy-mm-dd"/></dxf></dxfs>)";
  std::string data = R"(<row r="1"><c r="A1"><v>43465</v></c><c r="B1" s="1"><v>43465</v></c><c r="C1" s="2"><v>43465</v></c>)"
                     R"(<c r="D1" s="3"><v>2</v></c><c r="E1" s="4"><v>3</v></c><c r="F1" s="5"><v>43465</v></c><c r="G1" s="99"><v>1</v></c></row>)";
  auto rows = read_all(minimal_xlsx(data, {}, styles));
  ASSERT_EQ(rows.size(), 1u);
  const auto& c = rows[0].cells;
  EXPECT_FALSE(c[0].date_format);
  EXPECT_TRUE(c[1].date_format);
  EXPECT_EQ(c[1].number, 43465);  // 2018-12-31
  EXPECT_TRUE(c[2].date_format);
  EXPECT_FALSE(c[3].date_format);
  EXPECT_FALSE(c[4].date_format);
  EXPECT_TRUE(c[5].date_format);  // zh-CN built-in, written undeclared by WPS
  EXPECT_FALSE(c[6].date_format);  // style index past cellXfs: no format
}

TEST(SheetReader, FindsTheSheetThroughRelationshipsNotByName) {
  auto rows = read_all(minimal_xlsx(R"(<row r="1"><c r="A1"><v>1</v></c></row>)", {}, {}, "xl/worksheets/Data Sheet.xml"));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(cell_text(rows[0], 0), "1");
}

TEST(SheetReader, DecodesEscapedControlCharactersAndSkipsPhoneticRuns) {
  std::string sst = R"(<si><t>a_x000D_b_x005F_x0041_</t></si><si><t>東京</t><rPh sb="0" eb="2"><t>トウキョウ</t></rPh></si>)";
  auto rows = read_all(minimal_xlsx(R"(<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>)", sst));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(cell_text(rows[0], 0), "a\rb_x0041_");
  EXPECT_EQ(cell_text(rows[0], 1), "東京");
}

TEST(SheetReader, StopsWhenTheCallerSaysSo) {
  std::string data;
  for (int r = 1; r <= 100; ++r) data += "<row r=\"" + std::to_string(r) + "\"><c><v>" + std::to_string(r) + "</v></c></row>";
  int seen = 0;
  read_rows(minimal_xlsx(data), {}, [&](const Row&) { return ++seen < 3; });
  EXPECT_EQ(seen, 3);
}

TEST(SheetReader, RefusesWhatIsNotASpreadsheet) {
  std::string png("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
  for (std::string bytes : {png, std::string("姓名,电话\n张三,18913101234\n"), std::string()}) {
    auto e = read_error(bytes);
    EXPECT_EQ(e.code(), SheetError::Code::not_a_spreadsheet) << e.what();
    EXPECT_STREQ(e.what(), "不是 Excel 文件（.xlsx 或 .xls）");
  }
  // A ZIP that holds no workbook (a .docx, an archive of photos).
  auto zip = ZipBuilder().add("word/document.xml", "<w/>").build();
  EXPECT_EQ(read_error(zip).code(), SheetError::Code::not_a_spreadsheet);
}

TEST(SheetReader, RefusesAFileOverTheSizeLimit) {
  ReadLimits limits;
  limits.max_file_bytes = 1000;
  auto e = read_error(std::string(1001, 'x'), limits);
  EXPECT_EQ(e.code(), SheetError::Code::too_large);
  EXPECT_STREQ(e.what(), "文件超过 1000 字节 上限");
  EXPECT_EQ(read_error(std::string(21u << 20, 'x')).what(), std::string("文件超过 20 MB 上限"));
}

TEST(SheetReader, RefusesCorruptFiles) {
  std::string good = minimal_xlsx(R"(<row r="1"><c r="A1"><v>1</v></c></row>)");
  // Truncated: the central directory is gone.
  auto e = read_error(good.substr(0, good.size() / 2));
  EXPECT_EQ(e.code(), SheetError::Code::corrupt);
  EXPECT_EQ(std::string(e.what()).rfind("文件已损坏，无法读取：", 0), 0u) << e.what();
  // Broken XML in the sheet.
  e = read_error(minimal_xlsx(R"(<row r="1"><c r="A1"><v>1</v></row>)"));
  EXPECT_EQ(e.code(), SheetError::Code::corrupt);
  EXPECT_NE(std::string(e.what()).find("xl/worksheets/sheet1.xml"), std::string::npos) << e.what();
  // A shared string index past the table.
  e = read_error(minimal_xlsx(R"(<row r="4"><c r="B4" t="s"><v>5</v></c></row>)", "<si><t>a</t></si>"));
  EXPECT_EQ(e.code(), SheetError::Code::corrupt);
  EXPECT_NE(std::string(e.what()).find("第 4 行 B 列"), std::string::npos) << e.what();
  // Deflate data damaged in the middle.
  std::string damaged = good;
  auto at = damaged.find("xl/worksheets/sheet1.xml") + 26;
  for (int i = 0; i < 8; ++i) damaged[at + i] = static_cast<char>(0xFF);
  EXPECT_EQ(read_error(damaged).code(), SheetError::Code::corrupt);
}

TEST(SheetReader, RefusesDtdsSoEntitiesNeverExpand) {
  std::string laughs = R"(<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>)"
                       R"(<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>)"
                       R"(<row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>)";
  std::string xlsx = minimal_xlsx("");
  // Swap the sheet part for the one with a DTD.
  ZipBuilder zip;
  std::string ns = "http://schemas.openxmlformats.org/";
  zip.add("xl/workbook.xml", R"(<workbook xmlns:r=")" + ns + R"(officeDocument/2006/relationships"><sheets><sheet r:id="a"/></sheets></workbook>)");
  zip.add("xl/_rels/workbook.xml.rels", R"(<Relationships><Relationship Id="a" Type=")" + ns +
                                            R"(officeDocument/2006/relationships/worksheet" Target="s.xml"/></Relationships>)");
  zip.add("xl/s.xml", laughs);
  auto e = read_error(zip.build());
  EXPECT_EQ(e.code(), SheetError::Code::corrupt);
  EXPECT_NE(std::string(e.what()).find("DTD"), std::string::npos) << e.what();
}

TEST(SheetReader, RefusesZipBombsByRatioAndByTotal) {
  // 2 MiB of one repeated cell deflates about a thousand times: over the default 200.
  std::string row = R"(<row><c t="inlineStr"><is><t>0000000000</t></is></c></row>)";
  std::string data;
  while (data.size() < (2u << 20)) data += row;
  auto e = read_error(minimal_xlsx(data));
  EXPECT_EQ(e.code(), SheetError::Code::zip_bomb);
  EXPECT_STREQ(e.what(), "文件压缩比超过 200 倍上限，疑似压缩炸弹");

  // The same sheet under a generous ratio but a 1 MB total.
  ReadLimits limits;
  limits.max_ratio = 1e6;
  limits.max_uncompressed_bytes = 1u << 20;
  e = read_error(minimal_xlsx(data), limits);
  EXPECT_EQ(e.code(), SheetError::Code::zip_bomb);
  EXPECT_STREQ(e.what(), "文件解压后超过 1 MB 上限，疑似压缩炸弹");
}

TEST(SheetReader, IgnoresDeclaredSizesThatLie) {
  // Headers claim 4 GB for a small sheet: the reader counts what it inflates instead.
  std::string ns = "http://schemas.openxmlformats.org/";
  ZipBuilder zip;
  zip.add("xl/workbook.xml", R"(<workbook xmlns:r=")" + ns + R"(officeDocument/2006/relationships"><sheets><sheet r:id="a"/></sheets></workbook>)");
  zip.add("xl/_rels/workbook.xml.rels", R"(<Relationships><Relationship Id="a" Type=")" + ns +
                                            R"(officeDocument/2006/relationships/worksheet" Target="s.xml"/></Relationships>)");
  zip.add("xl/s.xml", R"(<worksheet><sheetData><row r="1"><c><v>42</v></c></row></sheetData></worksheet>)", true, 0xFFFFFFF0u);
  auto rows = read_all(zip.build());
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(cell_text(rows[0], 0), "42");
}

TEST(SheetReader, RefusesTooManyRowsOrColumns) {
  std::string data;
  for (int r = 1; r <= 6; ++r) data += "<row><c><v>" + std::to_string(r) + "</v></c></row>";
  ReadLimits limits;
  limits.max_rows = 5;
  auto e = read_error(minimal_xlsx(data), limits);
  EXPECT_EQ(e.code(), SheetError::Code::too_many_rows);
  EXPECT_STREQ(e.what(), "文件超过 5 行上限");

  limits = {};
  limits.max_columns = 3;
  e = read_error(minimal_xlsx(R"(<row r="2"><c r="A2"><v>1</v></c><c r="D2"><v>1</v></c></row>)"), limits);
  EXPECT_EQ(e.code(), SheetError::Code::too_many_columns);
  EXPECT_STREQ(e.what(), "第 2 行超过 3 列上限");
  // Styled but empty cells far to the right are not columns of data.
  EXPECT_EQ(read_all(minimal_xlsx(R"(<row r="2"><c r="A2"><v>1</v></c><c r="XFD2" s="1"/></row>)"), limits).size(), 1u);
}

TEST(SheetReader, NamesColumnsLikeTheSpreadsheetPrograms) {
  EXPECT_EQ(column_letter(0), "A");
  EXPECT_EQ(column_letter(25), "Z");
  EXPECT_EQ(column_letter(26), "AA");
  EXPECT_EQ(column_letter(701), "ZZ");
  EXPECT_EQ(column_letter(702), "AAA");
  EXPECT_EQ(column_letter(16383), "XFD");
}

TEST(SheetReader, ReadsPrefixedXmlHiddenSheetsAnd1904Dates) {
  // As the .NET Open XML SDK writes it: every element prefixed "x:", a workbook not at
  // xl/workbook.xml, a hidden first sheet (a dropdown's source list), the 1904 date system.
  std::string ns = "http://schemas.openxmlformats.org/";
  std::string main = R"( xmlns:x=")" + ns + R"(spreadsheetml/2006/main")";
  ZipBuilder zip;
  zip.add("_rels/.rels", R"(<Relationships xmlns=")" + ns + R"(package/2006/relationships"><Relationship Id="r" Type=")" + ns +
                             R"(officeDocument/2006/relationships/officeDocument" Target="/book/wb.xml"/></Relationships>)");
  zip.add("book/wb.xml", "<x:workbook" + main + R"( xmlns:r=")" + ns + R"(officeDocument/2006/relationships">)" +
                             R"(<x:workbookPr date1904="1"/><x:sheets><x:sheet name="lists" sheetId="1" state="hidden" r:id="h"/>)" +
                             R"(<x:sheet name="data" sheetId="2" r:id="d"/></x:sheets></x:workbook>)");
  zip.add("book/_rels/wb.xml.rels", R"(<Relationships xmlns=")" + ns + R"(package/2006/relationships">)" +
                                        R"(<Relationship Id="h" Type=")" + ns + R"(officeDocument/2006/relationships/worksheet" Target="sheets/lists.xml"/>)" +
                                        R"(<Relationship Id="d" Type=")" + ns + R"(officeDocument/2006/relationships/worksheet" Target="./sheets/../sheets/data.xml"/>)" +
                                        R"(<Relationship Id="s" Type=")" + ns + R"(officeDocument/2006/relationships/styles" Target="st.xml"/>)" +
                                        "</Relationships>");
  zip.add("book/st.xml", "<x:styleSheet" + main + R"(><x:cellXfs><x:xf numFmtId="0"/><x:xf numFmtId="14"/></x:cellXfs></x:styleSheet>)");
  zip.add("book/sheets/lists.xml", "<x:worksheet" + main + R"(><x:sheetData><x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>list</x:t></x:is></x:c></x:row></x:sheetData></x:worksheet>)");
  zip.add("book/sheets/data.xml", "<x:worksheet" + main + R"(><x:sheetData><x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>data</x:t></x:is></x:c>)" +
                                      R"(<x:c r="B1" s="1"><x:v>42003</x:v></x:c></x:row></x:sheetData></x:worksheet>)");
  auto rows = read_all(zip.build());
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(cell_text(rows[0], 0), "data");
  ASSERT_EQ(rows[0].cells.size(), 2u);
  EXPECT_TRUE(rows[0].cells[1].date_format);
  EXPECT_EQ(rows[0].cells[1].number, 43465);  // 2018-12-31 in the 1900 system every caller assumes
}

TEST(SheetReader, ACallerExceptionLeavesTheReaderIntact) {
  // Thrown from inside expat's callbacks: it must arrive here, not unwind through C frames.
  std::string data = R"(<row r="1"><c><v>1</v></c></row><row r="2"><c><v>2</v></c></row>)";
  EXPECT_THROW(read_rows(minimal_xlsx(data), {}, [](const Row& r) -> bool { throw std::invalid_argument(std::to_string(r.number)); }),
               std::invalid_argument);
}
