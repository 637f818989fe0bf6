// Resident verification end to end, through the real gateway and the sandbox over sockets:
// scan → OAuth → form → automatic approval or a pending request whose reminders reach the
// right reviewer through the right channel; review by an admin or the room's owner; admin
// WeChat binding by QR; OAuth state forgery and code reuse.
#include "tests/gateway/verification_world.hpp"

#include "community/verification/verification_requests.hpp"

using namespace xiaoqu;
using namespace xiaoqu::testing;

namespace {

std::string admin_openid(VerificationWorld& w, std::int64_t admin) {
  return w.query("SELECT wechat_openid FROM admin_accounts WHERE id = " + std::to_string(admin));
}

/// Binds `admin` to `openid` the way the console does: invite → temporary QR → the scan.
void bind_by_qr(VerificationWorld& w, const Session& session, std::int64_t admin, const std::string& openid) {
  httplib::Client c(w.gw->url());
  auto invite = c.Post(("/api/v1/communities/" + std::to_string(w.community) + "/reviewers/" + std::to_string(admin) + "/invite").c_str(),
                       session.headers(), "", "application/json");
  ASSERT_TRUE(invite);
  ASSERT_EQ(invite->status, 200) << invite->body;
  auto ticket = nlohmann::json::parse(invite->body)["ticket"].get<std::string>();
  auto scan = w.sandbox_post("/sandbox/wechat/scan", {{"appid", kMpAppid}, {"openid", openid}, {"ticket", ticket}});
  ASSERT_EQ(scan.value("gateway_status", 0), 200) << scan.dump();
}

}  // namespace

TEST(VerificationEndToEnd, MatchingResidentIsApprovedAtOnceAndToldByTemplateMessage) {
  VerificationWorld w;
  w.scan_entry("oZhangSan");
  // The scan made them a follower (the subscribe event went through our handler).
  EXPECT_EQ(w.query("SELECT subscribed FROM followers WHERE openid = 'oZhangSan'"), "1");
  auto browser = w.open_form("oZhangSan");
  auto started = std::chrono::steady_clock::now();
  auto r = w.submit(browser, {"张三", "138-0000-0001", "owner", "", {"A", "1", "101"}});
  auto took = std::chrono::steady_clock::now() - started;
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto body = nlohmann::json::parse(r->body);
  EXPECT_TRUE(body["approved"]);
  EXPECT_EQ(body["rule"], "imported_match");
  EXPECT_LT(took, std::chrono::seconds(1)) << "approved without a human in under a second";
  EXPECT_EQ(w.query("SELECT status || '/' || openid FROM residents WHERE name = '张三'"), "verified/oZhangSan");
  EXPECT_EQ(w.query("SELECT COUNT(*) FROM residents"), "4") << "no duplicate record";
  ASSERT_TRUE(w.eventually("SELECT status FROM outbox WHERE purpose = 'verification_result'", "delivered"));
  auto told = w.templates_to("oZhangSan");
  ASSERT_EQ(told.size(), 1u);
  EXPECT_EQ(told[0]["data"]["first"]["value"], "您的住户认证已通过");
  EXPECT_EQ(w.query("SELECT COUNT(*) FROM outbox WHERE purpose = 'review_reminder'"), "0") << "nobody is asked to review a match";
}

