// The resident import over a real SQLite file: row rules on hand-built rows, the seed's
// file as LibreOffice saved it (.xlsx and legacy .xls), upsert counts on re-import, all or
// nothing with 10 bad rows among 1,000, every file-level refusal, room creation.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "community/structure/communities.hpp"
#include "community/shared/import_reports.hpp"
#include "community/shared/masking.hpp"
#include "community/residents/resident_import.hpp"
#include "community/residents/residents_store.hpp"
#include "spreadsheet/workbook_writer.hpp"
#include "community/structure/structure.hpp"
#include "tests/community/structure/structure_seed.hpp"
#include "store/database.hpp"
#include "store/secret_box.hpp"
#include "tests/support/test_server.hpp"

using namespace xiaoqu;
using namespace xiaoqu::community;
namespace xt = xiaoqu::testing;

namespace {

constexpr std::int64_t kNow = 1'764'000'000;  // 2025-11-24
const std::array<unsigned char, 32> kKey = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                            17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

spreadsheet::Cell text(std::string t) {
  spreadsheet::Cell c;
  c.kind = spreadsheet::Cell::Kind::text;
  c.text = std::move(t);
  return c;
}

spreadsheet::Cell number(double v, std::string rendered, bool date = false) {
  spreadsheet::Cell c;
  c.kind = spreadsheet::Cell::Kind::number;
  c.number = v;
  c.text = std::move(rendered);
  c.date_format = date;
  return c;
}

spreadsheet::Row row(std::uint32_t n, std::vector<std::string> cells) {
  spreadsheet::Row r;
  r.number = n;
  for (auto& c : cells) r.cells.push_back(c.empty() ? spreadsheet::Cell{} : text(std::move(c)));
  return r;
}

class ResidentImport : public ::testing::Test {
 protected:
  void SetUp() override {
    db_.write([&](store::Connection& c) { seed_ = xt::seed_tencent(c); });
    settings_.admin_id = 1;
    settings_.actor = "admin:1";
    settings_.file_name = "住户.xlsx";
    settings_.now = kNow;
  }

  ResidentSheetLayout layout() {
    auto& c = db_.reader();
    return resident_sheet_layout(c, get_community(c, seed_.community));
  }

  // A filled template: the layout's header rows, then `rows` in layout order.
  std::string workbook(const std::vector<std::vector<std::string>>& rows, const std::string& community = "腾讯小区") {
    auto l = layout();
    l.community_name = community;
    ResidentSheetWriter w(l, "住户信息");
    for (auto r : rows) {
      if (r.size() > ResidentSheetLayout::community && !r[ResidentSheetLayout::community].empty())
        r[ResidentSheetLayout::community] = community;
      w.row(r);
    }
    return w.finish();
  }

  static std::vector<std::string> person(std::string name, std::string identity, std::string phone,
                                         std::vector<std::string> room, std::string lease = "") {
    std::vector<std::string> r = {name, "", identity, lease, phone, "", "", "腾讯小区"};
    for (auto& p : room) r.push_back(p);
    return r;
  }

  std::vector<std::vector<std::string>> seed_rows() {
    return {person("张三", "业主", "18913101111", {"A", "1", "101"}), person("李四", "家属", "18913102222", {"A", "1", "102"}),
            person("王五", "长期租客", "18913103333", {"B", "1", "101"}),
            person("刘六", "限期租客", "18913104444", {"B", "1", "102"}, "2018-12-31")};
  }

  ResidentImportResult import(const std::string& bytes) {
    return import_residents(db_, pd_, seed_.community, bytes, settings_);
  }

  std::int64_t resident_count() {
    store::Statement s(db_.reader(), "SELECT COUNT(*) FROM residents");
    s.step();
    return s.integer(0);
  }

  void allow_structure_import() {
    db_.write([&](store::Connection& c) {
      store::Statement(c, "UPDATE communities SET allow_structure_import = 1").run();
    });
  }

  std::filesystem::path dir_ = xt::temp_dir();
  store::Database db_{(dir_ / "x.db").string()};
  store::SecretBox box_{kKey};
  PersonalData pd_{box_, kKey};
  xt::SeedCommunity seed_;
  ImportSettings settings_;
};

std::string reasons(const std::vector<SheetIssue>& issues) {
  std::string out;
  for (const auto& i : issues) out += std::to_string(i.row) + " " + i.column + " " + i.reason + "\n";
  return out;
}

}  // namespace

