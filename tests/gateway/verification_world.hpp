#pragma once
// The seed's community behind a real gateway and the sandbox: 腾讯小区 with rooms A/1/101,
// A/1/102, B/1/101, B/1/102 and 张三 业主, 李四 家属, 王五 长期租客, 刘六 限期租客 (until
// 2018-12-31) imported; a resident's browser (OAuth through the sandbox, the session cookie,
// the CSRF token of the form page) and the platform's scans.
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <ctime>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "tests/gateway/api/admin_fixture.hpp"
#include "community/shared/names.hpp"
#include "community/structure/structure.hpp"
#include "sandbox/sandbox.hpp"
#include "tests/support/test_server.hpp"

namespace xiaoqu::testing {

inline config::Environment verification_env() {
  auto env = secrets();
  env["XIAOQU_OFFICIAL_ACCOUNTS__WX5D3C9A1B7E20F468__APP_SECRET"] = "mpSecret0123456789";
  env["XIAOQU_SMS__SECRET_ID"] = "AKIDsandboxXiaoquSms000000000000";
  env["XIAOQU_SMS__SECRET_KEY"] = "sandboxSmsSecretKey0123456789abc";
  return env;
}

inline nlohmann::json verification_patch(const std::string& sandbox_url) {
  nlohmann::json p = {
      {"platforms", {{"wechat_api", sandbox_url}, {"wechat_open", sandbox_url}, {"wechat_mp", sandbox_url}, {"sms_api", sandbox_url}}},
      {"http", {{"max_attempts", 1}, {"backoff_initial_ms", 1}, {"backoff_max_ms", 5}, {"workers", 4}}},
      {"sms", {{"sdk_app_id", "1400006666"}, {"sign_name", "腾讯物业"}, {"region", "ap-guangzhou"}}},
      {"sandbox", {{"port", 0}, {"ticket_interval_seconds", 0}, {"followers", 10}}},
      {"outbox", {{"poll_ms", 50}}},
  };
  p.merge_patch(admin_patch());
  return p;
}

struct Browser {
  std::string cookie, csrf;
  httplib::Headers headers() const { return {{"Cookie", "xiaoqu_resident=" + cookie}, {"X-CSRF-Token", csrf}}; }
};

struct Resident {
  std::string name, phone, identity, lease_end;
  std::vector<std::string> room;
};

struct VerificationWorld {
  std::filesystem::path dir = temp_dir();
  std::unique_ptr<sandbox::Sandbox> sb;
  std::unique_ptr<TestServer> gw;
  std::int64_t community = 0, structure = 0;
  std::map<std::string, std::int64_t> rooms;  ///< "A/1/101" → node id

  VerificationWorld() {
    sb = std::make_unique<sandbox::Sandbox>(
        config::load_from_text(config_text(dir / "sandbox-unused.db", verification_patch("http://127.0.0.1:1")), verification_env()));
    sb->start();
    gw = std::make_unique<TestServer>(verification_patch(sb->base_url()), dir, verification_env());
    sb->set_gateway_url(gw->url());
    community = add_community(*gw, "腾讯小区");
    write([&](store::Connection& c) {
      store::Statement(c, "UPDATE communities SET official_account_appid = ?2 WHERE id = ?1").bind(1, community).bind(2, kMpAppid).run();
      structure = community::create_structure(c, community, "高层区", {"楼栋", "单元", "房间"}, "system", 1);
      for (const char* path : {"A/1/101", "A/1/102", "B/1/101", "B/1/102"}) {
        std::string p = path;
        std::vector<std::string> parts = {p.substr(0, 1), p.substr(2, 1), p.substr(4)};
        rooms[p] = community::ensure_room(c, community, structure, parts);
      }
    });
    // The community's entry code, made through the console as a property manager would.
    auto op = add_admin(*gw, "qr_operator", "operator");
    auto session = open_session(*gw, op);
    httplib::Client api(gw->url());
    auto qr = api.Get(("/api/v1/communities/" + std::to_string(community) + "/qrcode").c_str(), session.headers(false));
    EXPECT_TRUE(qr && qr->status == 200) << (qr ? qr->body : std::string("no answer"));
    import_resident({"张三", "13800000001", "owner", "", {"A", "1", "101"}});
    import_resident({"李四", "13800000002", "family", "", {"A", "1", "101"}});
    import_resident({"王五", "13800000003", "tenant", "", {"A", "1", "102"}});
    import_resident({"刘六", "13800000004", "fixed_term_tenant", "2018-12-31", {"B", "1", "101"}});
  }
  ~VerificationWorld() {
    gw.reset();
    sb->stop();
  }

  void write(const std::function<void(store::Connection&)>& job) { gw->app().database().write(job); }

