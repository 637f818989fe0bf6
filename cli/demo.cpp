#include "cli/demo.hpp"

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <stdexcept>
#include <thread>

#include "community/accounts/admin_accounts.hpp"
#include "community/residents/resident_template.hpp"
#include "spreadsheet/sheet.hpp"
#include "spreadsheet/workbook_writer.hpp"
#include "gateway/app.hpp"
#include "sandbox/sandbox.hpp"

namespace xiaoqu::cli {
namespace {
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr const char* kOperator = "operator";
constexpr const char* kOperatorPassword = "xiaoqu-demo-2024";
constexpr const char* kXlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

struct DemoError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

void say(const std::string& line) {
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
}

json parse(const httplib::Result& r, int want, const std::string& what) {
  if (!r) throw DemoError(what + ": no answer (" + httplib::to_string(r.error()) + ")");
  if (r->status != want) throw DemoError(what + ": HTTP " + std::to_string(r->status) + " " + r->body);
  if (r->body.empty()) return json::object();
  auto j = json::parse(r->body, nullptr, false);
  return j.is_discarded() ? json::object() : j;
}

// The console as a browser uses it: session cookie and CSRF token.
struct Console {
  httplib::Client http;
  httplib::Headers headers;
  explicit Console(const std::string& url) : http(url) { http.set_read_timeout(30, 0); }