TEST(VerificationEndToEnd, MismatchWaitsAndRemindersGoByFollowStateThenAnAdminApproves) {
  VerificationWorld w;
  auto bound = add_admin(*w.gw, "bound_admin", "property_admin", {w.community});
  auto sms_only = add_admin(*w.gw, "sms_admin", "property_admin", {w.community});
  auto silent = add_admin(*w.gw, "silent_admin", "property_admin", {w.community});
  w.write([&](store::Connection& c) {
    store::Statement(c, "UPDATE admin_accounts SET phone = '13911110002' WHERE id = ?1").bind(1, sms_only).run();
    store::Statement(c, "UPDATE admin_accounts SET phone = '' WHERE id = ?1").bind(1, silent).run();
  });
  auto session = open_session(*w.gw, bound);
  bind_by_qr(w, session, bound, "oAdminBound");
  ASSERT_EQ(admin_openid(w, bound), "oAdminBound");

  // 提醒设置 shows who can be reminded how.
  httplib::Client api(w.gw->url());
  auto list = api.Get(("/api/v1/communities/" + std::to_string(w.community) + "/reviewers").c_str(), session.headers(false));
  ASSERT_EQ(list->status, 200) << list->body;
  auto reviewers = nlohmann::json::parse(list->body)["reviewers"];
  ASSERT_EQ(reviewers.size(), 3u);
  EXPECT_EQ(reviewers[0]["wechat_state"], "可微信提醒");
  EXPECT_EQ(reviewers[1]["wechat_state"], "未关联公众号");
  EXPECT_EQ(reviewers[1]["phone"], "139****02");

  w.scan_entry("oStranger");
  auto browser = w.open_form("oStranger");
  auto r = w.submit(browser, {"赵七", "13700000007", "tenant", "", {"A", "1", "102"}});
  ASSERT_EQ(r->status, 200) << r->body;
  auto body = nlohmann::json::parse(r->body);
  EXPECT_FALSE(body["approved"]);
  EXPECT_EQ(body["reason"], "no_record");
  // One reminder per reachable reviewer, written with the request: template to the bound
  // follower, SMS to the one with a phone, nothing for the one with neither.
  EXPECT_EQ(w.query("SELECT COUNT(*) FROM outbox WHERE purpose = 'review_reminder'"), "2");
  ASSERT_TRUE(w.eventually("SELECT COUNT(*) FROM outbox WHERE purpose = 'review_reminder' AND status IN ('sent', 'delivered')", "2"));
  auto reminded = w.templates_to("oAdminBound");
  ASSERT_EQ(reminded.size(), 1u);
  EXPECT_EQ(reminded[0]["data"]["keyword1"]["value"], "赵七");
  EXPECT_EQ(w.sms_to("13911110002").size(), 1u);

  // The admin approves through the API; the resident is told.
  std::string request = w.query("SELECT id FROM verification_requests WHERE openid = 'oStranger'");
  auto approve = api.Post(("/api/v1/communities/" + std::to_string(w.community) + "/verification/requests/" + request + "/approve").c_str(),
                          session.headers(), "{}", "application/json");
  ASSERT_EQ(approve->status, 200) << approve->body;
  EXPECT_EQ(w.query("SELECT status FROM residents WHERE openid = 'oStranger'"), "verified");
  EXPECT_EQ(w.query("SELECT decided_by FROM verification_requests WHERE id = " + request), "admin:" + std::to_string(bound));
  EXPECT_EQ(w.query("SELECT COUNT(*) FROM audit_log WHERE action = 'verification.approve' AND actor = 'admin:" + std::to_string(bound) + "'"), "1");
  ASSERT_TRUE(w.eventually("SELECT COUNT(*) FROM outbox WHERE purpose = 'verification_result' AND status IN ('sent', 'delivered')", "1"));
  EXPECT_EQ(w.templates_to("oStranger").size(), 1u);
  // A decided request is not decided twice.
  auto again = api.Post(("/api/v1/communities/" + std::to_string(w.community) + "/verification/requests/" + request + "/reject").c_str(),
                        session.headers(), R"({"reason":"重复"})", "application/json");
  EXPECT_EQ(again->status, 409);
}

TEST(VerificationEndToEnd, EveryPendingReasonIsRecorded) {
  VerificationWorld w;
  struct Case {
    const char* openid;
    Resident resident;
    const char* reason;
  } cases[] = {
      {"oP1", {"张三", "13900000009", "owner", "", {"A", "1", "101"}}, "phone_differs"},
      {"oP2", {"张叁", "13800000001", "owner", "", {"A", "1", "101"}}, "name_differs"},
      {"oP3", {"李四", "13800000002", "owner", "", {"A", "1", "101"}}, "identity_differs"},
      {"oP4", {"刘六", "13800000004", "fixed_term_tenant", "2030-12-31", {"B", "1", "101"}}, "lease_ended"},
      {"oP5", {"赵七", "13700000007", "owner", "", {"B", "1", "102"}}, "no_record"},
  };
  for (const auto& c : cases) {
    auto browser = w.open_form(c.openid);
    auto r = w.submit(browser, c.resident);
    ASSERT_EQ(r->status, 200) << r->body;
    EXPECT_EQ(nlohmann::json::parse(r->body)["reason"], c.reason) << c.openid;
  }
  // Bound elsewhere: 王五 verified by one user, then claimed by another.
  auto first = w.open_form("oWangWu");
  ASSERT_TRUE(nlohmann::json::parse(w.submit(first, {"王五", "13800000003", "tenant", "", {"A", "1", "102"}})->body)["approved"]);
  auto second = w.open_form("oImpostor");
  EXPECT_EQ(nlohmann::json::parse(w.submit(second, {"王五", "13800000003", "tenant", "", {"A", "1", "102"}})->body)["reason"],
            "bound_elsewhere");
  // 刘六's lease ended in 2018: the lease job (run at start-up and hourly) marks the record.
  int ended = 0;
  w.write([&](store::Connection& c) { ended = community::expire_leases(c, "2024-06-01", std::time(nullptr)); });
  EXPECT_EQ(ended, 1);
  EXPECT_EQ(w.query("SELECT status FROM residents WHERE name = '刘六' AND source = 'import'"), "lease_ended");
}

