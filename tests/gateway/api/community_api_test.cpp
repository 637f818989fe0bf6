// The communities and structures API over a real socket: the seed built through the API,
// structure import/export/template, the refusals, and who may see what.
#include <gtest/gtest.h>

#include "tests/gateway/api/records_api_session.hpp"
#include "spreadsheet/sheet.hpp"
#include "spreadsheet/workbook_writer.hpp"
#include "tests/support/test_server.hpp"

using namespace xiaoqu;
namespace xt = xiaoqu::testing;
using nlohmann::json;

namespace {

constexpr const char* kXlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

std::vector<std::vector<std::string>> sheet_rows(const std::string& bytes) {
  std::vector<std::vector<std::string>> rows;
  spreadsheet::read_rows(bytes, {}, [&](const spreadsheet::Row& r) {
    std::vector<std::string> t;
    for (const auto& c : r.cells) t.push_back(c.text);
    rows.push_back(t);
    return true;
  });
  return rows;
}

std::string xlsx_of(const std::vector<std::vector<std::string>>& rows) {
  spreadsheet::WorkbookWriter w;
  for (std::size_t r = 0; r < rows.size(); ++r)
    for (std::size_t c = 0; c < rows[r].size(); ++c)
      if (!rows[r][c].empty()) w.text(static_cast<std::uint32_t>(r), static_cast<std::uint16_t>(c), rows[r][c]);
  return w.finish();
}

class CommunityApi : public ::testing::Test {
 protected:
  void SetUp() override {
    xt::create_admin(server_, "ops", "operator-pass-1", true);
    ops_ = xt::login(server_, "ops", "operator-pass-1");
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
  httplib::Result upload(const xt::AdminSession& who, const std::string& path, const std::string& bytes,
                         const std::string& name = "structure.xlsx") {
    auto cli = server_.client();
    httplib::MultipartFormDataItems items = {{"file", bytes, name, kXlsx}};
    return cli.Post(path.c_str(), who.headers(), items);
  }
  std::int64_t create_community(const std::string& name) {
    auto res = post(ops_, "/api/v1/communities", {{"name", name}, {"address", "深圳市南山区"}, {"office_phone", "0755-86013388"}});
    EXPECT_EQ(res->status, 201) << res->body;
    return json::parse(res->body)["community"]["id"].get<std::int64_t>();
  }
  // The seed through the API: 腾讯小区, 高层区 楼栋/单元/房间 with A/1/101..B/1/102, 别墅区 组团/门牌号.
  void build_seed() {
    community_ = create_community("腾讯小区");
    base_ = "/api/v1/communities/" + std::to_string(community_);
    auto res = post(ops_, base_ + "/structures", {{"name", "高层区"}, {"levels", {"楼栋", "单元", "房间"}}});
    ASSERT_EQ(res->status, 201) << res->body;
    high_rise_ = json::parse(res->body)["structure"]["id"];
    res = post(ops_, base_ + "/structures", {{"name", "别墅区"}, {"levels", {"组团", "门牌号"}}});
    ASSERT_EQ(res->status, 201) << res->body;
    villa_ = json::parse(res->body)["structure"]["id"];
    for (const char* b : {"A", "B"}) {
      res = post(ops_, structure_path(high_rise_) + "/nodes", {{"name", b}});
      ASSERT_EQ(res->status, 201) << res->body;
      auto building = json::parse(res->body)["node"]["id"];
      res = post(ops_, structure_path(high_rise_) + "/nodes", {{"name", "1"}, {"parent_id", building}});
      auto unit = json::parse(res->body)["node"]["id"];
      for (const char* r : {"101", "102"}) {
        res = post(ops_, structure_path(high_rise_) + "/nodes", {{"name", r}, {"parent_id", unit}});
        ASSERT_EQ(res->status, 201) << res->body;
      }
    }
  }
  std::string structure_path(std::int64_t id) const { return base_ + "/structures/" + std::to_string(id); }

  xt::TestServer server_;
  xt::AdminSession ops_;
  std::int64_t community_ = 0, high_rise_ = 0, villa_ = 0;
  std::string base_;
};

TEST_F(CommunityApi, SeedBuiltThroughTheApiReadsBackAsATree) {
  build_seed();
  auto res = get(ops_, structure_path(high_rise_));
  ASSERT_EQ(res->status, 200) << res->body;
  auto tree = json::parse(res->body)["structure"];
  EXPECT_EQ(tree["levels"], json({"楼栋", "单元", "房间"}));
  ASSERT_EQ(tree["nodes"].size(), 2u);
  EXPECT_EQ(tree["nodes"][1]["name"], "B");
  EXPECT_EQ(tree["nodes"][1]["children"][0]["children"][1]["name"], "102");
  res = get(ops_, base_ + "/structures");
  EXPECT_EQ(json::parse(res->body)["items"].size(), 2u);
  // Sibling names are unique: the duplicate is named.
  res = post(ops_, structure_path(high_rise_) + "/nodes", {{"name", "A"}});
  EXPECT_EQ(res->status, 409);
  EXPECT_NE(json::parse(res->body)["error"]["message"].get<std::string>().find("“A”"), std::string::npos) << res->body;
  // A room has no children.
  auto room = tree["nodes"][0]["children"][0]["children"][0]["id"];
  res = post(ops_, structure_path(high_rise_) + "/nodes", {{"name", "x"}, {"parent_id", room}});
  EXPECT_EQ(res->status, 400) << res->body;
  // Five levels are refused with the field named.
  res = post(ops_, base_ + "/structures", {{"name", "五级"}, {"levels", {"a", "b", "c", "d", "e"}}});
  EXPECT_EQ(res->status, 400);
  EXPECT_EQ(json::parse(res->body)["error"]["field"], "levels");
}

TEST_F(CommunityApi, StructureImportCreatesMissingNodesAndExportListsRooms) {
  build_seed();
  auto tmpl = get(ops_, structure_path(villa_) + "/template");
  ASSERT_EQ(tmpl->status, 200);
  EXPECT_EQ(tmpl->get_header_value("Content-Type"), kXlsx);
  EXPECT_EQ(sheet_rows(tmpl->body).at(0), (std::vector<std::string>{"组团", "门牌号"}));
  // The high-rise import: two existing rooms, a new room, and a building without rooms yet.
  auto file = xlsx_of({{"楼栋", "单元", "房间"}, {"A", "1", "101"}, {"B", "1", "102"}, {"B", "2", "201"}, {"C"}});
  auto res = upload(ops_, structure_path(high_rise_) + "/import", file);
  ASSERT_EQ(res->status, 200) << res->body;
  auto counts = json::parse(res->body);
  EXPECT_EQ(counts["rows"], 4);
  EXPECT_EQ(counts["created_nodes"], 3);  // unit B/2, room B/2/201, building C
  EXPECT_EQ(counts["created_rooms"], 1);
  EXPECT_EQ(counts["unchanged_rows"], 2);
  auto exported = get(ops_, structure_path(high_rise_) + "/export");
  ASSERT_EQ(exported->status, 200);
  auto rows = sheet_rows(exported->body);
  ASSERT_EQ(rows.size(), 7u);  // header, five rooms, building C
  EXPECT_EQ(rows[1], (std::vector<std::string>{"A", "1", "101"}));
  EXPECT_EQ(rows[5], (std::vector<std::string>{"B", "2", "201"}));
  EXPECT_EQ(rows[6], (std::vector<std::string>{"C"}));
}

TEST_F(CommunityApi, StructureImportWithBadRowsCommitsNothing) {
  build_seed();
  std::string long_name(41, 'x');
  auto before = server_.count("SELECT COUNT(*) FROM structure_nodes");
  auto file = xlsx_of({{"楼栋", "单元", "房间"}, {"D", "1", "101"}, {"E", "", "101"}, {"F", "1", long_name}});
  auto res = upload(ops_, structure_path(high_rise_) + "/import", file);
  ASSERT_EQ(res->status, 422) << res->body;
  auto body = json::parse(res->body);
  ASSERT_EQ(body["errors"].size(), 2u);
  EXPECT_EQ(body["errors"][0]["row"], 3);
  EXPECT_EQ(body["errors"][0]["column"], "B（单元）");
  EXPECT_EQ(body["errors"][1]["row"], 4);
  EXPECT_EQ(body["errors"][1]["column"], "C（房间）");
  EXPECT_EQ(server_.count("SELECT COUNT(*) FROM structure_nodes"), before);
  EXPECT_EQ(server_.count("SELECT COUNT(*) FROM import_reports WHERE outcome = 'rejected' AND kind = 'structure'"), 1);
  // The report: the two bad rows with their original row number and the reason.
  auto report = get(ops_, structure_path(high_rise_) + "/import-reports/" + std::to_string(body["report_id"].get<std::int64_t>()));
  ASSERT_EQ(report->status, 200);
  auto rows = sheet_rows(report->body);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].front(), "原行号");
  EXPECT_EQ(rows[1][0], "3");
  EXPECT_EQ(rows[1][1], "E");
  EXPECT_NE(rows[2].back().find("40"), std::string::npos) << rows[2].back();
  // A renamed header column is named.
  res = upload(ops_, structure_path(high_rise_) + "/import", xlsx_of({{"楼栋", "单元号", "房间"}, {"D", "1", "101"}}));
  ASSERT_EQ(res->status, 400);
  EXPECT_NE(json::parse(res->body)["error"]["message"].get<std::string>().find("“单元”"), std::string::npos) << res->body;
  // Not a spreadsheet at all.
  res = upload(ops_, structure_path(high_rise_) + "/import", "name,phone\n张三,1\n", "a.csv");
  EXPECT_EQ(res->status, 400);
  EXPECT_EQ(server_.count("SELECT COUNT(*) FROM structure_nodes"), before);
}

