// The linking rules and the applying of WeCom contacts, as plain functions over a real
// SQLite file with the full schema: one corp ↔ one account, refusals that write nothing,
// unlink and cancel keep staff as unsynced, snapshot mirroring and the staff merge rule.
#include <gtest/gtest.h>

#include <filesystem>

#include "community/staff/wecom_link.hpp"
#include "community/staff/wecom_link_sync.hpp"
#include "store/migrations.hpp"
#include "store/sqlite.hpp"
#include "tests/support/test_server.hpp"

using namespace xiaoqu;
using namespace xiaoqu::community;

namespace {
constexpr std::int64_t kNow = 1'764'000'000;

class WecomLinkRules : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = xiaoqu::testing::temp_dir() / "link.db";
    db_ = std::make_unique<store::Connection>(path_.string());
    store::migrate(*db_);
    admin_a_ = add_admin("wuye_a");
    admin_b_ = add_admin("wuye_b");
  }

  std::int64_t add_admin(const std::string& username) {
    store::Statement s(*db_,
                       "INSERT INTO admin_accounts (username, role, password_hash, created_at, updated_at) "
                       "VALUES (?1, 'property_admin', 'x', 0, 0)");
    s.bind(1, username).run();
    return db_->last_insert_id();
  }

  std::int64_t add_staff(const std::string& name, const std::string& phone, const std::string& userid = {}) {
    store::Statement s(*db_,
                       "INSERT INTO staff (name, phone, phone_last4, wecom_userid, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, 0, 0)");
    s.bind(1, name).bind(2, phone).bind(3, phone.size() >= 4 ? phone.substr(phone.size() - 4) : "").bind(4, userid).run();
    return db_->last_insert_id();
  }

  long long count(const std::string& sql) {
    store::Statement s(*db_, sql);
    s.step();
    return s.integer(0);
  }

  std::string text(const std::string& sql) {
    store::Statement s(*db_, sql);
    return s.step() ? s.text(0) : std::string("<none>");
  }

  // Runs `f` in a transaction as a Database::write job would; a throw rolls everything back.
  template <class F>
  void in_tx(F&& f) {
    store::Transaction tx(*db_);
    f(*db_);
    tx.commit();
  }

  NewCorpLink suite_link(std::int64_t admin, const std::string& corp) {
    NewCorpLink l;
    l.admin_id = admin;
    l.corp_id = corp;
    l.corp_name = "阳光花园物业";
    l.suite_id = "wwsuite";
    l.agent_id = "1000100";
    l.visible_range = {{"party", {1}}};
    return l;
  }

  static ContactSnapshot tree() {
    ContactSnapshot s;
    s.departments = {{1, 0, 100, std::string("阳光花园物业")}, {2, 1, 90, std::string("工程部")}, {3, 2, 80, std::string("维修组")},
                     {4, 1, 70, std::string("客服部")}};
    s.members = {
        {"ZhangWei", std::string("张伟"), std::string("总经理"), std::string("13800130000"), 1, {1}},
        {"LiNa", std::string("李娜"), std::string("工程师"), std::string("13800130001"), 2, {2, 4}},
        {"WangLei", std::string("王磊"), std::string("维修工"), std::string("13800130002"), 1, {3}},
    };
    return s;
  }

  std::filesystem::path path_;
  std::unique_ptr<store::Connection> db_;
  std::int64_t admin_a_ = 0, admin_b_ = 0;
};
}  // namespace

TEST_F(WecomLinkRules, OneCorpOneAccountAndASecondAccountIsRefusedWithoutWriting) {
  in_tx([&](store::Connection& c) { link_corp(c, suite_link(admin_a_, "wwcorp1"), kNow); });
  EXPECT_EQ(link_of_admin(*db_, admin_a_)->corp_id, "wwcorp1");

  try {
    in_tx([&](store::Connection& c) { link_corp(c, suite_link(admin_b_, "wwcorp1"), kNow + 1); });
    FAIL() << "a second account linked the same corp";
  } catch (const WecomLinkError& e) {
    EXPECT_EQ(e.kind(), WecomLinkError::Kind::refused);
    EXPECT_EQ(e.code(), "corp_linked_elsewhere");
    EXPECT_STREQ(e.what(), kCorpLinkedElsewhere);
  }
  EXPECT_EQ(count("SELECT count(*) FROM wecom_corp_links"), 1);
  EXPECT_FALSE(link_of_admin(*db_, admin_b_));

  // The linked account may not hold a second corp either: it unlinks first.
  auto refusal = link_refusal(*db_, admin_a_, "wwcorp2");
  ASSERT_TRUE(refusal);
  EXPECT_EQ(refusal->code(), "account_already_linked");
  EXPECT_NE(std::string(refusal->what()).find("阳光花园物业"), std::string::npos);

  // Reinstalling the same corp for the same account refreshes it.
  auto again = suite_link(admin_a_, "wwcorp1");
  again.corp_name = "阳光花园物业服务有限公司";
  in_tx([&](store::Connection& c) { link_corp(c, again, kNow + 2); });
  EXPECT_EQ(link_of_corp(*db_, "wwcorp1")->corp_name, "阳光花园物业服务有限公司");
  EXPECT_EQ(link_of_corp(*db_, "wwcorp1")->linked_at, kNow);
}

