// The structure look-ups a resident import makes once per row (find_room by the building
// columns, ensure_room when the community lets imports create rooms), and the structure
// export, on a community of 20,000 rooms (20 buildings × 10 units × 100 rooms) built once
// per run into a temp file.
//
//   build-c/structure_lookup_bench --benchmark_min_time=1
#include <benchmark/benchmark.h>

#include <filesystem>
#include <random>

#include "community/structure/communities.hpp"
#include "community/structure/structure.hpp"
#include "community/structure/structure_sheet.hpp"
#include "store/database.hpp"

using namespace xiaoqu;

namespace {

constexpr int kBuildings = 20, kUnits = 10, kRooms = 100;

struct Fixture {
  std::unique_ptr<store::Database> db;
  std::int64_t community = 0, structure = 0;

  Fixture() {
    auto path = std::filesystem::temp_directory_path() / ("xiaoqu-structure-bench-" + std::to_string(::getpid()) + ".db");
    std::filesystem::remove(path);
    db = std::make_unique<store::Database>(path.string());
    db->write([&](store::Connection& c) {
      community::CommunityFields f;
      f.name = "基准小区";
      community = community::create_community(c, f, "bench", 1);
      structure = community::create_structure(c, community, "高层区", {"楼栋", "单元", "房间"}, "bench", 1);
      for (int b = 1; b <= kBuildings; ++b)
        for (int u = 1; u <= kUnits; ++u)
          for (int r = 1; r <= kRooms; ++r)
            community::ensure_room(c, community, structure, path_of(b, u, r));
    });
  }
  static std::vector<std::string> path_of(int b, int u, int r) {
    return {std::to_string(b) + "栋", std::to_string(u) + "单元", std::to_string(u * 100 + r)};
  }
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

void BM_FindRoom(benchmark::State& state) {
  auto& f = fixture();
  auto& c = f.db->reader();
  std::mt19937 rng(7);
  for (auto _ : state) {
    auto path = Fixture::path_of(1 + rng() % kBuildings, 1 + rng() % kUnits, 1 + rng() % kRooms);
    benchmark::DoNotOptimize(community::find_room(c, f.community, path));
  }
}
BENCHMARK(BM_FindRoom);

void BM_EnsureExistingRoom(benchmark::State& state) {
  auto& f = fixture();
  std::mt19937 rng(11);
  // One write job for the whole loop, as an import commits all its rows in one.
  f.db->write([&](store::Connection& c) {
    for (auto _ : state) {
      auto path = Fixture::path_of(1 + rng() % kBuildings, 1 + rng() % kUnits, 1 + rng() % kRooms);
      benchmark::DoNotOptimize(community::ensure_room(c, f.community, f.structure, path));
    }
  });
}
BENCHMARK(BM_EnsureExistingRoom);

void BM_ExportStructure(benchmark::State& state) {
  auto& f = fixture();
  auto& c = f.db->reader();
  auto st = community::get_structure(c, f.community, f.structure);
  for (auto _ : state) benchmark::DoNotOptimize(community::structure_export_xlsx(c, st));
  state.SetItemsProcessed(state.iterations() * kBuildings * kUnits * kRooms);
}
BENCHMARK(BM_ExportStructure)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
