// The token provider's own rules, with a counting fetcher and a real SQLite token store.
#include "wechat/token_provider.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "gateway/sqlite_token_store.hpp"
#include "tests/support/test_server.hpp"
#include "wechat/platform_error.hpp"

using namespace xiaoqu;
using wechat::CredentialKey;
using wechat::CredentialKind;
using wechat::PlatformError;
using wechat::Token;

namespace {
struct Clock {
  std::atomic<std::int64_t> now{1'000'000};
  wechat::TokenProvider::Clock fn() {
    return [this] { return now.load(); };
  }
};
const CredentialKey kKey{CredentialKind::official_account, "wx1"};
}  // namespace

TEST(TokenProvider, CachesAndRefreshesAheadOfExpiry) {
  Clock clock;
  wechat::MemoryTokenStore store;
  wechat::TokenProvider p(store, clock.fn());
  int fetches = 0;
  p.define(kKey, [&](bool) { return wechat::make_token("t" + std::to_string(++fetches), 7200, clock.now); });
  EXPECT_EQ(p.get(kKey), "t1");
  clock.now += 5000;  // 69 % of the life: still cached
  EXPECT_EQ(p.get(kKey), "t1");
  clock.now += 800;  // past 80 %: refreshed before it expires
  EXPECT_EQ(p.get(kKey), "t2");
  EXPECT_EQ(fetches, 2);
}

TEST(TokenProvider, ConcurrentColdCallersShareOneFetch) {
  Clock clock;
  wechat::MemoryTokenStore store;
  wechat::TokenProvider p(store, clock.fn());
  std::atomic<int> fetches{0};
  p.define(kKey, [&](bool) {
    ++fetches;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    return wechat::make_token("shared", 7200, clock.now);
  });
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 32; ++i)
    threads.emplace_back([&] {
      if (p.get(kKey) == "shared") ++ok;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(fetches, 1);
  EXPECT_EQ(ok, 32);
}

TEST(TokenProvider, InvalidateForcesTheNextFetchOnlyForTheRefusedValue) {
  Clock clock;
  wechat::MemoryTokenStore store;
  wechat::TokenProvider p(store, clock.fn());
  std::vector<bool> forced;
  p.define(kKey, [&](bool after_rejection) {
    forced.push_back(after_rejection);
    return wechat::make_token("t" + std::to_string(forced.size()), 7200, clock.now);
  });
  EXPECT_EQ(p.get(kKey), "t1");
  p.invalidate(kKey, "stale-value-someone-else-saw");  // not the current token: ignored
  EXPECT_EQ(p.get(kKey), "t1");
  p.invalidate(kKey, "t1");
  EXPECT_EQ(p.get(kKey), "t2");
  EXPECT_EQ(forced, (std::vector<bool>{false, true}));
}

TEST(TokenProvider, TransientFailureKeepsServingAStillValidToken) {
  Clock clock;
  wechat::MemoryTokenStore store;
  wechat::TokenProvider p(store, clock.fn());
  bool fail = false;
  p.define(kKey, [&](bool) {
    if (fail) throw PlatformError("/cgi-bin/stable_token", PlatformError::Kind::platform, -1, "system busy");
    return wechat::make_token("t", 7200, clock.now);
  });
  EXPECT_EQ(p.get(kKey), "t");
  fail = true;
  clock.now += 6000;  // due for refresh, not expired
  EXPECT_EQ(p.get(kKey), "t");
  clock.now += 1500;  // expired: the error surfaces
  EXPECT_THROW(p.get(kKey), PlatformError);
}

TEST(TokenProvider, PermanentErrorsSurfaceAndUndefinedKeysAreCredentialErrors) {
  wechat::MemoryTokenStore store;
  wechat::TokenProvider p(store);
  int fetches = 0;
  p.define(kKey, [&](bool) -> Token {
    ++fetches;
    throw PlatformError("/cgi-bin/stable_token", PlatformError::Kind::platform, 40164, "invalid ip");
  });
  try {
    p.get(kKey);
    FAIL() << "no error";
  } catch (const PlatformError& e) {
    EXPECT_EQ(e.errcode(), 40164);
    EXPECT_FALSE(e.transient());
  }
  EXPECT_EQ(fetches, 1);
  try {
    p.get(CredentialKey{CredentialKind::wecom_suite, "nope"});
    FAIL() << "no error";
  } catch (const PlatformError& e) {
    EXPECT_EQ(e.kind(), PlatformError::Kind::credential);
  }
}

TEST(TokenProvider, SqliteStoreCarriesTokensAcrossRestarts) {
  auto dir = xiaoqu::testing::temp_dir();
  std::array<unsigned char, 32> key{};
  key.fill(9);
  store::SecretBox box(key);
  int fetches = 0;
  auto fetch = [&](bool) { return wechat::make_token("persisted-" + std::to_string(++fetches), 7200, std::time(nullptr)); };
  {
    store::Database db((dir / "t.db").string());
    gateway::SqliteTokenStore ts(db, box);
    wechat::TokenProvider p(ts);
    p.define(kKey, fetch);
    EXPECT_EQ(p.get(kKey), "persisted-1");
  }
  store::Database db((dir / "t.db").string());
  gateway::SqliteTokenStore ts(db, box);
  wechat::TokenProvider p(ts);
  p.define(kKey, fetch);
  EXPECT_EQ(p.get(kKey), "persisted-1");  // from the store: no quota spent
  EXPECT_EQ(fetches, 1);
  p.invalidate(kKey, "persisted-1");
  EXPECT_FALSE(ts.load(kKey.str()));  // gone from disk too
  EXPECT_EQ(p.get(kKey), "persisted-2");
  // At rest the token is sealed.
  store::Statement s(db.reader(), "SELECT count(*) FROM credentials WHERE instr(value_enc, 'persisted') > 0");
  s.step();
  EXPECT_EQ(s.integer(0), 0);
}
