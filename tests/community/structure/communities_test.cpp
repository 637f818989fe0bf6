// Communities on a real SQLite file: create, search, settings, and the delete refusal.
#include <gtest/gtest.h>

#include "community/structure/communities.hpp"
#include "tests/community/structure/structure_seed.hpp"
#include "store/database.hpp"
#include "tests/support/test_server.hpp"

using namespace xiaoqu;
namespace xt = xiaoqu::testing;
using community::CommunityFields;
using community::RecordError;

namespace {

class CommunitiesTest : public ::testing::Test {
 protected:
  void SetUp() override { db_ = std::make_unique<store::Database>((xt::temp_dir() / "c.db").string()); }
  std::int64_t create(const std::string& name, const std::string& phone = "") {
    CommunityFields f;
    f.name = name;
    f.office_phone = phone;
    std::int64_t id = 0;
    db_->write([&](store::Connection& c) { id = community::create_community(c, f, "admin:1", 100); });
    return id;
  }
  RecordError::Kind failure(const std::function<void(store::Connection&)>& job) {
    try {
      db_->write(job);
    } catch (const RecordError& e) {
      message_ = e.what();
      field_ = e.field();
      return e.kind();
    }
    ADD_FAILURE() << "no RecordError";
    return RecordError::Kind::forbidden;
  }
  std::unique_ptr<store::Database> db_;
  std::string message_, field_;
};

TEST_F(CommunitiesTest, CreateTrimsChecksAndAudits) {
  auto id = create("  腾讯小区 ", "0755-8601 3388");
  auto c = community::get_community(db_->reader(), id);
  EXPECT_EQ(c.name, "腾讯小区");
  EXPECT_EQ(c.office_phone, "0755-8601 3388");
  EXPECT_FALSE(c.allow_structure_import);
  store::Statement a(db_->reader(), "SELECT action, actor FROM audit_log WHERE entity = 'community' AND entity_id = ?1");
  a.bind(1, id);
  ASSERT_TRUE(a.step());
  EXPECT_EQ(a.text(0), "community.create");
  EXPECT_EQ(a.text(1), "admin:1");
}

TEST_F(CommunitiesTest, BadInputNamesTheFieldAndChangesNothing) {
  create("腾讯小区");
  CommunityFields dup;
  dup.name = "腾讯小区";
  EXPECT_EQ(failure([&](store::Connection& c) { community::create_community(c, dup, "t", 1); }), RecordError::Kind::conflict);
  EXPECT_EQ(field_, "name");
  CommunityFields phone;
  phone.name = "阳光花园";
  phone.office_phone = "0755-CALL-ME";
  EXPECT_EQ(failure([&](store::Connection& c) { community::create_community(c, phone, "t", 1); }), RecordError::Kind::invalid);
  EXPECT_EQ(field_, "office_phone");
  CommunityFields empty;
  empty.name = "   ";
  EXPECT_EQ(failure([&](store::Connection& c) { community::create_community(c, empty, "t", 1); }), RecordError::Kind::invalid);
  EXPECT_EQ(community::list_communities(db_->reader(), "", nullptr, 1, 20).total, 1);
  EXPECT_THROW(CommunityFields::from_json({{"sms_otp", "yes"}}), RecordError);
}

TEST_F(CommunitiesTest, ListSearchesByNameAndLimitsToVisible) {
  auto a = create("腾讯小区");
  auto b = create("腾讯二期");
  create("阳光花园");
  auto all = community::list_communities(db_->reader(), "腾讯", nullptr, 1, 20);
  ASSERT_EQ(all.total, 2);
  EXPECT_EQ(all.items[0].id, a);
  std::vector<std::int64_t> mine{b};
  auto visible = community::list_communities(db_->reader(), "腾讯", &mine, 1, 20);
  ASSERT_EQ(visible.total, 1);
  EXPECT_EQ(visible.items[0].id, b);
  std::vector<std::int64_t> none;
  EXPECT_EQ(community::list_communities(db_->reader(), "", &none, 1, 20).total, 0);
  auto page2 = community::list_communities(db_->reader(), "", nullptr, 2, 2);
  EXPECT_EQ(page2.total, 3);
  ASSERT_EQ(page2.items.size(), 1u);
  EXPECT_EQ(page2.items[0].name, "阳光花园");
}

TEST_F(CommunitiesTest, SettingsPatchOnlyWhatIsGiven) {
  auto id = create("腾讯小区", "0755-86013388");
  auto f = CommunityFields::from_json({{"owner_review", true}, {"official_account_appid", "wx5d3c9a1b7e20f468"}});
  db_->write([&](store::Connection& c) { community::update_community(c, id, f, "admin:1", 200); });
  auto c = community::get_community(db_->reader(), id);
  EXPECT_TRUE(c.owner_review);
  EXPECT_FALSE(c.sms_otp);
  EXPECT_EQ(c.office_phone, "0755-86013388");
  EXPECT_EQ(c.official_account_appid, "wx5d3c9a1b7e20f468");
  EXPECT_EQ(c.updated_at, 200);
}

TEST_F(CommunitiesTest, DeleteRefusesWhileResidentsOrStaffReferenceIt) {
  xt::SeedCommunity seed;
  db_->write([&](store::Connection& c) { seed = xt::seed_tencent(c); });
  auto room = *community::find_room(db_->reader(), seed.community, {"A", "1", "101"});
  db_->write([&](store::Connection& c) {
    store::Statement r(c, "INSERT INTO residents (community_id, room_id, name, identity, created_at, updated_at) VALUES (?1, ?2, '张三', 'owner', 1, 1)");
    r.bind(1, seed.community).bind(2, room);
    r.run();
    c.exec("INSERT INTO staff (id, name, created_at, updated_at) VALUES (7, '李工', 1, 1)");
    store::Statement s(c, "INSERT INTO staff_communities (staff_id, community_id) VALUES (7, ?1)");
    s.bind(1, seed.community);
    s.run();
  });
  EXPECT_EQ(failure([&](store::Connection& c) { community::delete_community(c, seed.community, "t", 1); }),
            RecordError::Kind::conflict);
  EXPECT_EQ(message_, "仍有 1 位住户/1 位员工关联此小区");
  db_->write([&](store::Connection& c) {
    c.exec("DELETE FROM residents");
    c.exec("DELETE FROM staff");
  });
  db_->write([&](store::Connection& c) { community::delete_community(c, seed.community, "t", 1); });
  EXPECT_THROW(community::get_community(db_->reader(), seed.community), RecordError);
  store::Statement n(db_->reader(), "SELECT COUNT(*) FROM structure_nodes");
  n.step();
  EXPECT_EQ(n.integer(0), 0);  // its structures went with it
}

}  // namespace
