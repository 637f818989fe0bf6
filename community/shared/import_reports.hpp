#pragma once
// The record every spreadsheet import leaves (import_reports): what a committed file changed,
// or why a refused one was refused with its downloadable error report. One place for the
// residents', staff and structure imports, so the three reports read and download alike.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "store/sqlite.hpp"

namespace xiaoqu::community {

/// Who imported which file into which community, and what kind of records it held
/// ('residents', 'staff' or 'structure').
struct ImportOrigin {
  std::int64_t community_id = 0;
  std::int64_t admin_id = 0;
  std::string_view kind;
  std::string_view file_name;
  std::int64_t now = 0;
};

/// A committed import's counts; returns the report's id.
std::int64_t record_committed_import(store::Connection& c, const ImportOrigin& o, std::int64_t added, std::int64_t updated,
                                     std::int64_t unchanged);
/// A refused import: how many errors, the first of them as JSON, and the bad rows as a
/// spreadsheet when there is one; returns the report's id.
std::int64_t record_rejected_import(store::Connection& c, const ImportOrigin& o, std::int64_t error_count,
                                    std::string_view errors_json, const std::string* report_xlsx);

/// The error report of a refused import of `kind` in the community, if it has one.
std::optional<std::string> import_report_xlsx(store::Connection& c, std::int64_t community_id, std::string_view kind,
                                              std::int64_t report_id, std::string* file_name);

}  // namespace xiaoqu::community
