#pragma once
// A store with 1,000,000 residents in 200,000 rooms (40 buildings × 10 units × 500 rooms,
// five a room) of one community, built once into $TMPDIR/xiaoqu-resident-search.db (about a
// minute) and reused by later runs of the benchmarks that need it.
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "community/structure/communities.hpp"
#include "community/structure/structure.hpp"
#include "store/database.hpp"

namespace xiaoqu::bench {

inline constexpr int kResidents = 1'000'000;
inline constexpr int kRooms = 200'000;

inline std::string million_residents_path() {
  const char* tmp = std::getenv("TMPDIR");
  return std::string(tmp && *tmp ? tmp : "/tmp") + "/xiaoqu-resident-search.db";
}

/// Resident i lives in room i % kRooms, is named 住户<i> and has a phone from a fixed seed.
inline std::string million_phone(std::mt19937_64& rng) {
  char phone[16];
  std::snprintf(phone, sizeof phone, "1%d%09llu", 3 + static_cast<int>(rng() % 7), static_cast<unsigned long long>(rng() % 1'000'000'000));
  return phone;
}

/// The community's id, building the store first when it is not there yet.
inline std::int64_t prepare_million_residents(store::Database& db) {
  {
    store::Statement s(db.reader(), "SELECT COUNT(*), IFNULL(MAX(community_id), 0) FROM residents");
    s.step();
    if (s.integer(0) == kResidents) return s.integer(1);
  }
  std::fprintf(stderr, "building %d residents into %s ...\n", kResidents, db.path().c_str());
  std::int64_t community = 0;
  db.write([&](store::Connection& c) {
    community::CommunityFields f;
    f.name = "腾讯小区";
    community = community::create_community(c, f, "system", 1);
    auto s = community::create_structure(c, community, "高层区", {"楼栋", "单元", "房间"}, "system", 1);
    std::vector<std::int64_t> rooms;
    rooms.reserve(kRooms);
    for (int i = 0; i < kRooms; ++i)
      rooms.push_back(community::ensure_room(
          c, community, s, {std::to_string(i / 5000 + 1) + "栋", std::to_string(i / 500 % 10 + 1), std::to_string(i % 500 + 101)}));
    store::Statement ins(c,
                         "INSERT INTO residents (community_id, room_id, name, name_key, identity, phone, phone_last4, "
                         "created_at, updated_at) VALUES (?1, ?2, ?3, ?3, 'owner', ?4, ?5, 1, 1)");
    std::mt19937_64 rng(42);
    for (int i = 0; i < kResidents; ++i) {
      std::string phone = million_phone(rng);
      ins.bind(1, community).bind(2, rooms[i % kRooms]).bind(3, "住户" + std::to_string(i)).bind(4, phone);
      ins.bind(5, phone.substr(7));
      ins.run();
      ins.reset();
    }
  });
  return community;
}

}  // namespace xiaoqu::bench
