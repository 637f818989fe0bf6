// Staff and departments on a real SQLite file: one record per person (phone, then WeCom
// userid), department paths, search, masking, and the staff spreadsheet round trip.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>

#include "community/staff/departments.hpp"
#include "spreadsheet/workbook_writer.hpp"
#include "community/staff/staff.hpp"
#include "community/staff/staff_sheet.hpp"
#include "tests/community/structure/structure_seed.hpp"
#include "store/database.hpp"
#include "tests/support/test_server.hpp"

using namespace xiaoqu;
namespace xt = xiaoqu::testing;
using community::RecordError;
using community::StaffInput;
using community::UpsertOutcome;

namespace {

class StaffTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = std::make_unique<store::Database>((xt::temp_dir() / "staff.db").string());
    db_->write([&](store::Connection& c) {
      seed_ = xt::seed_tencent(c);
      community::CommunityFields f;
      f.name = "阳光花园";
      other_ = community::create_community(c, f, "system", 1);
    });
  }
  StaffInput person(const std::string& name, const std::string& phone) {
    StaffInput in;
    in.name = name;
    in.phone = phone;
    in.communities = {seed_.community};
    return in;
  }
  community::UpsertResult upsert(const StaffInput& in) {
    community::UpsertResult r;
    db_->write([&](store::Connection& c) { r = community::upsert_staff(c, in, "admin:1", 100); });
    return r;
  }
  std::int64_t count(const std::string& sql) {
    store::Statement s(db_->reader(), sql);
    s.step();
    return s.integer(0);
  }
  std::unique_ptr<store::Database> db_;
  xt::SeedCommunity seed_;
  std::int64_t other_ = 0;
};

TEST_F(StaffTest, CheckedStaffNormalizesAndNamesTheBadField) {
  auto in = person(" 李工 ", "+86 189-1310-1221");
  in.gender = "男";
  in.departments = {"工程部／维修组", "工程部 — 维修组", "客服部"};
  auto out = community::checked_staff(in);
  EXPECT_EQ(out.name, "李工");
  EXPECT_EQ(out.phone, "18913101221");
  EXPECT_EQ(out.gender, "male");
  EXPECT_EQ(out.departments, (std::vector<std::string>{"工程部—维修组", "客服部"}));
  auto field_of = [&](StaffInput bad) {
    try {
      community::checked_staff(bad);
    } catch (const RecordError& e) {
      return e.field();
    }
    return std::string("none");
  };
  EXPECT_EQ(field_of(person("李工", "12345")), "phone");
  EXPECT_EQ(field_of(person("李工", "")), "phone");
  EXPECT_EQ(field_of(person("", "18913101221")), "name");
  auto g = person("李工", "18913101221");
  g.gender = "未知";
  EXPECT_EQ(field_of(g), "gender");
  auto d = person("李工", "18913101221");
  d.departments = {"工程部——维修组"};  // an empty level between two separators
  EXPECT_EQ(field_of(d), "departments");
  auto c = person("李工", "18913101221");
  c.communities.clear();
  EXPECT_EQ(field_of(c), "communities");
  // Full-width digits, as typed on a Chinese keyboard.
  EXPECT_EQ(community::checked_staff(person("李工", "１８９１３１０１２２１")).phone, "18913101221");
}

TEST_F(StaffTest, SamePhoneUpdatesTheRecordInsteadOfAddingOne) {
  auto first = upsert(person("李工", "18913101221"));
  EXPECT_EQ(first.outcome, UpsertOutcome::added);
  EXPECT_EQ(upsert(person("李工", "189 1310 1221")).outcome, UpsertOutcome::unchanged);
  auto moved = person("李工", "18913101221");
  moved.position = "维修主管";
  moved.communities = {other_};
  auto second = upsert(moved);
  EXPECT_EQ(second.outcome, UpsertOutcome::updated);
  EXPECT_EQ(second.id, first.id);
  EXPECT_EQ(count("SELECT COUNT(*) FROM staff"), 1);
  auto st = community::get_staff(db_->reader(), other_, first.id);
  EXPECT_EQ(st.position, "维修主管");
  EXPECT_EQ(st.communities.size(), 2u);  // the new community is added, the old one kept
}

