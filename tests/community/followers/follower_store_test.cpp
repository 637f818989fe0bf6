// The follower store on a real SQLite file: sync pages, live events, drift repair, the list's
// search and filters with resident/admin marks, run bookkeeping, remark and tag rules, and
// the certification warning.
#include <gtest/gtest.h>

#include "community/followers/follower_sync_runs.hpp"
#include "community/followers/followers.hpp"
#include "community/followers/followers_account.hpp"
#include "community/followers/tags.hpp"
#include "store/database.hpp"
#include "tests/support/test_server.hpp"

using namespace xiaoqu;
namespace cm = xiaoqu::community;

namespace {
constexpr const char* kApp = "wxfollowers000001";

wechat::api::FollowerInfo info(const std::string& openid, std::int64_t time, std::vector<std::int64_t> tags = {}, std::string remark = "") {
  wechat::api::FollowerInfo f;
  f.openid = openid;
  f.subscribed = true;
  f.subscribe_time = time;
  f.tag_ids = std::move(tags);
  f.remark = std::move(remark);
  f.language = "zh_CN";
  f.subscribe_scene = "ADD_SCENE_SEARCH";
  return f;
}

class FollowerStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { db_ = std::make_unique<store::Database>((xiaoqu::testing::temp_dir() / "f.db").string()); }
  void write(const std::function<void(store::Connection&)>& job) { db_->write(job); }
  store::Connection& reader() { return db_->reader(); }
  std::unique_ptr<store::Database> db_;
};
}  // namespace

TEST_F(FollowerStoreTest, SyncPageStoresFollowersWithTagsAndALiveEventKeepsRemarkAndTags) {
  std::vector<wechat::api::FollowerInfo> page = {info("oA", 100, {2, 101}, "三栋业主"), info("oB", 200)};
  wechat::api::FollowerInfo gone;
  gone.openid = "oC";  // left between user/get and batchget
  page.push_back(gone);
  write([&](store::Connection& c) { cm::store_synced_followers(c, kApp, 7, page, 1000); });
  auto a = cm::find_follower(reader(), kApp, "oA");
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->subscribed);
  EXPECT_EQ(a->remark, "三栋业主");
  EXPECT_EQ(a->tag_ids, (std::vector<std::int64_t>{2, 101}));
  auto c = cm::find_follower(reader(), kApp, "oC");
  ASSERT_TRUE(c);
  EXPECT_FALSE(c->subscribed);

  write([&](store::Connection& c) { cm::record_unfollow(c, kApp, "oA", 2000); });
  a = cm::find_follower(reader(), kApp, "oA");
  EXPECT_FALSE(a->subscribed);
  EXPECT_EQ(a->unsubscribed_at, 2000);
  write([&](store::Connection& c) { cm::record_follow(c, kApp, "oA", 3000, "", 3000); });
  a = cm::find_follower(reader(), kApp, "oA");
  EXPECT_TRUE(a->subscribed);
  EXPECT_FALSE(a->unsubscribed_at);
  EXPECT_EQ(a->subscribe_time, 3000);
  EXPECT_EQ(a->remark, "三栋业主");  // kept across leaving and coming back
  EXPECT_EQ(a->tag_ids, (std::vector<std::int64_t>{2, 101}));
  EXPECT_EQ(a->subscribe_scene, "ADD_SCENE_SEARCH");  // a plain subscribe keeps the known scene
}

TEST_F(FollowerStoreTest, FinishedRunMarksOnlyUnseenUntouchedFollowersAsLeft) {
  write([&](store::Connection& c) {
    cm::store_synced_followers(c, kApp, 0, std::vector{info("oOld", 1), info("oStays", 2), info("oEvent", 3)}, 100);
  });
  cm::SyncRun run;
  write([&](store::Connection& c) { run = cm::begin_sync_run(c, kApp, "scheduled", 500); });
  write([&](store::Connection& c) {
    cm::store_synced_followers(c, kApp, run.id, std::vector{info("oStays", 2)}, 600);
    cm::record_follow(c, kApp, "oEvent", 650, "", 650);  // followed again during the run
    cm::advance_sync_run(c, run.id, "oStays", 1, 1, 600);
  });
  write([&](store::Connection& c) { cm::finish_sync_run(c, *cm::sync_run(c, run.id), 700); });
  EXPECT_FALSE(cm::find_follower(reader(), kApp, "oOld")->subscribed);
  EXPECT_EQ(cm::find_follower(reader(), kApp, "oOld")->unsubscribed_at, 700);
  EXPECT_TRUE(cm::find_follower(reader(), kApp, "oStays")->subscribed);
  EXPECT_TRUE(cm::find_follower(reader(), kApp, "oEvent")->subscribed);
  auto done = cm::latest_sync_run(reader(), kApp);
  EXPECT_EQ(done->status, "done");
  EXPECT_EQ(done->marked_unsubscribed, 1);
}

