#pragma once
// The seed's example as a filled-in resident template (小区 腾讯小区; A/1/101, A/1/102,
// B/1/101, B/1/102; 张三 业主, 李四 家属, 王五 长期租客, 刘六 限期租客 until 2018-12-31),
// written with WorkbookWriter: the input of the LibreOffice round trips.
#include <string>

#include "spreadsheet/workbook_writer.hpp"

namespace xiaoqu::testing {

struct SeedResident {
  const char* name;
  const char* identity;
  const char* phone;
  const char* building;
  int unit;
  const char* room;
};

inline constexpr SeedResident kSeedResidents[] = {
    {"张三", "业主", "18913101234", "A", 1, "101"},
    {"李四", "家属", "13800138000", "A", 1, "102"},
    {"王五", "长期租客", "13912345678", "B", 1, "101"},
    {"刘六", "限期租客", "15000001111", "B", 1, "102"},
};
inline constexpr double kSeedLeaseEnd = 43465;  // 2018-12-31

/// Columns: 小区 姓名 身份 租期截止 手机号 证件号 栋 单元 房间号; rows 1-2 are headers, the
/// residents are rows 3-6, and rows 7-9 hold only formatting (blank to every reader).
inline std::string seed_workbook() {
  using spreadsheet::Style;
  spreadsheet::WorkbookWriter w("腾讯小区住户");
  w.merge(0, 0, 0, 3, "基本信息");
  w.merge(0, 4, 0, 5, "身份验证信息");
  w.merge(0, 6, 0, 8, "小区楼栋信息");
  const char* headers[] = {"小区", "姓名", "身份", "租期截止", "手机号", "证件号", "栋", "单元", "房间号"};
  for (std::uint16_t c = 0; c < 9; ++c) w.text(1, c, headers[c], Style::header);
  w.note(1, 1, "姓名、身份须与手机号一同填写；楼栋信息必填。");
  w.column(4, 14, true);
  w.column(5, 22, true);
  w.dropdown(2, 500, 2, {"业主", "家属", "长期租客", "限期租客"});
  w.freeze_rows(2);
  std::uint32_t row = 2;
  for (const auto& r : kSeedResidents) {
    w.text(row, 0, "腾讯小区");
    w.text(row, 1, r.name);
    w.text(row, 2, r.identity);
    if (std::string(r.identity) == "限期租客") w.number(row, 3, kSeedLeaseEnd, Style::date);
    w.text(row, 4, r.phone);
    w.text(row, 6, r.building);
    w.number(row, 7, r.unit);
    w.text(row, 8, r.room);
    ++row;
  }
  w.text(2, 5, "110101199003074514");
  for (; row < 9; ++row) w.text(row, 1, "", Style::error);  // formatted, never filled in
  return w.finish();
}

}  // namespace xiaoqu::testing
