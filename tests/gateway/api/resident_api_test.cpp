// The residents API over a real socket with the seed (腾讯小区): the template round trip,
// import and its error report, search by 后4位 with masked phones, the building filter,
// add/edit/delete with masked audit entries, export that re-imports, and who may see what.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "tests/gateway/api/records_api_session.hpp"
#include "spreadsheet/sheet.hpp"
#include "spreadsheet/workbook_writer.hpp"
#include "tests/community/structure/structure_seed.hpp"
#include "tests/support/test_server.hpp"

using namespace xiaoqu;
namespace xt = xiaoqu::testing;
using nlohmann::json;

namespace {

constexpr const char* kXlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

std::vector<spreadsheet::Row> rows_of(const std::string& bytes) {
  std::vector<spreadsheet::Row> rows;
  spreadsheet::read_rows(bytes, {}, [&](const spreadsheet::Row& r) {
    rows.push_back(r);
    return true;
  });
  return rows;
}

std::string cell(const spreadsheet::Row& r, std::size_t i) { return i < r.cells.size() ? r.cells[i].text : ""; }

class ResidentApi : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.app().database().write([&](store::Connection& c) { seed_ = xt::seed_tencent(c); });
    server_.app().database().write([&](store::Connection& c) {
      store::Statement(c, "INSERT INTO communities (name, created_at, updated_at) VALUES ('阳光花园', 1, 1)").run();
      sunshine_ = c.last_insert_id();
    });
    xt::create_admin(server_, "ops", "operator-pass-1", true);
    xt::create_admin(server_, "tencent", "tencent-pass-1", false, {seed_.community});
    xt::create_admin(server_, "sunshine", "sunshine-pass-1", false, {sunshine_});
    ops_ = xt::login(server_, "ops", "operator-pass-1");
    own_ = xt::login(server_, "tencent", "tencent-pass-1");
    stranger_ = xt::login(server_, "sunshine", "sunshine-pass-1");
    base_ = "/api/v1/communities/" + std::to_string(seed_.community) + "/residents";
  }

  httplib::Result get(const xt::AdminSession& who, const std::string& path) {
    auto cli = server_.client();
    return cli.Get(path.c_str(), who.headers());
  }
  httplib::Result send(const char* method, const xt::AdminSession& who, const std::string& path, const json& body) {
    auto cli = server_.client();
    if (std::string(method) == "POST") return cli.Post(path.c_str(), who.headers(), body.dump(), "application/json");
    return cli.Patch(path.c_str(), who.headers(), body.dump(), "application/json");
  }
  httplib::Result upload(const xt::AdminSession& who, const std::string& bytes, const std::string& name = "住户.xlsx") {
    auto cli = server_.client();
    httplib::MultipartFormDataItems items = {{"file", bytes, name, kXlsx}};
    return cli.Post((base_ + "/import").c_str(), who.headers(), items);
  }

  // The downloaded template's two header rows, then the seed's residents, as a manager
  // filling it in would leave it.
  std::string filled_template(const std::vector<spreadsheet::Row>& head, bool bad_phone = false) {
    spreadsheet::WorkbookWriter w("住户信息");
    for (std::uint32_t r = 0; r < 2; ++r)
      for (std::size_t i = 0; i < head[r].cells.size(); ++i)
        if (!head[r].cells[i].text.empty()) w.text(r, static_cast<std::uint16_t>(i), head[r].cells[i].text);
    std::vector<std::vector<std::string>> people = {
        {"张三", "男", "业主", "", "189 1310 1111", "身份证", "11010519491231002X", "腾讯小区", "A", "1", "101"},
        {"李四", "女", "家属", "", "18913102222", "", "", "腾讯小区", "A", "1", "102"},
        {"王五", "男", "长期租客", "", bad_phone ? "1891310" : "18913103333", "", "", "腾讯小区", "B", "1", "101"},
        {"刘六", "女", "限期租客", "2018/12/31", "18913104444", "", "", "腾讯小区", "B", "1", "102"}};
    for (std::size_t r = 0; r < people.size(); ++r)
      for (std::size_t i = 0; i < people[r].size(); ++i)
        if (!people[r][i].empty()) w.text(static_cast<std::uint32_t>(r + 2), static_cast<std::uint16_t>(i), people[r][i]);
    return w.finish();
  }

  std::vector<spreadsheet::Row> template_head() {
    auto res = get(own_, base_ + "/template");
    EXPECT_EQ(res->status, 200);
    return rows_of(res->body);
  }

  xt::TestServer server_;
  xt::SeedCommunity seed_;
  std::int64_t sunshine_ = 0;
  xt::AdminSession ops_, own_, stranger_;
  std::string base_;
};

}  // namespace

