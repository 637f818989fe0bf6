#pragma once
// Staff as a spreadsheet: the template (two header rows, group headers 基本信息 / 工作信息 /
// 服务小区 over the field names, like the resident template), the all-or-nothing import and
// the export of a community's staff.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "community/structure/communities.hpp"
#include "spreadsheet/sheet.hpp"
#include "community/staff/staff.hpp"
#include "community/structure/structure_sheet.hpp"
#include "store/sqlite.hpp"

namespace xiaoqu::community {

/// The field names of the template's second header row, in order.
const std::vector<std::string>& staff_columns();

/// The template for one community: 服务小区 pre-filled with its name on the first rows, a
/// dropdown for 性别, the rules as a note, phone columns formatted as text.
std::string staff_template_xlsx(const Community& community);

struct StaffSheet {
  std::vector<StaffInput> people;
  std::vector<std::uint32_t> rows;  ///< the row number of each person
  std::vector<SheetIssue> issues;
  std::vector<std::pair<std::uint32_t, std::vector<std::string>>> bad_rows;
  std::vector<std::string> header;
};

/// Reads and checks an uploaded staff sheet for `community`: every field checked as
/// checked_staff does, 服务小区 names resolved among the communities the admin may see
/// (`visible`, nullptr for every one) and required to include this community (a template of
/// another community is refused row by row), the same phone twice in one file refused.
/// Throws spreadsheet::SheetError (not a spreadsheet) and RecordError (header).
StaffSheet read_staff_sheet(std::string_view file, const spreadsheet::ReadLimits& limits, store::Connection& reader,
                            const Community& community, const std::vector<std::int64_t>* visible);

/// A clean sheet's rows that the store refused at commit (a WeCom userid of someone else);
/// thrown from import_staff so the caller's transaction rolls back.
class ImportRejected : public std::runtime_error {
 public:
  explicit ImportRejected(std::vector<SheetIssue> issues)
      : std::runtime_error("import rejected"), issues_(std::move(issues)) {}
  const std::vector<SheetIssue>& issues() const noexcept { return issues_; }

 private:
  std::vector<SheetIssue> issues_;
};

struct StaffImportCounts {
  std::int64_t added = 0, updated = 0, unchanged = 0;
};
/// Upserts every person of a clean sheet in the caller's transaction (upsert_staff).
StaffImportCounts import_staff(store::Connection& c, std::int64_t community_id, const StaffSheet& sheet,
                               const std::string& actor, std::int64_t now);

/// The community's staff matching `q` (every page), phones masked as in lists.
std::string staff_export_xlsx(store::Connection& c, const Community& community, StaffQuery q);

}  // namespace xiaoqu::community
