// The outbox through the real gateway and the sandbox over sockets: rows written in a store
// job are claimed on the server's timer, sent with the token provider's client or the SMS
// client, and their delivery reports (TEMPLATESENDJOBFINISH pushed back by the sandbox)
// applied; transient faults are retried, permanent errors kept for admins, the per-account
// rate holds, and a gateway killed mid-dispatch sends every row once after a restart.
#include <gtest/gtest.h>
#include <httplib.h>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <chrono>
#include <map>
#include <set>
#include <thread>

#include "notify/outbox.hpp"
#include "sandbox/sandbox.hpp"
#include "sandbox/wechat_followers.hpp"
#include "tests/support/test_server.hpp"

using namespace xiaoqu;
using namespace xiaoqu::testing;

namespace {
constexpr const char* kSendPath = "/cgi-bin/message/template/send";

config::Environment outbox_env() {
  auto env = secrets();
  env["XIAOQU_OFFICIAL_ACCOUNTS__WX5D3C9A1B7E20F468__APP_SECRET"] = "mpSecret0123456789";
  env["XIAOQU_SMS__SECRET_ID"] = "AKIDsandboxXiaoquSms000000000000";
  env["XIAOQU_SMS__SECRET_KEY"] = "sandboxSmsSecretKey0123456789abc";
  return env;
}

nlohmann::json world_patch(const std::string& sandbox_url, const nlohmann::json& outbox) {
  nlohmann::json p = {
      {"platforms", {{"wechat_api", sandbox_url}, {"sms_api", sandbox_url}}},
      // One attempt per call: the outbox's own retries are what these tests watch.
      {"http", {{"max_attempts", 1}, {"backoff_initial_ms", 1}, {"backoff_max_ms", 5}, {"workers", 4}}},
      {"sms", {{"sdk_app_id", "1400006666"}, {"sign_name", "阳光物业"}, {"region", "ap-guangzhou"}}},
      {"sandbox", {{"port", 0}, {"ticket_interval_seconds", 0}, {"followers", 100}}},
      {"outbox", {{"poll_ms", 50}, {"backoff_base_ms", 200}, {"backoff_cap_ms", 1000}, {"rate_per_second", 1000}}},
  };
  p["outbox"].merge_patch(outbox);
  return p;
}

std::string follower(int i) { return sandbox::generated_openid(kMpAppid, static_cast<std::uint64_t>(i)); }

notify::OutboxItem template_item(const std::string& key, const std::string& openid, const std::string& template_id = "TPLreview") {
  notify::OutboxItem item;
  item.idempotency_key = key;
  item.purpose = "review_reminder";
  item.community_id = 1;
  item.template_message =
      notify::TemplateMessage{kMpAppid, openid, template_id, "", {{"thing1", {{"value", "阳光花园 1栋101 张三 待审核"}}}}};
  return item;
}

notify::OutboxItem sms_item(const std::string& key, const std::string& phone) {
  notify::OutboxItem item;
  item.idempotency_key = key;
  item.purpose = "review_reminder";
  item.community_id = 1;
  item.sms = notify::SmsMessage{phone, "1110", {"阳光花园", "1"}};
  return item;
}

nlohmann::json sandbox_get(const std::string& base, const std::string& path) {
  httplib::Client c(base);
  auto r = c.Get(path.c_str());
  if (!r) return {};
  return nlohmann::json::parse(r->body, nullptr, false);
}

/// The sandbox, then a gateway pointed at it (and it at the gateway).
struct World {
  std::filesystem::path dir = temp_dir();
  std::unique_ptr<sandbox::Sandbox> sb;
  std::unique_ptr<TestServer> gw;

  explicit World(const nlohmann::json& outbox = nlohmann::json::object()) {
    sb = std::make_unique<sandbox::Sandbox>(
        config::load_from_text(config_text(dir / "sandbox-unused.db", world_patch("http://127.0.0.1:1", outbox)), outbox_env()));
    sb->start();
    gw = std::make_unique<TestServer>(world_patch(sb->base_url(), outbox), dir, outbox_env());
    sb->set_gateway_url(gw->url());
  }
  ~World() {
    gw.reset();
    sb->stop();
  }

