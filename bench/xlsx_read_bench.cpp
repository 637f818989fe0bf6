// Reading and writing the 100,000-resident spreadsheet of the import benchmark: 100k rows
// x 10 columns (Chinese names, 11-digit phones as text, 18-character ID numbers, numbers,
// a date), written with WorkbookWriter and read back with read_rows.
//
//   ninja -C build xlsx_read_bench && build/xlsx_read_bench --benchmark_min_time=1
//   peak memory of one side alone:
//   /usr/bin/time -v build/xlsx_read_bench --benchmark_filter=ReadRows   (Maximum resident set size)
//   /usr/bin/time -v build/xlsx_read_bench --benchmark_filter=Write/1
#include <benchmark/benchmark.h>

#include <string>

#include "spreadsheet/sheet.hpp"
#include "spreadsheet/workbook_writer.hpp"

namespace {
using namespace xiaoqu::spreadsheet;

constexpr std::uint32_t kRows = 100'000;

std::string residents(WorkbookWriter::Memory memory) {
  static const char* surnames[] = {"张", "李", "王", "刘", "陈", "杨", "赵", "黄", "周", "吴"};
  static const char* identities[] = {"业主", "家属", "长期租客", "限期租客"};
  WorkbookWriter w("住户", memory);
  w.merge(0, 0, 0, 5, "基本信息");
  w.merge(0, 6, 0, 9, "小区楼栋信息");
  const char* headers[] = {"姓名", "性别", "身份", "手机号", "证件号", "租期截止", "栋", "单元", "房间号", "备注"};
  for (std::uint16_t c = 0; c < 10; ++c) w.text(1, c, headers[c], Style::header);
  w.column(3, 14, true);
  w.column(4, 22, true);
  for (std::uint32_t i = 0; i < kRows; ++i) {
    std::uint32_t r = i + 2;
    w.text(r, 0, std::string(surnames[i % 10]) + "住户" + std::to_string(i));
    w.text(r, 1, i % 2 ? "男" : "女");
    w.text(r, 2, identities[i % 4]);
    w.text(r, 3, std::to_string(18900000000ull + i));
    w.text(r, 4, "1101011990" + std::to_string(10000000 + i));
    if (i % 4 == 3) w.number(r, 5, 43465 + i % 700, Style::date);
    w.text(r, 6, std::string(1, static_cast<char>('A' + i % 20)));
    w.number(r, 7, 1 + i % 4);
    w.text(r, 8, std::to_string(101 + i % 3000));
    w.text(r, 9, i % 10 == 0 ? "车位 B2-" + std::to_string(i % 500) : "");
  }
  return w.finish();
}

const std::string& file() {
  static const std::string bytes = residents(WorkbookWriter::Memory::constant);
  return bytes;
}

void ReadRows(benchmark::State& state) {
  const std::string& xlsx = file();
  std::size_t rows = 0, cells = 0;
  for (auto _ : state) {
    rows = cells = 0;
    read_rows(xlsx, {}, [&](const Row& r) {
      ++rows;
      cells += r.cells.size();
      return true;
    });
    benchmark::DoNotOptimize(cells);
  }
  state.counters["rows"] = static_cast<double>(rows);
  state.counters["file_MB"] = static_cast<double>(xlsx.size()) / (1 << 20);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * xlsx.size()));
}
BENCHMARK(ReadRows)->Unit(benchmark::kMillisecond);

// Arg 0: Memory::normal (cells kept until finish), 1: Memory::constant (rows flushed).
void Write(benchmark::State& state) {
  auto memory = state.range(0) ? WorkbookWriter::Memory::constant : WorkbookWriter::Memory::normal;
  std::size_t size = 0;
  for (auto _ : state) size = residents(memory).size();
  state.counters["file_MB"] = static_cast<double>(size) / (1 << 20);
}
BENCHMARK(Write)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

}  // namespace
