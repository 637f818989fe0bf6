// Outbox throughput to the sandbox with persistence on: a gateway (App) on a fresh SQLite
// file sends N template messages written to the outbox in one transaction, through the
// token provider's client over real sockets to the sandbox, which records each one and
// pushes TEMPLATESENDJOBFINISH back. Prints messages/s from the commit of the rows to the
// last one recorded as sent (and to the last delivery report applied).
//
//   outbox_throughput_gen [--count N] [--concurrency C] [--workers W] [--followers F]
//   defaults: --count 20000 --concurrency 64 --workers 16 --followers 100000
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <string>
#include <thread>

#include "config/config.hpp"
#include "gateway/app.hpp"
#include "notify/outbox.hpp"
#include "sandbox/sandbox.hpp"
#include "sandbox/wechat_followers.hpp"
#include "store/sqlite.hpp"

using namespace xiaoqu;

namespace {
constexpr const char* kAppid = "wx5d3c9a1b7e20f468";

config::Environment env() {
  return {{"XIAOQU_MASTER_KEY", "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"},
          {"XIAOQU_OFFICIAL_ACCOUNTS__WX5D3C9A1B7E20F468__TOKEN", "xiaoquMpToken2024"},
          {"XIAOQU_OFFICIAL_ACCOUNTS__WX5D3C9A1B7E20F468__ENCODING_AES_KEY", "Q7mZ2xK9pL4vN8rT1wY6sB3dF5gH0jC2eA9uV7iO4kR"},
          {"XIAOQU_OFFICIAL_ACCOUNTS__WX5D3C9A1B7E20F468__APP_SECRET", "mpSecret0123456789"}};
}

std::string config_text(const std::string& db, const std::string& sandbox_url, unsigned concurrency, unsigned workers, unsigned followers) {
  nlohmann::json j = {
      {"server", {{"listen", "127.0.0.1"}, {"port", 0}, {"threads", 2}}},
      {"store", {{"path", db}}},
      {"log", {{"level", "error"}}},
      {"official_accounts", {{kAppid, {{"mode", "safe"}, {"name", "阳光花园"}}}}},
      {"platforms", {{"wechat_api", sandbox_url}}},
      {"http", {{"workers", workers}}},
      {"sandbox", {{"port", 0}, {"ticket_interval_seconds", 0}, {"followers", followers}}},
      {"outbox", {{"concurrency", concurrency}, {"rate_per_second", 1'000'000}, {"poll_ms", 50}}},
  };
  return j.dump();
}

long long count(const std::string& db, const char* sql) {
  store::Connection c(db, true);
  store::Statement s(c, sql);
  s.step();
  return s.integer(0);
}

bool parse(const char* s, unsigned long& out) {
  if (!s || !*s) return false;
  char* end = nullptr;
  out = std::strtoul(s, &end, 10);
  return *end == '\0' && out > 0;
}
}  // namespace

int main(int argc, char** argv) {
  unsigned long n = 20000, concurrency = 64, workers = 16, followers = 100000;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    const char* v = i + 1 < argc ? argv[++i] : nullptr;
    bool ok = (a == "--count" && parse(v, n)) || (a == "--concurrency" && parse(v, concurrency)) ||
              (a == "--workers" && parse(v, workers)) || (a == "--followers" && parse(v, followers));
    if (!ok) {
      std::fprintf(stderr, "usage: outbox_throughput_gen [--count N] [--concurrency C] [--workers W] [--followers F]\n");
      return 2;
    }
  }
  auto dir = std::filesystem::temp_directory_path() / ("xiaoqu-outbox-bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string db = (dir / "xiaoqu.db").string();

  sandbox::Sandbox sb(config::load_from_text(config_text(db, "http://127.0.0.1:1", concurrency, workers, followers), env()));
  sb.start();
  auto app = std::make_unique<gateway::App>(config::load_from_text(config_text(db, sb.base_url(), concurrency, workers, followers), env()));
  unsigned short port = app->start();
  sb.set_gateway_url("http://127.0.0.1:" + std::to_string(port));

  auto t0 = std::chrono::steady_clock::now();
  app->database().write([&](store::Connection& c) {
    for (unsigned long i = 0; i < n; ++i) {
      notify::OutboxItem item;
      item.idempotency_key = "bench:" + std::to_string(i);
      item.purpose = "review_reminder";
      item.community_id = 1;
      item.template_message = notify::TemplateMessage{kAppid, sandbox::generated_openid(kAppid, i % followers), "TPLreview", "",
                                                      {{"thing1", {{"value", "阳光花园 1栋101 待审核"}}}}};
      notify::enqueue(c, item, std::time(nullptr));
    }
  });
  auto committed = std::chrono::steady_clock::now();
  long long sent = 0, delivered = 0;
  auto all_sent = committed;
  while (true) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    sent = count(db, "SELECT count(*) FROM outbox WHERE status IN ('sent','delivered')");
    if (sent >= static_cast<long long>(n)) {
      all_sent = std::chrono::steady_clock::now();
      break;
    }
    if (std::chrono::steady_clock::now() - committed > std::chrono::minutes(10)) {
      std::fprintf(stderr, "outbox_throughput_gen: only %lld of %lu sent after 10 minutes\n", sent, n);
      return 1;
    }
  }
  auto deadline = all_sent + std::chrono::seconds(60);
  auto all_delivered = all_sent;
  while (std::chrono::steady_clock::now() < deadline) {
    delivered = count(db, "SELECT count(*) FROM outbox WHERE status = 'delivered'");
    all_delivered = std::chrono::steady_clock::now();
    if (delivered >= static_cast<long long>(n)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  long long retried = count(db, "SELECT count(*) FROM outbox WHERE attempts > 1");
  app.reset();
  sb.stop();
  std::filesystem::remove_all(dir);

  using secs = std::chrono::duration<double>;
  double enqueue_s = secs(committed - t0).count(), send_s = secs(all_sent - committed).count();
  double deliver_s = secs(all_delivered - committed).count();
  std::printf("outbox: %lu template messages, concurrency %lu, %lu workers, persistence on (SQLite WAL)\n", n, concurrency, workers);
  std::printf("  enqueue (one transaction): %.3f s (%.0f rows/s)\n", enqueue_s, n / enqueue_s);
  std::printf("  all sent:      %.3f s  -> %.0f messages/s  (%lld needed more than one attempt)\n", send_s, n / send_s, retried);
  std::printf("  delivered:     %lld of %lu after %.3f s (TEMPLATESENDJOBFINISH pushed back one by one)\n", delivered, n, deliver_s);
  return sent >= static_cast<long long>(n) ? 0 : 1;
}
