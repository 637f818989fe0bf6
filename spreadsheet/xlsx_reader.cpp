#include "spreadsheet/xlsx_reader.hpp"

#include <charconv>
#include <cmath>
#include <unordered_map>
#include <vector>

#include "spreadsheet/cell_text.hpp"
#include "spreadsheet/read_error.hpp"
#include "spreadsheet/xml_stream.hpp"
#include "spreadsheet/zip_archive.hpp"

namespace xiaoqu::spreadsheet::detail {
namespace {

constexpr std::string_view kOfficeDocument = "/officeDocument";
constexpr std::string_view kWorksheet = "/worksheet";
constexpr std::string_view kSharedStrings = "/sharedStrings";
constexpr std::string_view kStyles = "/styles";
// Serial 0 of the 1904 date system is serial 1462 of the 1900 system every caller assumes.
constexpr double kDate1904Offset = 1462;

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Streams a part through an expat handler, inflating chunk by chunk.
void parse_part(ZipArchive& zip, const ZipArchive::Entry& entry, XmlHandler& handler) {
  XmlStream xml(handler, entry.name);
  bool more = true;
  zip.read(entry, [&](const char* d, std::size_t n) { return more = xml.feed(d, n, false); });
  if (more) xml.feed("", 0, true);
}

// "xl/" + "worksheets/sheet1.xml", or an absolute "/xl/worksheets/sheet1.xml"; ".." resolved.
std::string resolve_target(std::string_view base_dir, std::string_view target) {
  std::string joined = !target.empty() && target.front() == '/' ? std::string(target.substr(1))
                                                                 : std::string(base_dir) + std::string(target);
  std::vector<std::string> parts;
  std::size_t at = 0;
  while (at <= joined.size()) {
    std::size_t slash = joined.find('/', at);
    if (slash == std::string::npos) slash = joined.size();
    std::string seg = joined.substr(at, slash - at);
    if (seg == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!seg.empty() && seg != ".") {
      parts.push_back(std::move(seg));
    }
    at = slash + 1;
  }
  std::string out;
  for (auto& p : parts) out += (out.empty() ? "" : "/") + p;
  return out;
}

std::string dir_of(std::string_view part) {
  auto slash = part.rfind('/');
  return slash == std::string_view::npos ? std::string() : std::string(part.substr(0, slash + 1));
}

std::string rels_of(std::string_view part) {
  auto slash = part.rfind('/');
  std::string_view file = slash == std::string_view::npos ? part : part.substr(slash + 1);
  return dir_of(part) + "_rels/" + std::string(file) + ".rels";
}

struct Relationship {
  std::string id, type, target;
};

class RelsHandler : public XmlHandler {
 public:
  std::vector<Relationship> rels;
  void start(std::string_view name, const XmlAttributes& a) override {
    if (name != "Relationship" || a.get("TargetMode") == "External") return;
    rels.push_back({std::string(a.get("Id")), std::string(a.get("Type")), std::string(a.get("Target"))});
  }
  void end(std::string_view) override {}
  void text(std::string_view) override {}
};

std::vector<Relationship> read_rels(ZipArchive& zip, std::string_view part) {
  RelsHandler h;
  if (const auto* e = zip.find(rels_of(part))) parse_part(zip, *e, h);
  return std::move(h.rels);
}

struct SheetRef {
  std::string rel_id;
  bool hidden = false;
};

class WorkbookHandler : public XmlHandler {
 public:
  std::vector<SheetRef> sheets;
  bool date1904 = false;
  void start(std::string_view name, const XmlAttributes& a) override {
    if (name == "sheet") {
      auto state = a.get("state");
      sheets.push_back({std::string(a.get_qualified("id")), state == "hidden" || state == "veryHidden"});
    } else if (name == "workbookPr") {
      auto v = a.get("date1904");
      date1904 = v == "1" || v == "true";
    }
  }
  void end(std::string_view) override {}
  void text(std::string_view) override {}
};

// cellXfs → whether each style index shows a date.
class StylesHandler : public XmlHandler {
 public:
  std::vector<bool> xf_is_date;
  void start(std::string_view name, const XmlAttributes& a) override {
    if (name == "numFmts") {
      in_num_fmts_ = true;
    } else if (name == "numFmt" && in_num_fmts_) {  // not the ones inside dxfs (conditional formats)
      unsigned id = 0;
      auto v = a.get("numFmtId");
      std::from_chars(v.data(), v.data() + v.size(), id);
      custom_[id] = is_date_format_code(a.get("formatCode"));
    } else if (name == "cellXfs") {
      in_cell_xfs_ = true;
    } else if (name == "xf" && in_cell_xfs_) {
      unsigned id = 0;
      auto v = a.get("numFmtId");
      std::from_chars(v.data(), v.data() + v.size(), id);
      auto it = custom_.find(id);
      xf_is_date.push_back(it != custom_.end() ? it->second : is_builtin_date_format(id));
    }
  }
  void end(std::string_view name) override {
    if (name == "cellXfs") in_cell_xfs_ = false;
    if (name == "numFmts") in_num_fmts_ = false;
  }
  void text(std::string_view) override {}

