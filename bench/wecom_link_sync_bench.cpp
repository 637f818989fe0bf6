// Applying a WeCom contacts snapshot to a real SQLite file: the first sync of a corp
// (every member new) and a re-sync (every member found by userid and updated), in one
// transaction as WecomLinking::sync_corp does. N members spread over N/20 departments.
#include <benchmark/benchmark.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <unistd.h>

#include "community/staff/wecom_link_sync.hpp"
#include "store/migrations.hpp"
#include "store/sqlite.hpp"

using namespace xiaoqu;

namespace {
community::ContactSnapshot snapshot(int members) {
  community::ContactSnapshot s;
  int departments = std::max(1, members / 20);
  s.departments.push_back({1, 0, 0, std::string("物业公司")});
  for (int d = 2; d <= departments; ++d) s.departments.push_back({d, 1 + (d % 7 == 0 ? 0 : (d - 1) / 7), 0, "部门" + std::to_string(d)});
  for (int i = 0; i < members; ++i) {
    community::WecomMemberRecord m;
    m.userid = "user" + std::to_string(i);
    m.name = "员工" + std::to_string(i);
    m.position = "客服专员";
    m.mobile = "139" + std::to_string(10000000 + i);
    m.gender = 1 + i % 2;
    m.departments = {1 + i % departments};
    s.members.push_back(std::move(m));
  }
  return s;
}

std::unique_ptr<store::Connection> fresh_db() {
  static std::atomic<int> n{0};
  auto path = std::filesystem::temp_directory_path() / ("xiaoqu-wecom-bench-" + std::to_string(::getpid()) + "-" + std::to_string(n++) + ".db");
  std::filesystem::remove(path);
  auto c = std::make_unique<store::Connection>(path.string());
  store::migrate(*c);
  return c;
}

void apply(store::Connection& c, const community::ContactSnapshot& s) {
  store::Transaction tx(c);
  benchmark::DoNotOptimize(community::apply_contact_snapshot(c, "wwbenchcorp", s, 1'764'000'000));
  tx.commit();
}

void BM_FirstSync(benchmark::State& state) {
  auto s = snapshot(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    state.PauseTiming();
    auto c = fresh_db();
    state.ResumeTiming();
    apply(*c, s);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

void BM_Resync(benchmark::State& state) {
  auto s = snapshot(static_cast<int>(state.range(0)));
  auto c = fresh_db();
  apply(*c, s);
  for (auto _ : state) apply(*c, s);
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
}  // namespace

BENCHMARK(BM_FirstSync)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Resync)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);
