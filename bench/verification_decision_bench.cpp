// Decision latency of one resident submission with 1,000,000 residents in the store: the
// whole submit_verification (validation, the room's records, decide(), the resident or the
// pending request, audit, outbox rows) in a savepoint rolled back after each run, so every
// iteration decides against the same store. Reports p50/p99 beside Google Benchmark's mean.
//
//   build/verification_decision_bench --benchmark_min_time=2s
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>

#include "bench/million_residents.hpp"
#include "community/shared/personal_data.hpp"
#include "community/verification/verification_requests.hpp"
#include "config/log.hpp"

using namespace xiaoqu;

namespace {

struct Fixture {
  store::Database db{bench::million_residents_path()};
  std::int64_t community = bench::prepare_million_residents(db);
  store::Connection writer{db.path()};
  std::array<unsigned char, 32> key{};
  store::SecretBox box{key};
  community::PersonalData pd{box, key};
  config::VerificationConfig cfg;
  std::vector<std::int64_t> rooms;
  std::vector<std::pair<std::string, std::string>> people;  ///< name, phone of a resident of rooms[i]

  Fixture() {
    log::set_level(log::Level::error);
    writer.exec("UPDATE communities SET official_account_appid = 'wx5d3c9a1b7e20f468' WHERE id = " + std::to_string(community));
    store::Statement s(writer, "SELECT room_id, name, phone FROM residents WHERE id % 997 = 0 LIMIT 2000");
    while (s.step()) {
      rooms.push_back(s.integer(0));
      people.emplace_back(s.text(1), s.text(2));
    }
  }
};

void run(benchmark::State& state, bool matching) {
  static Fixture f;
  std::vector<double> micros;
  std::size_t i = 0, approved = 0;
  for (auto _ : state) {
    community::VerificationInput in;
    in.community_id = f.community;
    in.room_id = f.rooms[i % f.rooms.size()];
    in.appid = "wx5d3c9a1b7e20f468";
    in.openid = "oBench" + std::to_string(i);
    in.name = f.people[i % f.people.size()].first;
    in.phone = matching ? f.people[i % f.people.size()].second : "13700000007";
    in.identity = "owner";
    ++i;
    auto t0 = std::chrono::steady_clock::now();
    f.writer.exec("SAVEPOINT bench");
    auto out = community::submit_verification(f.writer, f.pd, f.cfg, in, std::time(nullptr));
    micros.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
    f.writer.exec("ROLLBACK TO bench");
    f.writer.exec("RELEASE bench");
    approved += out.approved ? 1 : 0;
  }
  std::sort(micros.begin(), micros.end());
  auto pct = [&](double p) { return micros[std::min(micros.size() - 1, static_cast<std::size_t>(p * micros.size()))]; };
  state.counters["p50_us"] = pct(0.50);
  state.counters["p99_us"] = pct(0.99);
  state.counters["approved"] = static_cast<double>(approved) / static_cast<double>(micros.size());
}

void BM_MatchingSubmissionIsApproved(benchmark::State& state) { run(state, true); }
void BM_MismatchBecomesPending(benchmark::State& state) { run(state, false); }
BENCHMARK(BM_MatchingSubmissionIsApproved)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_MismatchBecomesPending)->Unit(benchmark::kMicrosecond);

}  // namespace
