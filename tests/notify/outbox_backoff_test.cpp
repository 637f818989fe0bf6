// The dispatcher's retry schedule. Its own file: the dispatcher includes the SMS client,
// whose SmsMessage must not meet the outbox's in one translation unit (notify/outbox.hpp).
#include <gtest/gtest.h>

#include "notify/dispatcher.hpp"

using namespace xiaoqu;

TEST(Outbox, BackoffDoublesFromTheBaseUpToTheCap) {
  config::OutboxConfig cfg;
  cfg.backoff_base_ms = 5'000;
  cfg.backoff_cap_ms = 3'600'000;
  EXPECT_EQ(notify::Dispatcher::backoff_ms(cfg, 1), 5'000);
  EXPECT_EQ(notify::Dispatcher::backoff_ms(cfg, 2), 10'000);
  EXPECT_EQ(notify::Dispatcher::backoff_ms(cfg, 5), 80'000);
  EXPECT_EQ(notify::Dispatcher::backoff_ms(cfg, 11), 3'600'000);
  EXPECT_EQ(notify::Dispatcher::backoff_ms(cfg, 60), 3'600'000);
}
