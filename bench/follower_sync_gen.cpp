// Full follower sync benchmark: a sandbox (in a child process, so its memory is not counted)
// with N generated followers, and a gateway App in this process that syncs them from scratch
// into a fresh SQLite file. Prints wall time, the platform calls made (against the minimum
// ceil(N/10000) + ceil(N/100)) and this process's peak RSS.
//
//   follower_sync_gen [--followers N] [--in-flight K] [--commit-rows R] [--dir DIR]
//   defaults: --followers 1000000 --in-flight 4 --commit-rows 50000 --dir a fresh folder under /tmp
#include <httplib.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "config/config.hpp"
#include "gateway/app.hpp"
#include "sandbox/sandbox.hpp"
#include "store/sqlite.hpp"

namespace {
constexpr const char* kAppid = "wx5d3c9a1b7e20f468";

xiaoqu::config::Environment env() {
  return {{"XIAOQU_MASTER_KEY", "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"},
          {"XIAOQU_OFFICIAL_ACCOUNTS__WX5D3C9A1B7E20F468__TOKEN", "xiaoquMpToken2024"},
          {"XIAOQU_OFFICIAL_ACCOUNTS__WX5D3C9A1B7E20F468__ENCODING_AES_KEY", "Q7mZ2xK9pL4vN8rT1wY6sB3dF5gH0jC2eA9uV7iO4kR"},
          {"XIAOQU_OFFICIAL_ACCOUNTS__WX5D3C9A1B7E20F468__APP_SECRET", "mpSecret0123456789"}};
}

nlohmann::json base_config(const std::string& db, const std::string& api, unsigned followers, unsigned in_flight, unsigned commit_rows) {
  return {{"server", {{"listen", "127.0.0.1"}, {"port", 0}, {"threads", 1}}},
          {"store", {{"path", db}}},
          {"log", {{"level", "warn"}}},
          {"official_accounts", {{kAppid, {{"mode", "safe"}, {"name", "bench"}}}}},
          {"platforms", {{"wechat_api", api}}},
          {"followers", {{"batchget_in_flight", in_flight}, {"commit_rows", commit_rows}}},
          {"sandbox", {{"port", 0}, {"ticket_interval_seconds", 0}, {"followers", followers}}}};
}

long long scalar(const std::string& db, const std::string& sql) {
  xiaoqu::store::Connection c(db, true);
  xiaoqu::store::Statement s(c, sql);
  return s.step() ? s.integer(0) : -1;
}
}  // namespace

int main(int argc, char** argv) {
  unsigned followers = 1'000'000, in_flight = 4, commit_rows = 50'000;
  std::string dir;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--followers" && i + 1 < argc) followers = static_cast<unsigned>(std::strtoul(argv[++i], nullptr, 10));
    else if (a == "--in-flight" && i + 1 < argc) in_flight = static_cast<unsigned>(std::strtoul(argv[++i], nullptr, 10));
    else if (a == "--commit-rows" && i + 1 < argc) commit_rows = static_cast<unsigned>(std::strtoul(argv[++i], nullptr, 10));
    else if (a == "--dir" && i + 1 < argc) dir = argv[++i];
    else {
      std::fputs("usage: follower_sync_gen [--followers N] [--in-flight K] [--commit-rows R] [--dir DIR]\n", stderr);
      return 2;
    }
  }
  if (dir.empty()) dir = (std::filesystem::temp_directory_path() / ("xiaoqu-follower-bench-" + std::to_string(::getpid()))).string();
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string db = dir + "/xiaoqu.db";

  // The sandbox in a child: fork before this process starts any thread.
  int ports[2];
  if (::pipe(ports) != 0) return 1;
  pid_t child = ::fork();
  if (child == 0) {
    ::close(ports[0]);
    xiaoqu::sandbox::Sandbox sb(xiaoqu::config::load_from_text(base_config(dir + "/unused.db", "http://127.0.0.1:1", followers, in_flight, commit_rows).dump(), env()));
    unsigned short port = sb.start();
    if (::write(ports[1], &port, sizeof port) != sizeof port) std::_Exit(1);
    ::close(ports[1]);
    for (;;) ::pause();  // until the parent kills it
  }
  ::close(ports[1]);
  unsigned short port = 0;
  if (::read(ports[0], &port, sizeof port) != sizeof port) return 1;
  const std::string api = "http://127.0.0.1:" + std::to_string(port);

  int rc = 0;
  {
    auto started = std::chrono::steady_clock::now();
    xiaoqu::gateway::App app(xiaoqu::config::load_from_text(base_config(db, api, followers, in_flight, commit_rows).dump(), env()));
    app.start();  // the configured account has no sync yet: it starts by itself
    while (scalar(db, "SELECT count(*) FROM follower_sync_runs WHERE status IN ('done','failed')") < 1)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    httplib::Client c(api);
    auto stats = c.Get("/sandbox/stats");
    auto counters = stats ? nlohmann::json::parse(stats->body)["counters"] : nlohmann::json::object();
    auto calls = [&](const char* path) { return counters.value(std::string("calls ") + path, 0ULL); };
    unsigned long long gets = calls("/cgi-bin/user/get"), batches = calls("/cgi-bin/user/info/batchget");
    unsigned long long minimum = (followers + 9'999ULL) / 10'000 + (followers + 99ULL) / 100;
    std::fprintf(stderr, "sqlite_highwater_mb=%.1f\n", static_cast<double>(sqlite3_memory_highwater(0)) / 1048576.0);
    rusage ru{};
    ::getrusage(RUSAGE_SELF, &ru);
    long long stored = scalar(db, "SELECT count(*) FROM followers WHERE subscribed = 1");
    std::string status = scalar(db, "SELECT count(*) FROM follower_sync_runs WHERE status = 'done'") == 1 ? "done" : "failed";
    auto cpu = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
    std::printf("followers=%u in_flight=%u commit_rows=%u status=%s stored=%lld wall_s=%.2f user_get=%llu batchget=%llu calls=%llu minimum=%llu peak_rss_mb=%.1f gateway_cpu_s=%.2f+%.2f\n",
                followers, in_flight, commit_rows, status.c_str(), stored, seconds, gets, batches, gets + batches, minimum, ru.ru_maxrss / 1024.0,
                cpu(ru.ru_utime), cpu(ru.ru_stime));
    rc = status == "done" && stored == followers && gets + batches == minimum ? 0 : 1;
  }
  ::kill(child, SIGKILL);
  // The sandbox's CPU shares the same cores: shown apart so the gateway's own cost is visible.
  rusage sandbox_ru{};
  ::wait4(child, nullptr, 0, &sandbox_ru);
  std::printf("sandbox_cpu_s=%.2f+%.2f\n", static_cast<double>(sandbox_ru.ru_utime.tv_sec) + sandbox_ru.ru_utime.tv_usec / 1e6,
              static_cast<double>(sandbox_ru.ru_stime.tv_sec) + sandbox_ru.ru_stime.tv_usec / 1e6);
  std::filesystem::remove_all(dir);
  return rc;
}