  std::optional<std::int64_t> enqueue(const notify::OutboxItem& item) {
    std::optional<std::int64_t> id;
    gw->app().database().write([&](store::Connection& c) { id = notify::enqueue(c, item, std::time(nullptr)); });
    return id;
  }
  std::string field(std::int64_t id, const std::string& column) {
    store::Connection c(gw->db_path().string(), true);
    store::Statement s(c, "SELECT " + column + " FROM outbox WHERE id = ?1");
    s.bind(1, id);
    return s.step() ? s.text(0) : "(none)";
  }
  /// Waits up to `seconds` for the row to reach `status`.
  bool reaches(std::int64_t id, const std::string& status, int seconds = 10) {
    for (int i = 0; i < seconds * 50; ++i) {
      if (field(id, "status") == status) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }
  nlohmann::json templates() { return sandbox_get(sb->base_url(), "/sandbox/wechat/template_messages").value("messages", nlohmann::json::array()); }
  nlohmann::json sms() { return sandbox_get(sb->base_url(), "/sandbox/sms/messages").value("messages", nlohmann::json::array()); }
};
}  // namespace

TEST(OutboxEndToEnd, TemplateMessageIsSentOnceThenDeliveredByTheFinishPush) {
  World w;
  auto id = w.enqueue(template_item("review:1:admin:1", follower(3)));
  ASSERT_TRUE(id);
  EXPECT_FALSE(w.enqueue(template_item("review:1:admin:1", follower(3)))) << "a second enqueue with the key is a no-op";
  ASSERT_TRUE(w.reaches(*id, "delivered")) << w.field(*id, "status") << " " << w.field(*id, "last_error");
  EXPECT_EQ(w.field(*id, "attempts"), "1");
  EXPECT_EQ(w.field(*id, "delivery_status"), "success");
  auto sent = w.templates();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0]["touser"], follower(3));
  EXPECT_EQ(sent[0]["template_id"], "TPLreview");
  EXPECT_EQ(sent[0]["client_msg_id"], "review:1:admin:1");
  EXPECT_EQ(sent[0]["data"]["thing1"]["value"], "阳光花园 1栋101 张三 待审核");
  EXPECT_EQ(w.field(*id, "platform_msg_id"), std::to_string(sent[0]["msgid"].get<long long>()));
}

TEST(OutboxEndToEnd, TransientFaultIsRetriedAfterBackoffThenSent) {
  World w;
  sandbox::Fault busy;
  busy.errcode = -1;
  busy.errmsg = "system error";
  busy.remaining = 1;
  w.sb->set_fault(kSendPath, busy);
  auto id = *w.enqueue(template_item("retry:1", follower(5)));
  ASSERT_TRUE(w.reaches(id, "delivered")) << w.field(id, "status") << " " << w.field(id, "last_error");
  EXPECT_EQ(w.field(id, "attempts"), "2");
  EXPECT_EQ(w.field(id, "last_error"), "");
  EXPECT_EQ(w.sb->counter(std::string("faults ") + kSendPath), 1u);
  EXPECT_EQ(w.templates().size(), 1u);
}

TEST(OutboxEndToEnd, PermanentErrorsFailAtOnceAndAreNotAttemptedAgain) {
  World w;
  auto deleted_template = *w.enqueue(template_item("perm:template", follower(1), "DELETEDTEMPLATE"));
  auto stranger = *w.enqueue(template_item("perm:openid", "oNotAFollowerOfThisAccount0001"));
  ASSERT_TRUE(w.reaches(deleted_template, "failed"));
  ASSERT_TRUE(w.reaches(stranger, "failed"));
  EXPECT_NE(w.field(deleted_template, "last_error").find("40037"), std::string::npos) << w.field(deleted_template, "last_error");
  EXPECT_NE(w.field(stranger, "last_error").find("40003"), std::string::npos) << w.field(stranger, "last_error");
  auto calls = w.sb->counter(std::string("calls ") + kSendPath);
  EXPECT_EQ(calls, 2u);
  // Several poll intervals and a backoff later: still one attempt each.
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(w.sb->counter(std::string("calls ") + kSendPath), calls);
  EXPECT_EQ(w.field(deleted_template, "attempts"), "1");
  EXPECT_TRUE(w.templates().empty());
}