  void sign_in(const std::string& user, const std::string& password) {
    auto r = http.Post("/api/v1/auth/login", json{{"username", user}, {"password", password}}.dump(), "application/json");
    auto body = parse(r, 200, "登录");
    std::string set = r->get_header_value("Set-Cookie");
    std::string cookie = set.substr(0, set.find(';'));
    headers = {{"Cookie", cookie}, {"X-CSRF-Token", body.value("csrf_token", "")}};
  }
  json get(const std::string& path, const std::string& what) { return parse(http.Get(path.c_str(), headers), 200, what); }
  std::string download(const std::string& path, const std::string& what) {
    auto r = http.Get(path.c_str(), headers);
    parse(r, 200, what);
    return r->body;
  }
  json post(const std::string& path, const json& body, const std::string& what, int want = 200) {
    return parse(http.Post(path.c_str(), headers, body.dump(), "application/json"), want, what);
  }
  json patch(const std::string& path, const json& body, const std::string& what) {
    return parse(http.Patch(path.c_str(), headers, body.dump(), "application/json"), 200, what);
  }
  json upload(const std::string& path, const std::string& file_name, std::string bytes, const std::string& what) {
    httplib::MultipartFormDataItems items = {{"file", std::move(bytes), file_name, kXlsx}};
    return parse(http.Post(path.c_str(), headers, items), 200, what);
  }
};

// WeChat's side, played through the sandbox's control endpoints.
struct WeChatUser {
  std::string openid;
  std::string cookie, csrf;
};

json sandbox_post(const std::string& sandbox, const std::string& path, const json& body) {
  httplib::Client c(sandbox);
  return parse(c.Post(path.c_str(), body.dump(), "application/json"), 200, "沙箱 " + path);
}

json sandbox_get(const std::string& sandbox, const std::string& path) {
  httplib::Client c(sandbox);
  return parse(c.Get(path.c_str()), 200, "沙箱 " + path);
}

// Scan of a code carrying `scene` (or `ticket`), following the account as a new user would.
void scan(const std::string& sandbox, const std::string& appid, const std::string& openid, const json& code) {
  json body = {{"appid", appid}, {"openid", openid}};
  body.update(code);
  auto r = sandbox_post(sandbox, "/sandbox/wechat/scan", body);
  if (r.value("gateway_status", 0) != 200) throw DemoError("扫码事件未被网关接受: " + r.dump());
}

// The entry link → WeChat OAuth (the sandbox consents for the user) → the form page.
void open_form(const std::string& gateway, const std::string& sandbox, const std::string& appid, std::int64_t community, WeChatUser& u) {
  httplib::Client c(gateway);
  auto entry = c.Get(("/r/" + std::to_string(community)).c_str());
  if (!entry || entry->status != 302) throw DemoError("住户认证入口没有跳转到微信授权");
  std::smatch m;
  std::string location = entry->get_header_value("Location");
  if (!std::regex_search(location, m, std::regex("state=([A-Za-z0-9]+)"))) throw DemoError("授权链接缺少 state: " + location);
  auto consent = sandbox_post(sandbox, "/sandbox/wechat/oauth/authorize",
                              {{"appid", appid}, {"openid", u.openid}, {"redirect_uri", gateway + "/r/oauth"}, {"state", m[1].str()}});
  std::string back = consent.value("redirect", "").substr(gateway.size());
  auto landed = c.Get(back.c_str());
  if (!landed || landed->status != 302) throw DemoError("授权回调失败: " + (landed ? landed->body : std::string("无应答")));
  std::string set = landed->get_header_value("Set-Cookie");
  u.cookie = set.substr(0, set.find(';'));
  auto form = c.Get(("/r/" + std::to_string(community) + "/form").c_str(), httplib::Headers{{"Cookie", u.cookie}});
  if (!form || form->status != 200 || !std::regex_search(form->body, m, std::regex("\"csrf\":\"([A-Za-z0-9_-]+)\"")))
    throw DemoError("认证页面没有打开");
  u.csrf = m[1];
}

json submit(const std::string& gateway, std::int64_t community, const WeChatUser& u, const json& form) {
  httplib::Client c(gateway);
  return parse(c.Post(("/r/api/" + std::to_string(community) + "/submissions").c_str(),
                      httplib::Headers{{"Cookie", u.cookie}, {"X-CSRF-Token", u.csrf}}, form.dump(), "application/json"),
               200, "提交认证");
}

// The room's node id, chosen level by level from the structure the form page shows.
std::int64_t room_id(const std::string& gateway, std::int64_t community, const WeChatUser& u, const std::vector<std::string>& path) {
  httplib::Client c(gateway);
  auto tree = parse(c.Get(("/r/api/" + std::to_string(community) + "/structure").c_str(), httplib::Headers{{"Cookie", u.cookie}}), 200,
                    "读取楼栋结构");
  for (const auto& s : tree["structures"]) {
    const json* level = &s["nodes"];
    std::int64_t id = 0;
    std::size_t matched = 0;
    for (const auto& name : path) {
      const json* next = nullptr;
      for (const auto& n : *level)
        if (n.value("name", "") == name) next = &n;
      if (!next) break;
      id = next->value("id", 0LL);
      level = &(*next)["children"];
      ++matched;
    }
    if (matched == path.size()) return id;
  }
  throw DemoError("结构中没有房间");
}

// Waits until the sandbox shows `count` messages matching `match`.
json wait_for(const std::function<json()>& fetch, const std::function<bool(const json&)>& match, std::size_t count = 1) {
  json found = json::array();
  for (int i = 0; i < 300; ++i) {
    found = json::array();
    for (const auto& m : fetch())
      if (match(m)) found.push_back(m);
    if (found.size() >= count) return found;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  throw DemoError("等待消息超时（outbox 未在 15 秒内送达）");
}

// A port the kernel picks for `listen`, released at once for the gateway to bind.
std::uint16_t free_port(const std::string& listen) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  ::inet_pton(AF_INET, listen.c_str(), &addr.sin_addr);
  socklen_t len = sizeof addr;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    if (fd >= 0) ::close(fd);
    throw std::runtime_error("no free port on " + listen);
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

void remove_store(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
}

// Rooms of the seed as the structure import reads them: one column per level.
std::string structure_sheet(const std::vector<std::string>& levels) {
  spreadsheet::WorkbookWriter w("楼栋结构");
  for (std::uint16_t i = 0; i < levels.size(); ++i) w.text(0, static_cast<std::uint16_t>(i), levels[i], spreadsheet::Style::header);
  const char* rooms[][3] = {{"A", "1", "101"}, {"A", "1", "102"}, {"B", "1", "101"}, {"B", "1", "102"}};
  std::uint32_t row = 1;
  for (const auto& r : rooms) {
    for (std::uint16_t i = 0; i < 3; ++i) w.text(row, i, r[i]);
    ++row;
  }
  return w.finish();
}

// The downloaded template's layout (row 2 names the columns), filled with the seed's residents.
std::string filled_template(const std::string& template_bytes, const std::string& community_name) {
  community::ResidentSheetLayout layout;
  layout.community_name = community_name;
  spreadsheet::read_rows(template_bytes, spreadsheet::ReadLimits{}, [&](const spreadsheet::Row& row) {
    if (row.number != 2) return row.number < 2;
    for (std::size_t i = community::ResidentSheetLayout::first_level; i < row.cells.size(); ++i)
      if (!row.cells[i].empty()) layout.levels.push_back(row.cells[i].text);
    return false;
  });
  if (layout.levels.size() != 3) throw DemoError("模板的楼栋列与结构不符");
  community::ResidentSheetWriter w(layout, "住户信息");
  // 姓名 性别 身份 租期截止日期 手机号 证件类型 证件号码 小区 楼栋 单元 房间
  w.row({"张三", "男", "业主", "", "13800000001", "", "", community_name, "A", "1", "101"});
  w.row({"李四", "女", "家属", "", "13800000002", "", "", community_name, "A", "1", "101"});
  w.row({"王五", "男", "长期租客", "", "13800000003", "", "", community_name, "A", "1", "102"});
  w.row({"刘六", "男", "限期租客", "2018-12-31", "13800000004", "", "", community_name, "B", "1", "101"});
  return w.finish();
}

std::int64_t create_admin(gateway::App& app, const std::string& username, const std::string& role, const std::string& display,
                          const std::string& phone, std::vector<std::int64_t> communities, const std::string& password) {
  community::NewAdmin a;
  a.username = username;
  a.password = password;
  a.role = role;
  a.display_name = display;
  a.phone = phone;
  a.communities = std::move(communities);
  std::int64_t id = 0;
  app.database().write([&](store::Connection& c) { id = community::create_admin(c, a, "system", std::time(nullptr)); });
  return id;
}

}  // namespace

int run_demo(config::Config cfg, bool keep_running) {
  if (cfg.official_accounts.empty()) {
    std::fprintf(stderr, "xiaoqu demo: the configuration names no Official Account\n");
    return 78;
  }
  const std::string appid = cfg.official_accounts.front().appid;
  // A fresh store each time, beside the configured one but never it: the demo tells the same
  // story on every run and cannot wipe a real store.
  cfg.store.path = (std::filesystem::path(cfg.store.path).parent_path() / "demo.db").string();
  remove_store(cfg.store.path);

  sandbox::Sandbox sb(cfg);
  sb.start();
  const std::string sandbox = sb.base_url();
  for (std::string* url : {&cfg.platforms.wechat_api, &cfg.platforms.wechat_open, &cfg.platforms.wechat_mp, &cfg.platforms.wecom_api,
                           &cfg.platforms.wecom_open, &cfg.platforms.wecom_login, &cfg.platforms.sms_api})
    *url = sandbox;
  if (cfg.sms.sdk_app_id.empty()) cfg.sms.sdk_app_id = "1400000000";
  if (cfg.sms.sign_name.empty()) cfg.sms.sign_name = "腾讯物业";
  if (cfg.server.port == 0) {
    // The gateway's links (OAuth redirect, template message links) need its port up front.
    cfg.server.port = free_port(cfg.server.listen);
  }
  const std::string gateway = "http://" + cfg.server.listen + ":" + std::to_string(cfg.server.port);
  cfg.verification.public_url = gateway;

  gateway::App app(cfg);
  app.start();
  sb.set_gateway_url(gateway);
  int exit_code = 0;
  try {
    say("== xiaoqu 演示：网关 " + gateway + "，沙箱（代替微信、企业微信和短信）" + sandbox + "，数据库 " + cfg.store.path);
    create_admin(app, kOperator, "operator", "运营", "", {}, kOperatorPassword);
    Console console(gateway);
    console.sign_in(kOperator, kOperatorPassword);
    say("1. 运营账号 " + std::string(kOperator) + " 登录管理接口 /api/v1");

    auto community = console.post("/api/v1/communities", {{"name", "腾讯小区"}, {"address", "深圳市南山区科技园"}, {"office_phone", "0755-86013388"}},
                                  "创建小区", 201);
    std::int64_t cid = community["community"].value("id", 0LL);
    console.patch("/api/v1/communities/" + std::to_string(cid), {{"official_account_appid", appid}}, "关联公众号");
    say("2. 创建小区「腾讯小区」(id " + std::to_string(cid) + ")，关联公众号 " + appid);

    std::string base = "/api/v1/communities/" + std::to_string(cid);
    auto structure = console.post(base + "/structures", {{"name", "高层区"}, {"levels", {"楼栋", "单元", "房间"}}}, "创建楼栋结构", 201);
    std::int64_t sid = structure["structure"].value("id", 0LL);
    auto imported_rooms = console.upload(base + "/structures/" + std::to_string(sid) + "/import", "楼栋结构.xlsx",
                                         structure_sheet({"楼栋", "单元", "房间"}), "导入楼栋结构");
    say("3. 楼栋结构 楼栋/单元/房间，用表格导入房间 A/1/101、A/1/102、B/1/101、B/1/102：" + imported_rooms.dump());

    std::string tmpl = console.download(base + "/residents/template", "下载住户模板");
    auto result = console.upload(base + "/residents/import", "腾讯小区住户.xlsx", filled_template(tmpl, "腾讯小区"), "导入住户");
    say("4. 下载本小区的住户模板（" + std::to_string(tmpl.size()) + " 字节），填入 张三 业主、李四 家属、王五 长期租客、刘六 限期租客（至 2018-12-31）后导入：新增 " +
        std::to_string(result.value("added", 0)) + "，更新 " + std::to_string(result.value("updated", 0)));

    auto wang = create_admin(app, "wangjingli", "property_admin", "王经理", "13911110001", {cid}, "wang-demo-2024");
    create_admin(app, "lizhuguan", "property_admin", "李主管", "13911110002", {cid}, "li-demo-2024");
    auto invite = console.post(base + "/reviewers/" + std::to_string(wang) + "/invite", json::object(), "邀请关联");
    scan(sandbox, appid, "oDemoWangJingli", {{"ticket", invite["ticket"]}});
    auto reviewers = console.get(base + "/reviewers", "提醒设置");
    std::string states;
    for (const auto& r : reviewers["reviewers"]) states += " " + r.value("name", "") + "（" + r.value("phone", "") + "）：" + r.value("wechat_state", "");
    say("5. 物业管理员 王经理 扫描邀请二维码关联微信；李主管 未关联，只有手机号。提醒设置：" + states);

    auto qr = console.get(base + "/qrcode", "小区二维码");
    say("6. 生成小区永久二维码（场景 c:" + std::to_string(cid) + "），海报：" + qr.value("poster_url", ""));

    // 7. A matching resident: approved without a human.
    WeChatUser zhang{"oDemoZhangSan", "", ""};
    scan(sandbox, appid, zhang.openid, {{"scene", "c:" + std::to_string(cid)}});
    open_form(gateway, sandbox, appid, cid, zhang);
    auto t0 = Clock::now();
    auto zr = submit(gateway, cid, zhang,
                     {{"room_id", room_id(gateway, cid, zhang, {"A", "1", "101"})}, {"name", "张三"}, {"phone", "138 0000 0001"}, {"identity", "owner"}});
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count();
    if (!zr.value("approved", false)) throw DemoError("张三 应当自动通过: " + zr.dump());
    say("7. 住户 张三 扫码关注 → 微信授权 → 选择 A/1/101 填写姓名、手机号、身份：与导入记录一致，" + std::to_string(ms) +
        " 毫秒内自动通过（规则 " + zr.value("rule", "") + "）");
    auto told = wait_for([&] { return sandbox_get(sandbox, "/sandbox/wechat/template_messages")["messages"]; },
                         [&](const json& m) { return m.value("touser", "") == zhang.openid; });
    say("   张三 收到模板消息：" + told[0]["data"]["first"].value("value", ""));

    // 8. A resident the property did not import: pending, and the reviewers are reminded.
    WeChatUser zhao{"oDemoZhaoQi", "", ""};
    scan(sandbox, appid, zhao.openid, {{"scene", "c:" + std::to_string(cid)}});
    open_form(gateway, sandbox, appid, cid, zhao);
    auto pr = submit(gateway, cid, zhao,
                     {{"room_id", room_id(gateway, cid, zhao, {"B", "1", "102"})}, {"name", "赵七"}, {"phone", "13700000007"}, {"identity", "tenant"}});
    if (pr.value("approved", true)) throw DemoError("赵七 应当待审核: " + pr.dump());
    say("8. 住户 赵七 提交 B/1/102：没有匹配的导入记录，进入待审核（" + pr.value("reason_text", "") + "）");
    auto reminded = wait_for([&] { return sandbox_get(sandbox, "/sandbox/wechat/template_messages")["messages"]; },
                             [&](const json& m) { return m.value("touser", "") == "oDemoWangJingli"; });
    say("   已关联微信的 王经理 收到模板消息：" + reminded[0]["data"]["first"].value("value", "") + " — " +
        reminded[0]["data"]["keyword1"].value("value", "") + "，" + reminded[0]["data"]["keyword2"].value("value", ""));
    auto texted = wait_for([&] { return sandbox_get(sandbox, "/sandbox/sms/messages")["messages"]; },
                           [&](const json& m) { return m.dump().find("13911110002") != std::string::npos; });
    say("   未关联微信的 李主管 收到短信（模板 " + texted[0].value("TemplateId", texted[0].value("template_id", "")) + "，发往 139****02）");

    // 9. The property approves; the resident is told.
    auto pending = console.get(base + "/verification/requests?status=pending", "待审核列表");
    std::int64_t request = pending["requests"][0].value("id", 0LL);
    console.post(base + "/verification/requests/" + std::to_string(request) + "/approve", {{"note", "已核实租赁合同"}}, "审核通过");
    auto result_msg = wait_for([&] { return sandbox_get(sandbox, "/sandbox/wechat/template_messages")["messages"]; },
                               [&](const json& m) { return m.value("touser", "") == zhao.openid; });
    say("9. 王经理 在管理接口审核通过 赵七 的申请；赵七 收到模板消息：" + result_msg[0]["data"]["first"].value("value", ""));

    auto listed = console.get(base + "/residents?q=0001", "按手机后4位搜索");
    say("10. 按手机后 4 位 0001 搜索住户：" + (listed["items"].is_array() && !listed["items"].empty() ? listed["items"][0].dump() : listed.dump()));
    say("");
    say("演示完成，服务继续运行：");
    say("  管理接口      " + gateway + "/api/v1 （账号 " + std::string(kOperator) + " / " + kOperatorPassword + "，接口文档 " + gateway +
        "/api/v1/openapi.json）");
    say("  小区海报      " + qr.value("poster_url", ""));
    say("  住户认证入口  " + gateway + "/r/" + std::to_string(cid) + " （在微信中打开；此处由沙箱代为授权）");
    say("  指标          " + gateway + "/metrics");
    say("  沙箱记录      " + sandbox + "/sandbox/wechat/template_messages 、" + sandbox + "/sandbox/sms/messages");
    say("按 Ctrl-C 结束。");
  } catch (const DemoError& e) {
    say(std::string("演示失败：") + e.what());
    exit_code = 1;
  }
  if (keep_running && exit_code == 0) app.wait_for_signal();
  app.stop();
  sb.stop();
  return exit_code;
}

}  // namespace xiaoqu::cli