TEST_F(ResidentImport, LayoutFollowsTheDeepestStructureAndNamesEveryLevel) {
  auto l = layout();
  EXPECT_EQ(l.levels, (std::vector<std::string>{"楼栋/组团", "单元/门牌号", "房间"}));
  EXPECT_EQ(l.headers()[4], "手机号");
  EXPECT_EQ(l.column_count(), 11u);
}

TEST_F(ResidentImport, RowRulesNameTheColumnAndReason) {
  auto l = layout();
  ColumnMap cols;
  for (std::size_t i = 0; i < l.column_count(); ++i) cols.at.push_back(i);
  Date today{2025, 11, 24};
  ImportRow out;
  std::vector<SheetIssue> issues;

  EXPECT_FALSE(check_resident_row(row(3, {"张三", "", "业主", "", "", "", "", "腾讯小区", "A", "1", "101"}), cols, l, false,
                                  today, out, issues));
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].row, 3u);
  EXPECT_EQ(issues[0].column, "E（手机号）");
  EXPECT_EQ(issues[0].reason, "填写姓名和身份时必须填写手机号");

  // Only building columns: a structure row, refused unless the community allows it.
  issues.clear();
  EXPECT_FALSE(check_resident_row(row(4, {"", "", "", "", "", "", "", "", "A", "2", "201"}), cols, l, false, today, out,
                                  issues));
  EXPECT_TRUE(out.structure_only);
  issues.clear();
  EXPECT_TRUE(check_resident_row(row(4, {"", "", "", "", "", "", "", "", "A", "2", "201"}), cols, l, true, today, out,
                                 issues));
  EXPECT_EQ(out.path, (std::vector<std::string>{"A", "2", "201"}));

  // The pre-filled 小区 alone is a blank row.
  EXPECT_TRUE(check_resident_row(row(5, {"", "", "", "", "", "", "", "腾讯小区"}), cols, l, false, today, out, issues));
  EXPECT_FALSE(out.structure_only);
  EXPECT_TRUE(out.path.empty());

  // A lease end saved as a date cell, a phone saved as a number.
  auto r = row(6, {"刘六", "女", "限期租客", "", "", "", "", "腾讯小区", "B", "1", "102"});
  r.cells[3] = number(43465, "43465", true);
  r.cells[4] = number(18913104444.0, "18913104444");
  issues.clear();
  EXPECT_TRUE(check_resident_row(r, cols, l, false, today, out, issues)) << reasons(issues);
  EXPECT_EQ(out.person.lease_end, (Date{2018, 12, 31}));
  EXPECT_EQ(out.person.phone, "18913104444");

  // An ID number Excel turned into a number has lost digits.
  r = row(7, {"张三", "", "业主", "", "18913101111", "", "", "", "A", "1", "101"});
  r.cells[6] = number(110105194912310000.0, "110105194912310000");
  issues.clear();
  EXPECT_FALSE(check_resident_row(r, cols, l, false, today, out, issues));
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].column, "G（证件号码）");

  // A gap in the building columns, several problems in one row.
  issues.clear();
  EXPECT_FALSE(check_resident_row(row(8, {"王五", "X", "房东", "", "1891310", "", "", "", "B", "", "101"}), cols, l, false,
                                  today, out, issues));
  EXPECT_EQ(issues.size(), 4u) << reasons(issues);
  EXPECT_EQ(issues[0].column, "J（单元/门牌号）");

  // Another community's name in 小区: the whole file is refused.
  EXPECT_THROW(check_resident_row(row(9, {"张三", "", "业主", "", "18913101111", "", "", "阳光花园", "A", "1", "101"}), cols,
                                  l, false, today, out, issues),
               RecordError);
}