TEST_F(WecomLinkRules, UnlinkKeepsStaffAsUnsyncedAndFreesTheCorpForAnotherAccount) {
  in_tx([&](store::Connection& c) {
    link_corp(c, suite_link(admin_a_, "wwcorp1"), kNow);
    apply_contact_snapshot(c, "wwcorp1", tree(), kNow);
  });
  EXPECT_EQ(count("SELECT count(*) FROM staff WHERE wecom_state = 'synced'"), 3);

  in_tx([&](store::Connection& c) { unlink_corp(c, admin_a_, kNow + 10); });
  EXPECT_EQ(link_of_admin(*db_, admin_a_)->state, WecomLinkState::unlinked);
  EXPECT_EQ(count("SELECT count(*) FROM staff"), 3);
  EXPECT_EQ(count("SELECT count(*) FROM staff WHERE wecom_state = 'unsynced'"), 3);
  EXPECT_THROW(in_tx([&](store::Connection& c) { unlink_corp(c, admin_a_, kNow + 11); }), WecomLinkError);

  in_tx([&](store::Connection& c) { link_corp(c, suite_link(admin_b_, "wwcorp1"), kNow + 20); });
  EXPECT_EQ(link_of_corp(*db_, "wwcorp1")->admin_id, admin_b_);
  EXPECT_FALSE(link_of_admin(*db_, admin_a_));  // the finished row gave way (corp ids are unique)
}

TEST_F(WecomLinkRules, CancelAuthOnlyCancelsTheSuitesLink) {
  in_tx([&](store::Connection& c) {
    link_corp(c, suite_link(admin_a_, "wwcorp1"), kNow);
    apply_contact_snapshot(c, "wwcorp1", tree(), kNow);
  });
  bool other_suite = true;
  in_tx([&](store::Connection& c) { other_suite = cancel_corp(c, "wwother", "wwcorp1", kNow + 1); });
  EXPECT_FALSE(other_suite);
  EXPECT_EQ(link_of_corp(*db_, "wwcorp1")->state, WecomLinkState::linked);
  bool cancelled = false;
  in_tx([&](store::Connection& c) { cancelled = cancel_corp(c, "wwsuite", "wwcorp1", kNow + 2); });
  EXPECT_TRUE(cancelled);
  EXPECT_EQ(link_of_corp(*db_, "wwcorp1")->state, WecomLinkState::cancelled);
  EXPECT_EQ(count("SELECT count(*) FROM staff WHERE wecom_state = 'unsynced'"), 3);
}

