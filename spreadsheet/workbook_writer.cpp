#include "spreadsheet/workbook_writer.hpp"

#include <unistd.h>
#include <xlsxwriter.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace xiaoqu::spreadsheet {
namespace {

// Excel refuses a list validation whose comma-joined choices exceed 255 characters; longer
// lists go to a hidden sheet the validation points at instead.
constexpr std::size_t kInlineListLimit = 255;
constexpr const char* kListSheet = "_lists";
constexpr lxw_color_t kHeaderFill = 0xDDEBF7;
constexpr lxw_color_t kGroupFill = 0xBDD7EE;
constexpr lxw_color_t kErrorRed = 0xC00000;

void check(lxw_error err, const char* what) {
  if (err != LXW_NO_ERROR) throw std::runtime_error(std::string("xlsx ") + what + ": " + lxw_strerror(err));
}

std::string temp_dir() {
  const char* dir = std::getenv("TMPDIR");
  return dir && *dir ? dir : "/tmp";
}

// Excel's sheet-name rules: at most 31 characters, none of []:*?/\, not quoted at the ends.
std::string sheet_name_for(std::string_view wanted) {
  std::string name;
  std::size_t chars = 0;
  for (std::size_t i = 0; i < wanted.size() && chars < 31;) {
    unsigned char lead = static_cast<unsigned char>(wanted[i]);
    std::size_t len = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    len = std::min(len, wanted.size() - i);
    std::string_view ch = wanted.substr(i, len);
    name += (len == 1 && std::strchr("[]:*?/\\", ch[0])) ? std::string_view("_") : ch;
    i += len;
    ++chars;
  }
  while (!name.empty() && name.front() == '\'') name.erase(name.begin());
  while (!name.empty() && name.back() == '\'') name.pop_back();
  return name.empty() ? "Sheet1" : name;
}

// libxlsxwriter writes control characters as "_x0001_" but leaves text that already looks
// like such an escape alone, so every reader would decode it; escape its underscore.
std::string cell_string(std::string_view value) {
  auto is_hex = [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); };
  std::string out;
  out.reserve(value.size());
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (value[i] == '_' && i + 6 < value.size() && value[i + 1] == 'x' && is_hex(value[i + 2]) && is_hex(value[i + 3]) &&
        is_hex(value[i + 4]) && is_hex(value[i + 5]) && value[i + 6] == '_')
      out += "_x005F";
    out += value[i];
  }
  return out;
}

std::string column_letters(std::uint32_t col) {
  std::string s;
  for (std::uint32_t n = col + 1; n > 0; n = (n - 1) / 26) s.insert(s.begin(), static_cast<char>('A' + (n - 1) % 26));
  return s;
}

}  // namespace

struct WorkbookWriter::Impl {
  std::string path;
  lxw_workbook* book = nullptr;
  lxw_worksheet* sheet = nullptr;
  lxw_format* formats[5] = {};
  lxw_format* text_column = nullptr;
  // Choices of long dropdowns, written to the hidden list sheet at finish() so that sheet
  // too is written row by row.
  std::vector<std::vector<std::string>> long_lists;

  lxw_format* format(Style style) const { return formats[static_cast<int>(style)]; }

  ~Impl() {
    if (book) lxw_workbook_free(book);  // never finished: drop it without writing
    if (!path.empty()) ::unlink(path.c_str());
  }
};

WorkbookWriter::WorkbookWriter(std::string_view sheet_name, Memory memory) : impl_(std::make_unique<Impl>()) {
  std::string tmp = temp_dir();
  impl_->path = tmp + "/xiaoqu-xlsx-XXXXXX";
  int fd = ::mkstemp(impl_->path.data());
  if (fd < 0) {
    impl_->path.clear();
    throw std::runtime_error("xlsx temp file: " + std::string(std::strerror(errno)));
  }
  ::close(fd);
  lxw_workbook_options options{};
  options.constant_memory = memory == Memory::constant ? LXW_TRUE : LXW_FALSE;
  options.tmpdir = tmp.data();
  impl_->book = workbook_new_opt(impl_->path.c_str(), &options);
  if (!impl_->book) throw std::runtime_error("xlsx: cannot create workbook");
  std::string name = sheet_name_for(sheet_name);
  impl_->sheet = workbook_add_worksheet(impl_->book, name.c_str());
  if (!impl_->sheet) throw std::runtime_error("xlsx: bad sheet name");

  lxw_format* group = workbook_add_format(impl_->book);
  format_set_bold(group);
  format_set_align(group, LXW_ALIGN_CENTER);
  format_set_align(group, LXW_ALIGN_VERTICAL_CENTER);
  format_set_bg_color(group, kGroupFill);
  format_set_border(group, LXW_BORDER_THIN);
  lxw_format* header = workbook_add_format(impl_->book);
  format_set_bold(header);
  format_set_align(header, LXW_ALIGN_CENTER);
  format_set_bg_color(header, kHeaderFill);
  format_set_border(header, LXW_BORDER_THIN);
  lxw_format* error = workbook_add_format(impl_->book);
  format_set_font_color(error, kErrorRed);
  lxw_format* date = workbook_add_format(impl_->book);
  format_set_num_format(date, "yyyy-mm-dd");
  impl_->formats[static_cast<int>(Style::group_header)] = group;
  impl_->formats[static_cast<int>(Style::header)] = header;
  impl_->formats[static_cast<int>(Style::error)] = error;
  impl_->formats[static_cast<int>(Style::date)] = date;
  impl_->text_column = workbook_add_format(impl_->book);
  format_set_num_format(impl_->text_column, "@");
}

