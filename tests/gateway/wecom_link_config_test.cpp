// The wecom_link configuration section: defaults, and errors that name the key.
#include <gtest/gtest.h>

#include "tests/support/test_server.hpp"

using namespace xiaoqu;
using namespace xiaoqu::testing;

namespace {
config::Config load(const nlohmann::json& patch) {
  return config::load_from_text(config_text(temp_dir() / "x.db", patch), secrets());
}

std::string error_key(const nlohmann::json& patch) {
  try {
    load(patch);
  } catch (const config::ConfigError& e) {
    return e.key();
  }
  return "<accepted>";
}
}  // namespace

TEST(WecomLinkConfig, DefaultsAndEndpointsByIdOfTheRightKind) {
  auto c = load({{"wecom_link", {{"public_url", "https://wy.example.com/"}, {"suite", "suite"}, {"self_built", "corp"}}}});
  EXPECT_EQ(c.wecom_link.public_url, "https://wy.example.com");
  EXPECT_EQ(c.wecom_link.suite, "suite");
  EXPECT_EQ(c.wecom_link.self_built, "corp");
  EXPECT_FALSE(c.wecom_link.test_install);
  EXPECT_EQ(c.wecom_link.state_ttl_seconds, 1200u);
  EXPECT_EQ(c.wecom_link.resync_interval_seconds, 86'400u);

  EXPECT_EQ(error_key({{"wecom_link", {{"suite", "corp"}}}}), "wecom_link.suite");
  EXPECT_EQ(error_key({{"wecom_link", {{"self_built", "suite"}}}}), "wecom_link.self_built");
  EXPECT_EQ(error_key({{"wecom_link", {{"self_built", "nosuch"}}}}), "wecom_link.self_built");
  EXPECT_EQ(error_key({{"wecom_link", {{"public_url", "wy.example.com"}}}}), "wecom_link.public_url");
  EXPECT_EQ(error_key({{"wecom_link", {{"state_ttl_seconds", 3600}}}}), "wecom_link.state_ttl_seconds");
  EXPECT_EQ(error_key({{"wecom_link", {{"secret", "x"}}}}), "wecom_link.secret");
}
