// Building structures on a real SQLite file: levels, the node tree and its paths, the room
// look-ups the resident records use, and the refusals.
#include <gtest/gtest.h>

#include "community/structure/structure.hpp"
#include "store/database.hpp"
#include "tests/support/test_server.hpp"
#include "tests/community/structure/structure_seed.hpp"

using namespace xiaoqu;
namespace xt = xiaoqu::testing;
using community::RecordError;

namespace {

class StructureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = std::make_unique<store::Database>((xt::temp_dir() / "s.db").string());
    db_->write([&](store::Connection& c) { seed_ = xt::seed_tencent(c); });
  }
  store::Connection& reader() { return db_->reader(); }
  RecordError::Kind failure(const std::function<void(store::Connection&)>& job) {
    try {
      db_->write(job);
    } catch (const RecordError& e) {
      last_message_ = e.what();
      return e.kind();
    }
    ADD_FAILURE() << "no RecordError";
    return RecordError::Kind::forbidden;
  }
  std::int64_t count(const std::string& sql) {
    store::Statement s(reader(), sql);
    s.step();
    return s.integer(0);
  }

  std::unique_ptr<store::Database> db_;
  xt::SeedCommunity seed_;
  std::string last_message_;
};

TEST_F(StructureTest, SeedRoomsAreFoundByPathInTheStructureOfTheirDepth) {
  auto& c = reader();
  auto a101 = community::find_room(c, seed_.community, {"A", "1", "101"});
  ASSERT_TRUE(a101);
  EXPECT_EQ(community::room_path(c, *a101), (std::vector<std::string>{"A", "1", "101"}));
  auto villa = community::find_room(c, seed_.community, {"东组团", "8号"});
  ASSERT_TRUE(villa);
  EXPECT_EQ(community::room_path(c, *villa), (std::vector<std::string>{"东组团", "8号"}));
  EXPECT_FALSE(community::find_room(c, seed_.community, {"A", "1", "103"}));
  EXPECT_FALSE(community::find_room(c, seed_.community, {"A", "1"}));  // a unit, not a room of the villa
  EXPECT_FALSE(community::find_room(c, seed_.community, {"C", "1", "101"}));
  // Names are compared trimmed, as a spreadsheet cell with a stray space would give them.
  EXPECT_EQ(community::find_room(c, seed_.community, {" A", "1 ", "101"}), a101);
}

TEST_F(StructureTest, PathsRunFromTheRootAndPrefixSelectsTheSubtree) {
  auto& c = reader();
  auto a101 = *community::find_room(c, seed_.community, {"A", "1", "101"});
  auto path = community::node_path_prefix(c, seed_.community, a101);
  store::Statement parent(c, "SELECT parent_id FROM structure_nodes WHERE id = ?1");
  parent.bind(1, a101);
  parent.step();
  auto unit = parent.integer(0);
  auto unit_path = community::node_path_prefix(c, seed_.community, unit);
  EXPECT_EQ(path, unit_path + std::to_string(a101) + "/");
  store::Statement below(c, "SELECT COUNT(*) FROM structure_nodes WHERE substr(path, 1, length(?1)) = ?1");
  below.bind(1, unit_path);
  below.step();
  EXPECT_EQ(below.integer(0), 3);  // the unit and its two rooms
  EXPECT_THROW(community::node_path_prefix(c, seed_.community + 99, a101), RecordError);
}

TEST_F(StructureTest, EnsureRoomCreatesOnlyTheMissingNodes) {
  auto before = count("SELECT COUNT(*) FROM structure_nodes");
  std::int64_t room = 0;
  db_->write([&](store::Connection& c) { room = community::ensure_room(c, seed_.community, seed_.high_rise, {"A", "2", "201"}); });
  EXPECT_EQ(count("SELECT COUNT(*) FROM structure_nodes"), before + 2);  // unit 2 and room 201
  EXPECT_EQ(community::find_room(reader(), seed_.community, {"A", "2", "201"}), room);
  std::int64_t again = 0;
  db_->write([&](store::Connection& c) { again = community::ensure_room(c, seed_.community, seed_.high_rise, {"A", "2", "201"}); });
  EXPECT_EQ(again, room);
  EXPECT_EQ(failure([&](store::Connection& c) { community::ensure_room(c, seed_.community, seed_.high_rise, {"A", "1"}); }),
            RecordError::Kind::invalid);
  EXPECT_EQ(failure([&](store::Connection& c) {
              community::ensure_room(c, seed_.community, seed_.high_rise, {"A", "", "101"});
            }),
            RecordError::Kind::invalid);
  EXPECT_NE(last_message_.find("单元"), std::string::npos) << last_message_;
  EXPECT_EQ(count("SELECT COUNT(*) FROM structure_nodes"), before + 2);
}

TEST_F(StructureTest, LevelsAreOneToFourNamesOfAtMostFortyCharacters) {
  auto cid = seed_.community;
  EXPECT_EQ(failure([&](store::Connection& c) { community::create_structure(c, cid, "空", {}, "t", 1); }),
            RecordError::Kind::invalid);
  EXPECT_EQ(failure([&](store::Connection& c) { community::create_structure(c, cid, "五级", {"a", "b", "c", "d", "e"}, "t", 1); }),
            RecordError::Kind::invalid);
  std::string forty;
  for (int i = 0; i < 40; ++i) forty += "栋";  // 40 characters, 120 bytes
  db_->write([&](store::Connection& c) { community::create_structure(c, cid, "长名", {forty}, "t", 1); });
  EXPECT_EQ(failure([&](store::Connection& c) { community::create_structure(c, cid, "更长", {forty + "栋"}, "t", 1); }),
            RecordError::Kind::invalid);
  EXPECT_NE(last_message_.find("40"), std::string::npos);
  EXPECT_EQ(failure([&](store::Connection& c) { community::create_structure(c, cid, "高层区", {"栋"}, "t", 1); }),
            RecordError::Kind::conflict);
}

