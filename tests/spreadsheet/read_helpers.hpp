#pragma once
// Reads a whole sheet for assertions, and runs a read expected to be refused.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "spreadsheet/sheet.hpp"

namespace xiaoqu::testing {

inline std::vector<spreadsheet::Row> read_all(std::string_view bytes, const spreadsheet::ReadLimits& limits = {}) {
  std::vector<spreadsheet::Row> rows;
  spreadsheet::read_rows(bytes, limits, [&](const spreadsheet::Row& r) {
    rows.push_back(r);
    return true;
  });
  return rows;
}

/// The text of a cell, "" past the end of the row.
inline std::string cell_text(const spreadsheet::Row& row, std::size_t col) {
  return col < row.cells.size() ? row.cells[col].text : std::string();
}

/// The error a read raised; fails the test when it succeeded.
inline spreadsheet::SheetError read_error(std::string_view bytes, const spreadsheet::ReadLimits& limits = {}) {
  try {
    read_all(bytes, limits);
  } catch (const spreadsheet::SheetError& e) {
    return e;
  }
  ADD_FAILURE() << "read succeeded";
  return spreadsheet::SheetError(spreadsheet::SheetError::Code::corrupt, "");
}

inline std::string file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path.string());
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

inline std::filesystem::path spreadsheet_data(std::string_view name) {
  return std::filesystem::path(XIAOQU_TEST_DATA) / "spreadsheets" / name;
}

}  // namespace xiaoqu::testing
