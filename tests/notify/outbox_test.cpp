// The outbox's rows on a real SQLite file: enqueue and its idempotency key, claims under a
// lease, the per-account rate at claim time, outcomes, delivery reports in either order,
// the admin's list and retry, and what of a recipient may be shown.
#include <gtest/gtest.h>

#include <set>

#include "notify/outbox.hpp"
#include "notify/outbox_rate.hpp"
#include "notify/outbox_store.hpp"
#include "store/database.hpp"
#include "tests/support/test_server.hpp"

using namespace xiaoqu;
using xiaoqu::testing::temp_dir;

namespace {
constexpr std::int64_t kNow = 1'800'000'000;

notify::OutboxItem template_item(const std::string& key, const std::string& appid = "wxaaaa000000000001", std::int64_t community = 7) {
  notify::OutboxItem item;
  item.idempotency_key = key;
  item.purpose = "review_reminder";
  item.community_id = community;
  item.template_message = notify::TemplateMessage{appid, "oUser0000000000000000000001", "TPLreview", "https://example.com/r",
                                                  {{"thing1", {{"value", "阳光花园 1栋101"}}}}};
  return item;
}

notify::OutboxItem sms_item(const std::string& key, const std::string& phone = "18913101221") {
  notify::OutboxItem item;
  item.idempotency_key = key;
  item.purpose = "otp";
  item.community_id = 7;
  item.sms = notify::SmsMessage{phone, "1110", {"123456", "5"}};
  return item;
}

struct Store {
  std::filesystem::path dir = temp_dir();
  store::Database db{(dir / "outbox.db").string()};

  std::optional<std::int64_t> enqueue(const notify::OutboxItem& item, std::int64_t now = kNow) {
    std::optional<std::int64_t> id;
    db.write([&](store::Connection& c) { id = notify::enqueue(c, item, now); });
    return id;
  }
  std::vector<notify::ClaimedRow> claim(std::int64_t now, int limit, int lease = 60,
                                        std::function<bool(const std::string&)> take = [](const std::string&) { return true; }) {
    std::vector<notify::ClaimedRow> rows;
    db.write([&](store::Connection& c) { rows = notify::claim_due(c, now, limit, lease, take); });
    return rows;
  }
  std::string field(std::int64_t id, const std::string& column) {
    store::Statement s(db.reader(), "SELECT " + column + " FROM outbox WHERE id = ?1");
    s.bind(1, id);
    return s.step() ? s.text(0) : "(none)";
  }
  long long count(const std::string& sql) {
    store::Statement s(db.reader(), sql);
    s.step();
    return s.integer(0);
  }
};
}  // namespace

TEST(Outbox, SecondEnqueueWithTheSameKeyIsANoOp) {
  Store s;
  auto first = s.enqueue(template_item("review:42:admin:3"));
  ASSERT_TRUE(first);
  EXPECT_FALSE(s.enqueue(template_item("review:42:admin:3"), kNow + 5));
  EXPECT_EQ(s.count("SELECT count(*) FROM outbox"), 1);
  EXPECT_EQ(s.field(*first, "status"), "pending");
  EXPECT_EQ(s.field(*first, "channel"), "template");
  EXPECT_EQ(s.field(*first, "account"), "wxaaaa000000000001");
  auto sms = s.enqueue(sms_item("otp:1"));
  ASSERT_TRUE(sms);
  EXPECT_EQ(s.field(*sms, "account"), "sms");
  // The phone is kept normalized for SendSms.
  EXPECT_NE(s.field(*sms, "payload").find("+8618913101221"), std::string::npos);
}

TEST(Outbox, IncompleteItemsAreRefusedNamingTheFieldAndWriteNothing) {
  Store s;
  auto both = template_item("k1");
  both.sms = notify::SmsMessage{"18913101221", "1110", {}};
  EXPECT_THROW(s.enqueue(both), std::invalid_argument);
  auto none = template_item("k2");
  none.template_message.reset();
  EXPECT_THROW(s.enqueue(none), std::invalid_argument);
  try {
    s.enqueue(sms_item("k3", "1234"));
    FAIL() << "a bad phone was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("sms.phone"), std::string::npos) << e.what();
  }
  auto no_openid = template_item("k4");
  no_openid.template_message->openid.clear();
  EXPECT_THROW(s.enqueue(no_openid), std::invalid_argument);
  auto bad_data = template_item("k5");
  bad_data.template_message->data = {{"thing1", "not an object"}};
  EXPECT_THROW(s.enqueue(bad_data), std::invalid_argument);
  EXPECT_THROW(s.enqueue(template_item("")), std::invalid_argument);
  EXPECT_EQ(s.count("SELECT count(*) FROM outbox"), 0);
}

