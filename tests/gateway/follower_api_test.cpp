// The 微信关注用户 admin API against the sandbox: list and filters with resident/admin marks,
// sync progress, tags written through to WeChat (tagging beyond 50 split into batches), a
// remark or tag WeChat refuses is not stored, and the certification expiry warning.
#include <gtest/gtest.h>

#include <ctime>

#include "tests/gateway/api/records_api_session.hpp"
#include "community/followers/followers_account.hpp"
#include "sandbox/wechat_followers.hpp"
#include "tests/gateway/follower_support.hpp"

using namespace xiaoqu;
using namespace xiaoqu::testing;

namespace {
constexpr int kFollowers = 130;

class FollowerApi : public ::testing::Test {
 protected:
  void SetUp() override {
    w_ = std::make_unique<FollowerWorld>(kFollowers);
    ASSERT_TRUE(w_->wait_for("SELECT count(*) FROM follower_sync_runs WHERE status = 'done'", 1, 60));
    {
      store::Connection c(w_->gw().db_path().string());
      c.exec(std::string("INSERT INTO communities (id, name, official_account_appid, created_at, updated_at) VALUES (1, '阳光花园', '") +
             kMpAppid + "', 1, 1)");
      c.exec("INSERT INTO communities (id, name, created_at, updated_at) VALUES (2, '无公众号小区', 1, 1)");
    }
    create_admin(w_->gw(), "op", "operator-password-1", true);
    session_ = login(w_->gw(), "op", "operator-password-1");
  }
  void TearDown() override { w_.reset(); }

  std::pair<int, nlohmann::json> call(const std::string& method, const std::string& path, const nlohmann::json& body = nullptr) {
    auto cli = w_->gw().client();
    cli.set_read_timeout(30, 0);
    std::string text = body.is_null() ? std::string() : body.dump();
    auto send = [&] {
      if (method == "GET") return cli.Get(path.c_str(), session_.headers());
      if (method == "POST") return cli.Post(path.c_str(), session_.headers(), text, "application/json");
      if (method == "PUT") return cli.Put(path.c_str(), session_.headers(), text, "application/json");
      if (method == "PATCH") return cli.Patch(path.c_str(), session_.headers(), text, "application/json");
      return cli.Delete(path.c_str(), session_.headers(), text, "application/json");
    };
    auto r = send();
    if (!r) return {0, nullptr};
    return {r->status, r->body.empty() ? nlohmann::json() : nlohmann::json::parse(r->body, nullptr, false)};
  }
  std::string openid(int i) { return sandbox::generated_openid(kMpAppid, static_cast<std::uint64_t>(i)); }

  std::unique_ptr<FollowerWorld> w_;
  AdminSession session_;
  const std::string base_ = "/api/v1/communities/1/followers";
};
}  // namespace