TEST_F(FollowerStoreTest, AFailedRunIsResumedFromItsCursorNotStartedAgain) {
  cm::SyncRun run;
  bool began = false;
  write([&](store::Connection& c) { run = cm::begin_sync_run(c, kApp, "connected", 10, &began); });
  EXPECT_TRUE(began);
  write([&](store::Connection& c) {
    cm::advance_sync_run(c, run.id, "oCursor", 25000, 10000, 20);
    cm::fail_sync_run(c, run.id, "batchget 48001", 21);
  });
  EXPECT_EQ(cm::open_sync_run(reader(), kApp)->status, "failed");
  cm::SyncRun again;
  write([&](store::Connection& c) { again = cm::begin_sync_run(c, kApp, "manual", 30, &began); });
  EXPECT_FALSE(began);
  EXPECT_EQ(again.id, run.id);
  EXPECT_EQ(again.status, "running");
  EXPECT_EQ(again.next_openid, "oCursor");
  EXPECT_EQ(again.pages_done, 1);
  EXPECT_EQ(again.done, 10000);
  EXPECT_EQ(again.last_error, "");
  // 10,000 of 25,000 in 10 s: 15,000 more take 15 s.
  EXPECT_EQ(cm::estimated_finish(again, 20), 35);
  EXPECT_EQ(cm::running_sync_runs(reader()).size(), 1u);
}

