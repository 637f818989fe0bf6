#pragma once
// The per-community resident spreadsheet: the template a manager downloads, the export of
// residents in the same layout (so it re-imports), and the error report of a refused import
// (the same layout plus 原行号 and 错误原因, so the fixed report re-imports too).
//
// Layout: row 1 holds the group headers 基本信息 / 身份验证信息 / 小区楼栋信息 merged over
// their columns, row 2 the field names, data from row 3:
//   A 姓名 | B 性别 | C 身份 | D 租期截止日期 | E 手机号 | F 证件类型 | G 证件号码 | H 小区 | I.. levels
// The building columns follow the community's structures. With several structures the
// template has as many building columns as the deepest one; column i is named after level i
// of every structure that has it ("栋/组团" when they differ), and rooms of a shallower
// structure leave the extra columns empty.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "community/structure/communities.hpp"
#include "community/residents/residents_store.hpp"
#include "store/sqlite.hpp"

namespace xiaoqu::spreadsheet {
class WorkbookWriter;
}

namespace xiaoqu::community {

struct ResidentSheetLayout {
  enum Column : std::size_t { name, gender, identity, lease_end, phone, id_type, id_number, community, first_level };
  std::string community_name;
  std::vector<std::string> levels;  ///< building column headers after 小区
  /// Row 2: the field names in column order.
  std::vector<std::string> headers() const;
  std::size_t column_count() const { return first_level + levels.size(); }
};

/// The layout for a community from its structures. RecordError invalid when it has none yet
/// (a template without building columns could not name a room).
ResidentSheetLayout resident_sheet_layout(store::Connection& c, const Community& community);

/// Writes sheets in the template's layout: the two header rows, text-formatted phone and ID
/// columns, dropdowns for 性别 / 身份 / 证件类型, the rules as a note on 姓名.
class ResidentSheetWriter {
 public:
  /// `report`: add 原行号 and 错误原因 columns after the building columns.
  ResidentSheetWriter(const ResidentSheetLayout& layout, std::string_view sheet_name, bool report = false);
  ~ResidentSheetWriter();
  /// The next data row; `cells` in layout column order (shorter rows leave cells empty).
  void row(const std::vector<std::string>& cells);
  /// The next data row of an error report: its original row number and why it was refused.
  void report_row(std::uint32_t original_row, const std::vector<std::string>& cells, std::string_view reasons);
  std::string finish();

 private:
  const ResidentSheetLayout& layout_;
  std::unique_ptr<spreadsheet::WorkbookWriter> w_;
  std::uint32_t next_ = 2;
  bool report_;
};

/// Data rows whose 小区 cell the template fills in (rows with nothing else are ignored).
inline constexpr std::uint32_t kPrefilledRows = 200;

/// The empty template with 小区 pre-filled on the first kPrefilledRows data rows.
std::string resident_template_xlsx(const ResidentSheetLayout& layout);

/// The residents matching `q` (every page) in the template's layout: phones in full so the
/// file re-imports, ID numbers masked (an import keeps the stored number when it sees the
/// same masked value), lease ends as 2018-12-31.
std::string resident_export_xlsx(store::Connection& c, const ResidentSheetLayout& layout, const ResidentQuery& q);

/// The cells of one resident in layout order (export rows).
std::vector<std::string> resident_cells(const ResidentSheetLayout& layout, const Resident& r);

}  // namespace xiaoqu::community