TEST(VerificationEndToEnd, SecondSubmissionReplacesTheFirstPendingOne) {
  VerificationWorld w;
  auto browser = w.open_form("oTwice");
  ASSERT_EQ(w.submit(browser, {"赵七", "13700000007", "owner", "", {"B", "1", "102"}})->status, 200);
  ASSERT_EQ(w.submit(browser, {"赵七", "13700000008", "owner", "", {"B", "1", "102"}})->status, 200);
  EXPECT_EQ(w.query("SELECT COUNT(*) FROM verification_requests WHERE openid = 'oTwice' AND status = 'pending'"), "1");
  EXPECT_EQ(w.query("SELECT COUNT(*) FROM verification_requests WHERE openid = 'oTwice' AND status = 'superseded'"), "1");
  EXPECT_EQ(w.query("SELECT COUNT(*) FROM residents WHERE openid = 'oTwice'"), "1") << "one pending resident row, updated";
  EXPECT_EQ(w.query("SELECT phone FROM residents WHERE openid = 'oTwice'"), "13700000008");
}

TEST(VerificationEndToEnd, OwnerReviewsFamilyRequestsOnlyWhenTheSwitchIsOn) {
  VerificationWorld w;
  auto owner = w.open_form("oOwner");
  ASSERT_TRUE(nlohmann::json::parse(w.submit(owner, {"张三", "13800000001", "owner", "", {"A", "1", "101"}})->body)["approved"]);
  auto family = w.open_form("oNewFamily");
  ASSERT_EQ(w.submit(family, {"张小三", "13600000006", "family", "", {"A", "1", "101"}})->status, 200);
  std::string request = w.query("SELECT id FROM verification_requests WHERE openid = 'oNewFamily'");
  httplib::Client c(w.gw->url());
  std::string reviews = "/r/api/" + std::to_string(w.community) + "/reviews";

  // Switch off: the owner sees nothing and may not decide.
  auto none = c.Get(reviews.c_str(), owner.headers());
  ASSERT_EQ(none->status, 200);
  EXPECT_TRUE(nlohmann::json::parse(none->body)["requests"].empty());
  auto refused = c.Post((reviews + "/" + request).c_str(), owner.headers(), R"({"decision":"approve"})", "application/json");
  EXPECT_EQ(refused->status, 403) << refused->body;

  w.write([&](store::Connection& cn) {
    store::Statement(cn, "UPDATE communities SET owner_review = 1 WHERE id = ?1").bind(1, w.community).run();
  });
  // Switch on: a new request reminds the owner too (template: they follow through their scan? no —
  // they came by link only, so not following: no template, and the owner has a phone: SMS).
  auto listed = c.Get(reviews.c_str(), owner.headers());
  ASSERT_EQ(listed->status, 200);
  auto requests = nlohmann::json::parse(listed->body)["requests"];
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0]["phone"], "136****06");
  // Somebody else (the family member themself) may not approve.
  auto self = c.Post((reviews + "/" + request).c_str(), family.headers(), R"({"decision":"approve"})", "application/json");
  EXPECT_EQ(self->status, 403);
  // Without the CSRF token nothing happens.
  auto no_csrf = c.Post((reviews + "/" + request).c_str(), httplib::Headers{{"Cookie", "xiaoqu_resident=" + owner.cookie}},
                        R"({"decision":"approve"})", "application/json");
  EXPECT_EQ(no_csrf->status, 403);
  auto approved = c.Post((reviews + "/" + request).c_str(), owner.headers(), R"({"decision":"approve"})", "application/json");
  ASSERT_EQ(approved->status, 200) << approved->body;
  EXPECT_EQ(w.query("SELECT decided_by FROM verification_requests WHERE id = " + request), "owner:oOwner");
  EXPECT_EQ(w.query("SELECT status FROM residents WHERE openid = 'oNewFamily'"), "verified");
}

TEST(VerificationEndToEnd, AdminBindingCanBeRedoneWithTheRightAccountAndUndone) {
  VerificationWorld w;
  auto admin = add_admin(*w.gw, "binder", "property_admin", {w.community});
  auto session = open_session(*w.gw, admin);
  bind_by_qr(w, session, admin, "oWrongPhone");
  EXPECT_EQ(admin_openid(w, admin), "oWrongPhone");
  bind_by_qr(w, session, admin, "oRightPhone");
  EXPECT_EQ(admin_openid(w, admin), "oRightPhone");
  // A used code binds nobody else.
  EXPECT_EQ(w.query("SELECT COUNT(*) FROM admin_binding_tokens WHERE used_at IS NOT NULL"), "2");
  httplib::Client c(w.gw->url());
  auto unbind = c.Post(("/api/v1/communities/" + std::to_string(w.community) + "/reviewers/" + std::to_string(admin) + "/unbind").c_str(),
                       session.headers(), "", "application/json");
  ASSERT_EQ(unbind->status, 204) << unbind->body;
  EXPECT_EQ(admin_openid(w, admin), "");
  auto off = c.Patch(("/api/v1/communities/" + std::to_string(w.community) + "/reviewers/" + std::to_string(admin)).c_str(),
                     session.headers(), R"({"reminders_enabled":false})", "application/json");
  ASSERT_EQ(off->status, 200) << off->body;
  EXPECT_EQ(w.query("SELECT reminders_enabled FROM admin_accounts WHERE id = " + std::to_string(admin)), "0");
}