TEST_F(StaffTest, WecomUseridFindsTheRecordWhenThePhoneIsUnknown) {
  auto in = person("王工", "");
  in.wecom_corp_id = "ww8f2c6d1e0a9b7354";
  in.wecom_userid = "wanggong";
  auto a = upsert(in);
  EXPECT_EQ(a.outcome, UpsertOutcome::added);
  in.phone = "13800138000";
  auto b = upsert(in);
  EXPECT_EQ(b.id, a.id);
  EXPECT_EQ(b.outcome, UpsertOutcome::updated);
  // Later seen by phone alone (the console form): still the same person, the WeCom link kept.
  auto by_phone = person("王工", "13800138000");
  EXPECT_EQ(upsert(by_phone).outcome, UpsertOutcome::unchanged);
  auto st = community::get_staff(db_->reader(), seed_.community, a.id);
  EXPECT_EQ(st.wecom_userid, "wanggong");
  EXPECT_EQ(st.phone, "13800138000");
}

TEST_F(StaffTest, AuditMasksPhones) {
  upsert(person("李工", "18913101221"));
  store::Statement s(db_->reader(), "SELECT after FROM audit_log WHERE action = 'staff.create'");
  ASSERT_TRUE(s.step());
  auto after = s.text(0);
  EXPECT_EQ(after.find("18913101221"), std::string::npos);
  EXPECT_NE(after.find("189****21"), std::string::npos) << after;
}

TEST_F(StaffTest, DepartmentPathsBuildOneTreeShownPerCommunity) {
  auto a = person("李工", "18913101221");
  a.departments = {"工程部—维修组"};
  auto b = person("赵工", "18913101222");
  b.departments = {"工程部/绿化组", "客服部"};
  auto elsewhere = person("钱工", "18913101223");
  elsewhere.communities = {other_};
  elsewhere.departments = {"保安部"};
  upsert(a);
  upsert(b);
  upsert(elsewhere);
  EXPECT_EQ(count("SELECT COUNT(*) FROM departments WHERE name = '工程部'"), 1);
  auto tree = community::department_tree(db_->reader(), seed_.community);
  ASSERT_EQ(tree.size(), 2u);  // 工程部 and 客服部; 保安部 belongs to the other community's staff
  EXPECT_EQ(tree[0]["name"], "工程部");
  EXPECT_EQ(tree[0]["children"].size(), 2u);
  EXPECT_EQ(tree[0]["children"][0]["staff_count"], 1);
  EXPECT_THROW(community::split_department_path("a—b—c—d—e—f—g—h—i—j—k—l—m—n—o—p"), RecordError);
  EXPECT_EQ(community::split_department_path("维修-A组").size(), 1u);  // hyphens are part of names
}

TEST_F(StaffTest, ListSearchesNameOrLastFourDigitsAndFiltersByDepartment) {
  auto a = person("李工", "18913101221");
  a.departments = {"工程部—维修组"};
  upsert(a);
  upsert(person("赵敏", "18913105678"));
  upsert(person("张三", "13800001221"));
  community::StaffQuery q;
  q.q = "1221";
  EXPECT_EQ(community::list_staff(db_->reader(), seed_.community, q).total, 2);
  q.q = "赵";
  auto found = community::list_staff(db_->reader(), seed_.community, q);
  ASSERT_EQ(found.total, 1);
  EXPECT_EQ(community::to_json(found.items[0], true)["phone"], "189****78");
  q.q.clear();
  store::Statement d(db_->reader(), "SELECT id FROM departments WHERE name = '工程部'");
  d.step();
  q.department_id = d.integer(0);
  found = community::list_staff(db_->reader(), seed_.community, q);
  ASSERT_EQ(found.total, 1);  // 维修组 is below 工程部
  EXPECT_EQ(found.items[0].name, "李工");
  EXPECT_EQ(community::list_staff(db_->reader(), other_, {}).total, 0);
}

TEST_F(StaffTest, RemovingFromOneCommunityKeepsTheOthers) {
  auto in = person("李工", "18913101221");
  in.communities = {seed_.community, other_};
  auto id = upsert(in).id;
  db_->write([&](store::Connection& c) { community::remove_staff(c, seed_.community, id, "admin:1", 1); });
  EXPECT_THROW(community::get_staff(db_->reader(), seed_.community, id), RecordError);
  EXPECT_EQ(community::get_staff(db_->reader(), other_, id).communities, std::vector<std::int64_t>{other_});
  db_->write([&](store::Connection& c) { community::remove_staff(c, other_, id, "admin:1", 1); });
  EXPECT_EQ(count("SELECT COUNT(*) FROM staff"), 0);
}

