#include "community/structure/structure_sheet.hpp"

#include <algorithm>
#include <map>

#include "community/shared/audit.hpp"
#include "spreadsheet/workbook_writer.hpp"

namespace xiaoqu::community {
namespace {

using Kind = RecordError::Kind;
constexpr std::size_t kHeaderSearchRows = 3;  // a title row or the resident template's group row may come first

std::string join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (const auto& i : items) {
    if (!out.empty()) out += sep;
    out += i;
  }
  return out;
}

std::string cell_text(const spreadsheet::Row& r, std::size_t i) {
  return i < r.cells.size() ? trimmed(r.cells[i].text) : std::string();
}

std::vector<std::string> row_texts(const spreadsheet::Row& r) {
  std::vector<std::string> out;
  for (const auto& c : r.cells) out.push_back(c.text);
  return out;
}

}  // namespace

nlohmann::json to_json(const SheetIssue& i) { return {{"row", i.row}, {"column", i.column}, {"reason", i.reason}}; }

nlohmann::json to_json(const std::vector<SheetIssue>& issues, std::size_t cap) {
  nlohmann::json out = nlohmann::json::array();
  for (std::size_t i = 0; i < issues.size() && i < cap; ++i) out.push_back(to_json(issues[i]));
  return out;
}

std::vector<std::size_t> locate_header(const std::vector<spreadsheet::Row>& head_rows,
                                       const std::vector<std::string>& names, std::uint32_t* header_row) {
  std::vector<std::string> best_missing = names;
  for (const auto& row : head_rows) {
    std::vector<std::size_t> at;
    std::vector<std::string> missing;
    for (const auto& name : names) {
      std::size_t found = row.cells.size();
      for (std::size_t i = 0; i < row.cells.size(); ++i)
        if (trimmed(row.cells[i].text) == name) {
          found = i;
          break;
        }
      if (found == row.cells.size())
        missing.push_back(name);
      else
        at.push_back(found);
    }
    if (missing.empty()) {
      if (header_row) *header_row = row.number;
      return at;
    }
    if (missing.size() < best_missing.size()) best_missing = missing;
  }
  if (best_missing.size() == names.size())
    throw RecordError(Kind::invalid, "未找到表头：前 3 行中应有一行包含列 " + join(names, "、") + "，请使用下载的模板",
                      "file");
  throw RecordError(Kind::invalid,
                    "表头缺少列“" + join(best_missing, "”“") + "”（可能被删除或改名），表头应包含 " + join(names, "、"),
                    "file");
}

std::string error_report_xlsx(const std::vector<std::string>& header,
                              const std::vector<std::pair<std::uint32_t, std::vector<std::string>>>& rows,
                              const std::vector<SheetIssue>& issues) {
  spreadsheet::WorkbookWriter w("错误报告");
  std::uint16_t col = 0;
  w.text(0, col, "原行号", spreadsheet::Style::header);
  w.column(col++, 8);
  for (const auto& h : header) {
    w.column(col, 16, true);
    w.text(0, col++, h, spreadsheet::Style::header);
  }
  w.column(col, 60);
  w.text(0, col, "错误原因", spreadsheet::Style::header);
  std::map<std::uint32_t, std::string> reasons;
  for (const auto& i : issues) {
    auto& r = reasons[i.row];
    if (!r.empty()) r += "；";
    r += (i.column.empty() ? "" : i.column + "：") + i.reason;
  }
  std::uint32_t out = 1;
  for (const auto& [number, cells] : rows) {
    w.number(out, 0, number);
    for (std::size_t i = 0; i < cells.size() && i + 1 < col; ++i) w.text(out, static_cast<std::uint16_t>(i + 1), cells[i]);
    w.text(out, col, reasons[number], spreadsheet::Style::error);
    ++out;
  }
  w.freeze_rows(1);
  return w.finish();
}