TEST_F(ResidentApi, TemplateRoundTripImportSearchByLastFourDigitsMasked) {
  auto res = get(own_, base_ + "/template");
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(res->get_header_value("Content-Type"), kXlsx);
  auto rows = rows_of(res->body);
  ASSERT_GE(rows.size(), 3u);
  EXPECT_EQ(cell(rows[0], 0), "基本信息");
  EXPECT_EQ(cell(rows[0], 4), "身份验证信息");
  EXPECT_EQ(cell(rows[0], 7), "小区楼栋信息");
  std::vector<std::string> header;
  for (const auto& c : rows[1].cells) header.push_back(c.text);
  EXPECT_EQ(header, (std::vector<std::string>{"姓名", "性别", "身份", "租期截止日期", "手机号", "证件类型", "证件号码", "小区",
                                              "楼栋/组团", "单元/门牌号", "房间"}));
  EXPECT_EQ(rows[2].number, 3u);
  EXPECT_EQ(cell(rows[2], 7), "腾讯小区");

  res = upload(own_, filled_template(rows));
  ASSERT_EQ(res->status, 200) << res->body;
  auto counts = json::parse(res->body);
  EXPECT_EQ(counts["added"], 4);
  EXPECT_EQ(counts["updated"], 0);

  res = get(own_, base_ + "?q=4444");
  ASSERT_EQ(res->status, 200) << res->body;
  auto list = json::parse(res->body);
  ASSERT_EQ(list["total"], 1);
  auto liu = list["items"][0];
  EXPECT_EQ(liu["name"], "刘六");
  EXPECT_EQ(liu["phone"], "189****44");
  EXPECT_EQ(liu["identity"], "fixed_term_tenant");
  EXPECT_EQ(liu["lease_end"], "2018-12-31");
  EXPECT_EQ(liu["room_path"], json({"B", "1", "102"}));
  EXPECT_EQ(res->body.find("18913104444"), std::string::npos);

  res = get(own_, base_ + "?q=" + "%E5%BC%A0");
  list = json::parse(res->body);
  ASSERT_EQ(list["total"], 1);
  EXPECT_EQ(list["items"][0]["id_number"], "1101**********002X");
  EXPECT_EQ(res->body.find("11010519491231002X"), std::string::npos);

  // Importing the same file again changes nothing.
  res = upload(own_, filled_template(rows));
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(json::parse(res->body)["unchanged"], 4);
  EXPECT_EQ(json::parse(get(own_, base_)->body)["total"], 4);
}

TEST_F(ResidentApi, BadRowsAnswer422WithADownloadableReport) {
  auto res = upload(own_, filled_template(template_head(), true));
  ASSERT_EQ(res->status, 422) << res->body;
  auto body = json::parse(res->body);
  EXPECT_EQ(body["error_count"], 1);
  EXPECT_EQ(body["errors"][0]["row"], 5);
  EXPECT_EQ(body["errors"][0]["column"], "E（手机号）");
  EXPECT_EQ(json::parse(get(own_, base_)->body)["total"], 0);

  std::string report = "/api/v1/communities/" + std::to_string(seed_.community) + "/imports/" +
                       std::to_string(body["report_id"].get<std::int64_t>()) + "/report.xlsx";
  res = get(own_, report);
  ASSERT_EQ(res->status, 200) << res->body;
  auto rows = rows_of(res->body);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(cell(rows[2], 0), "王五");
  EXPECT_NE(cell(rows[2], 12).find("手机号"), std::string::npos);
  EXPECT_EQ(get(stranger_, report)->status, 404);

  res = upload(own_, "PK\x03\x04 not really a zip");
  ASSERT_EQ(res->status, 422) << res->body;
  EXPECT_EQ(json::parse(res->body)["errors"][0]["row"], 0);
}

