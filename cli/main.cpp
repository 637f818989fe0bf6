// xiaoqu: serve | demo | migrate | sandbox | admin create | version
#include <termios.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <pthread.h>
#include <cstring>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "community/accounts/admin_accounts.hpp"
#include "config/log.hpp"
#include "gateway/app.hpp"
#include "cli/demo.hpp"
#include "sandbox/sandbox.hpp"
#include "store/database.hpp"
#include "store/migrations.hpp"
#include "xiaoqu/version.hpp"

namespace {
using namespace xiaoqu;

constexpr const char* kUsage =
    "usage: xiaoqu <command> [options]\n"
    "\n"
    "commands:\n"
    "  serve   --config FILE   run the gateway until SIGINT/SIGTERM\n"
    "  demo    --config FILE [--once]\n"
    "                          the whole story against the sandbox on a fresh store, printed step by\n"
    "                          step; then keeps serving (--once: exits after the story)\n"
    "  migrate --config FILE   apply the store's schema migrations and exit\n"
    "  sandbox --config FILE   run the local stand-in for WeChat, WeCom and SMS (sandbox.* keys)\n"
    "  admin create --config FILE --username U --role operator|property_admin\n"
    "               [--community ID ...] [--display-name N] [--phone P]\n"
    "                          create a console account; the password comes from XIAOQU_ADMIN_PASSWORD\n"
    "                          or stdin (asked twice, without echo, on a terminal)\n"
    "  version                 print the version\n"
    "\n"
    "options (after the file and XIAOQU_* environment variables):\n"
    "  --listen ADDR  --port N  --db PATH  --set key.path=value (repeatable)\n";

struct Args {
  std::string command, config_file;
  std::vector<std::string> overrides;
  std::string subcommand;  ///< admin create
  bool once = false;       ///< demo: end after the story instead of serving on
  community::NewAdmin admin;
};

// Returns false (after printing why) when the command line is wrong.
bool parse(int argc, char** argv, Args& out) {
  if (argc < 2) return false;
  out.command = argv[1];
  int first = 2;
  if (out.command == "admin") {
    if (argc < 3 || std::string(argv[2]) != "create") {
      std::fprintf(stderr, "xiaoqu: admin needs a subcommand: create\n");
      return false;
    }
    out.subcommand = argv[2];
    first = 3;
  }
  for (int i = first; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](const char* name) -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "xiaoqu: %s needs a value\n", name);
        return nullptr;
      }
      return argv[++i];
    };
    const char* v = nullptr;
    if (a == "--config" && (v = value("--config"))) out.config_file = v;
    else if (a == "--listen" && (v = value("--listen"))) out.overrides.push_back(std::string("server.listen=") + v);
    else if (a == "--port" && (v = value("--port"))) out.overrides.push_back(std::string("server.port=") + v);
    else if (a == "--db" && (v = value("--db"))) out.overrides.push_back(std::string("store.path=") + v);
    else if (a == "--set" && (v = value("--set"))) out.overrides.push_back(v);
    else if (out.command == "demo" && a == "--once") out.once = true;
    else if (!out.subcommand.empty() && a == "--username" && (v = value("--username"))) out.admin.username = v;
    else if (!out.subcommand.empty() && a == "--role" && (v = value("--role"))) out.admin.role = v;
    else if (!out.subcommand.empty() && a == "--display-name" && (v = value("--display-name"))) out.admin.display_name = v;
    else if (!out.subcommand.empty() && a == "--phone" && (v = value("--phone"))) out.admin.phone = v;
    else if (!out.subcommand.empty() && a == "--community" && (v = value("--community"))) {
      char* end = nullptr;
      long long id = std::strtoll(v, &end, 10);
      if (*v == '\0' || *end != '\0' || id <= 0) {
        std::fprintf(stderr, "xiaoqu: --community needs a community id (a positive integer), got %s\n", v);
        return false;
      }
      out.admin.communities.push_back(id);
    }
    else {
      if (!v) std::fprintf(stderr, "xiaoqu: unknown option %s\n", a.c_str());
      return false;
    }
  }
  return true;
}

