// Parametric QR codes against the sandbox: creation, the limits of docs/protocol/qrcode.md, the image URL and
// the scan the gateway hears about.
#include "wechat/api/qrcode.hpp"

#include <gtest/gtest.h>

#include "api_sandbox.hpp"
#include "wechat/api/user.hpp"

namespace xiaoqu::wechat::api {
namespace {
using testing::ApiSandbox;
using testing::kMpAppid;

std::string invalid_argument_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "no invalid_argument";
}

TEST(WechatApiQrCode, TemporaryStringSceneAndPermanentNumericScene) {
  ApiSandbox s;
  QrCode temp = create_temporary_qrcode(*s.api, s.mp, std::string("bind-7f3a9c"), 600);
  EXPECT_EQ(temp.expire_seconds, 600);
  EXPECT_FALSE(temp.ticket.empty());
  EXPECT_EQ(temp.url.rfind(s.sb->base_url() + "/q/", 0), 0u) << temp.url;

  QrCode perm = create_permanent_qrcode(*s.api, s.mp, std::int64_t{100'000});
  EXPECT_EQ(perm.expire_seconds, 0);
  EXPECT_NE(perm.ticket, temp.ticket);
}

TEST(WechatApiQrCode, InvalidScenesAreRefusedBeforeAnyCall) {
  ApiSandbox s;
  EXPECT_NE(invalid_argument_of([&] { create_temporary_qrcode(*s.api, s.mp, std::int64_t{0}, 60); }).find("scene_id"), std::string::npos);
  EXPECT_NE(invalid_argument_of([&] { create_temporary_qrcode(*s.api, s.mp, std::int64_t{4'294'967'296}, 60); }).find("scene_id"),
            std::string::npos);
  EXPECT_NE(invalid_argument_of([&] { create_permanent_qrcode(*s.api, s.mp, std::int64_t{100'001}); }).find("scene_id"), std::string::npos);
  EXPECT_NE(invalid_argument_of([&] { create_temporary_qrcode(*s.api, s.mp, std::string(), 60); }).find("scene_str"), std::string::npos);
  EXPECT_NE(invalid_argument_of([&] { create_permanent_qrcode(*s.api, s.mp, std::string(65, 'x')); }).find("scene_str"), std::string::npos);
  EXPECT_NE(invalid_argument_of([&] { create_temporary_qrcode(*s.api, s.mp, std::string("a"), 2'592'001); }).find("expire_seconds"),
            std::string::npos);
  EXPECT_NE(invalid_argument_of([&] { create_temporary_qrcode(*s.api, s.mp, std::string("a"), 0); }).find("expire_seconds"), std::string::npos);
  EXPECT_EQ(s.counter("calls /cgi-bin/qrcode/create"), 0u);

  // The limits themselves are accepted.
  EXPECT_NO_THROW(create_temporary_qrcode(*s.api, s.mp, std::int64_t{4'294'967'295}, 2'592'000));
  EXPECT_NO_THROW(create_temporary_qrcode(*s.api, s.mp, std::string(64, 'x'), 1));
}

TEST(WechatApiQrCode, SandboxEnforcesTheLimitsToo) {
  ApiSandbox s;
  std::string target = "/cgi-bin/qrcode/create?access_token=" + s.mp_token();
  auto [st1, long_life] = s.post(target, {{"expire_seconds", 2'592'001}, {"action_name", "QR_STR_SCENE"}, {"action_info", {{"scene", {{"scene_str", "a"}}}}}});
  EXPECT_EQ(long_life.value("errcode", 0), 40035);
  auto [st2, big_id] = s.post(target, {{"action_name", "QR_LIMIT_SCENE"}, {"action_info", {{"scene", {{"scene_id", 100'001}}}}}});
  EXPECT_EQ(big_id.value("errcode", 0), 40035);
}

TEST(WechatApiQrCode, ShowUrlEncodesTheTicketAndServesTheImage) {
  EXPECT_EQ(showqrcode_url("https://mp.weixin.qq.com/", "gQH4+/x=="), "https://mp.weixin.qq.com/cgi-bin/showqrcode?ticket=gQH4%2B%2Fx%3D%3D");
  ApiSandbox s;
  QrCode qr = create_temporary_qrcode(*s.api, s.mp, std::string("bind-1"), 60);
  std::string url = showqrcode_url(s.cfg.platforms.wechat_mp, qr.ticket);
  httplib::Client c(s.sb->base_url());
  auto good = c.Get(url.substr(s.sb->base_url().size()).c_str());
  ASSERT_TRUE(good);
  EXPECT_EQ(good->status, 200);
  auto bad = c.Get("/cgi-bin/showqrcode?ticket=gQnope");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 404);
}

TEST(WechatApiQrCode, ScanByNewUserSubscribesWithQrsceneKeyThenScanEvent) {
  ApiSandbox s;
  QrCode qr = create_temporary_qrcode(*s.api, s.mp, std::string("bind-7f3a9c"), 600);
  const std::string openid = "oAdminWang0000000000000000001";
  auto [status, body] = s.post("/sandbox/wechat/scan", {{"appid", kMpAppid}, {"openid", openid}, {"scene", "bind-7f3a9c"}});
  ASSERT_EQ(status, 200) << body;
  EXPECT_EQ(body["event"], "subscribe");
  EXPECT_EQ(body["ticket"], qr.ticket);
  EXPECT_EQ(body["gateway_status"], 200);

  auto push = s.gateway.wait_for([](const auto&) { return true; });
  ASSERT_TRUE(push);
  std::string receive_id;
  auto event = wechat::parse_message(testing::open_push(*push, testing::kMpToken, testing::kMpKey, &receive_id));
  EXPECT_EQ(receive_id, kMpAppid);
  ASSERT_TRUE(std::holds_alternative<wechat::SubscribeScanEvent>(event));
  EXPECT_EQ(std::get<wechat::SubscribeScanEvent>(event).scene, "bind-7f3a9c");
  EXPECT_EQ(std::get<wechat::SubscribeScanEvent>(event).ticket, qr.ticket);

  // Now a follower: listed, and a second scan is SCAN with the bare scene.
  auto info = batch_get_info(*s.api, s.mp, std::vector<std::string>{openid}).at(0);
  EXPECT_TRUE(info.subscribed);
  EXPECT_EQ(info.qr_scene_str, "bind-7f3a9c");
  EXPECT_EQ(get_followers(*s.api, s.mp).total, 31);
  auto [status2, body2] = s.post("/sandbox/wechat/scan", {{"appid", kMpAppid}, {"openid", openid}, {"ticket", qr.ticket}});
  EXPECT_EQ(body2["event"], "SCAN");
  auto second = s.gateway.wait_for([&](const auto& r) {
    return std::holds_alternative<wechat::ScanEvent>(wechat::parse_message(testing::open_push(r, testing::kMpToken, testing::kMpKey)));
  });
  ASSERT_TRUE(second);
}

TEST(WechatApiQrCode, ScanWithoutFollowingPushesNothing) {
  ApiSandbox s;
  create_temporary_qrcode(*s.api, s.mp, std::int64_t{42}, 600);
  auto [status, body] = s.post("/sandbox/wechat/scan", {{"appid", kMpAppid}, {"openid", "oPasserBy"}, {"scene", 42}, {"subscribe", false}});
  ASSERT_EQ(status, 200) << body;
  EXPECT_TRUE(body["event"].is_null());
  EXPECT_EQ(s.counter(std::string("pushes /wechat/callback/") + kMpAppid), 0u);
  auto [missing, why] = s.post("/sandbox/wechat/scan", {{"appid", kMpAppid}, {"openid", "oPasserBy"}, {"scene", "never-created"}});
  EXPECT_EQ(missing, 404);
}

}  // namespace
}  // namespace xiaoqu::wechat::api