 private:
  std::unordered_map<unsigned, bool> custom_;
  bool in_cell_xfs_ = false, in_num_fmts_ = false;
};

// All shared strings in one buffer: a string per <si> costs 8 bytes of index, not 32 + heap.
class SharedStrings : public XmlHandler {
 public:
  std::size_t size() const { return starts_.size(); }
  std::string_view at(std::size_t i) const {
    std::size_t end = i + 1 < starts_.size() ? starts_[i + 1] : text_.size();
    return std::string_view(text_).substr(starts_[i], end - starts_[i]);
  }
  void start(std::string_view name, const XmlAttributes&) override {
    if (name == "si") {
      in_si_ = true;
      current_.clear();
    } else if (name == "rPh") {
      ++phonetic_depth_;  // furigana runs are not part of the text
    } else if (name == "t" && in_si_ && phonetic_depth_ == 0) {
      capturing_ = true;
    }
  }
  void end(std::string_view name) override {
    if (name == "t") {
      capturing_ = false;
    } else if (name == "rPh") {
      --phonetic_depth_;
    } else if (name == "si") {
      decode_ooxml_escapes(current_);
      starts_.push_back(text_.size());
      text_ += current_;
      in_si_ = false;
    }
  }
  void text(std::string_view chunk) override {
    if (capturing_) current_ += chunk;
  }

 private:
  std::string text_;
  std::vector<std::uint64_t> starts_;
  std::string current_;
  bool in_si_ = false, capturing_ = false;
  int phonetic_depth_ = 0;
};

// "BC12" → column 54 (0-based); npos when the reference has no letters.
std::size_t column_of(std::string_view ref) {
  std::size_t col = 0, letters = 0;
  for (char c : ref) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c < 'A' || c > 'Z') break;
    // Beyond XFD (16384) only a crafted file goes; cap so the arithmetic cannot overflow.
    if (++letters > 4) return static_cast<std::size_t>(-2);
    col = col * 26 + static_cast<std::size_t>(c - 'A' + 1);
  }
  return letters == 0 ? static_cast<std::size_t>(-1) : col - 1;
}

class SheetHandler : public XmlHandler {
 public:
  SheetHandler(const SharedStrings& strings, const std::vector<bool>& xf_is_date, bool date1904, const ReadLimits& limits,
               const std::function<bool(const Row&)>& on_row)
      : strings_(strings), xf_is_date_(xf_is_date), date1904_(date1904), limits_(limits), on_row_(on_row) {}

  bool stopped() const { return stopped_; }
  void set_stream(XmlStream* xml) { xml_ = xml; }

  void start(std::string_view name, const XmlAttributes& a) override {
    if (name == "sheetData") {
      in_data_ = true;
    } else if (!in_data_) {
      return;
    } else if (name == "row") {
      auto r = a.get("r");
      std::uint32_t number = 0;
      auto [p, ec] = std::from_chars(r.data(), r.data() + r.size(), number);
      row_.number = ec == std::errc{} && number > 0 ? number : row_.number + 1;
      row_.cells.clear();
      next_col_ = 0;
    } else if (name == "c") {
      std::size_t col = column_of(a.get("r"));
      col_ = col == static_cast<std::size_t>(-1) ? next_col_ : col;
      next_col_ = col_ + 1;
      type_ = a.get("t");
      type_is_ = type_ == "inlineStr";
      auto s = a.get("s");
      style_ = 0;
      std::from_chars(s.data(), s.data() + s.size(), style_);
      value_.clear();
    } else if (name == "v") {
      capturing_ = true;
    } else if (name == "rPh") {
      ++phonetic_depth_;
    } else if (name == "t" && type_is_ && phonetic_depth_ == 0) {
      capturing_ = true;
    }
  }

  void end(std::string_view name) override {
    if (!in_data_) return;
    if (name == "v" || name == "t") {
      capturing_ = false;
    } else if (name == "rPh") {
      --phonetic_depth_;
    } else if (name == "c") {
      finish_cell();
    } else if (name == "row") {
      finish_row();
    } else if (name == "sheetData") {
      in_data_ = false;
    }
  }

  void text(std::string_view chunk) override {
    if (capturing_) value_ += chunk;
  }