TEST(OutboxEndToEnd, UserWhoRefusedTheAccountsMessagesEndsFailedWithThePlatformsText) {
  World w;
  httplib::Client c(w.sb->base_url());
  ASSERT_TRUE(c.Post("/sandbox/wechat/block", nlohmann::json{{"appid", kMpAppid}, {"openid", follower(7)}}.dump(), "application/json"));
  auto id = *w.enqueue(template_item("blocked:1", follower(7)));
  ASSERT_TRUE(w.reaches(id, "failed")) << w.field(id, "status");
  EXPECT_EQ(w.field(id, "delivery_status"), "failed:user block");
  EXPECT_FALSE(w.field(id, "platform_msg_id").empty());
}

TEST(OutboxEndToEnd, SendRatePerAccountIsHeld) {
  World w({{"rate_per_second", 5}, {"concurrency", 8}});
  constexpr int kMessages = 12;
  std::vector<std::int64_t> ids;
  for (int i = 0; i < kMessages; ++i) ids.push_back(*w.enqueue(template_item("rate:" + std::to_string(i), follower(10 + i))));
  for (auto id : ids) ASSERT_TRUE(w.reaches(id, "delivered", 15)) << id;
  std::map<long long, int> per_second;
  long long first = LLONG_MAX, last = 0;
  for (const auto& m : w.templates()) {
    long long at = m["sent_at"].get<long long>();
    ++per_second[at];
    first = std::min(first, at);
    last = std::max(last, at);
  }
  for (const auto& [second, n] : per_second) EXPECT_LE(n, 6) << "second " << second;  // 5/s plus a burst of one
  // 12 messages at 5 per second take at least two seconds from the first to the last.
  EXPECT_GE(last - first, 2);
}

TEST(OutboxEndToEnd, SmsIsSentWithTheKeyAsSessionContextAndAnInvalidNumberFails) {
  World w;
  httplib::Client c(w.sb->base_url());
  ASSERT_TRUE(c.Post("/sandbox/sms/phone_fault",
                     nlohmann::json{{"phone", "13900139000"}, {"code", "InvalidParameterValue.IncorrectPhoneNumber"}}.dump(),
                     "application/json"));
  auto ok = *w.enqueue(sms_item("sms:ok", "138 0013 8000"));
  auto bad = *w.enqueue(sms_item("sms:bad", "13900139000"));
  ASSERT_TRUE(w.reaches(ok, "sent")) << w.field(ok, "last_error");
  ASSERT_TRUE(w.reaches(bad, "failed"));
  auto sent = w.sms();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0]["phone"], "+8613800138000");
  EXPECT_EQ(sent[0]["session_context"], "sms:ok");
  EXPECT_EQ(sent[0]["template_id"], "1110");
  EXPECT_EQ(w.field(ok, "platform_msg_id"), sent[0]["serial_no"]);
  EXPECT_NE(w.field(bad, "last_error").find("IncorrectPhoneNumber"), std::string::npos);
  EXPECT_EQ(w.field(bad, "last_error").find("13900139000"), std::string::npos) << "no phone number in the error";
}

