#pragma once
// Importing the resident template: every row checked first (all problems reported with row,
// column and reason; nothing committed when any row is bad), then one write job that
// upserts by (room + phone), then (room + normalized name), and records the attempt in
// import_reports with its downloadable error report.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "community/shared/personal_data.hpp"
#include "community/residents/resident_template.hpp"
#include "community/residents/residents.hpp"
#include "spreadsheet/sheet.hpp"
#include "community/structure/structure_sheet.hpp"  // SheetIssue
#include "store/database.hpp"

namespace xiaoqu::community {

/// One checked data row.
struct ImportRow {
  std::uint32_t number = 0;
  bool structure_only = false;  ///< only building columns: creates the room
  CleanResident person;
  /// The 证件号码 cell held an exported masked value ("4403**********123X"): keep the stored
  /// number of the matched resident when its masked form is the same.
  std::string masked_id;
  IdType masked_id_type = IdType::none;
  std::vector<std::string> path;  ///< building names from the top
};

/// Where each template column sits in the uploaded file (files may reorder or add columns).
struct ColumnMap {
  std::vector<std::size_t> at;  ///< index = layout column, value = file column
};

/// Checks one data row. Appends its issues (row, "E（手机号）", reason) and returns false when
/// it has any; returns true with `out` filled otherwise. A row with no resident and no
/// building cells is skipped (true, out.path empty, not structure_only). RecordError invalid
/// when the 小区 cell names another community (the whole file is another community's).
bool check_resident_row(const spreadsheet::Row& row, const ColumnMap& cols, const ResidentSheetLayout& layout,
                        bool allow_structure_import, const Date& today, ImportRow& out,
                        std::vector<SheetIssue>& issues);

struct ResidentSheet {
  std::vector<ImportRow> rows;
  std::vector<SheetIssue> issues;
  /// The bad rows' cells in layout order, for the error report.
  std::vector<std::pair<std::uint32_t, std::vector<std::string>>> bad_rows;
  ColumnMap columns;  ///< where the template's columns are in this file
};

/// Streams the file and checks every row (duplicates of room + phone or room + name inside
/// the file included). Throws spreadsheet::SheetError (not a spreadsheet, corrupt, too
/// large, ...) and RecordError invalid (missing or renamed header columns, another
/// community's template).
ResidentSheet read_resident_sheet(std::string_view file, const spreadsheet::ReadLimits& limits,
                                  const ResidentSheetLayout& layout, bool allow_structure_import, const Date& today);

struct ImportSettings {
  spreadsheet::ReadLimits limits;
  std::int64_t admin_id = 0;
  std::string actor;  ///< "admin:<id>"
  std::string file_name;
  std::int64_t now = 0;
};

struct ResidentImportResult {
  bool committed = false;
  std::int64_t added = 0, updated = 0, unchanged = 0, rooms_created = 0;
  std::vector<SheetIssue> issues;  ///< every problem when refused
  std::int64_t report_id = 0;      ///< the import_reports row (both outcomes)
};

/// The whole import of one uploaded file into one community. File-level refusals (not a
/// spreadsheet, header, another community's template) are returned as one issue on row 0
/// and recorded like row errors; nothing is committed unless every row is good. The audit
/// log gets one import.commit entry with the counts (not one entry per resident: a bulk
/// import is one decision). RecordError not_found when the community does not exist.
ResidentImportResult import_residents(store::Database& db, const PersonalData& pd, std::int64_t community_id,
                                      std::string_view file, const ImportSettings& settings);

}  // namespace xiaoqu::community
