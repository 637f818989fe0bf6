// Follower tags against the sandbox: CRUD, batching by 50 and the platform's limits.
#include "wechat/api/tag.hpp"

#include <gtest/gtest.h>

#include "api_sandbox.hpp"
#include "wechat/api/user.hpp"

namespace xiaoqu::wechat::api {
namespace {
using testing::ApiSandbox;
using testing::platform_error_of;

std::int64_t count_of(const std::vector<Tag>& tags, std::int64_t id) {
  for (const auto& t : tags)
    if (t.id == id) return t.count;
  return -1;
}

TEST(WechatApiTag, CreateRenameDelete) {
  ApiSandbox s;
  auto before = get_tags(*s.api, s.mp);
  Tag t = create_tag(*s.api, s.mp, "3栋业主");
  EXPECT_GE(t.id, 100);
  EXPECT_EQ(t.name, "3栋业主");
  update_tag(*s.api, s.mp, t.id, "3栋住户");
  auto tags = get_tags(*s.api, s.mp);
  ASSERT_EQ(tags.size(), before.size() + 1);
  EXPECT_EQ(tags.back().name, "3栋住户");
  delete_tag(*s.api, s.mp, t.id);
  EXPECT_EQ(get_tags(*s.api, s.mp).size(), before.size());
}

TEST(WechatApiTag, TaggingHundredTwentyOpenidsTakesThreeCalls) {
  ApiSandbox s(testing::with_followers(150));
  auto openids = get_followers(*s.api, s.mp).openids;
  openids.resize(120);
  Tag t = create_tag(*s.api, s.mp, "业主");
  batch_tag(*s.api, s.mp, t.id, openids);
  EXPECT_EQ(s.counter("calls /cgi-bin/tags/members/batchtagging"), 3u);
  EXPECT_EQ(count_of(get_tags(*s.api, s.mp), t.id), 120);
  EXPECT_EQ(get_tag_ids_of_user(*s.api, s.mp, openids[119]), std::vector<std::int64_t>{t.id});
  EXPECT_EQ(batch_get_info(*s.api, s.mp, std::span(openids).first(1)).at(0).tag_ids, std::vector<std::int64_t>{t.id});

  batch_untag(*s.api, s.mp, t.id, std::span(openids).first(70));
  EXPECT_EQ(s.counter("calls /cgi-bin/tags/members/batchuntagging"), 2u);
  EXPECT_EQ(count_of(get_tags(*s.api, s.mp), t.id), 50);
  EXPECT_TRUE(get_tag_ids_of_user(*s.api, s.mp, openids[0]).empty());
}

TEST(WechatApiTag, NameRules) {
  ApiSandbox s;
  create_tag(*s.api, s.mp, "物业");
  EXPECT_EQ(platform_error_of([&] { create_tag(*s.api, s.mp, "物业"); }).errcode(), 45157);
  EXPECT_EQ(platform_error_of([&] { create_tag(*s.api, s.mp, "星标组"); }).errcode(), 45157);
  std::string thirty, thirty_one;
  for (int i = 0; i < 30; ++i) thirty += "栋";
  thirty_one = thirty + "栋";
  EXPECT_NO_THROW(create_tag(*s.api, s.mp, thirty));  // 30 characters, 90 bytes
  EXPECT_EQ(platform_error_of([&] { create_tag(*s.api, s.mp, thirty_one); }).errcode(), 45158);
}

TEST(WechatApiTag, SystemTagsCannotChange) {
  ApiSandbox s;
  for (std::int64_t id : {0, 1, 2}) {
    EXPECT_EQ(platform_error_of([&] { delete_tag(*s.api, s.mp, id); }).errcode(), 45058) << id;
    EXPECT_EQ(platform_error_of([&] { update_tag(*s.api, s.mp, id, "x"); }).errcode(), 45058) << id;
  }
  EXPECT_EQ(platform_error_of([&] { delete_tag(*s.api, s.mp, 999); }).errcode(), 45159);
}

TEST(WechatApiTag, HundredTagsAtMost) {
  ApiSandbox s;
  for (int i = 0; i < 100; ++i) create_tag(*s.api, s.mp, "tag" + std::to_string(i));
  EXPECT_EQ(platform_error_of([&] { create_tag(*s.api, s.mp, "one too many"); }).errcode(), 45056);
}

TEST(WechatApiTag, TwentyTagsPerUserAtMost) {
  ApiSandbox s;
  auto openid = get_followers(*s.api, s.mp).openids.at(0);
  std::vector<std::string> one{openid};
  for (int i = 0; i < 20; ++i) batch_tag(*s.api, s.mp, create_tag(*s.api, s.mp, "t" + std::to_string(i)).id, one);
  Tag extra = create_tag(*s.api, s.mp, "t20");
  EXPECT_EQ(platform_error_of([&] { batch_tag(*s.api, s.mp, extra.id, one); }).errcode(), 45059);
  EXPECT_EQ(get_tag_ids_of_user(*s.api, s.mp, openid).size(), 20u);
}

TEST(WechatApiTag, InvalidOpenidRefusesTheWholeCall) {
  ApiSandbox s;
  auto openids = get_followers(*s.api, s.mp).openids;
  Tag t = create_tag(*s.api, s.mp, "业主");
  std::vector<std::string> mixed{openids[0], "oNotAFollowerOfThisAccount0"};
  EXPECT_EQ(platform_error_of([&] { batch_tag(*s.api, s.mp, t.id, mixed); }).errcode(), 40003);
  EXPECT_EQ(count_of(get_tags(*s.api, s.mp), t.id), 0);
}

TEST(WechatApiTag, SandboxRefusesMoreThanFiftyPerCall) {
  ApiSandbox s(testing::with_followers(60));
  auto openids = get_followers(*s.api, s.mp).openids;
  Tag t = create_tag(*s.api, s.mp, "业主");
  openids.resize(51);
  auto [status, body] = s.post("/cgi-bin/tags/members/batchtagging?access_token=" + s.mp_token(), {{"openid_list", openids}, {"tagid", t.id}});
  EXPECT_EQ(body.value("errcode", 0), 40032);
  EXPECT_EQ(count_of(get_tags(*s.api, s.mp), t.id), 0);
}

}  // namespace
}  // namespace xiaoqu::wechat::api
