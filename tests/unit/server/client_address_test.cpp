#include "server/client_address.hpp"

#include <gtest/gtest.h>

namespace valhalla::host::server {
namespace {

const TrustedProxies kProxies({"10.0.0.1", "10.0.0.2", "::1"});

TEST(ClientAddress, UntrustedPeerIgnoresHeader) {
    EXPECT_EQ(kProxies.clientAddress("203.0.113.9", "198.51.100.1"), "203.0.113.9");
}

TEST(ClientAddress, TrustedPeerUsesLastEntry) {
    EXPECT_EQ(kProxies.clientAddress("10.0.0.1", "198.51.100.1"), "198.51.100.1");
}

TEST(ClientAddress, SkipsChainOfTrustedProxies) {
    EXPECT_EQ(kProxies.clientAddress("10.0.0.1", "192.0.2.7, 198.51.100.1, 10.0.0.2"),
              "198.51.100.1");
}

TEST(ClientAddress, SpoofedPrefixIsIgnored) {
    // The client wrote the first entry itself; only the proxy's append counts.
    EXPECT_EQ(kProxies.clientAddress("10.0.0.1", "1.1.1.1, 198.51.100.1"), "198.51.100.1");
}

TEST(ClientAddress, InvalidEntryStopsWalk) {
    EXPECT_EQ(kProxies.clientAddress("10.0.0.1", "198.51.100.1, not-an-ip"), "10.0.0.1");
    EXPECT_EQ(kProxies.clientAddress("10.0.0.1", "not-an-ip, 10.0.0.2"), "10.0.0.2");
}

TEST(ClientAddress, EmptyHeaderKeepsPeer) {
    EXPECT_EQ(kProxies.clientAddress("10.0.0.1", ""), "10.0.0.1");
    EXPECT_EQ(kProxies.clientAddress("10.0.0.1", " , "), "10.0.0.1");
}

TEST(ClientAddress, IPv6IsCanonical) {
    EXPECT_TRUE(kProxies.contains("::1"));
    EXPECT_EQ(kProxies.clientAddress("::1", "2001:DB8::0001"), "2001:db8::1");
}

}  // namespace
}  // namespace valhalla::host::server