TEST_F(CommunityApi, DeleteRefusesWhileResidentsOrStaffReferenceIt) {
  build_seed();
  {
    store::Connection c(server_.db_path().string());
    store::Statement r(c,
                       "INSERT INTO residents (community_id, room_id, name, identity, created_at, updated_at) "
                       "SELECT community_id, id, '张三', 'owner', 1, 1 FROM structure_nodes WHERE depth = 3 LIMIT 2");
    r.run();
  }
  auto res = del(ops_, base_);
  ASSERT_EQ(res->status, 409);
  EXPECT_EQ(json::parse(res->body)["error"]["message"], "仍有 2 位住户/0 位员工关联此小区");
  res = del(ops_, structure_path(high_rise_));
  EXPECT_EQ(res->status, 409);
  res = del(ops_, structure_path(villa_));
  EXPECT_EQ(res->status, 204);
}

TEST_F(CommunityApi, PropertyAdminSeesOnlyTheirCommunities) {
  build_seed();
  auto other = create_community("阳光花园");
  xt::create_admin(server_, "tencent", "tencent-pass-1", false, {community_});
  auto mine = xt::login(server_, "tencent", "tencent-pass-1");
  auto res = get(mine, "/api/v1/communities");
  auto list = json::parse(res->body);
  ASSERT_EQ(list["total"], 1);
  EXPECT_EQ(list["items"][0]["name"], "腾讯小区");
  EXPECT_EQ(get(mine, "/api/v1/communities/" + std::to_string(other))->status, 404);
  EXPECT_EQ(get(mine, "/api/v1/communities/" + std::to_string(other) + "/structures")->status, 404);
  EXPECT_EQ(post(mine, "/api/v1/communities", {{"name", "新小区"}})->status, 403);
  EXPECT_EQ(del(mine, base_)->status, 403);
  // Settings yes, the name no.
  res = patch(mine, base_, {{"sms_otp", true}});
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(json::parse(res->body)["community"]["sms_otp"], true);
  EXPECT_EQ(patch(mine, base_, {{"name", "改名"}})->status, 403);
  EXPECT_EQ(patch(mine, base_, {{"official_account_appid", "wx5d3c9a1b7e20f468"}})->status, 403);
  EXPECT_EQ(patch(ops_, base_, {{"official_account_appid", "wx5d3c9a1b7e20f468"}})->status, 200);
  // Without the CSRF token a change is refused.
  auto cli = server_.client();
  auto no_csrf = cli.Patch(base_.c_str(), {{"Cookie", mine.cookie}}, json({{"sms_otp", false}}).dump(), "application/json");
  EXPECT_EQ(no_csrf->status, 403);
}

