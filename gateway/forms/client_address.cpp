#include "gateway/forms/client_address.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>
#include <stdexcept>

namespace xiaoqu::forms {
namespace {
using Bytes = std::array<unsigned char, 16>;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// An address as 16 bytes, IPv4 as IPv4-mapped IPv6 so one range check serves both.
std::optional<Bytes> parse_address(std::string_view text) {
  if (text.empty() || text.size() > 45) return std::nullopt;
  char buf[64];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  Bytes b{};
  in_addr v4{};
  if (::inet_pton(AF_INET, buf, &v4) == 1) {
    b[10] = b[11] = 0xff;
    std::memcpy(b.data() + 12, &v4, 4);
    return b;
  }
  in6_addr v6{};
  if (::inet_pton(AF_INET6, buf, &v6) == 1) {
    std::memcpy(b.data(), &v6, 16);
    return b;
  }
  return std::nullopt;
}

bool is_v4(std::string_view text) { return text.find(':') == std::string_view::npos; }

bool in_range(const Bytes& a, const Bytes& net, unsigned bits) {
  unsigned whole = bits / 8, rest = bits % 8;
  if (std::memcmp(a.data(), net.data(), whole) != 0) return false;
  if (rest == 0) return true;
  unsigned char mask = static_cast<unsigned char>(0xff << (8 - rest));
  return (a[whole] & mask) == (net[whole] & mask);
}
}  // namespace

std::optional<std::string> TrustedProxies::entry_problem(std::string_view entry) {
  auto slash = entry.find('/');
  std::string_view address = entry.substr(0, slash);
  if (!parse_address(address)) return "\"" + std::string(entry) + "\" is not an IPv4/IPv6 address or a CIDR range";
  if (slash == std::string_view::npos) return std::nullopt;
  std::string_view len = entry.substr(slash + 1);
  unsigned bits = 0;
  auto [end, ec] = std::from_chars(len.data(), len.data() + len.size(), bits);
  if (ec != std::errc() || end != len.data() + len.size() || len.empty() || bits > (is_v4(address) ? 32u : 128u))
    return "\"" + std::string(entry) + "\" has no valid prefix length";
  return std::nullopt;
}

TrustedProxies::TrustedProxies(const std::vector<std::string>& entries) {
  for (const auto& e : entries) {
    if (auto problem = entry_problem(e)) throw std::invalid_argument(*problem);
    auto slash = e.find('/');
    std::string_view address = std::string_view(e).substr(0, slash);
    Range r;
    r.net = *parse_address(address);
    unsigned full = is_v4(address) ? 32 : 128;
    unsigned bits = slash == std::string::npos ? full : static_cast<unsigned>(std::stoul(e.substr(slash + 1)));
    r.bits = bits + (128 - full);  // an IPv4 prefix counts after the 96 bits of the mapping
    ranges_.push_back(r);
  }
}

bool TrustedProxies::trusts(std::string_view address) const {
  if (ranges_.empty()) return false;
  auto a = parse_address(trim(address));
  if (!a) return false;
  for (const auto& r : ranges_)
    if (in_range(*a, r.net, r.bits)) return true;
  return false;
}

std::string TrustedProxies::client_address(std::string_view peer, std::string_view forwarded_for) const {
  std::string_view client = peer;
  if (!trusts(client)) return std::string(client);
  // Right to left: each hop appended the address it saw; believe hops while they are ours.
  while (!forwarded_for.empty()) {
    auto comma = forwarded_for.rfind(',');
    std::string_view hop = trim(comma == std::string_view::npos ? forwarded_for : forwarded_for.substr(comma + 1));
    forwarded_for = comma == std::string_view::npos ? std::string_view{} : forwarded_for.substr(0, comma);
    if (!parse_address(hop)) break;  // garbage: the trusted hop that passed it on is the answer
    client = hop;
    if (!trusts(hop)) break;
  }
  return std::string(client);
}

}  // namespace xiaoqu::forms