#ifdef XIAOQU_BINARY
namespace {
pid_t spawn_gateway(const std::filesystem::path& cfg, const std::filesystem::path& log) {
  std::vector<std::string> env;
  for (const auto& [k, v] : outbox_env()) env.push_back(k + "=" + v);
  pid_t pid = fork();
  if (pid == 0) {
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    dup2(fd, 1);
    dup2(fd, 2);
    std::string bin = XIAOQU_BINARY, serve = "serve", flag = "--config", file = cfg.string();
    char* argv[] = {bin.data(), serve.data(), flag.data(), file.data(), nullptr};
    std::vector<char*> envp;
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    execve(argv[0], argv, envp.data());
    _exit(127);
  }
  return pid;
}

unsigned short free_port() {
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::acceptor a(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();
}

bool ready(unsigned short port) {
  httplib::Client c("127.0.0.1", port);
  for (int i = 0; i < 400; ++i) {
    auto r = c.Get("/readyz");
    if (r && r->status == 200) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return false;
}

long long count_rows(const std::filesystem::path& db, const std::string& sql) {
  store::Connection c(db.string(), true);
  store::Statement s(c, sql);
  s.step();
  return s.integer(0);
}
}  // namespace

TEST(OutboxEndToEnd, GatewayKilledDuringDispatchSendsEveryRowOnceAfterRestart) {
  auto dir = temp_dir();
  auto db = dir / "xiaoqu.db";
  constexpr int kRows = 40;
  // Slow sends keep several rows claimed and on the wire at any moment.
  nlohmann::json outbox = {{"concurrency", 4}, {"lease_seconds", 2}, {"rate_per_second", 1000}};
  sandbox::Sandbox sb(config::load_from_text(config_text(dir / "sandbox-unused.db", world_patch("http://127.0.0.1:1", outbox)), outbox_env()));
  sb.start();
  sandbox::Fault slow;
  slow.latency_ms = 150;
  sb.set_fault(kSendPath, slow);
  {
    store::Database store(db.string());
    store.write([&](store::Connection& c) {
      for (int i = 0; i < kRows; ++i) notify::enqueue(c, template_item("crash:" + std::to_string(i), follower(i)), std::time(nullptr));
    });
  }
  unsigned short port = free_port();
  auto cfg = dir / "xiaoqu.json";
  auto patch = world_patch(sb.base_url(), outbox);
  patch["server"] = {{"port", port}};
  patch["http"]["workers"] = 4;
  std::ofstream(cfg) << config_text(db, patch);
  sb.set_gateway_url("http://127.0.0.1:" + std::to_string(port));

  pid_t first = spawn_gateway(cfg, dir / "first.log");
  ASSERT_TRUE(ready(port));
  auto templates = [&] { return sandbox_get(sb.base_url(), "/sandbox/wechat/template_messages").value("messages", nlohmann::json::array()); };
  for (int i = 0; i < 500 && templates().size() < 10; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  kill(first, SIGKILL);
  int status = 0;
  waitpid(first, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));
  long long claimed_at_kill = count_rows(db, "SELECT count(*) FROM outbox WHERE status = 'sending'");
  EXPECT_GT(claimed_at_kill, 0) << "the kill should catch rows mid-send";
  EXPECT_LT(count_rows(db, "SELECT count(*) FROM outbox WHERE status IN ('sent','delivered')"), kRows);

  pid_t second = spawn_gateway(cfg, dir / "second.log");
  ASSERT_TRUE(ready(port));
  bool done = false;
  for (int i = 0; i < 1500 && !done; ++i) {
    done = count_rows(db, "SELECT count(*) FROM outbox WHERE status IN ('sent','delivered')") == kRows;
    if (!done) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill(second, SIGTERM);
  waitpid(second, &status, 0);
  ASSERT_TRUE(done) << count_rows(db, "SELECT count(*) FROM outbox WHERE status = 'sending'") << " still claimed";

  // Every row reached its follower exactly once: the re-sent ones were de-duplicated by
  // their idempotency key (client_msg_id) within the platform's 10-minute window.
  auto sent = templates();
  std::set<std::string> keys;
  for (const auto& m : sent) keys.insert(m["client_msg_id"].get<std::string>());
  EXPECT_EQ(sent.size(), static_cast<std::size_t>(kRows));
  EXPECT_EQ(keys.size(), static_cast<std::size_t>(kRows));
  EXPECT_GE(sb.counter("template_deduplicated"), 1u) << "rows claimed at the kill were sent again after the restart";
  EXPECT_EQ(count_rows(db, "SELECT count(*) FROM outbox WHERE status IN ('failed','pending','sending')"), 0);
  sb.stop();
}
#endif