// Every endpoint of this feature × (no session, other community's admin, own admin, operator).
TEST_F(CommunityApi, AccessMatrix) {
  build_seed();
  auto other = create_community("阳光花园");
  xt::create_admin(server_, "tencent", "tencent-pass-1", false, {community_});
  xt::create_admin(server_, "sunshine", "sunshine-pass-1", false, {other});
  auto own = xt::login(server_, "tencent", "tencent-pass-1");
  auto stranger = xt::login(server_, "sunshine", "sunshine-pass-1");
  xt::AdminSession nobody;
  auto villa = structure_path(villa_);
  struct Call {
    std::string method, path;
    json body;
    int own_status;  // the status for the community's own admin (and the operator)
  };
  std::vector<Call> calls = {
      {"GET", base_, nullptr, 200},
      {"PATCH", base_, {{"owner_review", true}}, 200},
      {"GET", base_ + "/structures", nullptr, 200},
      {"GET", villa, nullptr, 200},
      {"PATCH", villa, {{"levels", {"组团", "门牌"}}}, 200},
      {"GET", villa + "/template", nullptr, 200},
      {"GET", villa + "/export", nullptr, 200},
  };
  auto run = [&](const xt::AdminSession& who, const Call& c) {
    if (c.method == "GET") return get(who, c.path)->status;
    return patch(who, c.path, c.body)->status;
  };
  for (const auto& c : calls) {
    SCOPED_TRACE(c.method + " " + c.path);
    EXPECT_EQ(run(nobody, c), 401);
    EXPECT_EQ(run(stranger, c), 404);
    EXPECT_EQ(run(own, c), c.own_status);
    EXPECT_EQ(run(ops_, c), c.own_status);
  }
  // Creating and deleting in another community's structure: 404 before anything happens.
  EXPECT_EQ(post(stranger, villa + "/nodes", {{"name", "东组团"}})->status, 404);
  EXPECT_EQ(upload(stranger, villa + "/import", xlsx_of({{"组团", "门牌"}, {"东组团", "8号"}}))->status, 404);
  EXPECT_EQ(del(stranger, villa)->status, 404);
  EXPECT_EQ(server_.count("SELECT COUNT(*) FROM structure_nodes WHERE structure_id = " + std::to_string(villa_)), 0);
  auto res = post(own, villa + "/nodes", {{"name", "东组团"}});
  ASSERT_EQ(res->status, 201);
  auto id = json::parse(res->body)["node"]["id"].get<std::int64_t>();
  EXPECT_EQ(patch(stranger, villa + "/nodes/" + std::to_string(id), {{"name", "西组团"}})->status, 404);
  EXPECT_EQ(patch(own, villa + "/nodes/" + std::to_string(id), {{"name", "西组团"}})->status, 200);
  EXPECT_EQ(del(stranger, villa + "/nodes/" + std::to_string(id))->status, 404);
  EXPECT_EQ(del(own, villa + "/nodes/" + std::to_string(id))->status, 204);
  EXPECT_EQ(del(nobody, base_)->status, 401);
  EXPECT_EQ(del(stranger, base_)->status, 403);  // not an operator: refused before the community check
}

}  // namespace