TEST_F(FollowerApi, ListsFollowersWithProgressAndMarksResidentsAndAdmins) {
  {
    store::Connection c(w_->gw().db_path().string());
    c.exec("INSERT INTO structures (id, community_id, name, levels, created_at) VALUES (1, 1, '高层', '[\"栋\"]', 1)");
    c.exec("INSERT INTO structure_nodes (id, structure_id, community_id, depth, name, path) VALUES (1, 1, 1, 1, '3栋', '/1/')");
    store::Statement r(c, "INSERT INTO residents (community_id, room_id, name, identity, status, openid, appid, created_at, updated_at) "
                          "VALUES (1, 1, '张三', 'owner', 'verified', ?1, ?2, 1, 1)");
    r.bind(1, openid(5)).bind(2, kMpAppid).run();
    store::Statement a(c, "UPDATE admin_accounts SET wechat_openid = ?1, wechat_appid = ?2 WHERE username = 'op'");
    a.bind(1, openid(6)).bind(2, kMpAppid).run();
  }
  auto [status, page] = call("GET", base_ + "?page_size=200");
  ASSERT_EQ(status, 200) << page.dump();
  EXPECT_EQ(page["total"], kFollowers);
  int residents = 0, admins = 0;
  for (const auto& f : page["items"]) {
    residents += f["is_resident"].get<bool>();
    admins += f["is_admin"].get<bool>();
    if (f["openid"] == openid(5)) EXPECT_TRUE(f["is_resident"].get<bool>());
    if (f["openid"] == openid(6)) EXPECT_TRUE(f["is_admin"].get<bool>());
  }
  EXPECT_EQ(residents, 1);
  EXPECT_EQ(admins, 1);

  auto [s2, one] = call("GET", base_ + "?q=" + openid(7));
  EXPECT_EQ(one["total"], 1);
  auto [s3, bad] = call("GET", base_ + "?state=gone");
  EXPECT_EQ(s3, 400);
  EXPECT_EQ(bad["error"]["field"], "state");
  auto [s4, none] = call("GET", "/api/v1/communities/2/followers");
  EXPECT_EQ(s4, 409);
  EXPECT_EQ(none["error"]["code"], "no_official_account");

  auto [s5, sync] = call("GET", base_ + "/sync");
  ASSERT_EQ(s5, 200);
  EXPECT_EQ(sync["status"], "done");
  EXPECT_EQ(sync["done"], kFollowers);
  EXPECT_EQ(sync["total"], kFollowers);
  auto gets = w_->calls("/cgi-bin/user/get");
  auto [s6, started] = call("POST", base_ + "/sync");
  EXPECT_EQ(s6, 202) << started.dump();
  ASSERT_TRUE(w_->wait_for("SELECT count(*) FROM follower_sync_runs WHERE status = 'done'", 2, 60));
  EXPECT_EQ(w_->calls("/cgi-bin/user/get") - gets, 1u);
}

TEST_F(FollowerApi, TaggingBeyondFiftyIsSplitIntoBatchesAndStoredAsWeChatAccepted) {
  auto [s1, created] = call("POST", base_ + "/tags", {{"name", "业主"}});
  ASSERT_EQ(s1, 201) << created.dump();
  std::int64_t tag = created["tag"]["id"];
  nlohmann::json openids = nlohmann::json::array();
  for (int i = 0; i < 120; ++i) openids.push_back(openid(i));
  auto [s2, tagged] = call("POST", base_ + "/tags/" + std::to_string(tag) + "/members", {{"openids", openids}});
  ASSERT_EQ(s2, 200) << tagged.dump();
  EXPECT_EQ(tagged["applied"], 120);
  EXPECT_EQ(tagged["wechat_calls"], 3);
  EXPECT_EQ(w_->calls("/cgi-bin/tags/members/batchtagging"), 3u);  // 50 + 50 + 20
  auto [s3, listed] = call("GET", base_ + "?tag=" + std::to_string(tag) + "&page_size=5");
  EXPECT_EQ(listed["total"], 120);
  auto [s4, tags] = call("GET", base_ + "/tags");
  ASSERT_EQ(s4, 200);
  bool seen = false;
  for (const auto& t : tags["items"])
    if (t["id"] == tag) {
      seen = true;
      EXPECT_EQ(t["count"], 120);  // WeChat's own count agrees
    }
  EXPECT_TRUE(seen);

  // WeChat refuses the second batch of an untagging (followers 55.. left WeChat unseen, 40003):
  // the first 50 are stored as untagged, the rest not.
  nlohmann::json some = nlohmann::json::array();
  for (int i = 0; i < 70; ++i) some.push_back(openid(i));
  w_->control("/sandbox/wechat/followers", {{"appid", kMpAppid}, {"count", 55}});
  auto [s5, refused] = call("DELETE", base_ + "/tags/" + std::to_string(tag) + "/members", {{"openids", some}});
  EXPECT_EQ(s5, 422) << refused.dump();
  EXPECT_EQ(refused["error"]["code"], "wechat_40003");
  EXPECT_NE(refused["error"]["message"].get<std::string>().find("50"), std::string::npos);
  EXPECT_EQ(w_->count("SELECT count(*) FROM follower_tags WHERE tag_id = " + std::to_string(tag)), 70);
  w_->control("/sandbox/wechat/followers", {{"appid", kMpAppid}, {"count", kFollowers}});
  auto [s6, untagged] = call("DELETE", base_ + "/tags/" + std::to_string(tag) + "/members", {{"openids", some}});
  ASSERT_EQ(s6, 200) << untagged.dump();
  EXPECT_EQ(untagged["wechat_calls"], 2);
  EXPECT_EQ(w_->count("SELECT count(*) FROM follower_tags WHERE tag_id = " + std::to_string(tag)), 50);

  // An openid that is not a follower is refused before WeChat is asked.
  auto before = w_->calls("/cgi-bin/tags/members/batchtagging");
  auto [s7, stranger] = call("POST", base_ + "/tags/" + std::to_string(tag) + "/members", {{"openids", {openid(1), "oNotAFollower"}}});
  EXPECT_EQ(s7, 400);
  EXPECT_EQ(stranger["error"]["field"], "openids");
  EXPECT_EQ(w_->calls("/cgi-bin/tags/members/batchtagging"), before);

  // A duplicate name is WeChat's refusal (45157): nothing stored.
  auto [s8, dup] = call("POST", base_ + "/tags", {{"name", "业主"}});
  EXPECT_EQ(s8, 422);
  EXPECT_EQ(dup["error"]["code"], "wechat_45157");
  EXPECT_EQ(w_->count("SELECT count(*) FROM tags WHERE name = '业主'"), 1);
  auto [s9, renamed] = call("PATCH", base_ + "/tags/" + std::to_string(tag), {{"name", "业主群"}});
  EXPECT_EQ(s9, 200) << renamed.dump();
  auto [s10, sys] = call("DELETE", base_ + "/tags/2");
  EXPECT_EQ(s10, 409);
  auto [s11, gone] = call("DELETE", base_ + "/tags/" + std::to_string(tag));
  EXPECT_EQ(s11, 204);
  EXPECT_EQ(w_->count("SELECT count(*) FROM follower_tags"), 0);
}

