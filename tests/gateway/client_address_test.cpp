// The client's address behind reverse proxies: X-Forwarded-For believed only from the proxies
// the operator listed, read from the right.
#include <gtest/gtest.h>

#include <stdexcept>

#include "gateway/forms/client_address.hpp"

using xiaoqu::forms::TrustedProxies;

TEST(TrustedProxies, WithoutProxiesThePeerIsTheClientWhateverTheHeaderSays) {
  TrustedProxies none;
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(none.client_address("198.51.100.7", "203.0.113.9"), "198.51.100.7");
}

TEST(TrustedProxies, AnUntrustedPeerCannotChooseItsAddress) {
  TrustedProxies p({"127.0.0.1", "10.0.0.0/8"});
  EXPECT_EQ(p.client_address("198.51.100.7", "203.0.113.9"), "198.51.100.7");
}

TEST(TrustedProxies, TheFirstUntrustedHopFromTheRightIsTheClient) {
  TrustedProxies p({"127.0.0.1", "10.0.0.0/8"});
  EXPECT_EQ(p.client_address("127.0.0.1", "203.0.113.9"), "203.0.113.9");
  // nginx → internal balancer → us; the client's own claim on the left is not believed.
  EXPECT_EQ(p.client_address("127.0.0.1", "1.2.3.4, 203.0.113.9, 10.1.2.3"), "203.0.113.9");
  EXPECT_EQ(p.client_address("127.0.0.1", " 203.0.113.9 ,10.1.2.3 "), "203.0.113.9");
  // Every hop is ours: the leftmost is as far as we can see.
  EXPECT_EQ(p.client_address("10.0.0.1", "10.9.9.9, 10.1.2.3"), "10.9.9.9");
  // A trusted proxy that sent no header: it is the client as far as we know.
  EXPECT_EQ(p.client_address("10.0.0.1", ""), "10.0.0.1");
}

TEST(TrustedProxies, GarbageInTheHeaderStopsAtTheHopThatPassedItOn) {
  TrustedProxies p({"127.0.0.1", "10.0.0.0/8"});
  EXPECT_EQ(p.client_address("127.0.0.1", "203.0.113.9, unknown, 10.1.2.3"), "10.1.2.3");
  EXPECT_EQ(p.client_address("127.0.0.1", "not-an-address"), "127.0.0.1");
}

TEST(TrustedProxies, RangesCoverIpv4AndIpv6) {
  TrustedProxies p({"192.168.0.0/16", "2001:db8::/32", "::1"});
  EXPECT_TRUE(p.trusts("192.168.200.1"));
  EXPECT_FALSE(p.trusts("192.169.0.1"));
  EXPECT_TRUE(p.trusts("2001:db8:1::5"));
  EXPECT_FALSE(p.trusts("2001:db9::5"));
  EXPECT_TRUE(p.trusts("::1"));
  EXPECT_FALSE(p.trusts("127.0.0.1"));
  EXPECT_EQ(p.client_address("::1", "2400:cb00::1, 2001:db8::7"), "2400:cb00::1");
  TrustedProxies odd({"10.128.0.0/9"});
  EXPECT_TRUE(odd.trusts("10.200.0.1"));
  EXPECT_FALSE(odd.trusts("10.127.255.255"));
}

TEST(TrustedProxies, ABadEntryIsNamed) {
  for (const char* bad : {"nginx", "10.0.0.0/33", "10.0.0.0/", "::1/129", "10.0.0.0/8x", ""}) {
    try {
      TrustedProxies p({bad});
      ADD_FAILURE() << bad << " was accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(std::string("\"") + bad + "\""), std::string::npos) << e.what();
    }
  }
}
