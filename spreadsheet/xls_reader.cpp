#include "spreadsheet/xls_reader.hpp"

#include <freexl.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>

#include "spreadsheet/cell_text.hpp"
#include "spreadsheet/isolated_reader.hpp"
#include "spreadsheet/read_error.hpp"

namespace xiaoqu::spreadsheet::detail {
namespace {

// freexl parses a 20 MB workbook in well under a second; a child still busy after this is
// looping on a crafted file.
constexpr std::chrono::milliseconds kParseTimeout{30'000};

// freexl reads only from a path: the upload goes to a private temp file, removed on return.
class TempCopy {
 public:
  explicit TempCopy(std::string_view bytes) {
    const char* dir = std::getenv("TMPDIR");
    path_ = std::string(dir && *dir ? dir : "/tmp") + "/xiaoqu-xls-XXXXXX";
    int fd = ::mkstemp(path_.data());
    if (fd < 0) throw std::runtime_error("xls temp file: " + std::string(std::strerror(errno)));
    std::size_t done = 0;
    while (done < bytes.size()) {
      ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        int err = errno;
        ::close(fd);
        ::unlink(path_.c_str());
        throw std::runtime_error("xls temp file: " + std::string(std::strerror(err)));
      }
      done += static_cast<std::size_t>(n);
    }
    ::close(fd);
  }
  ~TempCopy() { ::unlink(path_.c_str()); }
  TempCopy(const TempCopy&) = delete;
  TempCopy& operator=(const TempCopy&) = delete;
  const char* path() const { return path_.c_str(); }

 private:
  std::string path_;
};

class Workbook {
 public:
  explicit Workbook(const char* path) {
    int rc = freexl_open(path, &handle_);
    if (rc != FREEXL_OK) {
      handle_ = nullptr;
      fail_corrupt(".xls 文件结构无效（freexl " + std::to_string(rc) + "）");
    }
    // freexl reports a password-protected (FILEPASS) workbook as success without a handle.
    if (!handle_) fail_encrypted();
  }
  ~Workbook() {
    if (handle_) freexl_close(handle_);
  }
  Workbook(const Workbook&) = delete;
  Workbook& operator=(const Workbook&) = delete;
  const void* get() const { return handle_; }

 private:
  const void* handle_ = nullptr;
};

Cell to_cell(const FreeXL_CellValue& v) {
  Cell cell;
  switch (v.type) {
    case FREEXL_CELL_INT:
      cell.kind = Cell::Kind::number;
      cell.number = v.value.int_value;
      cell.text = render_number(cell.number);
      break;
    case FREEXL_CELL_DOUBLE:
      if (!std::isfinite(v.value.double_value)) break;
      cell.kind = Cell::Kind::number;
      cell.number = v.value.double_value;
      cell.text = render_number(cell.number);
      break;
    case FREEXL_CELL_TEXT:
    case FREEXL_CELL_SST_TEXT:
      cell.kind = Cell::Kind::text;
      cell.text = v.value.text_value ? v.value.text_value : "";
      break;
    case FREEXL_CELL_DATE:
    case FREEXL_CELL_DATETIME:
    case FREEXL_CELL_TIME: {
      // freexl renders dates as text; give callers the serial an .xlsx would have.
      std::string_view text = v.value.text_value ? v.value.text_value : "";
      double serial = 0;
      if (serial_from_iso(text, serial)) {
        cell.kind = Cell::Kind::number;
        cell.number = serial;
        cell.date_format = true;
        cell.text = render_number(serial);
      } else {
        cell.kind = Cell::Kind::text;
        cell.text = std::string(text);
      }
      break;
    }
    default:
      break;
  }
  return cell;
}

// What runs in the isolated child: freexl over the temp copy, rows to `emit`.
void parse_with_freexl(const char* path, const ReadLimits& limits, const RowSink& on_row) {
  Workbook book(path);
  unsigned int info = 0;
  if (freexl_get_info(book.get(), FREEXL_BIFF_PASSWORD, &info) == FREEXL_OK && info == FREEXL_BIFF_OBFUSCATED)
    fail_encrypted();
  if (freexl_select_active_worksheet(book.get(), 0) != FREEXL_OK) fail_corrupt(".xls 文件中没有工作表");
  unsigned int rows = 0;
  unsigned short columns = 0;
  if (freexl_worksheet_dimensions(book.get(), &rows, &columns) != FREEXL_OK) fail_corrupt(".xls 工作表尺寸无效");

  Row row;
  std::size_t delivered = 0;
  for (unsigned int r = 0; r < rows; ++r) {
    row.number = r + 1;
    row.cells.clear();
    for (unsigned short c = 0; c < columns; ++c) {
      FreeXL_CellValue value;
      if (freexl_get_cell_value(book.get(), r, c, &value) != FREEXL_OK) continue;
      Cell cell = to_cell(value);
      if (cell.empty()) continue;
      if (c >= limits.max_columns) fail_too_many_columns(row.number, limits.max_columns);
      if (row.cells.size() <= c) row.cells.resize(c + 1u);
      row.cells[c] = std::move(cell);
    }
    if (row.cells.empty()) continue;
    if (++delivered > limits.max_rows) fail_too_many_rows(limits.max_rows);
    if (!on_row(row)) return;
  }
}

}  // namespace

void read_xls(std::string_view bytes, const ReadLimits& limits, const std::function<bool(const Row&)>& on_row) {
  TempCopy copy(bytes);
  read_rows_isolated([&](const RowSink& emit) { parse_with_freexl(copy.path(), limits, emit); }, on_row, kParseTimeout);
}

}  // namespace xiaoqu::spreadsheet::detail
