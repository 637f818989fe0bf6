// Search by the last 4 phone digits with 1,000,000 residents in the store, the console's
// list query (page of 20 plus the total count). The store is built once into
// $TMPDIR/xiaoqu-resident-search.db (about a minute) and reused by later runs.
// Reports p50 and p99 of one query as counters beside Google Benchmark's mean.
//
//   build-r/resident_search_bench --benchmark_min_time=2s
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>

#include "community/communities.hpp"
#include "community/residents_store.hpp"
#include "community/structure.hpp"
#include "store/database.hpp"

using namespace xiaoqu;
using namespace xiaoqu::community;

namespace {

constexpr int kResidents = 1'000'000;
constexpr int kRooms = 200'000;  // 40 buildings × 10 units × 500 rooms; five residents a room

std::string db_path() {
  const char* tmp = std::getenv("TMPDIR");
  return std::string(tmp && *tmp ? tmp : "/tmp") + "/xiaoqu-resident-search.db";
}

std::int64_t prepare(store::Database& db) {
  std::int64_t community = 0;
  {
    store::Statement s(db.reader(), "SELECT COUNT(*), IFNULL(MAX(community_id), 0) FROM residents");
    s.step();
    if (s.integer(0) == kResidents) return s.integer(1);
  }
  std::fprintf(stderr, "building %d residents into %s ...\n", kResidents, db.path().c_str());
  db.write([&](store::Connection& c) {
    CommunityFields f;
    f.name = "腾讯小区";
    community = create_community(c, f, "system", 1);
    auto s = create_structure(c, community, "高层区", {"楼栋", "单元", "房间"}, "system", 1);
    std::vector<std::int64_t> rooms;
    rooms.reserve(kRooms);
    for (int i = 0; i < kRooms; ++i)
      rooms.push_back(ensure_room(c, community, s,
                                  {std::to_string(i / 5000 + 1) + "栋", std::to_string(i / 500 % 10 + 1), std::to_string(i % 500 + 101)}));
    store::Statement ins(c,
                         "INSERT INTO residents (community_id, room_id, name, name_key, identity, phone, phone_last4, "
                         "created_at, updated_at) VALUES (?1, ?2, ?3, ?3, 'owner', ?4, ?5, 1, 1)");
    std::mt19937_64 rng(42);
    for (int i = 0; i < kResidents; ++i) {
      char phone[16];
      std::snprintf(phone, sizeof phone, "1%d%09llu", 3 + static_cast<int>(rng() % 7),
                    static_cast<unsigned long long>(rng() % 1'000'000'000));
      ins.bind(1, community).bind(2, rooms[i % kRooms]).bind(3, "住户" + std::to_string(i)).bind(4, phone);
      ins.bind(5, std::string(phone + 7, 4));
      ins.run();
      ins.reset();
    }
  });
  return community;
}

void BM_SearchByLastFourDigits(benchmark::State& state) {
  static store::Database db(db_path());
  static std::int64_t community = prepare(db);
  auto& reader = db.reader();
  std::mt19937 rng(7);
  std::vector<double> micros;
  std::int64_t found = 0;
  for (auto _ : state) {
    ResidentQuery q;
    q.community_id = community;
    char last4[8];
    std::snprintf(last4, sizeof last4, "%04u", static_cast<unsigned>(rng() % 10000));
    q.q = last4;
    auto t0 = std::chrono::steady_clock::now();
    auto page = list_residents(reader, q);
    micros.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
    found += page.total;
    benchmark::DoNotOptimize(page);
  }
  std::sort(micros.begin(), micros.end());
  auto pct = [&](double p) { return micros[std::min(micros.size() - 1, static_cast<std::size_t>(p * micros.size()))]; };
  state.counters["p50_us"] = pct(0.50);
  state.counters["p99_us"] = pct(0.99);
  state.counters["matches_avg"] = static_cast<double>(found) / static_cast<double>(micros.size());
}
BENCHMARK(BM_SearchByLastFourDigits)->Unit(benchmark::kMicrosecond);

}  // namespace