TEST_F(ResidentImport, SeedImportsThenReimportUpdatesInsteadOfDuplicating) {
  auto first = import(workbook(seed_rows()));
  ASSERT_TRUE(first.committed) << reasons(first.issues);
  EXPECT_EQ(first.added, 4);
  EXPECT_EQ(first.updated, 0);
  EXPECT_GT(first.report_id, 0);

  ResidentQuery q;
  q.community_id = seed_.community;
  q.q = "4444";  // 后4位
  auto page = list_residents(db_.reader(), q);
  ASSERT_EQ(page.total, 1);
  EXPECT_EQ(page.items[0].name, "刘六");
  EXPECT_EQ(page.items[0].lease_end, "2018-12-31");
  EXPECT_EQ(page.items[0].identity, Identity::fixed_term_tenant);
  EXPECT_EQ(page.items[0].room_path, (std::vector<std::string>{"B", "1", "102"}));
  EXPECT_EQ(to_json(page.items[0])["phone"], "189****44");

  auto again = import(workbook(seed_rows()));
  ASSERT_TRUE(again.committed);
  EXPECT_EQ(again.added, 0);
  EXPECT_EQ(again.unchanged, 4);

  // 李四 gets a new phone (matched by room + name), 王五 becomes an owner (room + phone).
  auto rows = seed_rows();
  rows[1][4] = "13800138000";
  rows[2][2] = "业主";
  rows.push_back(person("赵七", "家属", "18913105555", {"A", "1", "101"}));
  auto third = import(workbook(rows));
  ASSERT_TRUE(third.committed) << reasons(third.issues);
  EXPECT_EQ(third.added, 1);
  EXPECT_EQ(third.updated, 2);
  EXPECT_EQ(third.unchanged, 2);
  EXPECT_EQ(resident_count(), 5);

  store::Statement audit(db_.reader(), "SELECT COUNT(*) FROM audit_log WHERE action = 'import.commit'");
  audit.step();
  EXPECT_EQ(audit.integer(0), 3);
}

TEST_F(ResidentImport, TenBadRowsAmongAThousandCommitNothing) {
  std::vector<std::vector<std::string>> rows;
  for (int i = 0; i < 1010; ++i) {
    char phone[16];
    std::snprintf(phone, sizeof phone, "189%08d", i);
    auto r = person("住户" + std::to_string(i), "业主", phone, {i % 2 ? "A" : "B", "1", i % 3 ? "101" : "102"});
    if (i % 101 == 50) r[4] = "1234";  // ten bad phones
    rows.push_back(r);
  }
  auto result = import(workbook(rows));
  EXPECT_FALSE(result.committed);
  ASSERT_EQ(result.issues.size(), 10u) << reasons(result.issues);
  EXPECT_EQ(result.issues[0].row, 53u);  // data starts on row 3
  EXPECT_EQ(result.issues[0].column, "E（手机号）");
  EXPECT_EQ(resident_count(), 0);

  std::string name;
  auto report = import_report_xlsx(db_.reader(), seed_.community, "residents", result.report_id, &name);
  ASSERT_TRUE(report);
  std::vector<spreadsheet::Row> report_rows;
  spreadsheet::read_rows(*report, {}, [&](const spreadsheet::Row& r) {
    report_rows.push_back(r);
    return true;
  });
  ASSERT_EQ(report_rows.size(), 12u);  // two header rows and the ten bad rows
  EXPECT_EQ(report_rows[1].cells[12].text, "错误原因");
  EXPECT_EQ(report_rows[2].cells[11].text, "53");
  EXPECT_NE(report_rows[2].cells[12].text.find("1234"), std::string::npos);
}

TEST_F(ResidentImport, DuplicatesInsideOneFileAreErrorsOnTheSecondRow) {
  auto rows = seed_rows();
  rows.push_back(person("张三丰", "家属", "18913101111", {"A", "1", "101"}));
  auto result = import(workbook(rows));
  EXPECT_FALSE(result.committed);
  ASSERT_EQ(result.issues.size(), 1u);
  EXPECT_EQ(result.issues[0].row, 7u);
  EXPECT_EQ(result.issues[0].reason, "与第3行重复：同一房间的同一手机号");
}

