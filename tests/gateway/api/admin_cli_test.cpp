// `xiaoqu admin create`, run as the operator runs it: the real binary against a temp store.
#include <sys/wait.h>

#include <cstdio>
#include <fstream>

#include "tests/gateway/api/admin_fixture.hpp"

#ifndef XIAOQU_BINARY
#define XIAOQU_BINARY "xiaoqu"
#endif

namespace xiaoqu::testing {
namespace {

struct CliRun {
  int status = -1;
  std::string output;
};

struct AdminCli : ::testing::Test {
  AdminCli() : dir(temp_dir()) {
    std::ofstream(dir / "xiaoqu.json") << nlohmann::json{{"store", {{"path", (dir / "xiaoqu.db").string()}}}, {"log", {{"level", "error"}}}}.dump();
  }

  // Runs the binary through the shell; `env` and `stdin_text` as an operator would give them.
  CliRun invoke(const std::string& args, const std::string& env, const std::string& stdin_text = "") const {
    std::string cmd = "printf '%s' '" + stdin_text + "' | env -u XIAOQU_ADMIN_PASSWORD XIAOQU_MASTER_KEY=" +
                      secrets().at("XIAOQU_MASTER_KEY") + " " + env + " " + XIAOQU_BINARY + " admin create --config " +
                      (dir / "xiaoqu.json").string() + " " + args + " 2>&1";
    CliRun r;
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) return r;
    char buf[512];
    while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) r.output.append(buf, n);
    int st = ::pclose(p);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return r;
  }

  std::filesystem::path dir;
};

TEST_F(AdminCli, CreatesAnOperatorWhoCanSignIn) {
  auto r = invoke("--username root --role operator --display-name 运营", "XIAOQU_ADMIN_PASSWORD=first-operator-pw");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("created operator account root"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("first-operator-pw"), std::string::npos);

  TestServer server(admin_patch(), dir);
  auto c = server.client();
  Session s = sign_in(c, "root", "first-operator-pw");
  auto me = c.Get("/api/v1/auth/me", s.headers());
  ASSERT_TRUE(me);
  ASSERT_EQ(me->status, 200);
  auto m = nlohmann::json::parse(me->body);
  EXPECT_EQ(m["admin"]["role"], "operator");
  EXPECT_EQ(m["admin"]["display_name"], "运营");
  EXPECT_EQ(server.count("SELECT COUNT(*) FROM audit_log WHERE action = 'admin.create' AND actor = 'system'"), 1);
}

TEST_F(AdminCli, ReadsThePasswordFromStdinAndAssignsCommunities) {
  ASSERT_EQ(invoke("--username root --role operator", "XIAOQU_ADMIN_PASSWORD=first-operator-pw").status, 0);
  {
    store::Connection c((dir / "xiaoqu.db").string());
    c.exec("INSERT INTO communities (id, name, created_at, updated_at) VALUES (7, '腾讯小区', 1, 1)");
  }
  auto r = invoke("--username wuye --role property_admin --community 7", "", "stdin-password-123\n");
  ASSERT_EQ(r.status, 0) << r.output;
  TestServer server(admin_patch(), dir);
  auto c = server.client();
  Session s = sign_in(c, "wuye", "stdin-password-123");
  auto m = nlohmann::json::parse(c.Get("/api/v1/auth/me", s.headers())->body);
  EXPECT_EQ(m["admin"]["communities"], nlohmann::json::array({7}));
}

TEST_F(AdminCli, RefusesDuplicatesWeakPasswordsAndUnknownCommunities) {
  ASSERT_EQ(invoke("--username root --role operator", "XIAOQU_ADMIN_PASSWORD=first-operator-pw").status, 0);
  auto dup = invoke("--username root --role operator", "XIAOQU_ADMIN_PASSWORD=another-password");
  EXPECT_NE(dup.status, 0);
  EXPECT_NE(dup.output.find("用户名 root 已存在"), std::string::npos) << dup.output;
  auto weak = invoke("--username second --role operator", "XIAOQU_ADMIN_PASSWORD=short");
  EXPECT_NE(weak.status, 0);
  EXPECT_NE(weak.output.find("密码至少需要 10 个字符"), std::string::npos) << weak.output;
  auto community = invoke("--username wuye --role property_admin --community 42", "XIAOQU_ADMIN_PASSWORD=long-enough-pw");
  EXPECT_NE(community.status, 0);
  EXPECT_NE(community.output.find("小区 42 不存在"), std::string::npos) << community.output;
  auto role = invoke("--username wuye", "XIAOQU_ADMIN_PASSWORD=long-enough-pw");
  EXPECT_EQ(role.status, 2);
  EXPECT_NE(role.output.find("--role"), std::string::npos);
  auto no_password = invoke("--username wuye --role operator", "", "");
  EXPECT_NE(no_password.status, 0);
  EXPECT_NE(no_password.output.find("XIAOQU_ADMIN_PASSWORD"), std::string::npos) << no_password.output;
  store::Connection c((dir / "xiaoqu.db").string(), true);
  store::Statement st(c, "SELECT COUNT(*) FROM admin_accounts");
  st.step();
  EXPECT_EQ(st.integer(0), 1) << "refused creations change nothing";
}

}  // namespace
}  // namespace xiaoqu::testing
