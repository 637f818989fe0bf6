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

#include "bench/million_residents.hpp"
#include "community/residents/residents_store.hpp"
#include "store/database.hpp"

using namespace xiaoqu;
using namespace xiaoqu::community;

namespace {

void BM_SearchByLastFourDigits(benchmark::State& state) {
  static store::Database db(bench::million_residents_path());
  static std::int64_t community = bench::prepare_million_residents(db);
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
