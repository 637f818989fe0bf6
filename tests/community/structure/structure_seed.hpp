#pragma once
// The seed's community as a fixture: 腾讯小区 with a high-rise structure 楼栋/单元/房间
// (rooms A/1/101, A/1/102, B/1/101, B/1/102) and a villa structure 组团/门牌号 beside it.
#include <cstdint>
#include <string>
#include <vector>

#include "community/structure/communities.hpp"
#include "community/structure/structure.hpp"
#include "store/sqlite.hpp"

namespace xiaoqu::testing {

struct SeedCommunity {
  std::int64_t community = 0, high_rise = 0, villa = 0;
};

inline SeedCommunity seed_tencent(store::Connection& c, std::int64_t now = 1'700'000'000) {
  SeedCommunity s;
  community::CommunityFields f;
  f.name = "腾讯小区";
  f.address = "深圳市南山区科技园";
  f.office_phone = "0755-86013388";
  s.community = community::create_community(c, f, "system", now);
  s.high_rise = community::create_structure(c, s.community, "高层区", {"楼栋", "单元", "房间"}, "system", now);
  for (const char* b : {"A", "B"})
    for (const char* r : {"101", "102"}) community::ensure_room(c, s.community, s.high_rise, {b, "1", r});
  s.villa = community::create_structure(c, s.community, "别墅区", {"组团", "门牌号"}, "system", now);
  community::ensure_room(c, s.community, s.villa, {"东组团", "8号"});
  return s;
}

}  // namespace xiaoqu::testing