TEST_F(ResidentImport, FileLevelRefusalsAreOneIssueOnRowZero) {
  auto refused = [&](const std::string& bytes) {
    auto r = import(bytes);
    EXPECT_FALSE(r.committed);
    EXPECT_EQ(r.issues.size(), 1u);
    EXPECT_GT(r.report_id, 0);
    return r.issues.empty() ? std::string() : r.issues[0].reason;
  };
  EXPECT_FALSE(refused("姓名,手机号\n张三,18913101111\n").empty());  // not a spreadsheet
  std::string good = workbook(seed_rows());
  EXPECT_FALSE(refused(good.substr(0, good.size() / 2)).empty());  // truncated: corrupt

  // A sheet without 证件类型 (deleted) and with 手机 instead of 手机号 (renamed).
  spreadsheet::WorkbookWriter w;
  std::vector<std::string> header = {"姓名", "性别", "身份", "租期截止日期", "手机", "证件号码", "小区", "楼栋/组团", "单元/门牌号", "房间"};
  for (std::uint16_t i = 0; i < header.size(); ++i) w.text(1, i, header[i]);
  w.text(2, 0, "张三");
  std::string reason = refused(w.finish());
  EXPECT_NE(reason.find("手机号"), std::string::npos) << reason;
  EXPECT_NE(reason.find("证件类型"), std::string::npos) << reason;

  EXPECT_EQ(refused(workbook(seed_rows(), "阳光花园")), "此模板属于小区“阳光花园”，不能导入到“腾讯小区”（第3行）");
  EXPECT_EQ(resident_count(), 0);
}

TEST_F(ResidentImport, MissingRoomsAreErrorsUnlessTheCommunityAllowsCreatingThem) {
  auto rows = seed_rows();
  rows.push_back(person("周八", "业主", "18913106666", {"C", "2", "301"}));
  rows.push_back({"", "", "", "", "", "", "", "腾讯小区", "东组团", "9号"});  // structure only
  auto refused = import(workbook(rows));
  EXPECT_FALSE(refused.committed);
  EXPECT_EQ(refused.issues.size(), 2u) << reasons(refused.issues);

  allow_structure_import();
  auto done = import(workbook(rows));
  ASSERT_TRUE(done.committed) << reasons(done.issues);
  EXPECT_EQ(done.added, 5);
  EXPECT_EQ(done.rooms_created, 2);
  EXPECT_TRUE(find_room(db_.reader(), seed_.community, {"C", "2", "301"}));
  EXPECT_TRUE(find_room(db_.reader(), seed_.community, {"东组团", "9号"}));
}

TEST_F(ResidentImport, FilesSavedByLibreOfficeImport) {
  for (const char* name : {"tencent_residents_libreoffice.xlsx", "tencent_residents_libreoffice.xls"}) {
    auto bytes = read_file(std::string(XIAOQU_TEST_DATA) + "/seed/" + name);
    ASSERT_FALSE(bytes.empty()) << name;
    auto r = import(bytes);
    ASSERT_TRUE(r.committed) << name << "\n" << reasons(r.issues);
    EXPECT_EQ(r.added + r.unchanged, 4) << name;
  }
  ResidentQuery q;
  q.community_id = seed_.community;
  auto page = list_residents(db_.reader(), q);
  ASSERT_EQ(page.total, 4);
  EXPECT_EQ(page.items[0].name, "张三");
  EXPECT_EQ(page.items[0].id_number_masked, "1101**********002X");
  EXPECT_EQ(page.items[2].id_type, IdType::passport);
  EXPECT_EQ(page.items[3].lease_end, "2018-12-31");
}

TEST_F(ResidentImport, ExportReimportsUnchangedKeepingSealedIdNumbers) {
  auto rows = seed_rows();
  rows[0][6] = "11010519491231002X";
  ASSERT_TRUE(import(workbook(rows)).committed);
  ResidentQuery q;
  q.community_id = seed_.community;
  auto exported = resident_export_xlsx(db_.reader(), layout(), q);
  auto again = import(exported);
  ASSERT_TRUE(again.committed) << reasons(again.issues);
  EXPECT_EQ(again.unchanged, 4);

  // The sealed number opens to the original and its hash finds it.
  store::Statement s(db_.reader(), "SELECT id_number_enc, id_number_hash FROM residents WHERE name = '张三'");
  ASSERT_TRUE(s.step());
  EXPECT_EQ(pd_.open(s.text(0)), "11010519491231002X");
  EXPECT_EQ(s.text(1), pd_.lookup_hash("11010519491231002X"));
}