TEST_F(FollowerApi, ARemarkWeChatRejectsIsNotStored) {
  const std::string who = openid(3);
  w_->sb().set_fault("/cgi-bin/user/info/updateremark", sandbox::Fault{.errcode = 40003, .errmsg = "invalid openid"});
  auto [s1, refused] = call("PUT", base_ + "/" + who + "/remark", {{"remark", "3栋1单元业主"}});
  EXPECT_EQ(s1, 422) << refused.dump();
  EXPECT_EQ(refused["error"]["code"], "wechat_40003");
  EXPECT_NE(refused["error"]["message"].get<std::string>().find("40003"), std::string::npos);
  EXPECT_EQ(w_->count("SELECT count(*) FROM followers WHERE remark <> ''"), 0);
  w_->sb().clear_faults();

  std::string thirty;
  for (int i = 0; i < 30; ++i) thirty += "备";
  auto calls = w_->calls("/cgi-bin/user/info/updateremark");
  auto [s2, too_long] = call("PUT", base_ + "/" + who + "/remark", {{"remark", thirty}});
  EXPECT_EQ(s2, 400);
  EXPECT_EQ(too_long["error"]["field"], "remark");
  EXPECT_EQ(w_->calls("/cgi-bin/user/info/updateremark"), calls);

  auto [s3, stored] = call("PUT", base_ + "/" + who + "/remark", {{"remark", "3栋1单元业主"}});
  ASSERT_EQ(s3, 200) << stored.dump();
  EXPECT_EQ(stored["follower"]["remark"], "3栋1单元业主");
  auto [s4, found] = call("GET", base_ + "?q=" + httplib::detail::encode_query_param("1单元"));
  EXPECT_EQ(found["total"], 1);
  auto [s5, unknown] = call("PUT", base_ + "/oNotAFollower/remark", {{"remark", "x"}});
  EXPECT_EQ(s5, 404);
}