TEST_F(StructureTest, SiblingNamesAreUniqueAndDepthStopsAtTheLastLevel) {
  auto& c = reader();
  auto a101 = *community::find_room(c, seed_.community, {"A", "1", "101"});
  auto top = community::nodes_of(c, seed_.high_rise).front();
  EXPECT_EQ(top.name, "A");
  EXPECT_EQ(failure([&](store::Connection& w) { community::add_node(w, seed_.community, seed_.high_rise, 0, "A", "t", 1); }),
            RecordError::Kind::conflict);
  EXPECT_NE(last_message_.find("“A”"), std::string::npos) << last_message_;
  EXPECT_EQ(failure([&](store::Connection& w) { community::add_node(w, seed_.community, seed_.high_rise, a101, "x", "t", 1); }),
            RecordError::Kind::invalid);
  // A node of another structure is not a parent here.
  auto villa_top = community::nodes_of(c, seed_.villa).front().id;
  EXPECT_EQ(failure([&](store::Connection& w) { community::add_node(w, seed_.community, seed_.high_rise, villa_top, "x", "t", 1); }),
            RecordError::Kind::not_found);
  std::int64_t c_building = 0;
  db_->write([&](store::Connection& w) { c_building = community::add_node(w, seed_.community, seed_.high_rise, 0, "C", "t", 1); });
  EXPECT_EQ(community::node_path_prefix(c, seed_.community, c_building), "/" + std::to_string(c_building) + "/");
  EXPECT_EQ(failure([&](store::Connection& w) { community::rename_node(w, seed_.community, seed_.high_rise, c_building, "B", "t", 1); }),
            RecordError::Kind::conflict);
  db_->write([&](store::Connection& w) { community::rename_node(w, seed_.community, seed_.high_rise, c_building, "C座", "t", 1); });
  EXPECT_EQ(community::room_path(c, c_building), std::vector<std::string>{"C座"});
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE action = 'structure_node.update'"), 1);
}

TEST_F(StructureTest, DeletesRefuseWhileResidentsLiveBelow) {
  auto& c = reader();
  auto b102 = *community::find_room(c, seed_.community, {"B", "1", "102"});
  auto b = community::nodes_of(c, seed_.high_rise)[1];
  ASSERT_EQ(b.name, "B");
  db_->write([&](store::Connection& w) {
    store::Statement s(w,
                       "INSERT INTO residents (community_id, room_id, name, identity, created_at, updated_at) "
                       "VALUES (?1, ?2, '张三', 'owner', 1, 1)");
    s.bind(1, seed_.community).bind(2, b102);
    s.run();
  });
  EXPECT_EQ(failure([&](store::Connection& w) { community::delete_node(w, seed_.community, seed_.high_rise, b.id, "t", 1); }),
            RecordError::Kind::conflict);
  EXPECT_NE(last_message_.find("1 位住户"), std::string::npos) << last_message_;
  EXPECT_EQ(failure([&](store::Connection& w) { community::delete_structure(w, seed_.community, seed_.high_rise, "t", 1); }),
            RecordError::Kind::conflict);
  // Building A has nobody: it goes with its unit and rooms.
  auto a = community::nodes_of(c, seed_.high_rise)[0];
  auto before = count("SELECT COUNT(*) FROM structure_nodes");
  db_->write([&](store::Connection& w) { community::delete_node(w, seed_.community, seed_.high_rise, a.id, "t", 1); });
  EXPECT_EQ(count("SELECT COUNT(*) FROM structure_nodes"), before - 4);
  EXPECT_FALSE(community::find_room(c, seed_.community, {"A", "1", "101"}));
  db_->write([&](store::Connection& w) { community::delete_structure(w, seed_.community, seed_.villa, "t", 1); });
  EXPECT_EQ(community::structures_of(c, seed_.community).size(), 1u);
}

TEST_F(StructureTest, LevelCountChangesOnlyWhileEmpty) {
  EXPECT_EQ(failure([&](store::Connection& w) {
              community::update_structure(w, seed_.community, seed_.villa, std::nullopt,
                                          std::vector<std::string>{"组团", "栋", "门牌号"}, "t", 1);
            }),
            RecordError::Kind::conflict);
  db_->write([&](store::Connection& w) {
    community::update_structure(w, seed_.community, seed_.villa, std::string("别墅"),
                                std::vector<std::string>{"片区", "门牌"}, "t", 1);
  });
  auto s = community::get_structure(reader(), seed_.community, seed_.villa);
  EXPECT_EQ(s.name, "别墅");
  EXPECT_EQ(s.levels, (std::vector<std::string>{"片区", "门牌"}));
  auto tree = community::structure_tree_json(reader(), s);
  EXPECT_EQ(tree["nodes"][0]["name"], "东组团");
  EXPECT_EQ(tree["nodes"][0]["children"][0]["name"], "8号");
}

TEST_F(StructureTest, SeveralStructuresOfOneDepthPickTheOneWhoseTopMatches) {
  std::int64_t other = 0, room = 0;
  db_->write([&](store::Connection& w) {
    other = community::create_structure(w, seed_.community, "商铺区", {"区", "层", "铺位"}, "t", 1);
    room = community::ensure_room(w, seed_.community, other, {"商业街", "1", "101"});
  });
  EXPECT_EQ(community::find_room(reader(), seed_.community, {"商业街", "1", "101"}), room);
  EXPECT_NE(community::find_room(reader(), seed_.community, {"A", "1", "101"}), room);
}

}  // namespace
