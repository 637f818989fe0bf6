// Follower list and profiles against the sandbox: paging, batching, remarks.
#include "wechat/api/user.hpp"

#include <gtest/gtest.h>

#include <set>

#include "api_sandbox.hpp"

namespace xiaoqu::wechat::api {
namespace {
using testing::ApiSandbox;
using testing::kMpAppid;
using testing::platform_error_of;

TEST(WechatApiUser, FullSyncWalksEveryPageAndBatchesProfilesByHundred) {
  ApiSandbox s(testing::with_followers(25'000));
  std::vector<std::string> openids;
  std::vector<std::int64_t> page_sizes;
  for_each_follower_page(*s.api, s.mp, [&](const FollowerPage& page) {
    EXPECT_EQ(page.total, 25'000);
    page_sizes.push_back(page.count);
    openids.insert(openids.end(), page.openids.begin(), page.openids.end());
  });
  EXPECT_EQ(page_sizes, (std::vector<std::int64_t>{10'000, 10'000, 5'000}));
  EXPECT_EQ(s.counter("calls /cgi-bin/user/get"), 3u);
  EXPECT_EQ(std::set<std::string>(openids.begin(), openids.end()).size(), 25'000u);

  auto infos = batch_get_info(*s.api, s.mp, openids);
  EXPECT_EQ(s.counter("calls /cgi-bin/user/info/batchget"), 250u);
  ASSERT_EQ(infos.size(), openids.size());
  for (std::size_t i = 0; i < infos.size(); i += 997) {
    EXPECT_EQ(infos[i].openid, openids[i]);
    EXPECT_TRUE(infos[i].subscribed);
    EXPECT_EQ(infos[i].language, "zh_CN");
    EXPECT_GT(infos[i].subscribe_time, 0);
  }
}

TEST(WechatApiUser, OpenidsAreStablePerAccountAndDistinctAcrossAccounts) {
  ApiSandbox a, b;
  auto first = get_followers(*a.api, a.mp).openids;
  EXPECT_EQ(get_followers(*b.api, b.mp).openids, first);  // a restart lists the same openids
  for (const auto& o : first) EXPECT_EQ(o.size(), 28u) << o;

  auto plain = define_official_account(*a.tokens, *a.api, testing::kPlainAppid, testing::kPlainSecret);
  auto other = get_followers(*a.api, plain).openids;
  ASSERT_EQ(other.size(), first.size());
  EXPECT_NE(other.front(), first.front());
  // Another account's openid is not ours.
  EXPECT_EQ(platform_error_of([&] { batch_get_info(*a.api, a.mp, std::vector<std::string>{other.front()}); }).errcode(), 40003);
}

TEST(WechatApiUser, LastPageWithoutDataEndsTheWalk) {
  ApiSandbox s(testing::with_followers(20'000));
  int pages = 0;
  for_each_follower_page(*s.api, s.mp, [&](const FollowerPage&) { ++pages; });
  EXPECT_EQ(pages, 2);
  EXPECT_EQ(s.counter("calls /cgi-bin/user/get"), 2u);

  // Paging past the end: count 0 and no `data` at all.
  auto first = get_followers(*s.api, s.mp);
  auto second = get_followers(*s.api, s.mp, first.next_openid);
  EXPECT_TRUE(second.next_openid.empty());
  auto beyond = get_followers(*s.api, s.mp, second.openids.back());
  EXPECT_EQ(beyond.count, 0);
  EXPECT_TRUE(beyond.openids.empty());
  EXPECT_EQ(beyond.total, 20'000);
}

TEST(WechatApiUser, NoFollowersIsOneCallAndNoPage) {
  ApiSandbox s(testing::with_followers(0));
  int pages = 0;
  for_each_follower_page(*s.api, s.mp, [&](const FollowerPage&) { ++pages; });
  EXPECT_EQ(pages, 0);
  EXPECT_EQ(s.counter("calls /cgi-bin/user/get"), 1u);
}

TEST(WechatApiUser, UnsubscribedFollowerLeavesTheListAndReadsAsNotSubscribed) {
  ApiSandbox s;
  auto openids = get_followers(*s.api, s.mp).openids;
  auto [status, body] = s.post("/sandbox/wechat/unsubscribe", {{"appid", kMpAppid}, {"openid", openids[3]}});
  ASSERT_EQ(status, 200) << body;

  auto after = get_followers(*s.api, s.mp);
  EXPECT_EQ(after.total, 29);
  EXPECT_EQ(std::count(after.openids.begin(), after.openids.end(), openids[3]), 0);
  auto info = batch_get_info(*s.api, s.mp, std::vector<std::string>{openids[3], openids[4]});
  EXPECT_FALSE(info[0].subscribed);
  EXPECT_TRUE(info[1].subscribed);

  // The gateway heard about it, encrypted for the safe-mode account.
  auto push = s.gateway.wait_for([](const auto& r) { return r.path == std::string("/wechat/callback/") + kMpAppid; });
  ASSERT_TRUE(push);
  auto event = wechat::parse_message(testing::open_push(*push, testing::kMpToken, testing::kMpKey));
  ASSERT_TRUE(std::holds_alternative<wechat::UnsubscribeEvent>(event));
  EXPECT_EQ(wechat::header_of(event).from_user, openids[3]);
}

TEST(WechatApiUser, RemarkIsStoredAndTooLongIsRefused) {
  ApiSandbox s;
  auto openid = get_followers(*s.api, s.mp).openids.at(0);
  update_remark(*s.api, s.mp, openid, "3栋1单元 王阿姨");
  EXPECT_EQ(batch_get_info(*s.api, s.mp, std::vector<std::string>{openid}).at(0).remark, "3栋1单元 王阿姨");

  std::string thirty;
  for (int i = 0; i < 30; ++i) thirty += "楼";
  auto e = platform_error_of([&] { update_remark(*s.api, s.mp, openid, thirty); });
  EXPECT_EQ(e.kind(), PlatformError::Kind::platform);
  EXPECT_EQ(e.errcode(), 40035);
  EXPECT_EQ(platform_error_of([&] { update_remark(*s.api, s.mp, "oNotAFollower", "x"); }).errcode(), 40003);
}

TEST(WechatApiUser, SandboxRefusesMoreThanHundredPerBatchget) {
  ApiSandbox s(testing::with_followers(200));
  auto openids = get_followers(*s.api, s.mp).openids;
  nlohmann::json list = nlohmann::json::array();
  for (int i = 0; i < 101; ++i) list.push_back({{"openid", openids[i]}, {"lang", "zh_CN"}});
  auto [status, body] = s.post("/cgi-bin/user/info/batchget?access_token=" + s.mp_token(), {{"user_list", list}});
  EXPECT_EQ(status, 200);
  EXPECT_EQ(body.value("errcode", 0), 40032);
  // The client splits 101 into two calls instead.
  EXPECT_EQ(batch_get_info(*s.api, s.mp, std::span(openids).first(101)).size(), 101u);
  EXPECT_EQ(s.counter("calls /cgi-bin/user/info/batchget"), 3u);
}

TEST(WechatApiUser, AMillionFollowersCostNothingUntilListed) {
  ApiSandbox s(testing::with_followers(1'000'000));
  auto page = get_followers(*s.api, s.mp);
  EXPECT_EQ(page.total, 1'000'000);
  EXPECT_EQ(page.count, 10'000);
  auto next = get_followers(*s.api, s.mp, page.next_openid);
  EXPECT_EQ(next.count, 10'000);
  EXPECT_NE(next.openids.front(), page.openids.front());
}

}  // namespace
}  // namespace xiaoqu::wechat::api
