#include "community/residents/resident_template.hpp"

#include <algorithm>

#include "spreadsheet/workbook_writer.hpp"
#include "community/structure/structure.hpp"

namespace xiaoqu::community {
namespace {

using spreadsheet::Style;
// Validations reach this many data rows; a manager pasting more copies them down.
constexpr std::uint32_t kValidatedRows = 20'000;

const char* kRules =
    "填写规则：\n"
    "1. 姓名、身份只有同时填写手机号才算有效住户；手机号为11位大陆手机号。\n"
    "2. 身份：业主、家属、长期租客、限期租客；限期租客必须填写租期截止日期（如 2018-12-31），其他身份不能填写。\n"
    "3. 性别：男或女，可不填。证件类型：身份证、护照、其他；填写证件号码不选类型时按身份证校验。\n"
    "4. 小区楼栋信息必填，须为已有房间（小区允许通过导入创建楼栋时会自动创建）；"
    "结构层级较少的房间，多出的楼栋列留空。\n"
    "5. 只填写楼栋列的行用于创建房间（需小区允许）。同一房间同一手机号的住户再次导入时更新，不会重复。\n"
    "6. 数据从第3行开始，请勿修改前两行表头。";

}  // namespace

std::vector<std::string> ResidentSheetLayout::headers() const {
  std::vector<std::string> h = {"姓名", "性别", "身份", "租期截止日期", "手机号", "证件类型", "证件号码", "小区"};
  h.insert(h.end(), levels.begin(), levels.end());
  return h;
}

ResidentSheetLayout resident_sheet_layout(store::Connection& c, const Community& community) {
  ResidentSheetLayout layout;
  layout.community_name = community.name;
  auto structures = structures_of(c, community.id);
  if (structures.empty())
    throw RecordError(RecordError::Kind::invalid, "小区“" + community.name + "”还没有楼栋结构，请先创建结构再下载住户模板",
                      "structure");
  std::size_t depth = 0;
  for (const auto& s : structures) depth = std::max(depth, s.levels.size());
  for (std::size_t i = 0; i < depth; ++i) {
    std::vector<std::string> names;
    for (const auto& s : structures)
      if (i < s.levels.size() && std::find(names.begin(), names.end(), s.levels[i]) == names.end())
        names.push_back(s.levels[i]);
    std::string joined;
    for (const auto& n : names) joined += (joined.empty() ? "" : "/") + n;
    layout.levels.push_back(joined);
  }
  return layout;
}

ResidentSheetWriter::ResidentSheetWriter(const ResidentSheetLayout& layout, std::string_view sheet_name, bool report)
    : layout_(layout), w_(std::make_unique<spreadsheet::WorkbookWriter>(sheet_name)), report_(report) {
  auto& w = *w_;
  using L = ResidentSheetLayout;
  auto last = static_cast<std::uint16_t>(layout.column_count() - 1);
  w.merge(0, L::name, 0, L::lease_end, "基本信息");
  w.merge(0, L::phone, 0, L::id_number, "身份验证信息");
  w.merge(0, L::community, 0, last, "小区楼栋信息");
  auto headers = layout.headers();
  for (std::size_t i = 0; i < headers.size(); ++i) w.text(1, static_cast<std::uint16_t>(i), headers[i], Style::header);
  w.column(L::name, 12);
  w.column(L::gender, 6);
  w.column(L::identity, 10);
  w.column(L::lease_end, 14, true);
  // Text format keeps 18913101234 and ID numbers from becoming 1.89131E+10.
  w.column(L::phone, 14, true);
  w.column(L::id_type, 10);
  w.column(L::id_number, 22, true);
  w.column(L::community, 14, true);
  for (std::uint16_t i = L::first_level; i <= last; ++i) w.column(i, 10, true);
  if (report) {
    w.text(1, last + 1, "原行号", Style::header);
    w.text(1, last + 2, "错误原因", Style::header);
    w.column(last + 1, 8);
    w.column(last + 2, 60);
  } else {
    w.dropdown(2, kValidatedRows, L::gender, gender_labels());
    w.dropdown(2, kValidatedRows, L::identity, identity_labels());
    w.dropdown(2, kValidatedRows, L::id_type, id_type_labels());
  }
  w.note(1, L::name, kRules);
  w.freeze_rows(2);
}

ResidentSheetWriter::~ResidentSheetWriter() = default;

void ResidentSheetWriter::row(const std::vector<std::string>& cells) {
  for (std::size_t i = 0; i < cells.size() && i < layout_.column_count(); ++i)
    if (!cells[i].empty()) w_->text(next_, static_cast<std::uint16_t>(i), cells[i]);
  ++next_;
}

void ResidentSheetWriter::report_row(std::uint32_t original_row, const std::vector<std::string>& cells,
                                     std::string_view reasons) {
  auto last = static_cast<std::uint16_t>(layout_.column_count() - 1);
  w_->number(next_, last + 1, original_row);
  w_->text(next_, last + 2, reasons, Style::error);
  row(cells);
}

std::string ResidentSheetWriter::finish() { return w_->finish(); }

std::string resident_template_xlsx(const ResidentSheetLayout& layout) {
  ResidentSheetWriter w(layout, "住户信息");
  std::vector<std::string> cells(ResidentSheetLayout::community + 1);
  cells[ResidentSheetLayout::community] = layout.community_name;
  for (std::uint32_t i = 0; i < kPrefilledRows; ++i) w.row(cells);
  return w.finish();
}

std::vector<std::string> resident_cells(const ResidentSheetLayout& layout, const Resident& r) {
  using L = ResidentSheetLayout;
  std::vector<std::string> cells(layout.column_count());
  cells[L::name] = r.name;
  cells[L::gender] = std::string(to_label(r.gender));
  cells[L::identity] = std::string(to_label(r.identity));
  cells[L::lease_end] = r.lease_end;
  cells[L::phone] = r.phone;
  cells[L::id_type] = std::string(to_label(r.id_type));
  cells[L::id_number] = r.id_number_masked;
  cells[L::community] = layout.community_name;
  for (std::size_t i = 0; i < r.room_path.size() && L::first_level + i < cells.size(); ++i)
    cells[L::first_level + i] = r.room_path[i];
  return cells;
}

std::string resident_export_xlsx(store::Connection& c, const ResidentSheetLayout& layout, const ResidentQuery& q) {
  ResidentSheetWriter w(layout, "住户信息");
  for_each_resident(c, q, [&](const Resident& r) { w.row(resident_cells(layout, r)); });
  return w.finish();
}

}  // namespace xiaoqu::community