TEST_F(StaffTest, ReplaceRefusesAPhoneOfSomeoneElse) {
  upsert(person("李工", "18913101221"));
  auto id = upsert(person("赵工", "18913101222")).id;
  EXPECT_THROW(db_->write([&](store::Connection& c) {
                 community::replace_staff(c, id, person("赵工", "18913101221"), "admin:1", 2);
               }),
               RecordError);
  EXPECT_EQ(community::get_staff(db_->reader(), seed_.community, id).phone, "18913101222");
}

// A filled-in copy of the staff template, as a manager saves it.
std::string filled_sheet(const std::vector<std::vector<std::string>>& rows, const std::string& community) {
  spreadsheet::WorkbookWriter w;
  w.merge(0, 0, 0, 4, "基本信息");
  w.merge(0, 5, 0, 7, "工作信息");
  w.text(0, 8, "服务小区");
  const auto& cols = community::staff_columns();
  for (std::size_t i = 0; i < cols.size(); ++i) w.text(1, static_cast<std::uint16_t>(i), cols[i]);
  for (std::size_t r = 0; r < rows.size(); ++r) {
    for (std::size_t i = 0; i < rows[r].size(); ++i) w.text(static_cast<std::uint32_t>(r + 2), static_cast<std::uint16_t>(i), rows[r][i]);
    if (rows[r].size() <= 8) w.text(static_cast<std::uint32_t>(r + 2), 8, community);
  }
  return w.finish();
}

TEST_F(StaffTest, SheetWithBadRowsReportsRowAndColumnAndImportsNothing) {
  auto c = community::get_community(db_->reader(), seed_.community);
  auto file = filled_sheet({{"李工", "男", "18913101221", "", "", "工程部—维修组", "维修工", "A"},
                            {"赵工", "不详", "12345", "", "", "", "", ""},
                            {"钱工", "", "18913101221", "", "", "", "", ""}},
                           c.name);
  auto sheet = community::read_staff_sheet(file, {}, db_->reader(), c, nullptr);
  ASSERT_EQ(sheet.issues.size(), 3u);
  EXPECT_EQ(sheet.issues[0].row, 4u);
  EXPECT_EQ(sheet.issues[0].column, "B（性别）");
  EXPECT_EQ(sheet.issues[1].column, "C（手机号码）");
  EXPECT_EQ(sheet.issues[2].row, 5u);
  EXPECT_NE(sheet.issues[2].reason.find("第 3 行"), std::string::npos) << sheet.issues[2].reason;
  EXPECT_EQ(sheet.bad_rows.size(), 2u);
  auto report = community::error_report_xlsx(sheet.header, sheet.bad_rows, sheet.issues);
  std::vector<std::string> last_column;
  spreadsheet::read_rows(report, {}, [&](const spreadsheet::Row& r) {
    last_column.push_back(r.cells.back().text);
    return true;
  });
  ASSERT_EQ(last_column.size(), 3u);
  EXPECT_EQ(last_column[0], "错误原因");
  EXPECT_NE(last_column[1].find("性别"), std::string::npos);
  EXPECT_EQ(count("SELECT COUNT(*) FROM staff"), 0);
}

TEST_F(StaffTest, SheetOfAnotherCommunityIsRefused) {
  auto c = community::get_community(db_->reader(), seed_.community);
  auto file = filled_sheet({{"李工", "男", "18913101221"}}, "阳光花园");
  auto sheet = community::read_staff_sheet(file, {}, db_->reader(), c, nullptr);
  ASSERT_EQ(sheet.issues.size(), 1u);
  EXPECT_EQ(sheet.issues[0].column, "I（服务小区）");
  // A property admin of 腾讯小区 alone does not see 阳光花园 at all.
  std::vector<std::int64_t> mine{seed_.community};
  auto file2 = filled_sheet({{"李工", "男", "18913101221", "", "", "", "", "", "腾讯小区、阳光花园"}}, "");
  auto sheet2 = community::read_staff_sheet(file2, {}, db_->reader(), c, &mine);
  ASSERT_EQ(sheet2.issues.size(), 1u);
  EXPECT_NE(sheet2.issues[0].reason.find("不存在或无权访问"), std::string::npos);
}

