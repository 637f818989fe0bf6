// How numbers, dates and escapes become text, for .xlsx and .xls alike.
#include "spreadsheet/cell_text.hpp"

#include <gtest/gtest.h>

using namespace xiaoqu::spreadsheet::detail;

TEST(SheetCellText, RendersNumbersWithoutExponentOrTrailingZero) {
  EXPECT_EQ(render_number(18913101234.0), "18913101234");
  EXPECT_EQ(render_number(0.5), "0.5");
  EXPECT_EQ(render_number(-0.0), "0");
  EXPECT_EQ(render_number(43465), "43465");
  EXPECT_EQ(render_number(0.1 + 0.2), "0.30000000000000004");  // exactly what the file held
  EXPECT_EQ(render_number(1e-7), "0.0000001");
  EXPECT_EQ(render_number(440301199001011234.0), "440301199001011264");  // past 2^53: the double's own digits
  EXPECT_EQ(render_number(-12.25), "-12.25");
}

TEST(SheetCellText, TellsDateFormatsFromNumberFormats) {
  for (const char* date : {"yyyy-mm-dd", "yyyy\"年\"m\"月\"d\"日\"", "m/d/yy h:mm", "[$-804]yyyy/m/d", "[h]:mm:ss", "d-mmm", "hh:mm"})
    EXPECT_TRUE(is_date_format_code(date)) << date;
  for (const char* plain : {"General", "0.00", "#,##0;[Red]-#,##0", "0.00\"天\"", "@", "0.00E+00", "_(* #,##0_)", "\\d0", "[Red]0"})
    EXPECT_FALSE(is_date_format_code(plain)) << plain;
  for (unsigned id : {14u, 22u, 31u, 45u, 57u, 58u}) EXPECT_TRUE(is_builtin_date_format(id)) << id;
  for (unsigned id : {0u, 1u, 2u, 10u, 11u, 23u, 37u, 49u, 59u}) EXPECT_FALSE(is_builtin_date_format(id)) << id;
}

TEST(SheetCellText, TurnsIsoDatesIntoExcelSerials) {
  double serial = 0;
  ASSERT_TRUE(serial_from_iso("2018-12-31", serial));
  EXPECT_EQ(serial, 43465);
  ASSERT_TRUE(serial_from_iso("1900-03-01", serial));
  EXPECT_EQ(serial, 61);
  ASSERT_TRUE(serial_from_iso("2018-12-31 12:00:00", serial));
  EXPECT_DOUBLE_EQ(serial, 43465.5);
  ASSERT_TRUE(serial_from_iso("06:00:00", serial));
  EXPECT_DOUBLE_EQ(serial, 0.25);
  for (const char* bad : {"", "2018-13-01", "2018/12/31", "2018-12-31T", "25:00:00", "abc"}) EXPECT_FALSE(serial_from_iso(bad, serial)) << bad;
}

TEST(SheetCellText, DecodesOoxmlEscapes) {
  std::string s = "line_x000A_break _x005F_x000D_ _x00e9_ _xZZZZ_ _xD800_";
  decode_ooxml_escapes(s);
  EXPECT_EQ(s, "line\nbreak _x000D_ \xC3\xA9 _xZZZZ_ _xD800_");
}