TEST_F(FollowerApi, CertificationExpiryWarnsFromThirtyDaysBefore) {
  auto [s1, none] = call("GET", base_ + "/account");
  ASSERT_EQ(s1, 200);
  EXPECT_TRUE(none["warning"].is_null());
  std::string soon = community::china_date(std::time(nullptr) + 20 * 86400);
  auto [s2, set] = call("PATCH", base_ + "/account", {{"certification_expires_at", soon}});
  ASSERT_EQ(s2, 200) << set.dump();
  EXPECT_EQ(set["warning"], "公众号认证将于 " + soon + " 到期");
  std::string later = community::china_date(std::time(nullptr) + 60 * 86400);
  auto [s3, calm] = call("PATCH", base_ + "/account", {{"certification_expires_at", later}});
  EXPECT_TRUE(calm["warning"].is_null());
  auto [s4, bad] = call("PATCH", base_ + "/account", {{"certification_expires_at", "2026-13-01"}});
  EXPECT_EQ(s4, 400);
  EXPECT_EQ(bad["error"]["field"], "certification_expires_at");
  auto [s5, kept] = call("GET", base_ + "/account");
  EXPECT_EQ(kept["certification_expires_at"], later);
}

TEST_F(FollowerApi, WeChatsCertificationEventsSetTheExpiryAndTheLatestWordWins) {
  // 年审通知: the certification ends in 20 days; WeChat pushes it, encrypted, to the callback.
  std::int64_t soon = std::time(nullptr) + 20 * 86400;
  auto pushed = w_->control("/sandbox/wechat/certification", {{"appid", kMpAppid}, {"event", "annual_renew"}, {"expired_time", soon}});
  ASSERT_EQ(pushed.value("gateway_status", 0), 200) << pushed.dump();
  auto [s1, told] = call("GET", base_ + "/account");
  ASSERT_EQ(s1, 200);
  EXPECT_EQ(told["certification_expires_at"], community::china_date(soon));
  EXPECT_EQ(told["certification_source"], "wechat");
  EXPECT_EQ(told["certification_event"], "annual_renew");
  EXPECT_EQ(told["warning"], "公众号认证将于 " + community::china_date(soon) + " 到期");

  // The operator corrects it; then the renewal succeeds and WeChat says so with the new end.
  std::string typed = community::china_date(std::time(nullptr) + 25 * 86400);
  auto [s2, corrected] = call("PATCH", base_ + "/account", {{"certification_expires_at", typed}});
  ASSERT_EQ(s2, 200);
  EXPECT_EQ(corrected["certification_source"], "operator");
  EXPECT_EQ(corrected["certification_event"], "");
  std::int64_t renewed = std::time(nullptr) + 365 * 86400;
  auto again = w_->control("/sandbox/wechat/certification",
                           {{"appid", kMpAppid}, {"event", "qualification_verify_success"}, {"expired_time", renewed}});
  ASSERT_EQ(again.value("gateway_status", 0), 200) << again.dump();
  auto [s3, calm] = call("GET", base_ + "/account");
  EXPECT_EQ(calm["certification_expires_at"], community::china_date(renewed));
  EXPECT_EQ(calm["certification_event"], "qualification_verify_success");
  EXPECT_TRUE(calm["warning"].is_null());

  // 认证过期失效: the end is in the past and the warning says so.
  std::int64_t ended = std::time(nullptr) - 2 * 86400;
  auto expired = w_->control("/sandbox/wechat/certification", {{"appid", kMpAppid}, {"event", "verify_expired"}, {"expired_time", ended}});
  ASSERT_EQ(expired.value("gateway_status", 0), 200);
  auto [s4, late] = call("GET", base_ + "/account");
  EXPECT_EQ(late["warning"], "公众号认证已于 " + community::china_date(ended) + " 到期");
  // Each event is one de-duplicated callback: three stored, none twice.
  EXPECT_EQ(w_->count("SELECT count(*) FROM handled_callbacks WHERE kind LIKE '%event.certification'"), 3);
}