TEST_F(FollowerStoreTest, ListSearchesRemarkAndOpenidFiltersByTagAndStateAndMarksResidentsAndAdmins) {
  write([&](store::Connection& c) {
    cm::store_synced_followers(c, kApp, 1,
                               std::vector{info("oAlpha1", 10, {101}, "3栋张先生"), info("oBeta22", 30, {101, 102}),
                                           info("oGamma3", 20, {}, "物业_王经理"), info("oDelta4", 40)},
                               100);
    cm::record_unfollow(c, kApp, "oDelta4", 200);
    cm::store_synced_followers(c, "wxother", 1, std::vector{info("oAlpha1", 5)}, 100);
    c.exec("INSERT INTO communities (id, name, official_account_appid, created_at, updated_at) VALUES (1, '阳光花园', 'wxfollowers000001', 1, 1)");
    c.exec("INSERT INTO structures (id, community_id, name, levels, created_at) VALUES (1, 1, '高层', '[\"栋\"]', 1)");
    c.exec("INSERT INTO structure_nodes (id, structure_id, community_id, depth, name, path) VALUES (1, 1, 1, 1, '3栋', '/1/')");
    c.exec("INSERT INTO residents (community_id, room_id, name, identity, status, openid, appid, created_at, updated_at) "
           "VALUES (1, 1, '张三', 'owner', 'verified', 'oAlpha1', 'wxfollowers000001', 1, 1)");
    c.exec("INSERT INTO residents (community_id, room_id, name, identity, status, openid, appid, created_at, updated_at) "
           "VALUES (1, 1, '李四', 'owner', 'pending', 'oBeta22', 'wxfollowers000001', 1, 1)");
    c.exec("INSERT INTO admin_accounts (username, role, password_hash, wechat_appid, wechat_openid, created_at, updated_at) "
           "VALUES ('wang', 'property_admin', 'x', 'wxfollowers000001', 'oGamma3', 1, 1)");
  });
  auto list = [&](cm::FollowerQuery q) {
    q.appid = kApp;
    std::vector<std::string> ids;
    for (const auto& r : cm::list_followers(reader(), q).rows) ids.push_back(r.openid);
    return ids;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(list({}), (V{"oDelta4", "oBeta22", "oGamma3", "oAlpha1"}));  // newest first
  EXPECT_EQ(list({.q = "张先生"}), V{"oAlpha1"});
  EXPECT_EQ(list({.q = "oGam"}), V{"oGamma3"});
  EXPECT_EQ(list({.q = "amma3"}), V{});      // openids match from their start only
  EXPECT_EQ(list({.q = "_"}), V{"oGamma3"});  // a LIKE wildcard is taken literally
  EXPECT_EQ(list({.tag = 101}), (V{"oBeta22", "oAlpha1"}));
  EXPECT_EQ(list({.tag = 102}), V{"oBeta22"});
  EXPECT_EQ(list({.state = cm::FollowState::unsubscribed}), V{"oDelta4"});
  EXPECT_EQ(list({.state = cm::FollowState::subscribed, .page = 2, .page_size = 2}), V{"oAlpha1"});
  cm::FollowerQuery all;
  all.appid = kApp;
  all.state = cm::FollowState::subscribed;
  all.page_size = 2;
  EXPECT_EQ(cm::list_followers(reader(), all).total, 3);

  auto alpha = cm::find_follower(reader(), kApp, "oAlpha1");
  EXPECT_NE(alpha->resident_id, 0);
  EXPECT_EQ(alpha->admin_id, 0);
  EXPECT_EQ(cm::find_follower(reader(), kApp, "oBeta22")->resident_id, 0);  // pending is not verified
  EXPECT_NE(cm::find_follower(reader(), kApp, "oGamma3")->admin_id, 0);
  EXPECT_EQ(cm::find_follower(reader(), "wxother", "oAlpha1")->resident_id, 0);  // another account's openid
}

TEST_F(FollowerStoreTest, TaggingIsStoredPerFollowerAndCountedAndADeletedTagLeavesNoHolders) {
  write([&](store::Connection& c) {
    cm::store_synced_followers(c, kApp, 1, std::vector{info("o1", 1), info("o2", 2), info("o3", 3)}, 10);
    cm::replace_tags(c, kApp, {{2, "星标组", 0}, {100, "业主", 0}}, 10);
  });
  std::vector<std::string> who = {"o1", "o2", "o3"};
  std::int64_t changed = 0;
  write([&](store::Connection& c) {
    changed = cm::save_tagging(c, kApp, 100, who, 20);
    cm::recount_tag(c, kApp, 100, 20);
  });
  EXPECT_EQ(changed, 3);
  EXPECT_EQ(cm::find_tag(reader(), kApp, 100)->count, 3);
  write([&](store::Connection& c) { changed = cm::save_untagging(c, kApp, 100, std::vector<std::string>{"o2", "o9"}, 30); });
  EXPECT_EQ(changed, 1);
  EXPECT_TRUE(cm::find_tag(reader(), kApp, 2)->system);
  write([&](store::Connection& c) { cm::forget_tag(c, kApp, 100); });
  EXPECT_FALSE(cm::find_tag(reader(), kApp, 100));
  EXPECT_TRUE(cm::find_follower(reader(), kApp, "o1")->tag_ids.empty());
}

TEST(FollowerRules, RemarkAndTagNameLimitsAreCountedInCharactersWithChineseMessages) {
  EXPECT_FALSE(cm::remark_problem(std::string(29 * 3 / 3, 'a')));
  std::string chinese29;
  for (int i = 0; i < 29; ++i) chinese29 += "张";
  EXPECT_FALSE(cm::remark_problem(chinese29));
  auto too_long = cm::remark_problem(chinese29 + "张");
  ASSERT_TRUE(too_long);
  EXPECT_NE(too_long->find("备注"), std::string::npos);
  EXPECT_TRUE(cm::remark_problem("a\nb"));
  EXPECT_TRUE(cm::tag_name_problem(""));
  EXPECT_FALSE(cm::tag_name_problem(chinese29 + "张"));
  EXPECT_TRUE(cm::tag_name_problem(chinese29 + "张张"));
}

TEST(FollowerRules, CertificationWarningFromThirtyDaysBeforeAndAfterExpiry) {
  cm::AccountProfile p;
  EXPECT_FALSE(cm::certification_warning(p, "2026-11-26"));
  p.certification_expires_at = "2026-12-26";
  EXPECT_EQ(cm::certification_warning(p, "2026-11-26"), "公众号认证将于 2026-12-26 到期");
  EXPECT_FALSE(cm::certification_warning(p, "2026-11-25"));
  EXPECT_EQ(cm::certification_warning(p, "2026-12-27"), "公众号认证已于 2026-12-26 到期");
  EXPECT_TRUE(cm::date_problem("2026-02-30"));
  EXPECT_TRUE(cm::date_problem("2026/12/01"));
  EXPECT_FALSE(cm::date_problem("2028-02-29"));
  EXPECT_EQ(cm::china_date(1764172800), "2025-11-27");  // 2025-11-26 16:00 UTC is midnight in China
}
