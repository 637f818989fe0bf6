// Faults configured in the file are in force from the start, and the run-time control
// endpoint adds and clears them.
#include <gtest/gtest.h>
#include <httplib.h>

#include "sandbox/sandbox.hpp"
#include "tests/support/test_server.hpp"

using namespace xiaoqu;

namespace {
long long errcode_of(httplib::Client& c, const char* target) {
  auto r = c.Get(target);
  if (!r) return -999;
  return nlohmann::json::parse(r->body, nullptr, false).value("errcode", 0LL);
}
}  // namespace

TEST(SandboxFaults, ConfiguredFaultHitsItsCountThenClears) {
  auto dir = xiaoqu::testing::temp_dir();
  sandbox::Sandbox sb(config::load_from_text(
      xiaoqu::testing::config_text(dir / "unused.db", nlohmann::json{{"sandbox", {{"port", 0}, {"ticket_interval_seconds", 0},
                                                                          {"faults", {{"/cgi-bin/tags/get", {{"errcode", 45009}, {"count", 2}}}}}}}}),
      xiaoqu::testing::secrets()));
  sb.start();
  httplib::Client c(sb.base_url());
  EXPECT_EQ(errcode_of(c, "/cgi-bin/tags/get"), 45009);
  EXPECT_EQ(errcode_of(c, "/cgi-bin/tags/get"), 45009);
  EXPECT_EQ(errcode_of(c, "/cgi-bin/tags/get"), 41001);  // the real answer: no token given

  auto set = c.Post("/sandbox/faults", R"({"path": "/cgi-bin/tags/get", "errcode": -1})", "application/json");
  ASSERT_TRUE(set);
  EXPECT_EQ(errcode_of(c, "/cgi-bin/tags/get"), -1);
  c.Post("/sandbox/faults/clear", "{}", "application/json");
  EXPECT_EQ(errcode_of(c, "/cgi-bin/tags/get"), 41001);
  EXPECT_EQ(sb.counter("faults /cgi-bin/tags/get"), 3u);
  sb.stop();
}