  void import_resident(const Resident& r) {
    std::string room = r.room[0] + "/" + r.room[1] + "/" + r.room[2];
    write([&](store::Connection& c) {
      store::Statement s(c,
                         "INSERT INTO residents (community_id, room_id, name, name_key, identity, lease_end, phone, phone_last4, status, "
                         "source, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'imported', 'import', 1, 1)");
      s.bind(1, community).bind(2, rooms.at(room)).bind(3, r.name).bind(4, community::normalize_name(r.name)).bind(5, r.identity);
      if (r.lease_end.empty()) s.bind_null(6);
      else s.bind(6, r.lease_end);
      s.bind(7, r.phone).bind(8, r.phone.substr(7)).run();
    });
  }

  std::string query(const std::string& sql) {
    store::Connection c(gw->db_path().string(), true);
    store::Statement s(c, sql);
    return s.step() ? s.text(0) : "(none)";
  }
  /// Waits for `sql` to answer `want`.
  bool eventually(const std::string& sql, const std::string& want, int seconds = 10) {
    for (int i = 0; i < seconds * 50; ++i) {
      if (query(sql) == want) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  nlohmann::json sandbox_json(const std::string& path) {
    httplib::Client c(sb->base_url());
    auto r = c.Get(path.c_str());
    return r ? nlohmann::json::parse(r->body, nullptr, false) : nlohmann::json();
  }
  nlohmann::json sandbox_post(const std::string& path, const nlohmann::json& body) {
    httplib::Client c(sb->base_url());
    auto r = c.Post(path.c_str(), body.dump(), "application/json");
    return r ? nlohmann::json::parse(r->body, nullptr, false) : nlohmann::json();
  }
  nlohmann::json templates_to(const std::string& openid) {
    nlohmann::json out = nlohmann::json::array();
    for (auto& m : sandbox_json("/sandbox/wechat/template_messages").value("messages", nlohmann::json::array()))
      if (m.value("touser", "") == openid) out.push_back(m);
    return out;
  }
  nlohmann::json sms_to(const std::string& phone) {
    nlohmann::json out = nlohmann::json::array();
    for (auto& m : sandbox_json("/sandbox/sms/messages").value("messages", nlohmann::json::array()))
      if (m.dump().find(phone) != std::string::npos) out.push_back(m);
    return out;
  }

  /// A WeChat user scans the community's entry code (following the account).
  void scan_entry(const std::string& openid) {
    auto r = sandbox_post("/sandbox/wechat/scan", {{"appid", kMpAppid}, {"openid", openid}, {"scene", "c:" + std::to_string(community)}});
    ASSERT_EQ(r.value("gateway_status", 0), 200) << r.dump();
  }

  /// The entry link through OAuth to the form page: the browser's cookie and CSRF token.
  Browser open_form(const std::string& openid, std::string* oauth_return = nullptr) {
    httplib::Client c(gw->url());
    auto entry = c.Get(("/r/" + std::to_string(community)).c_str());
    EXPECT_TRUE(entry);
    if (!entry) return {};
    EXPECT_EQ(entry->status, 302);
    std::string location = entry->get_header_value("Location");
    std::smatch m;
    EXPECT_TRUE(std::regex_search(location, m, std::regex("state=([A-Za-z0-9]+)"))) << location;
    std::string state = m[1];
    auto consent = sandbox_post("/sandbox/wechat/oauth/authorize",
                                {{"appid", kMpAppid}, {"openid", openid}, {"redirect_uri", gw->url() + "/r/oauth"}, {"state", state}});
    std::string back = consent.value("redirect", "");
    EXPECT_FALSE(back.empty()) << consent.dump();
    std::string path = back.substr(gw->url().size());
    if (oauth_return) *oauth_return = path;
    auto landed = c.Get(path.c_str());
    EXPECT_TRUE(landed);
    if (!landed) return {};
    EXPECT_EQ(landed->status, 302) << landed->body;
    std::string set = landed->get_header_value("Set-Cookie");
    Browser b;
    b.cookie = set.substr(set.find('=') + 1, set.find(';') - set.find('=') - 1);
    auto form = c.Get(("/r/" + std::to_string(community) + "/form").c_str(), httplib::Headers{{"Cookie", "xiaoqu_resident=" + b.cookie}});
    EXPECT_TRUE(form);
    if (!form) return b;
    EXPECT_EQ(form->status, 200);
    EXPECT_NE(form->body.find("住户认证"), std::string::npos);
    EXPECT_TRUE(std::regex_search(form->body, m, std::regex("\"csrf\":\"([A-Za-z0-9_-]+)\"")));
    b.csrf = m[1];
    return b;
  }

  httplib::Result submit(const Browser& b, const Resident& r) {
    httplib::Client c(gw->url());
    std::string room = r.room[0] + "/" + r.room[1] + "/" + r.room[2];
    nlohmann::json body = {{"room_id", rooms.at(room)}, {"name", r.name}, {"phone", r.phone}, {"identity", r.identity}, {"lease_end", r.lease_end}};
    return c.Post(("/r/api/" + std::to_string(community) + "/submissions").c_str(), b.headers(), body.dump(), "application/json");
  }
};

}  // namespace xiaoqu::testing