// For commands without an io_context: block SIGINT/SIGTERM before any thread starts (threads
// inherit the mask), then wait for one of them.
sigset_t stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

config::Config load_config(const Args& args) {
  if (args.config_file.empty()) throw config::ConfigError("--config", "required");
  auto env = config::process_environment();
  env.erase("XIAOQU_ADMIN_PASSWORD");  // the new account's password, not a configuration key
  return config::load(args.config_file, env, args.overrides);
}

// One line from stdin; on a terminal without echo, after a prompt on stderr.
std::string read_secret_line(const char* prompt) {
  const bool tty = isatty(STDIN_FILENO) != 0;
  termios saved{};
  if (tty) {
    std::fputs(prompt, stderr);
    tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  std::string line;
  bool got = static_cast<bool>(std::getline(std::cin, line));
  if (tty) {
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
    std::fputs("\n", stderr);
  }
  if (!got) throw std::runtime_error("admin create: no password given (set XIAOQU_ADMIN_PASSWORD or write it to stdin)");
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

int admin_create(Args& args) {
  auto& a = args.admin;
  if (a.username.empty() || a.role.empty()) {
    std::fprintf(stderr, "xiaoqu: admin create needs --username and --role (operator or property_admin)\n");
    return 2;
  }
  auto cfg = load_config(args);
  if (log::Level level; log::parse_level(cfg.log_level, level)) log::set_level(level);
  if (const char* env = std::getenv("XIAOQU_ADMIN_PASSWORD"); env && *env) {
    a.password = env;
  } else {
    a.password = read_secret_line("Password: ");
    if (isatty(STDIN_FILENO) && read_secret_line("Password (again): ") != a.password) {
      std::fprintf(stderr, "xiaoqu: admin create: the two passwords differ\n");
      return 1;
    }
  }
  store::Database db(cfg.store.path);
  std::int64_t id = 0;
  try {
    db.write([&](store::Connection& c) { id = community::create_admin(c, a, "system", std::time(nullptr)); });
  } catch (const community::AdminError& e) {
    std::fprintf(stderr, "xiaoqu: admin create: %s: %s\n", e.field().c_str(), e.what());
    return 1;
  }
  std::printf("created %s account %s (id %lld)\n", a.role.c_str(), a.username.c_str(), static_cast<long long>(id));
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (!parse(argc, argv, args)) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  try {
    if (args.command == "version") {
      std::printf("xiaoqu %s\n", kVersion);
      return 0;
    }
    if (args.command == "migrate") {
      auto cfg = load_config(args);
      store::Database db(cfg.store.path);
      std::printf("store %s at schema version %d\n", cfg.store.path.c_str(), store::schema_version(db.reader()));
      return 0;
    }
    if (args.command == "sandbox") {
      sigset_t set = stop_signals();
      pthread_sigmask(SIG_BLOCK, &set, nullptr);
      sandbox::Sandbox sb(load_config(args));
      sb.start();
      int sig = 0;
      sigwait(&set, &sig);
      sb.stop();
      return 0;
    }
    if (args.command == "admin") return admin_create(args);
    if (args.command == "demo") return cli::run_demo(load_config(args), !args.once);
    if (args.command == "serve") {
      gateway::App app(load_config(args));
      app.start();
      app.wait_for_signal();
      log::info("server.stopped");
      return 0;
    }
    std::fprintf(stderr, "xiaoqu: unknown command %s\n", args.command.c_str());
    std::fputs(kUsage, stderr);
    return 2;
  } catch (const config::ConfigError& e) {
    std::fprintf(stderr, "xiaoqu: invalid configuration: %s\n", e.what());
    return 78;  // EX_CONFIG
  } catch (const std::exception& e) {
    std::fprintf(stderr, "xiaoqu: %s\n", e.what());
    return 1;
  }
}
