// The follower sync against the sandbox over real sockets: 100,000 followers synced with the
// minimum number of calls, then 1,000 live subscribe/unsubscribe pushes (encrypted, through
// the callback endpoint), a re-sync that repairs drift, and runs interrupted by a stop or a
// platform failure resuming without fetching any finished page again.
#include <gtest/gtest.h>

#include <cstdio>

#include "community/followers/follower_sync_runs.hpp"
#include "gateway/follower_sync.hpp"
#include "sandbox/wechat_followers.hpp"
#include "tests/gateway/follower_support.hpp"

using namespace xiaoqu;
using namespace xiaoqu::testing;

namespace {
constexpr const char* kGet = "/cgi-bin/user/get";
constexpr const char* kBatch = "/cgi-bin/user/info/batchget";
const std::string kDone = "SELECT count(*) FROM follower_sync_runs WHERE status = 'done'";

std::string new_openid(int i) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "oNewFollower%016d", i);
  return buf;
}
}  // namespace

TEST(FollowerSync, HundredThousandFollowersThenAThousandLiveEventsThenAResyncRepairsDrift) {
  FollowerWorld w(100'000);
  ASSERT_TRUE(w.wait_for(kDone, 1)) << "the first sync did not finish";
  EXPECT_EQ(w.count("SELECT count(*) FROM followers WHERE subscribed = 1"), 100'000);
  EXPECT_EQ(w.count("SELECT count(DISTINCT openid) FROM followers"), 100'000);
  // The minimum: ceil(N/10000) lists + ceil(N/100) profile batches.
  EXPECT_EQ(w.calls(kGet), 10u);
  EXPECT_EQ(w.calls(kBatch), 1'000u);
  EXPECT_EQ(w.count("SELECT done FROM follower_sync_runs"), 100'000);
  EXPECT_EQ(w.count("SELECT total FROM follower_sync_runs"), 100'000);
  EXPECT_EQ(w.count("SELECT pages_done FROM follower_sync_runs"), 10);
  EXPECT_EQ(w.count("SELECT count(*) FROM follower_sync_runs WHERE reason = 'connected'"), 1);

  // 500 leave and 500 newcomers follow; WeChat pushes each event, encrypted, to the callback.
  for (int i = 0; i < 500; ++i) {
    auto left = w.control("/sandbox/wechat/unsubscribe", {{"appid", kMpAppid}, {"openid", sandbox::generated_openid(kMpAppid, i * 7)}});
    ASSERT_EQ(left.value("gateway_status", 0), 200) << left.dump();
    auto joined = w.control("/sandbox/wechat/subscribe", {{"appid", kMpAppid}, {"openid", new_openid(i)}});
    ASSERT_EQ(joined.value("gateway_status", 0), 200) << joined.dump();
    if (i == 0) EXPECT_NE(open_reply(kMpToken, kMpKey, joined.value("reply", "")).find("欢迎关注"), std::string::npos);
  }
  // Committed before each answer: visible at once.
  EXPECT_EQ(w.count("SELECT count(*) FROM followers WHERE subscribed = 0 AND unsubscribed_at IS NOT NULL"), 500);
  EXPECT_EQ(w.count("SELECT count(*) FROM followers WHERE subscribed = 1 AND openid LIKE 'oNewFollower%'"), 500);
  EXPECT_EQ(w.count("SELECT count(*) FROM followers WHERE subscribed = 1"), 100'000);

  // Ten followers leave without WeChat telling us: the re-sync notices.
  auto shrunk = w.control("/sandbox/wechat/followers", {{"appid", kMpAppid}, {"count", 99'990}});
  ASSERT_EQ(shrunk.value("total", 0), 99'990);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // the run starts after every event's second
  auto gets = w.calls(kGet), batches = w.calls(kBatch);
  ASSERT_TRUE(w.gw().app().follower_sync().start(kMpAppid, "scheduled"));
  ASSERT_TRUE(w.wait_for(kDone, 2));
  EXPECT_EQ(w.calls(kGet) - gets, 10u);
  EXPECT_EQ(w.calls(kBatch) - batches, 1'000u);
  EXPECT_EQ(w.count("SELECT marked_unsubscribed FROM follower_sync_runs WHERE reason = 'scheduled'"), 10);
  EXPECT_EQ(w.count("SELECT count(*) FROM followers WHERE subscribed = 1"), 99'990);
  EXPECT_EQ(w.count("SELECT count(*) FROM followers WHERE subscribed = 0"), 510);
  EXPECT_EQ(w.count("SELECT count(*) FROM followers WHERE subscribed = 1 AND openid LIKE 'oNewFollower%'"), 500);
}

TEST(FollowerSync, StoppedHalfWayResumesAfterRestartWithoutFetchingFinishedPagesAgain) {
  // Slow profile calls so the stop lands in the middle.
  FollowerWorld w(100'000);
  w.sb().set_fault(kBatch, sandbox::Fault{.errcode = 0, .latency_ms = 4});
  ASSERT_TRUE(w.wait_for("SELECT pages_done FROM follower_sync_runs", 3));
  w.shutdown();
  const long long pages = w.count("SELECT pages_done FROM follower_sync_runs");
  ASSERT_LT(pages, 10) << "the sync finished before the stop";
  EXPECT_EQ(w.count("SELECT count(*) FROM follower_sync_runs WHERE status = 'running'"), 1);
  EXPECT_EQ(w.count("SELECT count(*) FROM followers"), pages * 10'000);
  w.sb().clear_faults();
  auto gets = w.calls(kGet), batches = w.calls(kBatch);

  w.restart();
  ASSERT_TRUE(w.wait_for(kDone, 1));
  // Only the pages not committed before the stop were fetched, each once.
  EXPECT_EQ(w.calls(kGet) - gets, static_cast<std::uint64_t>(10 - pages));
  EXPECT_EQ(w.calls(kBatch) - batches, static_cast<std::uint64_t>((10 - pages) * 100));
  EXPECT_EQ(w.count("SELECT count(*) FROM followers WHERE subscribed = 1"), 100'000);
  EXPECT_EQ(w.count("SELECT count(*) FROM follower_sync_runs"), 1);  // the same run, resumed
  EXPECT_EQ(w.count("SELECT done FROM follower_sync_runs"), 100'000);
}

TEST(FollowerSync, APlatformFailureFailsTheRunWhichResumesFromItsCursor) {
  // Pages commit three at a time here; WeChat refuses the profile calls from the middle of page 5
  // (not a transient error: no retry helps). Pages 1-3 were committed as a group, page 4 was
  // fetched whole and waits for the next commit, page 5 is incomplete.
  FollowerWorld w(50'000, {{"followers", {{"commit_rows", 30'000}}}});
  w.sb().set_fault(kBatch, sandbox::Fault{.errcode = 48001, .errmsg = "api unauthorized", .after = 450});
  ASSERT_TRUE(w.wait_for("SELECT count(*) FROM follower_sync_runs WHERE status = 'failed'", 1, 30));
  EXPECT_EQ(w.count("SELECT count(*) FROM follower_sync_runs WHERE last_error LIKE '%48001%'"), 1);
  // The failure does not lose page 4: it is committed before the run is marked failed.
  EXPECT_EQ(w.count("SELECT pages_done FROM follower_sync_runs"), 4);
  EXPECT_EQ(w.count("SELECT done FROM follower_sync_runs"), 40'000);
  EXPECT_EQ(w.count("SELECT count(*) FROM followers"), 40'000);
  w.sb().clear_faults();
  auto gets = w.calls(kGet), batches = w.calls(kBatch);

  auto run = w.gw().app().follower_sync().start(kMpAppid, "manual");
  ASSERT_TRUE(run);
  EXPECT_EQ(run->pages_done, 4);
  ASSERT_TRUE(w.wait_for(kDone, 1));
  // Only page 5 again: one list call and its 100 profile calls.
  EXPECT_EQ(w.calls(kGet) - gets, 1u);
  EXPECT_EQ(w.calls(kBatch) - batches, 100u);
  EXPECT_EQ(w.count("SELECT count(*) FROM followers WHERE subscribed = 1"), 50'000);
  EXPECT_EQ(w.count("SELECT done FROM follower_sync_runs"), 50'000);
}
