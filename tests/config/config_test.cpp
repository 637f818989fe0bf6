#include "config/config.hpp"

#include <gtest/gtest.h>

using xiaoqu::config::ConfigError;
using xiaoqu::config::Environment;
using xiaoqu::config::load_from_text;
using xiaoqu::config::MessageMode;

namespace {
const char* kMinimal = R"({"store": {"path": "x.db"}})";
Environment key_env() { return {{"XIAOQU_MASTER_KEY", std::string(64, 'a')}}; }

std::string error_of(const std::string& text, Environment env = key_env(), std::vector<std::string> overrides = {}) {
  try {
    load_from_text(text, env, overrides);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}
}  // namespace

TEST(Config, DefaultsApply) {
  auto c = load_from_text(kMinimal, key_env());
  EXPECT_EQ(c.server.port, 8080);
  EXPECT_EQ(c.server.max_body_bytes, 1024u * 1024u);
  EXPECT_EQ(c.callbacks.timestamp_window_seconds, 300u);
  EXPECT_TRUE(c.callbacks.dedup);
  EXPECT_EQ(c.store.master_key, std::string(64, 'a'));
}

TEST(Config, EnvironmentOverridesFileAndFlagsOverrideEnvironment) {
  Environment env = key_env();
  env["XIAOQU_SERVER__PORT"] = "9001";
  env["XIAOQU_CALLBACKS__DEDUP"] = "false";
  env["UNRELATED"] = "1";
  auto c = load_from_text(R"({"server": {"port": 8000}, "store": {"path": "x.db"}})", env);
  EXPECT_EQ(c.server.port, 9001);
  EXPECT_FALSE(c.callbacks.dedup);
  auto d = load_from_text(R"({"server": {"port": 8000}, "store": {"path": "x.db"}})", env, {"server.port=9002"});
  EXPECT_EQ(d.server.port, 9002);
}

TEST(Config, AccountSecretsComeFromTheEnvironment) {
  Environment env = key_env();
  env["XIAOQU_OFFICIAL_ACCOUNTS__WXABC0000000000001__TOKEN"] = "tok123";
  env["XIAOQU_OFFICIAL_ACCOUNTS__WXABC0000000000001__ENCODING_AES_KEY"] = std::string(43, 'A');
  env["XIAOQU_WECOM__MY_APP__TOKEN"] = "wtok";
  env["XIAOQU_WECOM__MY_APP__ENCODING_AES_KEY"] = std::string(43, 'B');
  auto c = load_from_text(R"({"store": {"path": "x.db"},
    "official_accounts": {"wxabc0000000000001": {"mode": "safe"}},
    "wecom": {"my-app": {"kind": "corp", "corp_id": "ww1"}}})", env);
  ASSERT_EQ(c.official_accounts.size(), 1u);
  EXPECT_EQ(c.official_accounts[0].token, "tok123");
  EXPECT_EQ(c.official_accounts[0].mode, MessageMode::safe);
  ASSERT_EQ(c.wecom.size(), 1u);
  EXPECT_EQ(c.wecom[0].token, "wtok");
  EXPECT_EQ(c.wecom[0].receive_ids, std::vector<std::string>{"ww1"});
}

TEST(Config, SecretsInTheFileAreRefused) {
  EXPECT_NE(error_of(R"({"store": {"path": "x.db", "master_key": "abc"}})").find("store.master_key: secrets are accepted only from the environment; remove it from the file and set XIAOQU_STORE__MASTER_KEY"), std::string::npos);
  EXPECT_NE(error_of(R"({"store": {"path": "x.db"}}, "x")").find("not valid JSON"), std::string::npos);
  EXPECT_NE(error_of(R"({"store": {"path": "x.db"}})", key_env(), {"official_accounts.wx1.token=abc"}).find("secrets are accepted only from the environment"), std::string::npos);
}

