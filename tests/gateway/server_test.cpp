// The server itself over real sockets: probes, metrics, limits, the connection cap, and
// the real binary's start-up errors and graceful stop.
#include <gtest/gtest.h>
#include <signal.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <chrono>
#include <fstream>
#include <thread>

#include "store/migrations.hpp"
#include "tests/support/test_server.hpp"

using namespace xiaoqu::testing;
namespace net = boost::asio;

namespace {
// Sends raw bytes and reads until the peer closes or `timeout` passes.
std::string raw_exchange(unsigned short port, const std::string& bytes, std::chrono::milliseconds timeout = std::chrono::seconds(3)) {
  net::io_context ioc;
  net::ip::tcp::socket sock(ioc);
  sock.connect({net::ip::make_address("127.0.0.1"), port});
  net::write(sock, net::buffer(bytes));
  struct timeval tv{static_cast<time_t>(timeout.count() / 1000), static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
  setsockopt(sock.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = ::recv(sock.native_handle(), buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}
}  // namespace

TEST(Server, ProbesAnswer) {
  TestServer s;
  auto c = s.client();
  auto h = c.Get("/healthz");
  EXPECT_EQ(h->status, 200);
  auto r = c.Get("/readyz");
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(c.Get("/nope")->status, 404);
  EXPECT_FALSE(h->get_header_value("X-Request-Id").empty());
}

TEST(Server, MetricsAreInPrometheusTextFormat) {
  TestServer s;
  auto c = s.client();
  c.Get("/healthz");
  c.Get("/wechat/callback/wx9999999999999999?timestamp=1&nonce=1&signature=x&echostr=e");
  auto m = c.Get("/metrics");
  ASSERT_EQ(m->status, 200);
  EXPECT_NE(m->get_header_value("Content-Type").find("text/plain; version=0.0.4"), std::string::npos);
  EXPECT_NE(m->body.find("xiaoqu_http_requests_total{route=\"/healthz\",status=\"200\"} 1"), std::string::npos) << m->body;
  EXPECT_NE(m->body.find("xiaoqu_http_requests_total{route=\"/wechat/callback\",status=\"404\"} 1"), std::string::npos);
  EXPECT_NE(m->body.find("xiaoqu_http_request_duration_seconds_bucket{route=\"/healthz\",le=\"+Inf\"} 1"), std::string::npos);
  EXPECT_NE(m->body.find("xiaoqu_rejections_total{reason=\"unknown_account\"} 1"), std::string::npos);
  EXPECT_NE(m->body.find("# TYPE xiaoqu_callbacks_total counter"), std::string::npos);
}

TEST(Server, KeepAliveServesSeveralRequestsOnOneConnection) {
  TestServer s;
  std::string req = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  std::string out = raw_exchange(s.port(), req + req + "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  std::size_t n = 0;
  for (std::size_t p = 0; (p = out.find("HTTP/1.1 200", p)) != std::string::npos; ++p) ++n;
  EXPECT_EQ(n, 3u) << out;
}

TEST(Server, OversizedHeaderGets431) {
  TestServer s;
  std::string out = raw_exchange(s.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(16 * 1024, 'a') + "\r\n\r\n");
  EXPECT_EQ(out.rfind("HTTP/1.1 431", 0), 0u) << out.substr(0, 200);
}

TEST(Server, GarbageRequestGets400) {
  TestServer s;
  std::string out = raw_exchange(s.port(), "NOT HTTP AT ALL\r\n\r\n");
  EXPECT_EQ(out.rfind("HTTP/1.1 400", 0), 0u) << out.substr(0, 200);
}

TEST(Server, SlowRequestIsClosedAfterTheReadTimeout) {
  TestServer s(nlohmann::json{{"server", {{"read_timeout_ms", 300}}}});
  auto start = std::chrono::steady_clock::now();
  std::string out = raw_exchange(s.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\n", std::chrono::seconds(5));
  auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(out, "");
  EXPECT_LT(waited, std::chrono::seconds(3));
}

TEST(Server, ConnectionsOverTheCapGet503) {
  TestServer s(nlohmann::json{{"server", {{"max_connections", 1}}}});
  net::io_context ioc;
  net::ip::tcp::socket first(ioc);
  first.connect({net::ip::make_address("127.0.0.1"), s.port()});
  std::string req = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  net::write(first, net::buffer(req));
  char buf[512];
  std::size_t n = first.read_some(net::buffer(buf));
  ASSERT_EQ(std::string(buf, n).rfind("HTTP/1.1 200", 0), 0u);
  std::string out = raw_exchange(s.port(), req);
  EXPECT_EQ(out.rfind("HTTP/1.1 503", 0), 0u) << out;
}

#ifdef XIAOQU_BINARY
namespace {
struct Child {
  pid_t pid = -1;
  std::string log;
};

Child spawn(const std::vector<std::string>& args, const std::vector<std::string>& env, const std::string& log) {
  Child c{-1, log};
  c.pid = fork();
  if (c.pid == 0) {
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(fd, 1);
    dup2(fd, 2);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
    execve(args[0].c_str(), argv.data(), envp.data());
    _exit(127);
  }
  return c;
}

int wait_exit(pid_t pid, std::chrono::seconds limit) {
  auto end = std::chrono::steady_clock::now() + limit;
  int status = 0;
  while (std::chrono::steady_clock::now() < end) {
    if (waitpid(pid, &status, WNOHANG) == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  return -1;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::vector<std::string> env_list() {
  std::vector<std::string> out;
  for (const auto& [k, v] : secrets()) out.push_back(k + "=" + v);
  return out;
}
}  // namespace

TEST(Binary, ServesThenStopsGracefullyOnSigterm) {
  auto dir = temp_dir();
  auto cfg = dir / "xiaoqu.json";
  unsigned short port = 0;
  {
    // Pick a free port for the child.
    net::io_context ioc;
    net::ip::tcp::acceptor a(ioc, {net::ip::make_address("127.0.0.1"), 0});
    port = a.local_endpoint().port();
  }
  std::ofstream(cfg) << config_text(dir / "xiaoqu.db", nlohmann::json{{"server", {{"port", port}}}, {"log", {{"level", "info"}}}});
  auto child = spawn({XIAOQU_BINARY, "serve", "--config", cfg.string()}, env_list(), (dir / "log").string());
  httplib::Client c("127.0.0.1", port);
  bool up = false;
  for (int i = 0; i < 200 && !up; ++i) {
    auto r = c.Get("/readyz");
    up = r && r->status == 200;
    if (!up) std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  ASSERT_TRUE(up) << slurp(child.log);
  // An idle keep-alive connection must not hold the shutdown up.
  net::io_context ioc;
  net::ip::tcp::socket idle(ioc);
  idle.connect({net::ip::make_address("127.0.0.1"), port});
  kill(child.pid, SIGTERM);
  EXPECT_EQ(wait_exit(child.pid, std::chrono::seconds(10)), 0) << slurp(child.log);
  std::string log = slurp(child.log);
  EXPECT_NE(log.find("event=server.stopped"), std::string::npos) << log;
  // Secrets never reach the log.
  EXPECT_EQ(log.find(kMpToken), std::string::npos);
  EXPECT_EQ(log.find(kMpKey), std::string::npos);
}

TEST(Binary, InvalidConfigurationNamesTheKey) {
  auto dir = temp_dir();
  auto cfg = dir / "bad.json";
  std::ofstream(cfg) << config_text(dir / "x.db", nlohmann::json{{"server", {{"port", 70000}}}});
  auto child = spawn({XIAOQU_BINARY, "serve", "--config", cfg.string()}, env_list(), (dir / "log").string());
  EXPECT_EQ(wait_exit(child.pid, std::chrono::seconds(10)), 78);
  EXPECT_NE(slurp(child.log).find("server.port: must be between 0 and 65535, got 70000"), std::string::npos) << slurp(child.log);
}

TEST(Binary, SecretInTheFileIsRefused) {
  auto dir = temp_dir();
  auto cfg = dir / "bad.json";
  std::ofstream(cfg) << config_text(dir / "x.db", nlohmann::json{{"official_accounts", {{kMpAppid, {{"token", "inTheFile"}}}}}});
  auto child = spawn({XIAOQU_BINARY, "serve", "--config", cfg.string()}, env_list(), (dir / "log").string());
  EXPECT_EQ(wait_exit(child.pid, std::chrono::seconds(10)), 78);
  std::string log = slurp(child.log);
  EXPECT_NE(log.find("official_accounts.wx5d3c9a1b7e20f468.token: secrets are accepted only from the environment"), std::string::npos) << log;
  EXPECT_EQ(log.find("inTheFile"), std::string::npos);
}

TEST(Binary, MigrateAndVersion) {
  auto dir = temp_dir();
  auto cfg = dir / "x.json";
  std::ofstream(cfg) << config_text(dir / "x.db");
  auto m = spawn({XIAOQU_BINARY, "migrate", "--config", cfg.string()}, env_list(), (dir / "m.log").string());
  EXPECT_EQ(wait_exit(m.pid, std::chrono::seconds(10)), 0) << slurp(m.log);
  std::string expected = "schema version " + std::to_string(xiaoqu::store::migrations().back().version);
  EXPECT_NE(slurp(m.log).find(expected), std::string::npos) << slurp(m.log);
  auto v = spawn({XIAOQU_BINARY, "version"}, {}, (dir / "v.log").string());
  EXPECT_EQ(wait_exit(v.pid, std::chrono::seconds(10)), 0);
  EXPECT_EQ(slurp(v.log).rfind("xiaoqu ", 0), 0u);
}
#endif