TEST_F(WecomLinkRules, SnapshotMirrorsTheTreeAndMergesManualStaffByPhoneOrUserid) {
  auto by_phone = add_staff("张伟（手工）", "13800130000");
  auto by_userid = add_staff("王师傅", "", "wanglei");  // typed in by the admin, different case
  auto unrelated = add_staff("赵敏", "13900000000");
  // A manual department already holds the root's name at the top level.
  db_->exec("INSERT INTO departments (parent_id, name) VALUES (NULL, '阳光花园物业')");

  SyncCounts counts;
  in_tx([&](store::Connection& c) { counts = apply_contact_snapshot(c, "wwcorp1", tree(), kNow); });
  EXPECT_EQ(counts.departments, 4);
  EXPECT_EQ(counts.members, 3);
  EXPECT_EQ(counts.staff_added, 1);
  EXPECT_EQ(counts.staff_merged, 2);
  EXPECT_EQ(count("SELECT count(*) FROM staff"), 4);
  EXPECT_EQ(text("SELECT wecom_userid FROM staff WHERE id = " + std::to_string(by_phone)), "ZhangWei");
  EXPECT_EQ(text("SELECT name FROM staff WHERE id = " + std::to_string(by_phone)), "张伟");
  EXPECT_EQ(text("SELECT wecom_userid FROM staff WHERE id = " + std::to_string(by_userid)), "WangLei");
  EXPECT_EQ(text("SELECT phone FROM staff WHERE id = " + std::to_string(by_userid)), "13800130002");
  EXPECT_EQ(text("SELECT wecom_state FROM staff WHERE id = " + std::to_string(unrelated)), "");
  // The tree: 维修组 under 工程部 under the root, whose name was taken by the manual one.
  EXPECT_EQ(text("SELECT p.name FROM departments d JOIN departments p ON p.id = d.parent_id WHERE d.name = '维修组'"), "工程部");
  EXPECT_EQ(text("SELECT name FROM departments WHERE wecom_department_id = 1"), "阳光花园物业（1）");
  EXPECT_EQ(count("SELECT count(*) FROM staff_departments sd JOIN staff s ON s.id = sd.staff_id WHERE s.wecom_userid = 'LiNa'"), 2);

  // Next sync: LiNa left, 维修组 is gone, 客服部 moved under 工程部 and swapped names with it.
  auto next = tree();
  next.members.erase(next.members.begin() + 1);
  next.departments = {{1, 0, 100, std::string("阳光花园物业")}, {2, 1, 90, std::string("客服部")}, {4, 2, 70, std::string("工程部")}};
  next.members[1].departments = {4};
  in_tx([&](store::Connection& c) { counts = apply_contact_snapshot(c, "wwcorp1", next, kNow + 5); });
  EXPECT_EQ(counts.departments_removed, 1);
  EXPECT_EQ(counts.staff_unsynced, 1);
  EXPECT_EQ(text("SELECT wecom_state FROM staff WHERE wecom_userid = 'LiNa'"), "unsynced");
  EXPECT_EQ(text("SELECT p.name FROM departments d JOIN departments p ON p.id = d.parent_id WHERE d.wecom_department_id = 4"), "客服部");
  EXPECT_EQ(count("SELECT count(*) FROM departments WHERE wecom_corp_id = 'wwcorp1'"), 3);
  EXPECT_EQ(count("SELECT count(*) FROM staff_departments sd JOIN departments d ON d.id = sd.department_id "
                  "JOIN staff s ON s.id = sd.staff_id WHERE s.wecom_userid = 'WangLei' AND d.wecom_department_id = 4"),
            1);
}

TEST_F(WecomLinkRules, SuiteMembersWithoutNamesOrPhonesKeepWhatTheAdminEntered) {
  auto manual = add_staff("李娜", "13800130001", "LiNa");
  WecomMemberRecord m;
  m.userid = "LiNa";  // a suite: no name, no position, no mobile
  m.departments = {2};
  in_tx([&](store::Connection& c) {
    upsert_wecom_department(c, "wwcorp1", {1, 0, 0, std::nullopt});
    upsert_wecom_department(c, "wwcorp1", {2, 1, 0, std::nullopt});
    EXPECT_EQ(upsert_wecom_member(c, "wwcorp1", m, kNow), MemberUpsert::merged);
  });
  EXPECT_EQ(text("SELECT name || '|' || phone || '|' || wecom_state FROM staff WHERE id = " + std::to_string(manual)),
            "李娜|13800130001|synced");
  EXPECT_EQ(text("SELECT name FROM departments WHERE wecom_department_id = 2"), "部门2");

  in_tx([&](store::Connection& c) {
    rename_wecom_member(c, "wwcorp1", "LiNa", "LiNa2", kNow + 1);
    EXPECT_TRUE(mark_member_unsynced(c, "wwcorp1", "lina2", kNow + 2));
    EXPECT_TRUE(remove_wecom_department(c, "wwcorp1", 2));
  });
  EXPECT_EQ(text("SELECT wecom_userid || '|' || wecom_state FROM staff WHERE id = " + std::to_string(manual)), "LiNa2|unsynced");
  EXPECT_EQ(count("SELECT count(*) FROM staff_departments"), 0);
}

TEST_F(WecomLinkRules, InstallStatesAreSingleUseAndExpire) {
  std::string state;
  in_tx([&](store::Connection& c) { state = create_install_state(c, admin_a_, kNow, 600); });
  EXPECT_EQ(state.size(), 32u);
  EXPECT_EQ(install_state_admin(*db_, state, kNow + 599), admin_a_);
  EXPECT_FALSE(install_state_admin(*db_, state, kNow + 601));
  EXPECT_FALSE(install_state_admin(*db_, "0123456789abcdef0123456789abcdef", kNow));
  in_tx([&](store::Connection& c) { finish_install_state(c, state, "wwcorp1", kCorpLinkedElsewhere, kNow + 5); });
  EXPECT_FALSE(install_state_admin(*db_, state, kNow + 6));
  auto attempt = latest_install_attempt(*db_, admin_a_);
  ASSERT_TRUE(attempt);
  EXPECT_EQ(attempt->outcome, kCorpLinkedElsewhere);
  EXPECT_EQ(attempt->corp_id, "wwcorp1");
}