TEST(Config, ErrorsNameTheKey) {
  EXPECT_EQ(error_of(R"({"store": {"path": "x.db"}, "server": {"port": "80"}})"), "server.port: must be an integer");
  EXPECT_EQ(error_of(R"({"store": {"path": "x.db"}, "server": {"prot": 80}})"), "server.prot: unknown key");
  EXPECT_EQ(error_of(R"({"store": {"path": "x.db"}, "log": {"level": "loud"}})"), "log.level: must be debug, info, warn or error");
  EXPECT_EQ(error_of(R"({"store": {"path": "x.db"}})", {}),
            "store.master_key: missing; set XIAOQU_MASTER_KEY (64 hex characters) or, for a demo, store.master_key_file");
  EXPECT_EQ(error_of(R"({"store": {"path": "x.db"}, "official_accounts": {"wx1": {"mode": "safe"}}})"),
            "official_accounts.wx1.token: missing; set XIAOQU_OFFICIAL_ACCOUNTS__WX1__TOKEN");
  Environment env = key_env();
  env["XIAOQU_OFFICIAL_ACCOUNTS__WX1__TOKEN"] = "tok123";
  env["XIAOQU_OFFICIAL_ACCOUNTS__WX1__ENCODING_AES_KEY"] = "short";
  EXPECT_EQ(error_of(R"({"store": {"path": "x.db"}, "official_accounts": {"wx1": {"mode": "safe"}}})", env),
            "official_accounts.wx1.encoding_aes_key: must be 43 letters or digits (the EncodingAESKey of the platform console) "
            "(set by XIAOQU_OFFICIAL_ACCOUNTS__WX1__ENCODING_AES_KEY)");
  EXPECT_EQ(error_of(R"({"store": {"path": "x.db"}, "official_accounts": {"wx1": {"mode": "loud"}}})", env),
            "official_accounts.wx1.mode: must be plaintext, compatible or safe, got \"loud\"");
  Environment bad = key_env();
  bad["XIAOQU_SERVER__PORT"] = "eighty";
  EXPECT_EQ(error_of(kMinimal, bad), "server.port: must be an integer (set by XIAOQU_SERVER__PORT)");
  Environment numeric = key_env();
  numeric["XIAOQU_OFFICIAL_ACCOUNTS__WX1__TOKEN"] = "123456";
  auto c = load_from_text(R"({"store": {"path": "x.db"}, "official_accounts": {"wx1": {"mode": "plaintext"}}})", numeric);
  EXPECT_EQ(c.official_accounts[0].token, "123456");
}

TEST(Config, PlaintextAccountNeedsNoKey) {
  Environment env = key_env();
  env["XIAOQU_OFFICIAL_ACCOUNTS__WXP__TOKEN"] = "tok123";
  auto c = load_from_text(R"({"store": {"path": "x.db"}, "official_accounts": {"wxp": {"mode": "plaintext"}}})", env);
  EXPECT_EQ(c.official_accounts[0].mode, MessageMode::plaintext);
  EXPECT_TRUE(c.official_accounts[0].encoding_aes_key.empty());
}

TEST(Config, SandboxFaultsFromTheFile) {
  auto c = load_from_text(R"({"store": {"path": "x.db"},
    "sandbox": {"faults": {"/cgi-bin/user/get": {"errcode": 45009, "rate": 0.5, "count": 3}}}})", key_env());
  ASSERT_EQ(c.sandbox.faults.count("/cgi-bin/user/get"), 1u);
  EXPECT_EQ(c.sandbox.faults["/cgi-bin/user/get"].errcode, 45009);
  EXPECT_DOUBLE_EQ(c.sandbox.faults["/cgi-bin/user/get"].rate, 0.5);
  EXPECT_EQ(error_of(R"({"store": {"path": "x.db"}, "sandbox": {"faults": {"/x": {"rate": 2}}}})"),
            "sandbox.faults./x.rate: must be a number between 0 and 1");
}