StructureSheet read_structure_sheet(std::string_view file, const spreadsheet::ReadLimits& limits,
                                    const StructureInfo& structure) {
  StructureSheet out;
  const auto& levels = structure.levels;
  std::vector<spreadsheet::Row> head;
  std::vector<std::size_t> columns;
  bool located = false;

  auto column_name = [&](std::size_t level) {
    return spreadsheet::column_letter(columns[level]) + "（" + levels[level] + "）";
  };
  auto take = [&](const spreadsheet::Row& row) {
    std::vector<std::string> names;
    for (auto idx : columns) names.push_back(cell_text(row, idx));
    std::size_t filled = 0;
    for (std::size_t i = 0; i < names.size(); ++i)
      if (!names[i].empty()) filled = i + 1;
    if (filled == 0) return;  // a row of other columns only
    std::size_t issues_before = out.issues.size();
    for (std::size_t i = 0; i < filled; ++i) {
      if (names[i].empty()) {
        out.issues.push_back({row.number, column_name(i),
                              "“" + levels[i] + "”为空，但后面的“" + levels[filled - 1] + "”已填写"});
        continue;
      }
      try {
        names[i] = checked_name(names[i], levels[i], levels[i]);
      } catch (const RecordError& e) {
        out.issues.push_back({row.number, column_name(i), e.what()});
      }
    }
    if (out.issues.size() != issues_before) {
      out.bad_rows.emplace_back(row.number, row_texts(row));
      return;
    }
    names.resize(filled);
    out.paths.push_back(std::move(names));
    out.rows.push_back(row.number);
  };
  auto locate = [&] {
    std::uint32_t header_row = 0;
    columns = locate_header(head, levels, &header_row);
    located = true;
    for (const auto& r : head)
      if (r.number > header_row) take(r);
      else if (r.number == header_row) out.header = row_texts(r);
    head.clear();
  };

  spreadsheet::read_rows(file, limits, [&](const spreadsheet::Row& row) {
    if (located) {
      take(row);
      return true;
    }
    head.push_back(row);
    if (head.size() == kHeaderSearchRows) locate();
    return true;
  });
  if (!located) locate();
  return out;
}

StructureImportCounts import_structure(store::Connection& c, std::int64_t community_id, const StructureInfo& structure,
                                       const StructureSheet& sheet, const std::string& actor, std::int64_t now) {
  StructureImportCounts counts;
  for (const auto& path : sheet.paths) {
    std::int64_t created = 0;
    ensure_node(c, community_id, structure.id, path, &created);
    counts.created_nodes += created;
    // A new leaf is always among the created nodes: a full path that created anything made its room.
    if (created > 0 && path.size() == structure.levels.size()) ++counts.created_rooms;
    if (created == 0) ++counts.unchanged_rows;
    ++counts.rows;
  }
  audit(c, {actor, "import.commit", "structure", structure.id, community_id, nullptr,
            {{"kind", "structure"}, {"rows", counts.rows}, {"created_nodes", counts.created_nodes},
             {"created_rooms", counts.created_rooms}, {"unchanged_rows", counts.unchanged_rows}}},
        now);
  return counts;
}

std::string structure_template_xlsx(const StructureInfo& structure) {
  spreadsheet::WorkbookWriter w(structure.name);
  for (std::size_t i = 0; i < structure.levels.size(); ++i) {
    auto col = static_cast<std::uint16_t>(i);
    w.column(col, 16, true);
    w.text(0, col, structure.levels[i], spreadsheet::Style::header);
  }
  w.note(0, 0,
         "每行一条从上到下的路径（" + join(structure.levels, " / ") +
             "），可只填前几级。中间不能留空；每级名称不超过 40 个字。导入只新增缺少的节点，不删除已有节点。");
  w.freeze_rows(1);
  return w.finish();
}

std::string structure_export_xlsx(store::Connection& c, const StructureInfo& structure) {
  auto nodes = nodes_of(c, structure.id);
  std::map<std::int64_t, const StructureNode*> by_id;
  std::map<std::int64_t, bool> has_children;
  for (const auto& n : nodes) {
    by_id[n.id] = &n;
    has_children[n.parent_id] = true;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& n : nodes) {
    if (has_children.count(n.id)) continue;
    std::vector<std::string> names;
    for (const StructureNode* at = &n; at;) {
      names.push_back(at->name);
      auto it = by_id.find(at->parent_id);
      at = it == by_id.end() ? nullptr : it->second;
    }
    std::reverse(names.begin(), names.end());
    rows.push_back(std::move(names));
  }
  std::sort(rows.begin(), rows.end());
  spreadsheet::WorkbookWriter w(structure.name);
  for (std::size_t i = 0; i < structure.levels.size(); ++i) {
    w.column(static_cast<std::uint16_t>(i), 16, true);
    w.text(0, static_cast<std::uint16_t>(i), structure.levels[i], spreadsheet::Style::header);
  }
  std::uint32_t r = 1;
  for (const auto& names : rows) {
    for (std::size_t i = 0; i < names.size(); ++i) w.text(r, static_cast<std::uint16_t>(i), names[i]);
    ++r;
  }
  w.freeze_rows(1);
  return w.finish();
}

}  // namespace xiaoqu::community
