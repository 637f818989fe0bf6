// Templates and exports written with WorkbookWriter read back through read_rows: the
// writer and the reader agree on every feature the templates use.
#include "spreadsheet/workbook_writer.hpp"

#include <gtest/gtest.h>

#include "spreadsheet/sheet.hpp"
#include "tests/spreadsheet/read_helpers.hpp"

using namespace xiaoqu::spreadsheet;
using xiaoqu::testing::cell_text;
using xiaoqu::testing::read_all;

namespace {

// The seed's resident template: group headers over field names, a dropdown, a note.
void write_template(WorkbookWriter& w) {
  w.merge(0, 0, 0, 3, "基本信息");
  w.merge(0, 4, 0, 5, "身份验证信息");
  w.merge(0, 6, 0, 8, "小区楼栋信息");
  const char* headers[] = {"姓名", "性别", "身份", "租期截止", "手机号", "证件号", "栋", "单元", "房间号"};
  for (std::uint16_t c = 0; c < 9; ++c) w.text(1, c, headers[c], Style::header);
  w.note(1, 0, "规则：姓名和身份须与手机号一同填写。\n楼栋信息必填。");
  w.column(4, 14, true);
  w.column(5, 22, true);
  w.dropdown(2, 1000, 2, {"业主", "家属", "长期租客", "限期租客"});
  w.dropdown(2, 1000, 1, {"男", "女"});
  w.freeze_rows(2);
}

}  // namespace

TEST(WorkbookWriter, TemplateRoundTripsThroughTheReader) {
  WorkbookWriter w("腾讯小区住户");
  write_template(w);
  w.text(2, 0, "张三");
  w.text(2, 2, "业主");
  w.text(2, 4, "18913101234");
  w.text(2, 6, "A");
  w.number(2, 7, 1);
  w.text(2, 8, "101");
  w.text(3, 0, "刘六");
  w.number(3, 3, 43465, Style::date);
  w.number(3, 4, 18913101235);
  w.text(3, 8, "错误：手机号无效", Style::error);
  std::string xlsx = w.finish();
  ASSERT_GT(xlsx.size(), 1000u);
  EXPECT_EQ(xlsx.substr(0, 4), std::string("PK\x03\x04", 4));
  // The note travels as its own part (part names are stored uncompressed in the ZIP).
  EXPECT_NE(xlsx.find("xl/comments1.xml"), std::string::npos);

  auto rows = read_all(xlsx);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].number, 1u);
  EXPECT_EQ(cell_text(rows[0], 0), "基本信息");
  EXPECT_EQ(cell_text(rows[0], 4), "身份验证信息");
  EXPECT_EQ(cell_text(rows[0], 6), "小区楼栋信息");
  EXPECT_EQ(cell_text(rows[1], 8), "房间号");
  EXPECT_EQ(cell_text(rows[2], 0), "张三");
  EXPECT_EQ(cell_text(rows[2], 4), "18913101234");
  EXPECT_EQ(rows[2].cells[7].kind, Cell::Kind::number);
  EXPECT_EQ(cell_text(rows[2], 7), "1");
  EXPECT_EQ(rows[3].number, 4u);
  EXPECT_TRUE(rows[3].cells[3].date_format);
  EXPECT_EQ(rows[3].cells[3].number, 43465);
  EXPECT_EQ(cell_text(rows[3], 4), "18913101235");
  EXPECT_FALSE(rows[3].cells[4].date_format);
  EXPECT_EQ(cell_text(rows[3], 8), "错误：手机号无效");
}

TEST(WorkbookWriter, LongDropdownListsGoToAHiddenSheetTheReaderSkips) {
  std::vector<std::string> rooms;
  for (int i = 1; i <= 200; ++i) rooms.push_back("A栋-" + std::to_string(i));
  WorkbookWriter w("住户");
  w.text(0, 0, "房间");
  w.dropdown(1, 100, 0, rooms);
  w.text(1, 0, "A栋-1");
  auto rows = read_all(w.finish());
  ASSERT_EQ(rows.size(), 2u);  // the first visible sheet, not the list sheet
  EXPECT_EQ(cell_text(rows[1], 0), "A栋-1");
}

TEST(WorkbookWriter, ConstantMemoryKeepsMergesNotesAndDropdownsWhenWrittenInOrder) {
  WorkbookWriter w("导出", WorkbookWriter::Memory::constant);
  write_template(w);
  for (std::uint32_t r = 2; r < 2002; ++r) {
    w.text(r, 0, "住户" + std::to_string(r));
    w.number(r, 4, 18900000000.0 + r);
  }
  std::string xlsx = w.finish();
  auto rows = read_all(xlsx);
  ASSERT_EQ(rows.size(), 2002u);
  EXPECT_EQ(cell_text(rows[0], 0), "基本信息");
  EXPECT_EQ(cell_text(rows[1], 5), "证件号");
  EXPECT_EQ(cell_text(rows[2001], 0), "住户2001");
  EXPECT_EQ(cell_text(rows[2001], 4), "18900002001");
  EXPECT_NE(xlsx.find("xl/comments1.xml"), std::string::npos);
}

TEST(WorkbookWriter, ConstantMemoryRefusesAWriteToAnEarlierRow) {
  WorkbookWriter w("导出", WorkbookWriter::Memory::constant);
  w.text(5, 0, "later");
  EXPECT_THROW(w.text(1, 0, "earlier"), std::runtime_error);
}

TEST(WorkbookWriter, SanitizesSheetNamesExcelWouldRefuse) {
  WorkbookWriter w("[腾讯]小区:住户/导出*?一二三四五六七八九十一二三四五六七八九十");
  w.text(0, 0, "x");
  auto rows = read_all(w.finish());
  ASSERT_EQ(rows.size(), 1u);
}

TEST(WorkbookWriter, RefusesOutOfRangeCellsAndFinishingTwice) {
  WorkbookWriter w;
  EXPECT_THROW(w.text(1048576, 0, "x"), std::runtime_error);
  w.text(0, 0, "x");
  w.finish();
  EXPECT_THROW(w.finish(), std::logic_error);
}

TEST(WorkbookWriter, ControlCharactersAndEscapeLookalikesRoundTrip) {
  for (auto memory : {WorkbookWriter::Memory::normal, WorkbookWriter::Memory::constant}) {
    WorkbookWriter w("t", memory);
    const std::string text = "第一行\r\n第二行\x01 _x0041_ 不是转义";
    w.text(0, 0, text);
    auto rows = read_all(w.finish());
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(cell_text(rows[0], 0), text);
  }
}
