// Calls per second through the platform client with a warm token against the sandbox, at
// 1 and 16 concurrent callers, next to a bare cpp-httplib request of the same endpoint:
// the difference is what our layer (token lookup, URL building, JSON parse, errcode check)
// adds per call.
//
//   build/api_client_bench --benchmark_min_time=2
#include <benchmark/benchmark.h>
#include <httplib.h>

#include <memory>

#include "config/config.hpp"
#include "sandbox/sandbox.hpp"
#include "wechat/api/tag.hpp"
#include "wechat/api_client.hpp"
#include "wechat/credentials.hpp"
#include "wechat/http_transport.hpp"
#include "wechat/token_provider.hpp"

namespace {
using namespace xiaoqu;

constexpr const char* kAppid = "wx5d3c9a1b7e20f468";

struct World {
  World() {
    config::Environment env = {
        {"XIAOQU_MASTER_KEY", std::string(64, 'a')},
        {"XIAOQU_OFFICIAL_ACCOUNTS__WX5D3C9A1B7E20F468__TOKEN", "xiaoquMpToken2024"},
        {"XIAOQU_OFFICIAL_ACCOUNTS__WX5D3C9A1B7E20F468__ENCODING_AES_KEY", "Q7mZ2xK9pL4vN8rT1wY6sB3dF5gH0jC2eA9uV7iO4kR"},
        {"XIAOQU_OFFICIAL_ACCOUNTS__WX5D3C9A1B7E20F468__APP_SECRET", "benchSecret"},
    };
    cfg = config::load_from_text(R"({"store": {"path": "/tmp/unused.db"}, "log": {"level": "error"},
      "official_accounts": {"wx5d3c9a1b7e20f468": {"mode": "safe"}},
      "sandbox": {"port": 0, "ticket_interval_seconds": 0, "followers": 10}})",
                                 env);
    sandbox = std::make_unique<sandbox::Sandbox>(cfg);
    sandbox->start();
    cfg.platforms.wechat_api = sandbox->base_url();
    transport = std::make_unique<wechat::HttpTransport>(cfg.http);
    tokens = std::make_unique<wechat::TokenProvider>(store);
    api = std::make_unique<wechat::ApiClient>(*transport, *tokens, cfg.platforms.wechat_api, cfg.http);
    key = wechat::define_official_account(*tokens, *api, kAppid, "benchSecret");
    token = tokens->get(key);  // warm
  }
  config::Config cfg;
  std::unique_ptr<sandbox::Sandbox> sandbox;
  std::unique_ptr<wechat::HttpTransport> transport;
  wechat::MemoryTokenStore store;
  std::unique_ptr<wechat::TokenProvider> tokens;
  std::unique_ptr<wechat::ApiClient> api;
  wechat::CredentialKey key{wechat::CredentialKind::official_account, kAppid};
  std::string token;
};

World& world() {
  static World w;
  return w;
}

void BM_BareHttplibTagsGet(benchmark::State& state) {
  auto& w = world();
  httplib::Client c(w.sandbox->base_url());
  c.set_keep_alive(true);
  c.set_tcp_nodelay(true);
  std::string target = "/cgi-bin/tags/get?access_token=" + w.token;
  for (auto _ : state) {
    auto r = c.Get(target.c_str());
    if (!r || r->status != 200) state.SkipWithError("request failed");
    benchmark::DoNotOptimize(r->body.data());
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_ApiClientTagsGet(benchmark::State& state) {
  auto& w = world();
  for (auto _ : state) {
    auto tags = wechat::api::get_tags(*w.api, w.key);
    benchmark::DoNotOptimize(tags.data());
  }
  state.SetItemsProcessed(state.iterations());
}
}  // namespace

BENCHMARK(BM_BareHttplibTagsGet)->Threads(1)->Threads(16)->UseRealTime();
BENCHMARK(BM_ApiClientTagsGet)->Threads(1)->Threads(16)->UseRealTime();