TEST(Outbox, ClaimTakesDueRowsUnderALeaseThatExpires) {
  Store s;
  auto a = *s.enqueue(template_item("a"));
  auto b = *s.enqueue(template_item("b"), kNow + 100);  // not due yet
  auto rows = s.claim(kNow, 10, 60);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].id, a);
  EXPECT_EQ(rows[0].attempts, 1);
  EXPECT_EQ(rows[0].idempotency_key, "a");
  EXPECT_EQ(s.field(a, "status"), "sending");
  EXPECT_EQ(s.field(a, "claimed_until"), std::to_string(kNow + 60));
  // Claimed rows are not offered again while the lease holds...
  EXPECT_TRUE(s.claim(kNow + 59, 10).empty());
  // ...and are once it expired: their sender died.
  auto again = s.claim(kNow + 60, 10);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].id, a);
  EXPECT_EQ(again[0].attempts, 2);
  EXPECT_EQ(s.claim(kNow + 100, 10).at(0).id, b);
}

TEST(Outbox, AnAccountOutOfRateDoesNotHideAnotherAccountsRows) {
  Store s;
  for (int i = 0; i < 10; ++i) s.enqueue(template_item("busy" + std::to_string(i), "wxbusy00000000001"));
  s.enqueue(template_item("quiet", "wxquiet0000000001"));
  std::map<std::string, int> budget = {{"wxbusy00000000001", 2}, {"wxquiet0000000001", 5}};
  auto rows = s.claim(kNow, 5, 60, [&](const std::string& account) { return budget[account]-- > 0; });
  std::map<std::string, int> claimed;
  for (const auto& r : rows) ++claimed[r.account];
  EXPECT_EQ(claimed["wxbusy00000000001"], 2);
  EXPECT_EQ(claimed["wxquiet0000000001"], 1);
  EXPECT_EQ(s.count("SELECT count(*) FROM outbox WHERE status = 'pending'"), 8);
}

TEST(Outbox, OutcomesSentRetryAndFailed) {
  Store s;
  auto sent = *s.enqueue(template_item("sent"));
  auto retry = *s.enqueue(template_item("retry"));
  auto gone = *s.enqueue(template_item("gone"));
  auto last = *s.enqueue(template_item("last"));
  ASSERT_EQ(s.claim(kNow, 10).size(), 4u);
  s.db.write([&](store::Connection& c) {
    notify::record_sent(c, sent, "2000000001", kNow + 1);
    notify::record_retry(c, retry, "-1 system error", kNow + 6, false, kNow + 1);
    notify::record_failed(c, gone, "40003 invalid openid", kNow + 1);
    notify::record_retry(c, last, "HTTP 503", kNow + 6, true, kNow + 1);
  });
  EXPECT_EQ(s.field(sent, "status"), "sent");
  EXPECT_EQ(s.field(sent, "platform_msg_id"), "2000000001");
  EXPECT_EQ(s.field(sent, "sent_at"), std::to_string(kNow + 1));
  EXPECT_EQ(s.field(retry, "status"), "pending");
  EXPECT_EQ(s.field(retry, "next_attempt_at"), std::to_string(kNow + 6));
  EXPECT_EQ(s.field(retry, "last_error"), "-1 system error");
  EXPECT_EQ(s.field(gone, "status"), "failed");
  EXPECT_EQ(s.field(gone, "last_error"), "40003 invalid openid");
  EXPECT_EQ(s.field(last, "status"), "failed");
  // Failed rows are never claimed again; the retried one is, when due.
  EXPECT_TRUE(s.claim(kNow + 5, 10).empty());
  auto due = s.claim(kNow + 6, 10);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].id, retry);
  EXPECT_EQ(due[0].attempts, 2);
}

TEST(Outbox, DeliveryReportsInEitherOrderAndOnlyOnce) {
  Store s;
  auto ok = *s.enqueue(template_item("ok"));
  auto blocked = *s.enqueue(template_item("blocked"));
  auto early = *s.enqueue(template_item("early"));
  s.claim(kNow, 10);
  bool applied = false;
  s.db.write([&](store::Connection& c) {
    notify::record_sent(c, ok, "101", kNow);
    notify::record_sent(c, blocked, "102", kNow);
    applied = notify::record_delivery(c, "wxaaaa000000000001", 101, "success", kNow + 1);
    notify::record_delivery(c, "wxaaaa000000000001", 102, "failed:user block", kNow + 1);
  });
  EXPECT_TRUE(applied);
  EXPECT_EQ(s.field(ok, "status"), "delivered");
  EXPECT_EQ(s.field(ok, "delivery_status"), "success");
  EXPECT_EQ(s.field(blocked, "status"), "failed");
  EXPECT_EQ(s.field(blocked, "delivery_status"), "failed:user block");
  EXPECT_NE(s.field(blocked, "last_error").find("failed:user block"), std::string::npos);

  // The platform was faster than our commit: the report waits for the msgid.
  s.db.write([&](store::Connection& c) { applied = notify::record_delivery(c, "wxaaaa000000000001", 103, "failed:system failed", kNow + 1); });
  EXPECT_FALSE(applied);
  EXPECT_EQ(s.field(early, "status"), "sending");
  s.db.write([&](store::Connection& c) { notify::record_sent(c, early, "103", kNow + 2); });
  EXPECT_EQ(s.field(early, "status"), "failed");
  EXPECT_EQ(s.field(early, "delivery_status"), "failed:system failed");
  EXPECT_EQ(s.count("SELECT count(*) FROM outbox_early_reports"), 0);

  // A repeated report changes nothing; a report for another account's msgid touches nothing.
  s.db.write([&](store::Connection& c) {
    EXPECT_TRUE(notify::record_delivery(c, "wxaaaa000000000001", 101, "failed:system failed", kNow + 9));
    notify::record_delivery(c, "wxother0000000001", 102, "success", kNow + 9);
  });
  EXPECT_EQ(s.field(ok, "status"), "delivered");
  EXPECT_EQ(s.field(blocked, "status"), "failed");
}

