#include "spreadsheet/read_error.hpp"

#include <cstdio>

namespace xiaoqu::spreadsheet::detail {
namespace {
std::string figure(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}
}  // namespace

std::string human_size(std::size_t bytes) {
  if (bytes >= (1u << 20) && bytes % (1u << 20) == 0) return std::to_string(bytes >> 20) + " MB";
  if (bytes >= 1024 && bytes % 1024 == 0) return std::to_string(bytes >> 10) + " KB";
  return std::to_string(bytes) + " 字节";
}

void fail_not_a_spreadsheet() {
  throw SheetError(SheetError::Code::not_a_spreadsheet, "不是 Excel 文件（.xlsx 或 .xls）");
}
void fail_encrypted() {
  throw SheetError(SheetError::Code::encrypted, "文件已加密，请取消密码保护后重新上传");
}
void fail_corrupt(std::string_view detail) {
  throw SheetError(SheetError::Code::corrupt, "文件已损坏，无法读取：" + std::string(detail));
}
void fail_too_large(std::size_t limit_bytes) {
  throw SheetError(SheetError::Code::too_large, "文件超过 " + human_size(limit_bytes) + " 上限");
}
void fail_zip_bomb_total(std::size_t limit_bytes) {
  throw SheetError(SheetError::Code::zip_bomb, "文件解压后超过 " + human_size(limit_bytes) + " 上限，疑似压缩炸弹");
}
void fail_zip_bomb_ratio(double limit_ratio) {
  throw SheetError(SheetError::Code::zip_bomb, "文件压缩比超过 " + figure(limit_ratio) + " 倍上限，疑似压缩炸弹");
}
void fail_too_many_rows(std::size_t limit) {
  throw SheetError(SheetError::Code::too_many_rows, "文件超过 " + std::to_string(limit) + " 行上限");
}
void fail_too_many_columns(std::uint32_t row, std::size_t limit) {
  throw SheetError(SheetError::Code::too_many_columns,
                   "第 " + std::to_string(row) + " 行超过 " + std::to_string(limit) + " 列上限");
}

}  // namespace xiaoqu::spreadsheet::detail