 private:
  void finish_cell() {
    Cell cell;
    if (type_ == "s") {
      std::size_t index = 0;
      auto [p, ec] = std::from_chars(value_.data(), value_.data() + value_.size(), index);
      if (value_.empty()) return;
      if (ec != std::errc{} || index >= strings_.size())
        fail_corrupt("第 " + std::to_string(row_.number) + " 行 " + column_letter(col_ % 16384) + " 列引用了不存在的共享字符串");
      cell.kind = Cell::Kind::text;
      cell.text = strings_.at(index);
    } else if (type_ == "b") {
      if (value_.empty()) return;
      cell.kind = Cell::Kind::boolean;
      cell.number = value_ == "1" || value_ == "true" ? 1 : 0;
      cell.text = cell.number ? "TRUE" : "FALSE";
    } else if (type_ == "inlineStr" || type_ == "str" || type_ == "e" || type_ == "d") {
      cell.kind = Cell::Kind::text;
      cell.text = std::move(value_);
      decode_ooxml_escapes(cell.text);
    } else {
      if (value_.empty()) return;
      double v = 0;
      auto [p, ec] = std::from_chars(value_.data(), value_.data() + value_.size(), v);
      if (ec != std::errc{} || p != value_.data() + value_.size() || !std::isfinite(v)) {
        cell.kind = Cell::Kind::text;  // not a number after all: keep what was written
        cell.text = std::move(value_);
      } else {
        cell.kind = Cell::Kind::number;
        cell.date_format = style_ < xf_is_date_.size() && xf_is_date_[style_];
        if (cell.date_format && date1904_) v += kDate1904Offset;
        cell.number = v;
        cell.text = render_number(v);
      }
    }
    if (cell.empty()) return;
    if (col_ >= limits_.max_columns) fail_too_many_columns(row_.number, limits_.max_columns);
    if (row_.cells.size() <= col_) row_.cells.resize(col_ + 1);
    row_.cells[col_] = std::move(cell);
  }

  void finish_row() {
    if (row_.cells.empty()) return;  // nothing but empty cells
    if (++delivered_ > limits_.max_rows) fail_too_many_rows(limits_.max_rows);
    if (!on_row_(row_)) {
      stopped_ = true;
      xml_->stop();
    }
  }

  const SharedStrings& strings_;
  const std::vector<bool>& xf_is_date_;
  bool date1904_;
  const ReadLimits& limits_;
  const std::function<bool(const Row&)>& on_row_;
  XmlStream* xml_ = nullptr;

  Row row_;
  std::size_t delivered_ = 0;
  bool in_data_ = false, capturing_ = false, type_is_ = false, stopped_ = false;
  int phonetic_depth_ = 0;
  std::size_t col_ = 0, next_col_ = 0, style_ = 0;
  std::string type_;
  std::string value_;
};

std::string office_document(ZipArchive& zip) {
  for (const auto& r : read_rels(zip, ""))
    if (ends_with(r.type, kOfficeDocument)) return resolve_target("", r.target);
  return "xl/workbook.xml";
}

}  // namespace

void read_xlsx(std::string_view bytes, const ReadLimits& limits, const std::function<bool(const Row&)>& on_row) {
  ZipArchive zip(bytes, limits);
  std::string workbook_part = office_document(zip);
  const auto* workbook_entry = zip.find(workbook_part);
  // A ZIP without a workbook is a .docx, an .ods or an archive: not something we read.
  if (!workbook_entry) fail_not_a_spreadsheet();

  WorkbookHandler workbook;
  parse_part(zip, *workbook_entry, workbook);
  std::string base = dir_of(workbook_part);
  std::unordered_map<std::string, std::string> worksheets;  // rel id → part
  std::string shared_strings_part, styles_part;
  for (const auto& r : read_rels(zip, workbook_part)) {
    if (ends_with(r.type, kWorksheet)) worksheets[r.id] = resolve_target(base, r.target);
    else if (ends_with(r.type, kSharedStrings)) shared_strings_part = resolve_target(base, r.target);
    else if (ends_with(r.type, kStyles)) styles_part = resolve_target(base, r.target);
  }

  // The first visible worksheet (a hidden first sheet is usually a dropdown's source list);
  // chartsheets are skipped by the relationship type.
  std::string sheet_part;
  for (int pass = 0; pass < 2 && sheet_part.empty(); ++pass) {
    for (const auto& s : workbook.sheets) {
      auto it = worksheets.find(s.rel_id);
      if (it != worksheets.end() && (pass == 1 || !s.hidden)) {
        sheet_part = it->second;
        break;
      }
    }
  }
  if (sheet_part.empty()) fail_corrupt("工作簿中没有工作表");
  const auto* sheet_entry = zip.find(sheet_part);
  if (!sheet_entry) fail_corrupt("找不到工作表 " + sheet_part);

  StylesHandler styles;
  if (const auto* e = zip.find(styles_part.empty() ? base + "styles.xml" : styles_part)) parse_part(zip, *e, styles);
  SharedStrings strings;
  if (const auto* e = zip.find(shared_strings_part.empty() ? base + "sharedStrings.xml" : shared_strings_part))
    parse_part(zip, *e, strings);

  SheetHandler sheet(strings, styles.xf_is_date, workbook.date1904, limits, on_row);
  XmlStream xml(sheet, sheet_entry->name);
  sheet.set_stream(&xml);
  bool more = true;
  zip.read(*sheet_entry, [&](const char* d, std::size_t n) { return more = xml.feed(d, n, false); });
  if (more) xml.feed("", 0, true);
}

}  // namespace xiaoqu::spreadsheet::detail