TEST(Outbox, AdminListMasksRecipientsAndRetryRequeuesOnlyFailedRowsOfTheCommunity) {
  Store s;
  auto t = *s.enqueue(template_item("t"));
  auto m = *s.enqueue(sms_item("m"));
  auto other = *s.enqueue(template_item("other", "wxaaaa000000000001", 8));
  s.claim(kNow, 10);
  s.db.write([&](store::Connection& c) {
    notify::record_failed(c, m, "InvalidParameterValue.IncorrectPhoneNumber 18913101221 is wrong", kNow);
    notify::record_sent(c, t, "555", kNow);
    notify::record_failed(c, other, "40037 invalid template_id", kNow);
  });
  auto failed = notify::list_outbox(s.db.reader(), 7, "failed", 50, 0);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].id, m);
  EXPECT_EQ(failed[0].recipient_masked, "189****21");
  EXPECT_EQ(failed[0].purpose, "otp");
  EXPECT_EQ(failed[0].attempts, 1);
  // No phone number survives in the error either.
  EXPECT_EQ(failed[0].last_error.find("18913101221"), std::string::npos) << failed[0].last_error;
  auto all = notify::list_outbox(s.db.reader(), 7, "", 50, 0);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, m);  // newest first
  EXPECT_EQ(all[1].recipient_masked, "oUse****0001");
  EXPECT_EQ(notify::list_outbox(s.db.reader(), 7, "", 1, m).at(0).id, t);  // the next page

  std::optional<std::string> before;
  s.db.write([&](store::Connection& c) { before = notify::retry_failed(c, 7, other, kNow + 10); });
  EXPECT_FALSE(before) << "a row of another community";
  s.db.write([&](store::Connection& c) { before = notify::retry_failed(c, 7, t, kNow + 10); });
  EXPECT_EQ(before, "sent");
  EXPECT_EQ(s.field(t, "status"), "sent");
  s.db.write([&](store::Connection& c) { before = notify::retry_failed(c, 7, m, kNow + 10); });
  EXPECT_EQ(before, "failed");
  EXPECT_EQ(s.field(m, "status"), "pending");
  EXPECT_EQ(s.field(m, "attempts"), "0");
  EXPECT_EQ(s.claim(kNow + 10, 10).at(0).id, m);
}

TEST(Outbox, SendRateRefillsPerAccountUpToTheBurst) {
  notify::SendRate rate(10, 2);  // 10/s, bursts of 2
  auto t0 = notify::SendRate::Clock::now();
  EXPECT_TRUE(rate.take("a", t0));
  EXPECT_TRUE(rate.take("a", t0));
  EXPECT_FALSE(rate.take("a", t0));
  EXPECT_TRUE(rate.take("b", t0)) << "each account has its own bucket";
  EXPECT_FALSE(rate.take("a", t0 + std::chrono::milliseconds(50)));
  EXPECT_TRUE(rate.take("a", t0 + std::chrono::milliseconds(100)));
  // A long quiet spell refills only up to the burst.
  auto later = t0 + std::chrono::seconds(10);
  EXPECT_TRUE(rate.take("a", later));
  EXPECT_TRUE(rate.take("a", later));
  EXPECT_FALSE(rate.take("a", later));
}

TEST(Outbox, ScrubKeepsNoLongDigitRuns) {
  EXPECT_EQ(notify::scrub_digits("phone 18913101221 refused, code 40003"), "phone 189****21 refused, code 40003");
  EXPECT_EQ(notify::scrub_digits("+8618913101221"), "+861****21");
  EXPECT_EQ(notify::mask_recipient("sms", R"({"phone": "+8618913101221"})"), "189****21");
}
