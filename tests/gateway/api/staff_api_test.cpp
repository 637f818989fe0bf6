// The staff API over a real socket: add (or update the same person), list with masked
// phones and search by the last 4 digits, edit, remove, departments, the spreadsheet
// template/import/report/export, and who may see what.
#include <gtest/gtest.h>

#include "tests/gateway/api/records_api_session.hpp"
#include "spreadsheet/sheet.hpp"
#include "spreadsheet/workbook_writer.hpp"
#include "community/staff/staff_sheet.hpp"
#include "tests/support/test_server.hpp"

using namespace xiaoqu;
namespace xt = xiaoqu::testing;
using nlohmann::json;

namespace {

constexpr const char* kXlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

class StaffApi : public ::testing::Test {
 protected:
  void SetUp() override {
    xt::create_admin(server_, "ops", "operator-pass-1", true);
    ops_ = xt::login(server_, "ops", "operator-pass-1");
    tencent_ = create_community("腾讯小区");
    sunshine_ = create_community("阳光花园");
    xt::create_admin(server_, "tencent", "tencent-pass-1", false, {tencent_});
    xt::create_admin(server_, "sunshine", "sunshine-pass-1", false, {sunshine_});
    own_ = xt::login(server_, "tencent", "tencent-pass-1");
    stranger_ = xt::login(server_, "sunshine", "sunshine-pass-1");
    base_ = "/api/v1/communities/" + std::to_string(tencent_) + "/staff";
  }
  std::int64_t create_community(const std::string& name) {
    auto cli = server_.client();
    auto res = cli.Post("/api/v1/communities", ops_.headers(), json({{"name", name}}).dump(), "application/json");
    EXPECT_EQ(res->status, 201) << res->body;
    return json::parse(res->body)["community"]["id"].get<std::int64_t>();
  }
  httplib::Result post(const xt::AdminSession& who, const std::string& path, const json& body) {
    auto cli = server_.client();
    return cli.Post(path.c_str(), who.headers(), body.dump(), "application/json");
  }
  httplib::Result patch(const xt::AdminSession& who, const std::string& path, const json& body) {
    auto cli = server_.client();
    return cli.Patch(path.c_str(), who.headers(), body.dump(), "application/json");
  }
  httplib::Result get(const xt::AdminSession& who, const std::string& path) {
    auto cli = server_.client();
    return cli.Get(path.c_str(), who.headers());
  }
  httplib::Result del(const xt::AdminSession& who, const std::string& path) {
    auto cli = server_.client();
    return cli.Delete(path.c_str(), who.headers());
  }
  httplib::Result upload(const xt::AdminSession& who, const std::string& bytes) {
    auto cli = server_.client();
    httplib::MultipartFormDataItems items = {{"file", bytes, "员工.xlsx", kXlsx}};
    return cli.Post((base_ + "/import").c_str(), who.headers(), items);
  }
  std::int64_t add(const json& body, int expected = 201) {
    auto res = post(own_, base_, body);
    EXPECT_EQ(res->status, expected) << res->body;
    return json::parse(res->body)["staff"]["id"].get<std::int64_t>();
  }

