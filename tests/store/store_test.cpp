// The store against real SQLite files: migrations, WAL, the group-committing writer,
// sealed secrets, and the records the callbacks write.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "store/accounts.hpp"
#include "store/callback_log.hpp"
#include "store/database.hpp"
#include "store/migrations.hpp"
#include "store/platform_records.hpp"
#include "store/secret_box.hpp"
#include "tests/support/test_server.hpp"

using namespace xiaoqu::store;
using xiaoqu::testing::temp_dir;

namespace {
std::array<unsigned char, 32> key(unsigned char fill) {
  std::array<unsigned char, 32> k;
  k.fill(fill);
  return k;
}
}  // namespace

TEST(Store, MigratesOnceAndRunsInWalMode) {
  auto dir = temp_dir();
  std::string path = (dir / "s.db").string();
  {
    Database db(path);
    EXPECT_EQ(schema_version(db.reader()), migrations().back().version);
    Statement s(db.reader(), "PRAGMA journal_mode");
    s.step();
    EXPECT_EQ(s.text(0), "wal");
  }
  Connection c(path);
  EXPECT_EQ(migrate(c), 0);  // already current
}

TEST(Store, V8KeepsCertificationDatesAndRenamesTheAuthorizerInfoSource) {
  // A database left at v7 by the previous release, with both kinds of certification source.
  auto dir = temp_dir();
  std::string path = (dir / "s.db").string();
  {
    Connection c(path);
    for (const auto& m : migrations()) {
      if (m.version > 7) break;
      c.exec(m.sql);
      c.exec("PRAGMA user_version=" + std::to_string(m.version));
    }
    c.exec("INSERT INTO account_profiles VALUES ('wxA', '2027-01-31', 'operator', 5), ('wxB', '2027-02-28', 'authorizer_info', 6)");
  }
  Connection c(path);
  EXPECT_EQ(migrate(c), static_cast<int>(migrations().back().version) - 7);
  Statement s(c, "SELECT appid, certification_expires_at, certification_source, certification_event, updated_at FROM account_profiles ORDER BY appid");
  ASSERT_TRUE(s.step());
  EXPECT_EQ(s.text(0), "wxA");
  EXPECT_EQ(s.text(2), "operator");
  ASSERT_TRUE(s.step());
  EXPECT_EQ(s.text(1), "2027-02-28");
  EXPECT_EQ(s.text(2), "wechat");
  EXPECT_EQ(s.text(3), "");
  EXPECT_EQ(s.integer(4), 6);
  EXPECT_FALSE(s.step());
  EXPECT_THROW(c.exec("INSERT INTO account_profiles (appid, certification_source, updated_at) VALUES ('wxC', 'authorizer_info', 1)"),
               StoreError);
}

TEST(Store, RefusesADatabaseNewerThanTheBinary) {
  auto dir = temp_dir();
  std::string path = (dir / "s.db").string();
  {
    Connection c(path);
    c.exec("PRAGMA user_version=999");
  }
  EXPECT_THROW(Database db(path), StoreError);
}

TEST(Store, AFailingJobRollsBackAloneInItsGroup) {
  auto dir = temp_dir();
  Database db((dir / "s.db").string());
  std::atomic<int> ok{0}, failed{0};
  std::mutex mu;
  std::condition_variable cv;
  int done = 0;
  for (int i = 0; i < 100; ++i) {
    db.submit(
        [i](Connection& c) {
          record_handled(c, "ep", "k" + std::to_string(i), "kind", "r", 1);
          if (i % 10 == 0) throw std::runtime_error("boom");
        },
        [&](std::exception_ptr e) {
          (e ? failed : ok)++;
          std::lock_guard lk(mu);
          ++done;
          cv.notify_all();
        });
  }
  std::unique_lock lk(mu);
  cv.wait(lk, [&] { return done == 100; });
  EXPECT_EQ(ok, 90);
  EXPECT_EQ(failed, 10);
  Statement s(db.reader(), "SELECT count(*) FROM handled_callbacks");
  s.step();
  EXPECT_EQ(s.integer(0), 90);
}

TEST(Store, WriteRethrowsAndConcurrentReadersSeeCommits) {
  auto dir = temp_dir();
  Database db((dir / "s.db").string());
  EXPECT_THROW(db.write([](Connection& c) { c.exec("INSERT INTO nope VALUES (1)"); }), StoreError);
  std::atomic<bool> stop{false};
  std::atomic<long long> max_seen{0};
  std::thread reader([&] {
    while (!stop) {
      Statement s(db.reader(), "SELECT count(*) FROM handled_callbacks");
      s.step();
      max_seen = std::max<long long>(max_seen, s.integer(0));
    }
  });
  for (int i = 0; i < 200; ++i) db.write([i](Connection& c) { record_handled(c, "ep", std::to_string(i), "k", "", 1); });
  stop = true;
  reader.join();
  EXPECT_GT(max_seen, 0);
}