TEST_F(StaffTest, MissingHeaderColumnIsNamed) {
  spreadsheet::WorkbookWriter w;
  const auto& cols = community::staff_columns();
  for (std::size_t i = 0; i < cols.size(); ++i) w.text(0, static_cast<std::uint16_t>(i), i == 2 ? "电话" : cols[i]);
  auto file = w.finish();
  auto c = community::get_community(db_->reader(), seed_.community);
  try {
    community::read_staff_sheet(file, {}, db_->reader(), c, nullptr);
    FAIL() << "accepted";
  } catch (const RecordError& e) {
    EXPECT_NE(std::string(e.what()).find("手机号码"), std::string::npos) << e.what();
  }
}

TEST_F(StaffTest, TemplateRoundTripImportsThenReimportCountsUnchanged) {
  auto c = community::get_community(db_->reader(), seed_.community);
  // The template itself parses: two header rows, the community pre-filled, no people.
  auto empty = community::read_staff_sheet(community::staff_template_xlsx(c), {}, db_->reader(), c, nullptr);
  EXPECT_TRUE(empty.issues.empty());
  EXPECT_TRUE(empty.people.empty());
  auto file = filled_sheet({{"李工", "男", "18913101221", "ligong", "", "工程部—维修组、客服部", "维修工", "A"},
                            {"赵工", "女", "189 1310 1222", "", "", "", "", ""}},
                           c.name);
  auto sheet = community::read_staff_sheet(file, {}, db_->reader(), c, nullptr);
  ASSERT_TRUE(sheet.issues.empty());
  community::StaffImportCounts counts;
  db_->write([&](store::Connection& w) { counts = community::import_staff(w, seed_.community, sheet, "admin:1", 5); });
  EXPECT_EQ(counts.added, 2);
  db_->write([&](store::Connection& w) { counts = community::import_staff(w, seed_.community, sheet, "admin:1", 6); });
  EXPECT_EQ(counts.added, 0);
  EXPECT_EQ(counts.unchanged, 2);
  EXPECT_EQ(count("SELECT COUNT(*) FROM staff"), 2);
  auto exported = community::staff_export_xlsx(db_->reader(), c, {});
  std::vector<std::vector<std::string>> rows;
  spreadsheet::read_rows(exported, {}, [&](const spreadsheet::Row& r) {
    std::vector<std::string> t;
    for (const auto& cell : r.cells) t.push_back(cell.text);
    rows.push_back(t);
    return true;
  });
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[2][0], "李工");
  EXPECT_EQ(rows[2][2], "189****21");
  EXPECT_EQ(rows[2][5], "客服部、工程部—维修组");
}

}  // namespace

namespace {

// The file as LibreOffice saves it in `format` ("xls" or "xlsx"); empty when LibreOffice is
// not installed. A private profile (made once per run: that is the slow part) so parallel
// runs do not share LibreOffice's lock.
std::string saved_by_libreoffice(const std::string& xlsx, const std::string& format) {
  if (std::system("command -v soffice >/dev/null 2>&1") != 0) return {};
  static const auto profile = xt::temp_dir();
  auto dir = xt::temp_dir();
  {
    std::ofstream out(dir / "in.xlsx", std::ios::binary);
    out << xlsx;
  }
  std::string cmd = "cd '" + dir.string() + "' && soffice -env:UserInstallation=file://" + profile.string() +
                    " --headless --convert-to " + format + " --outdir out in.xlsx >/dev/null 2>&1";
  if (std::system(cmd.c_str()) != 0) return {};
  std::ifstream in(dir / "out" / ("in." + format), std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST_F(StaffTest, FilesSavedByLibreOfficeAsXlsAndXlsxImportAlike) {
  auto c = community::get_community(db_->reader(), seed_.community);
  auto file = filled_sheet({{"李工", "男", "18913101221", "", "", "工程部—维修组", "维修工", "A"},
                            {"赵工", "女", "18913101222", "", "", "", "", ""}},
                           c.name);
  for (const char* format : {"xls", "xlsx"}) {
    SCOPED_TRACE(format);
    auto saved = saved_by_libreoffice(file, format);
    if (saved.empty()) GTEST_SKIP() << "LibreOffice is not installed";
    auto sheet = community::read_staff_sheet(saved, {}, db_->reader(), c, nullptr);
    ASSERT_TRUE(sheet.issues.empty()) << sheet.issues[0].reason;
    ASSERT_EQ(sheet.people.size(), 2u);
    EXPECT_EQ(sheet.people[0].phone, "18913101221");
    EXPECT_EQ(sheet.people[0].departments, std::vector<std::string>{"工程部—维修组"});
    EXPECT_EQ(sheet.people[1].gender, "female");
  }
}

}  // namespace