TEST(VerificationEndToEnd, ForgedStateAndReusedCodeAreRefused) {
  VerificationWorld w;
  httplib::Client c(w.gw->url());
  auto forged = c.Get("/r/oauth?code=abc&state=ForgedState123");
  ASSERT_TRUE(forged);
  EXPECT_EQ(forged->status, 400);
  EXPECT_NE(forged->body.find("链接无效"), std::string::npos);
  std::string oauth_return;
  auto browser = w.open_form("oReuse", &oauth_return);
  ASSERT_FALSE(browser.cookie.empty());
  // The same redirect again from another browser: the state is spent.
  auto reused = c.Get(oauth_return.c_str());
  EXPECT_EQ(reused->status, 400);
  EXPECT_NE(reused->body.find("已使用"), std::string::npos);
  // ... but a reload in the browser that used it continues to the form.
  auto reload = c.Get(oauth_return.c_str(), httplib::Headers{{"Cookie", "xiaoqu_resident=" + browser.cookie}});
  EXPECT_EQ(reload->status, 302);
  // Without a session the API refuses.
  auto anonymous = c.Post(("/r/api/" + std::to_string(w.community) + "/submissions").c_str(), "{}", "application/json");
  EXPECT_EQ(anonymous->status, 401);
}

TEST(VerificationEndToEnd, SmsCodeProvesThePhoneWhenTheCommunityAsksForIt) {
  VerificationWorld w;
  w.write([&](store::Connection& c) {
    store::Statement(c, "UPDATE communities SET sms_otp = 1 WHERE id = ?1").bind(1, w.community).run();
  });
  auto browser = w.open_form("oWithCode");
  Resident zhang{"张三", "13800000001", "owner", "", {"A", "1", "101"}};
  // No code: the request waits, the phone unproven.
  auto unproven = w.submit(browser, zhang);
  ASSERT_EQ(unproven->status, 200) << unproven->body;
  EXPECT_EQ(nlohmann::json::parse(unproven->body)["reason"], "phone_not_proven");

  httplib::Client c(w.gw->url());
  std::string otp_path = "/r/api/" + std::to_string(w.community) + "/otp";
  auto sent = c.Post(otp_path.c_str(), browser.headers(), R"({"phone":"13800000001"})", "application/json");
  ASSERT_EQ(sent->status, 200) << sent->body;
  auto again = c.Post(otp_path.c_str(), browser.headers(), R"({"phone":"13800000001"})", "application/json");
  EXPECT_EQ(again->status, 429) << "one code a minute per phone";
  EXPECT_FALSE(again->get_header_value("Retry-After").empty());
  nlohmann::json sms;
  for (int i = 0; i < 500 && sms.empty(); ++i) {
    auto list = w.sms_to("13800000001");
    if (!list.empty()) sms = list[0];
    else std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_FALSE(sms.empty()) << "the code travels by SMS through the outbox";
  std::string code = sms["params"][0];
  EXPECT_EQ(code.size(), 6u);
  EXPECT_EQ(w.query("SELECT COUNT(*) FROM sms_codes WHERE code_hash = '" + code + "'"), "0") << "only a hash is kept";

  std::string submissions = "/r/api/" + std::to_string(w.community) + "/submissions";
  nlohmann::json body = {{"room_id", w.rooms.at("A/1/101")}, {"name", "张三"}, {"phone", "13800000001"}, {"identity", "owner"}};
  body["otp"] = code == "000000" ? "111111" : "000000";
  auto wrong = c.Post(submissions.c_str(), browser.headers(), body.dump(), "application/json");
  EXPECT_EQ(wrong->status, 400);
  body["otp"] = code;
  auto proven = c.Post(submissions.c_str(), browser.headers(), body.dump(), "application/json");
  ASSERT_EQ(proven->status, 200) << proven->body;
  EXPECT_TRUE(nlohmann::json::parse(proven->body)["approved"]);
  // A code is good once.
  auto reused = c.Post(submissions.c_str(), browser.headers(), body.dump(), "application/json");
  EXPECT_EQ(reused->status, 400);
}