  xt::TestServer server_;
  xt::AdminSession ops_, own_, stranger_;
  std::int64_t tencent_ = 0, sunshine_ = 0;
  std::string base_;
};

TEST_F(StaffApi, AddListSearchEditRemove) {
  auto li = add({{"name", "李工"}, {"gender", "male"}, {"phone", "189-1310-1221"}, {"departments", {"工程部—维修组"}}, {"position", "维修工"}});
  add({{"name", "赵敏"}, {"phone", "18913105678"}, {"departments", "客服部、工程部/绿化组"}});
  auto res = get(own_, base_ + "?q=1221");
  ASSERT_EQ(res->status, 200) << res->body;
  auto list = json::parse(res->body);
  ASSERT_EQ(list["total"], 1);
  EXPECT_EQ(list["items"][0]["phone"], "189****21");
  EXPECT_EQ(list["items"][0]["departments"], json({"工程部—维修组"}));
  EXPECT_EQ(res->body.find("18913101221"), std::string::npos);
  res = get(own_, base_ + "/" + std::to_string(li));
  EXPECT_EQ(json::parse(res->body)["staff"]["phone"], "18913101221");
  // The same phone again is the same person: updated, not duplicated.
  res = post(own_, base_, {{"name", "李工"}, {"phone", "+86 18913101221"}, {"position", "维修主管"}});
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(json::parse(res->body)["outcome"], "updated");
  EXPECT_EQ(json::parse(res->body)["staff"]["id"], li);
  EXPECT_EQ(server_.count("SELECT COUNT(*) FROM staff"), 2);
  res = patch(own_, base_ + "/" + std::to_string(li), {{"rank", "P3"}, {"phone", "abc"}});
  EXPECT_EQ(res->status, 400);
  EXPECT_EQ(json::parse(res->body)["error"]["field"], "phone");
  res = patch(own_, base_ + "/" + std::to_string(li), {{"rank", "P3"}});
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(json::parse(res->body)["staff"]["rank"], "P3");
  EXPECT_EQ(json::parse(res->body)["staff"]["position"], "维修主管");
  res = get(own_, "/api/v1/communities/" + std::to_string(tencent_) + "/departments");
  auto tree = json::parse(res->body)["items"];
  ASSERT_EQ(tree.size(), 2u);
  EXPECT_EQ(tree[0]["name"], "工程部");
  EXPECT_EQ(del(own_, base_ + "/" + std::to_string(li))->status, 204);
  EXPECT_EQ(json::parse(get(own_, base_)->body)["total"], 1);
  EXPECT_GE(server_.count("SELECT COUNT(*) FROM audit_log WHERE entity = 'staff'"), 4);
  EXPECT_EQ(server_.count("SELECT COUNT(*) FROM audit_log WHERE before LIKE '%18913101221%' OR after LIKE '%18913101221%'"), 0);
}

TEST_F(StaffApi, CommunitiesTheAdminCannotSeeAreRefused) {
  auto res = post(own_, base_, {{"name", "李工"}, {"phone", "18913101221"}, {"communities", {tencent_, sunshine_}}});
  EXPECT_EQ(res->status, 404) << res->body;
  EXPECT_EQ(server_.count("SELECT COUNT(*) FROM staff"), 0);
  // The operator may place someone in both; the property admin then sees only their own.
  res = post(ops_, base_, {{"name", "李工"}, {"phone", "18913101221"}, {"communities", {tencent_, sunshine_}}});
  ASSERT_EQ(res->status, 201) << res->body;
  auto id = json::parse(res->body)["staff"]["id"].get<std::int64_t>();
  res = get(own_, base_ + "/" + std::to_string(id));
  EXPECT_EQ(json::parse(res->body)["staff"]["communities"], json({tencent_}));
  // Replacing the communities keeps the ones this admin cannot see.
  res = patch(own_, base_ + "/" + std::to_string(id), {{"communities", json::array()}});
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(server_.count("SELECT COUNT(*) FROM staff_communities WHERE staff_id = " + std::to_string(id)), 2);
  // Removing from 腾讯小区 leaves the person serving 阳光花园.
  EXPECT_EQ(del(own_, base_ + "/" + std::to_string(id))->status, 204);
  EXPECT_EQ(server_.count("SELECT COUNT(*) FROM staff_communities WHERE staff_id = " + std::to_string(id)), 1);
  auto other = "/api/v1/communities/" + std::to_string(sunshine_) + "/staff/" + std::to_string(id);
  EXPECT_EQ(get(own_, other)->status, 404);
  EXPECT_EQ(get(stranger_, other)->status, 200);
}

TEST_F(StaffApi, ImportTemplateReportAndExport) {
  auto tmpl = get(own_, base_ + "/template");
  ASSERT_EQ(tmpl->status, 200);
  EXPECT_EQ(tmpl->get_header_value("Content-Type"), kXlsx);
  // Fill the downloaded template the way a manager does: rows under the two header rows.
  std::vector<std::vector<std::string>> rows;
  spreadsheet::read_rows(tmpl->body, {}, [&](const spreadsheet::Row& r) {
    std::vector<std::string> t;
    for (const auto& c : r.cells) t.push_back(c.text);
    rows.push_back(t);
    return true;
  });
  ASSERT_GE(rows.size(), 2u);
  EXPECT_EQ(rows[0][0], "基本信息");
  EXPECT_EQ(rows[1], community::staff_columns());
  EXPECT_EQ(rows[2][8], "腾讯小区");
  auto sheet = [&](const std::vector<std::vector<std::string>>& people) {
    spreadsheet::WorkbookWriter w;
    for (std::size_t r = 0; r < 2; ++r)
      for (std::size_t c = 0; c < rows[r].size(); ++c)
        if (!rows[r][c].empty()) w.text(static_cast<std::uint32_t>(r), static_cast<std::uint16_t>(c), rows[r][c]);
    for (std::size_t r = 0; r < people.size(); ++r)
      for (std::size_t c = 0; c < people[r].size(); ++c)
        w.text(static_cast<std::uint32_t>(r + 2), static_cast<std::uint16_t>(c), people[r][c]);
    return w.finish();
  };
  auto bad = sheet({{"李工", "男", "18913101221", "", "", "工程部—维修组", "", "", "腾讯小区"},
                    {"赵工", "", "1891310", "", "", "", "", "", "腾讯小区"}});
  auto res = upload(own_, bad);
  ASSERT_EQ(res->status, 422) << res->body;
  auto body = json::parse(res->body);
  EXPECT_EQ(body["errors"][0]["row"], 4);
  EXPECT_EQ(body["errors"][0]["column"], "C（手机号码）");
  EXPECT_EQ(server_.count("SELECT COUNT(*) FROM staff"), 0);
  auto report = get(own_, base_ + "/import-reports/" + std::to_string(body["report_id"].get<std::int64_t>()));
  ASSERT_EQ(report->status, 200);
  EXPECT_EQ(report->get_header_value("Content-Type"), kXlsx);
  EXPECT_EQ(get(stranger_, "/api/v1/communities/" + std::to_string(sunshine_) + "/staff/import-reports/" +
                               std::to_string(body["report_id"].get<std::int64_t>()))
                ->status,
            404);
  auto good = sheet({{"李工", "男", "18913101221", "", "", "工程部—维修组", "维修工", "", "腾讯小区"},
                     {"赵工", "女", "18913101222", "", "", "", "", "", ""}});
  res = upload(own_, good);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(json::parse(res->body)["added"], 2);
  res = upload(own_, good);
  EXPECT_EQ(json::parse(res->body)["unchanged"], 2);
  EXPECT_EQ(server_.count("SELECT COUNT(*) FROM import_reports WHERE kind = 'staff' AND outcome = 'committed'"), 2);
  auto exported = get(own_, base_ + "/export?q=1221");
  ASSERT_EQ(exported->status, 200);
  std::vector<std::string> names;
  spreadsheet::read_rows(exported->body, {}, [&](const spreadsheet::Row& r) {
    names.push_back(r.cells.at(0).text + "/" + (r.cells.size() > 2 ? r.cells[2].text : ""));
    return true;
  });
  EXPECT_EQ(names, (std::vector<std::string>{"基本信息/", "姓名/手机号码", "李工/189****21"}));
  // A stranger cannot import into 腾讯小区.
  auto cli = server_.client();
  httplib::MultipartFormDataItems items = {{"file", good, "员工.xlsx", kXlsx}};
  EXPECT_EQ(cli.Post((base_ + "/import").c_str(), stranger_.headers(), items)->status, 404);
}

// Every staff endpoint × (no session, other community's admin, own admin, operator).
TEST_F(StaffApi, AccessMatrix) {
  auto id = add({{"name", "李工"}, {"phone", "18913101221"}});
  xt::AdminSession nobody;
  auto one = base_ + "/" + std::to_string(id);
  struct Call {
    std::string method, path;
    json body;
    int status;
  };
  std::vector<Call> calls = {
      {"GET", base_, nullptr, 200},
      {"GET", one, nullptr, 200},
      {"PATCH", one, {{"position", "主管"}}, 200},
      {"GET", base_ + "/template", nullptr, 200},
      {"GET", base_ + "/export", nullptr, 200},
      {"GET", "/api/v1/communities/" + std::to_string(tencent_) + "/departments", nullptr, 200},
  };
  auto run = [&](const xt::AdminSession& who, const Call& c) {
    if (c.method == "GET") return get(who, c.path)->status;
    return patch(who, c.path, c.body)->status;
  };
  for (const auto& c : calls) {
    SCOPED_TRACE(c.method + " " + c.path);
    EXPECT_EQ(run(nobody, c), 401);
    EXPECT_EQ(run(stranger_, c), 404);
    EXPECT_EQ(run(own_, c), c.status);
    EXPECT_EQ(run(ops_, c), c.status);
  }
  EXPECT_EQ(post(nobody, base_, {{"name", "x"}, {"phone", "13800138000"}})->status, 401);
  EXPECT_EQ(post(stranger_, base_, {{"name", "x"}, {"phone", "13800138000"}})->status, 404);
  EXPECT_EQ(del(stranger_, one)->status, 404);
  EXPECT_EQ(del(nobody, one)->status, 401);
  EXPECT_EQ(server_.count("SELECT COUNT(*) FROM staff"), 1);
  EXPECT_EQ(del(ops_, one)->status, 204);
}

}  // namespace