WorkbookWriter::~WorkbookWriter() = default;

void WorkbookWriter::text(std::uint32_t row, std::uint16_t col, std::string_view value, Style style) {
  std::string v = cell_string(value);
  check(worksheet_write_string(impl_->sheet, row, col, v.c_str(), impl_->format(style)), "text");
}

void WorkbookWriter::number(std::uint32_t row, std::uint16_t col, double value, Style style) {
  check(worksheet_write_number(impl_->sheet, row, col, value, impl_->format(style)), "number");
}

void WorkbookWriter::merge(std::uint32_t first_row, std::uint16_t first_col, std::uint32_t last_row, std::uint16_t last_col,
                           std::string_view value, Style style) {
  std::string v = cell_string(value);
  check(worksheet_merge_range(impl_->sheet, first_row, first_col, last_row, last_col, v.c_str(), impl_->format(style)),
        "merge");
}

void WorkbookWriter::column(std::uint16_t col, double width, bool as_text) {
  check(worksheet_set_column(impl_->sheet, col, col, width, as_text ? impl_->text_column : nullptr), "column");
}

void WorkbookWriter::dropdown(std::uint32_t first_row, std::uint32_t last_row, std::uint16_t col,
                              const std::vector<std::string>& choices) {
  if (choices.empty()) throw std::invalid_argument("xlsx dropdown without choices");
  lxw_data_validation v{};
  v.error_title = const_cast<char*>("输入无效");
  v.error_message = const_cast<char*>("请从下拉列表中选择");
  std::size_t joined = choices.size() - 1;
  bool comma = false;
  for (const auto& c : choices) {
    joined += c.size();
    comma = comma || c.find(',') != std::string::npos;
  }
  std::vector<char*> list;
  std::string formula;
  if (joined <= kInlineListLimit && !comma) {
    for (const auto& c : choices) list.push_back(const_cast<char*>(c.c_str()));
    list.push_back(nullptr);
    v.validate = LXW_VALIDATION_TYPE_LIST;
    v.value_list = list.data();
  } else {
    std::string col_letters = column_letters(static_cast<std::uint32_t>(impl_->long_lists.size()));
    formula = "='" + std::string(kListSheet) + "'!$" + col_letters + "$1:$" + col_letters + "$" +
              std::to_string(choices.size());
    impl_->long_lists.push_back(choices);
    v.validate = LXW_VALIDATION_TYPE_LIST_FORMULA;
    v.value_formula = formula.data();
  }
  check(worksheet_data_validation_range(impl_->sheet, first_row, col, last_row, col, &v), "dropdown");
}

void WorkbookWriter::note(std::uint32_t row, std::uint16_t col, std::string_view text) {
  std::string t(text);
  // Size the box to the rules it holds so they read without resizing it.
  std::size_t lines = 1 + static_cast<std::size_t>(std::count(t.begin(), t.end(), '\n')) + t.size() / 60;
  lxw_comment_options options{};
  options.width = 360;
  options.height = static_cast<std::uint16_t>(std::min<std::size_t>(600, std::max<std::size_t>(80, lines * 18)));
  check(worksheet_write_comment_opt(impl_->sheet, row, col, t.c_str(), &options), "note");
}

void WorkbookWriter::freeze_rows(std::uint32_t rows) { worksheet_freeze_panes(impl_->sheet, rows, 0); }

std::string WorkbookWriter::finish() {
  if (!impl_->book) throw std::logic_error("xlsx workbook already finished");
  if (!impl_->long_lists.empty()) {
    lxw_worksheet* lists = workbook_add_worksheet(impl_->book, kListSheet);
    if (!lists) throw std::runtime_error("xlsx: cannot add the list sheet");
    std::size_t longest = 0;
    for (const auto& l : impl_->long_lists) longest = std::max(longest, l.size());
    for (std::size_t r = 0; r < longest; ++r)
      for (std::size_t c = 0; c < impl_->long_lists.size(); ++c)
        if (r < impl_->long_lists[c].size())
          check(worksheet_write_string(lists, static_cast<lxw_row_t>(r), static_cast<lxw_col_t>(c),
                                       impl_->long_lists[c][r].c_str(), nullptr),
                "list sheet");
    worksheet_hide(lists);
  }
  lxw_workbook* book = impl_->book;
  impl_->book = nullptr;  // workbook_close frees it, whatever it returns
  check(workbook_close(book), "close");
  std::ifstream in(impl_->path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) throw std::runtime_error("xlsx: cannot read back " + impl_->path);
  return bytes;
}

}  // namespace xiaoqu::spreadsheet
