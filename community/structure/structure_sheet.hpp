#pragma once
// A structure as a spreadsheet: the template whose columns are the level names, the import
// that creates the missing nodes (the seed's second method: a sheet that only fills the
// building columns), and the export of every room path. Also the error report shared by
// the staff import: the bad rows with an error column.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "community/structure/structure.hpp"
#include "spreadsheet/sheet.hpp"
#include "store/sqlite.hpp"

namespace xiaoqu::community {

/// One problem of an imported file, where the manager sees it.
struct SheetIssue {
  std::uint32_t row = 0;  ///< as the program shows it; 0 for the file as a whole
  std::string column;     ///< "B（单元）": letter and header, or empty
  std::string reason;
};
nlohmann::json to_json(const SheetIssue& i);
nlohmann::json to_json(const std::vector<SheetIssue>& issues, std::size_t cap = 200);

/// The header row of an import: the first of the first `search_rows` rows holding every one
/// of `names`; the column index of each name in order. RecordError invalid naming the
/// missing or renamed columns (field "file") when no row has them all.
std::vector<std::size_t> locate_header(const std::vector<spreadsheet::Row>& head_rows,
                                       const std::vector<std::string>& names, std::uint32_t* header_row);

/// The bad rows of an import with an error column, as .xlsx bytes: `header` over the row
/// cells, then 错误原因. `rows` are the original cells of each bad row (as text).
std::string error_report_xlsx(const std::vector<std::string>& header,
                              const std::vector<std::pair<std::uint32_t, std::vector<std::string>>>& rows,
                              const std::vector<SheetIssue>& issues);

struct StructureSheet {
  std::vector<std::vector<std::string>> paths;  ///< each 1..levels names from the top
  std::vector<std::uint32_t> rows;              ///< the row number of each path
  std::vector<SheetIssue> issues;               ///< empty when every row is good
  std::vector<std::pair<std::uint32_t, std::vector<std::string>>> bad_rows;  ///< for the report
  std::vector<std::string> header;  ///< the header row's cells, for the report
};

/// Reads an uploaded structure sheet whose columns are the structure's level names (other
/// columns, such as a resident template's, are ignored). A row fills the levels from the
/// top and may stop early; an empty cell before a filled one, or a name over 40 characters,
/// is an issue of that row and column. Throws spreadsheet::SheetError for files that are not
/// spreadsheets and RecordError for a missing or renamed header column.
StructureSheet read_structure_sheet(std::string_view file, const spreadsheet::ReadLimits& limits,
                                    const StructureInfo& structure);

struct StructureImportCounts {
  std::int64_t rows = 0, created_nodes = 0, created_rooms = 0;
  std::int64_t unchanged_rows = 0;  ///< rows whose whole path existed already
};
/// Creates the missing nodes of a clean sheet in the caller's transaction and audits one
/// import.commit entry.
StructureImportCounts import_structure(store::Connection& c, std::int64_t community_id, const StructureInfo& structure,
                                       const StructureSheet& sheet, const std::string& actor, std::int64_t now);

/// The import template: the level names as the header, the rules as a note, text columns.
std::string structure_template_xlsx(const StructureInfo& structure);
/// Every node without children (rooms, and buildings with no rooms yet) as one row of names.
std::string structure_export_xlsx(store::Connection& c, const StructureInfo& structure);

}  // namespace xiaoqu::community