TEST_F(ResidentApi, AddEditDeleteAreAuditedWithoutPlainPersonalData) {
  auto res = send("POST", own_, base_,
                  {{"name", "赵七"}, {"gender", "男"}, {"identity", "业主"}, {"phone", "+86 139-1234-5678"},
                   {"id_type", "身份证"}, {"id_number", "440305199003077718"}, {"room_path", {"A", "1", "101"}}});
  ASSERT_EQ(res->status, 201) << res->body;
  auto created = json::parse(res->body);
  EXPECT_EQ(created["phone"], "139****78");
  EXPECT_EQ(created["id_number"], "4403**********7718");
  std::string one = base_ + "/" + std::to_string(created["id"].get<std::int64_t>());

  res = send("POST", own_, base_, {{"name", "赵七"}, {"identity", "业主"}, {"phone", "13912345678"}, {"room_path", {"A", "1", "101"}}});
  EXPECT_EQ(res->status, 409) << res->body;
  res = send("POST", own_, base_, {{"name", "钱八"}, {"identity", "限期租客"}, {"phone", "13912340000"}, {"room_path", {"A", "1", "101"}}});
  ASSERT_EQ(res->status, 400) << res->body;
  EXPECT_EQ(json::parse(res->body)["error"]["field"], "lease_end");
  res = send("POST", own_, base_, {{"name", "钱八"}, {"identity", "业主"}, {"phone", "13912340000"}, {"room_path", {"A", "9", "999"}}});
  EXPECT_EQ(res->status, 400) << res->body;

  res = send("PATCH", own_, one, {{"identity", "限期租客"}, {"lease_end", "2030年6月30日"}});
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(json::parse(res->body)["lease_end"], "2030-06-30");
  EXPECT_EQ(json::parse(res->body)["id_number"], "4403**********7718");

  auto cli = server_.client();
  res = cli.Delete(one.c_str(), own_.headers());
  EXPECT_EQ(res->status, 204);
  EXPECT_EQ(get(own_, one)->status, 404);

  store::Connection c(server_.db_path().string(), true);
  store::Statement s(c, "SELECT action, before || after FROM audit_log WHERE entity = 'resident' ORDER BY id");
  std::vector<std::string> actions;
  while (s.step()) {
    actions.push_back(s.text(0));
    EXPECT_EQ(s.text(1).find("13912345678"), std::string::npos);
    EXPECT_EQ(s.text(1).find("440305199003077718"), std::string::npos);
    EXPECT_NE(s.text(1).find("139****78"), std::string::npos);
  }
  EXPECT_EQ(actions, (std::vector<std::string>{"resident.create", "resident.update", "resident.delete"}));
}

TEST_F(ResidentApi, BuildingFilterStatusFilterAndPaging) {
  ASSERT_EQ(upload(own_, filled_template(template_head()))->status, 200);
  std::int64_t building_a = 0;
  {
    store::Connection c(server_.db_path().string(), true);
    store::Statement s(c, "SELECT id FROM structure_nodes WHERE name = 'A' AND depth = 1");
    ASSERT_TRUE(s.step());
    building_a = s.integer(0);
  }
  auto list = json::parse(get(own_, base_ + "?node_id=" + std::to_string(building_a))->body);
  EXPECT_EQ(list["total"], 2);
  list = json::parse(get(own_, base_ + "?status=imported&page=2&page_size=3")->body);
  EXPECT_EQ(list["total"], 4);
  EXPECT_EQ(list["items"].size(), 1u);
  EXPECT_EQ(json::parse(get(own_, base_ + "?status=verified")->body)["total"], 0);
  EXPECT_EQ(get(own_, base_ + "?page_size=201")->status, 400);
  EXPECT_EQ(get(own_, base_ + "?status=nope")->status, 400);
}

TEST_F(ResidentApi, ExportReimportsUnchanged) {
  ASSERT_EQ(upload(own_, filled_template(template_head()))->status, 200);
  auto res = get(own_, base_ + "/export");
  ASSERT_EQ(res->status, 200) << res->body;
  auto rows = rows_of(res->body);
  ASSERT_EQ(rows.size(), 6u);
  EXPECT_EQ(cell(rows[2], 6), "1101**********002X");
  res = upload(own_, res->body, "导出.xlsx");
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(json::parse(res->body)["unchanged"], 4);
}

TEST_F(ResidentApi, OnlyAdminsOfTheCommunitySeeIt) {
  auto cli = server_.client();
  for (const std::string path : {base_, base_ + "/template", base_ + "/export"}) {
    EXPECT_EQ(cli.Get(path.c_str())->status, 401) << path;
    EXPECT_EQ(get(stranger_, path)->status, 404) << path;
    EXPECT_EQ(get(own_, path)->status, 200) << path;
    EXPECT_EQ(get(ops_, path)->status, 200) << path;
  }
  EXPECT_EQ(upload(stranger_, filled_template(template_head()))->status, 404);
  EXPECT_EQ(send("POST", stranger_, base_, {{"name", "x"}})->status, 404);
  // A state change without the CSRF token is refused.
  auto res = cli.Post(base_.c_str(), {{"Cookie", own_.cookie}}, json({{"name", "x"}}).dump(), "application/json");
  EXPECT_EQ(res->status, 403);
}