TEST(SecretBox, SealsAndOpensAndDetectsTamperingOrAWrongKey) {
  SecretBox box(key(1));
  std::string sealed = box.seal("permanent-code-123");
  EXPECT_EQ(sealed.find("permanent-code-123"), std::string::npos);
  EXPECT_EQ(box.open(sealed), "permanent-code-123");
  EXPECT_NE(box.seal("x"), box.seal("x"));  // fresh nonce each time
  std::string tampered = sealed;
  tampered[tampered.size() / 2] ^= 1;
  EXPECT_THROW(box.open(tampered), StoreError);
  EXPECT_THROW(SecretBox(key(2)).open(sealed), StoreError);
  EXPECT_THROW(box.open("short"), StoreError);
}

TEST(SecretBox, MasterKeyFromHexOrBase64OrGeneratedFile) {
  xiaoqu::config::StoreConfig cfg;
  cfg.master_key = std::string(64, 'f');
  EXPECT_EQ(load_master_key(cfg), key(0xff));
  cfg.master_key = "//////////////////////////////////////////8=";
  EXPECT_EQ(load_master_key(cfg), key(0xff));
  cfg.master_key = "nothex";
  EXPECT_THROW(load_master_key(cfg), xiaoqu::config::ConfigError);

  auto dir = temp_dir();
  xiaoqu::config::StoreConfig demo;
  demo.master_key_file = (dir / "var" / "master.key").string();
  auto first = load_master_key(demo);
  EXPECT_TRUE(std::filesystem::exists(demo.master_key_file));
  EXPECT_EQ((std::filesystem::status(demo.master_key_file).permissions() & std::filesystem::perms::others_read),
            std::filesystem::perms::none);
  EXPECT_EQ(load_master_key(demo), first);  // the same key on the next start
}

TEST(PlatformRecords, NewestTicketWinsAndSurvivesReopen) {
  auto dir = temp_dir();
  std::string path = (dir / "s.db").string();
  SecretBox box(key(7));
  {
    Database db(path);
    db.write([&](Connection& c) {
      save_suite_ticket(c, box, "suite1", "T-new", 200, 1000);
      save_suite_ticket(c, box, "suite1", "T-old-late", 100, 1001);  // arrives late, is older
      save_component_verify_ticket(c, box, "comp1", "ticket@@@1", 50, 1000);
    });
  }
  Database db(path);
  auto t = suite_ticket(db.reader(), box, "suite1");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->value, "T-new");
  EXPECT_EQ(t->issued_at, 200);
  EXPECT_EQ(component_verify_ticket(db.reader(), box, "comp1")->value, "ticket@@@1");
  EXPECT_FALSE(component_verify_ticket(db.reader(), box, "other"));
  EXPECT_THROW(suite_ticket(db.reader(), SecretBox(key(8)), "suite1"), StoreError);
}

TEST(Accounts, ConfiguredAccountsRoundTripSealed) {
  auto dir = temp_dir();
  Database db((dir / "s.db").string());
  SecretBox box(key(3));
  auto cfg = xiaoqu::config::load_from_text(xiaoqu::testing::config_text(dir / "s.db"), xiaoqu::testing::secrets());
  db.write([&](Connection& c) { save_configured_accounts(c, box, cfg, 1); });
  db.write([&](Connection& c) { save_configured_accounts(c, box, cfg, 2); });  // idempotent
  auto a = load_accounts(db.reader(), box);
  ASSERT_EQ(a.official_accounts.size(), 3u);
  ASSERT_EQ(a.components.size(), 1u);
  ASSERT_EQ(a.wecom.size(), 2u);
  auto mp = std::find_if(a.official_accounts.begin(), a.official_accounts.end(), [](auto& x) { return x.appid == xiaoqu::testing::kMpAppid; });
  EXPECT_EQ(mp->token, xiaoqu::testing::kMpToken);
  EXPECT_EQ(mp->encoding_aes_key, xiaoqu::testing::kMpKey);
  Statement s(db.reader(), "SELECT count(*) FROM official_accounts WHERE instr(token_enc, ?) > 0");
  s.bind(1, std::string(xiaoqu::testing::kMpToken));
  s.step();
  EXPECT_EQ(s.integer(0), 0);
}
