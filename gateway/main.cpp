// xiaoqu: serve | migrate | version
#include <csignal>
#include <cstdio>
#include <pthread.h>
#include <cstring>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "config/log.hpp"
#include "gateway/app.hpp"
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
    "  migrate --config FILE   apply the store's schema migrations and exit\n"
    "  sandbox --config FILE   run the local stand-in for WeChat, WeCom and SMS (sandbox.* keys)\n"
    "  version                 print the version\n"
    "\n"
    "options (after the file and XIAOQU_* environment variables):\n"
    "  --listen ADDR  --port N  --db PATH  --set key.path=value (repeatable)\n";

struct Args {
  std::string command, config_file;
  std::vector<std::string> overrides;
};

// Returns false (after printing why) when the command line is wrong.
bool parse(int argc, char** argv, Args& out) {
  if (argc < 2) return false;
  out.command = argv[1];
  for (int i = 2; i < argc; ++i) {
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
  return config::load(args.config_file, config::process_environment(), args.overrides);
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
