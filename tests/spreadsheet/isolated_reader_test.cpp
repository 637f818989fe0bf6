// freexl runs in a forked child: rows, errors, crashes and hangs all come back as the
// parent expects, and stopping early ends the child.
#include "spreadsheet/isolated_reader.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <thread>

#include "tests/spreadsheet/read_helpers.hpp"

using namespace xiaoqu::spreadsheet;
using namespace std::chrono_literals;
using detail::read_rows_isolated;
using detail::RowSink;
using xiaoqu::testing::cell_text;

namespace {
SheetError isolated_error(const std::function<void(const RowSink&)>& produce, std::chrono::milliseconds timeout = 10s) {
  try {
    read_rows_isolated(produce, [](const Row&) { return true; }, timeout);
  } catch (const SheetError& e) {
    return e;
  }
  ADD_FAILURE() << "no error";
  return SheetError(SheetError::Code::corrupt, "");
}
}  // namespace

TEST(SheetIsolatedReader, RowsCrossThePipeIntact) {
  std::vector<Row> got;
  read_rows_isolated(
      [](const RowSink& emit) {
        for (std::uint32_t r = 1; r <= 3000; ++r) {
          Row row;
          row.number = r * 2;
          row.cells.resize(3);
          row.cells[0] = {Cell::Kind::text, "住户" + std::to_string(r), 0, false};
          row.cells[2] = {Cell::Kind::number, "43465", 43465, true};
          emit(row);
        }
      },
      [&](const Row& r) {
        got.push_back(r);
        return true;
      },
      10s);
  ASSERT_EQ(got.size(), 3000u);
  EXPECT_EQ(got[2999].number, 6000u);
  EXPECT_EQ(cell_text(got[2999], 0), "住户3000");
  EXPECT_TRUE(got[2999].cells[1].empty());
  EXPECT_EQ(got[2999].cells[2].number, 43465);
  EXPECT_TRUE(got[2999].cells[2].date_format);
}

TEST(SheetIsolatedReader, ErrorsKeepTheirCodeAndMessage) {
  auto e = isolated_error([](const RowSink&) { throw SheetError(SheetError::Code::too_many_rows, "文件超过 5 行上限"); });
  EXPECT_EQ(e.code(), SheetError::Code::too_many_rows);
  EXPECT_STREQ(e.what(), "文件超过 5 行上限");
}

TEST(SheetIsolatedReader, ACrashInTheParserIsACorruptFile) {
  auto e = isolated_error([](const RowSink&) { std::raise(SIGSEGV); });
  EXPECT_EQ(e.code(), SheetError::Code::corrupt);
  EXPECT_NE(std::string(e.what()).find("异常退出"), std::string::npos) << e.what();
}

TEST(SheetIsolatedReader, AHangingParserTimesOut) {
  auto e = isolated_error([](const RowSink&) { std::this_thread::sleep_for(30s); }, 300ms);
  EXPECT_EQ(e.code(), SheetError::Code::corrupt);
  EXPECT_NE(std::string(e.what()).find("超时"), std::string::npos) << e.what();
}

TEST(SheetIsolatedReader, StoppingEarlyEndsTheChild) {
  int seen = 0;
  auto start = std::chrono::steady_clock::now();
  read_rows_isolated(
      [](const RowSink& emit) {
        Row row;
        row.cells.resize(1);
        row.cells[0] = {Cell::Kind::text, "x", 0, false};
        for (;;) {  // never ends on its own
          ++row.number;
          emit(row);
        }
      },
      [&](const Row&) { return ++seen < 10; }, 10s);
  EXPECT_EQ(seen, 10);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST(SheetIsolatedReader, AFileThatOverrunsFreexlIsRefusedAsCorrupt) {
  // Found by xlsx_fuzz: freexl 1.0.6 overruns a stack buffer in its iconv call on this file.
  auto e = xiaoqu::testing::read_error(xiaoqu::testing::file_bytes(xiaoqu::testing::spreadsheet_data("freexl_stack_overrun.xls")));
  EXPECT_EQ(e.code(), SheetError::Code::corrupt) << e.what();
}

TEST(SheetIsolatedReader, LegacyXlsStopsWhenTheCallerSaysSo) {
  int seen = 0;
  read_rows(xiaoqu::testing::file_bytes(xiaoqu::testing::spreadsheet_data("libreoffice_seed_template.xls")), {},
            [&](const Row&) { return ++seen < 2; });
  EXPECT_EQ(seen, 2);
}
