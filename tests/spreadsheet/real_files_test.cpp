// Files saved by LibreOffice (tests/data/spreadsheets, see its README) and, when
// LibreOffice is installed, a WorkbookWriter template converted live: what real
// spreadsheet programs write must read like what we wrote.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "spreadsheet/sheet.hpp"
#include "tests/spreadsheet/compound_file_builder.hpp"
#include "tests/spreadsheet/read_helpers.hpp"
#include "tests/spreadsheet/seed_workbook.hpp"
#include "tests/support/test_server.hpp"

using namespace xiaoqu::spreadsheet;
using xiaoqu::testing::cell_text;
using xiaoqu::testing::file_bytes;
using xiaoqu::testing::kSeedLeaseEnd;
using xiaoqu::testing::kSeedResidents;
using xiaoqu::testing::read_all;
using xiaoqu::testing::read_error;
using xiaoqu::testing::spreadsheet_data;

namespace {

// The seed template (two header rows, the four residents, formatted blank rows after them).
void expect_seed_template(const std::vector<Row>& rows) {
  ASSERT_EQ(rows.size(), 6u) << "blank trailing rows must not be rows";
  EXPECT_EQ(cell_text(rows[0], 0), "基本信息");
  EXPECT_EQ(cell_text(rows[0], 6), "小区楼栋信息");
  EXPECT_EQ(cell_text(rows[1], 8), "房间号");
  for (std::size_t i = 0; i < 4; ++i) {
    const Row& r = rows[i + 2];
    const auto& seed = kSeedResidents[i];
    EXPECT_EQ(r.number, i + 3);
    EXPECT_EQ(cell_text(r, 0), "腾讯小区");
    EXPECT_EQ(cell_text(r, 1), seed.name);
    EXPECT_EQ(cell_text(r, 2), seed.identity);
    EXPECT_EQ(cell_text(r, 4), seed.phone);
    EXPECT_EQ(cell_text(r, 6), seed.building);
    EXPECT_EQ(cell_text(r, 7), std::to_string(seed.unit));
    EXPECT_EQ(cell_text(r, 8), seed.room);
  }
  EXPECT_EQ(cell_text(rows[2], 5), "110101199003074514");
  ASSERT_GT(rows[5].cells.size(), 3u);
  EXPECT_TRUE(rows[5].cells[3].date_format);
  EXPECT_EQ(rows[5].cells[3].number, kSeedLeaseEnd);
}

// LibreOffice's CSV import: phones and units become numbers, the lease end a real date.
void expect_converted_csv(const std::vector<Row>& rows) {
  ASSERT_EQ(rows.size(), 5u) << "blank trailing rows must not be rows";
  EXPECT_EQ(cell_text(rows[0], 4), "手机号");
  for (std::size_t i = 0; i < 4; ++i) {
    const Row& r = rows[i + 1];
    ASSERT_GT(r.cells.size(), 7u);
    EXPECT_EQ(cell_text(r, 1), kSeedResidents[i].name);
    EXPECT_EQ(r.cells[4].kind, Cell::Kind::number);
    EXPECT_EQ(cell_text(r, 4), kSeedResidents[i].phone) << "a phone stored as a number keeps its 11 digits";
    EXPECT_EQ(cell_text(r, 7), kSeedResidents[i].room);
  }
  EXPECT_TRUE(rows[4].cells[3].date_format);
  EXPECT_EQ(rows[4].cells[3].number, kSeedLeaseEnd);
}

bool libreoffice_installed() { return std::system("command -v libreoffice >/dev/null 2>&1") == 0; }

// Converts `input` with LibreOffice headless into `dir`; returns the converted file's bytes.
std::string libreoffice_convert(const std::filesystem::path& input, const std::string& target, const std::filesystem::path& dir,
                                const std::string& extension) {
  // A private profile: a LibreOffice already running for someone else would take the job.
  std::string command = "libreoffice -env:UserInstallation=file://" + (dir / "profile").string() +
                        " --headless --convert-to '" + target + "' --outdir '" + (dir / "out").string() + "' '" +
                        input.string() + "' >/dev/null 2>&1";
  if (std::system(command.c_str()) != 0) throw std::runtime_error("libreoffice failed: " + command);
  return file_bytes(dir / "out" / (input.stem().string() + extension));
}

}  // namespace

TEST(SheetRealFiles, WorkbookWriterTemplateAsWritten) {
  expect_seed_template(read_all(file_bytes(spreadsheet_data("writer_seed_template.xlsx"))));
}

TEST(SheetRealFiles, TemplateSavedByLibreOfficeAsXlsx) {
  expect_seed_template(read_all(file_bytes(spreadsheet_data("libreoffice_seed_template.xlsx"))));
}

TEST(SheetRealFiles, TemplateSavedByLibreOfficeAsLegacyXls) {
  expect_seed_template(read_all(file_bytes(spreadsheet_data("libreoffice_seed_template.xls"))));
}

TEST(SheetRealFiles, CsvConvertedByLibreOfficeToXlsx) {
  expect_converted_csv(read_all(file_bytes(spreadsheet_data("libreoffice_from_csv.xlsx"))));
}

TEST(SheetRealFiles, CsvConvertedByLibreOfficeToLegacyXls) {
  expect_converted_csv(read_all(file_bytes(spreadsheet_data("libreoffice_from_csv.xls"))));
}

TEST(SheetRealFiles, PasswordProtectedXlsIsRefusedAsEncrypted) {
  auto e = read_error(file_bytes(spreadsheet_data("libreoffice_password.xls")));
  EXPECT_EQ(e.code(), SheetError::Code::encrypted);
  EXPECT_STREQ(e.what(), "文件已加密，请取消密码保护后重新上传");
}

TEST(SheetRealFiles, EncryptedXlsxContainerIsRefusedAsEncrypted) {
  // Excel saves a password-protected .xlsx as a compound file with these two streams.
  auto e = read_error(xiaoqu::testing::compound_file({"EncryptionInfo", "EncryptedPackage"}));
  EXPECT_EQ(e.code(), SheetError::Code::encrypted);
  EXPECT_STREQ(e.what(), "文件已加密，请取消密码保护后重新上传");
}

TEST(SheetRealFiles, CompoundFilesThatAreNotWorkbooksAreRefused) {
  // A Word 97 document is a compound file too.
  EXPECT_EQ(read_error(xiaoqu::testing::compound_file({"WordDocument", "1Table"})).code(), SheetError::Code::not_a_spreadsheet);
  // A workbook stream freexl cannot make sense of.
  auto e = read_error(xiaoqu::testing::compound_file({"Workbook"}));
  EXPECT_EQ(e.code(), SheetError::Code::corrupt);
  // A truncated legacy file.
  std::string xls = file_bytes(spreadsheet_data("libreoffice_seed_template.xls"));
  e = read_error(xls.substr(0, xls.size() / 3));
  EXPECT_EQ(e.code(), SheetError::Code::corrupt) << e.what();
}

TEST(SheetRealFiles, WorkbookWriterTemplateConvertedByLibreOfficeLive) {
  if (!libreoffice_installed()) GTEST_SKIP() << "libreoffice is not on PATH";
  auto dir = xiaoqu::testing::temp_dir();
  auto input = dir / "seed.xlsx";
  {
    std::ofstream out(input, std::ios::binary);
    out << xiaoqu::testing::seed_workbook();
  }
  expect_seed_template(read_all(libreoffice_convert(input, "xlsx", dir, ".xlsx")));
  expect_seed_template(read_all(libreoffice_convert(input, "xls:MS Excel 97", dir, ".xls")));
  std::filesystem::remove_all(dir);
}
