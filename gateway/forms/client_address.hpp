#pragma once
// Who the client is when the gateway runs behind a reverse proxy (nginx, a cloud load
// balancer): the TCP peer is then the proxy, and the per-address login lockout would lock out
// every user at once. Only peers listed in server.trusted_proxies are believed about
// X-Forwarded-For; a header from anyone else is ignored, so a client cannot pick its address.
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace xiaoqu::forms {

class TrustedProxies {
 public:
  /// `entries`: IPv4/IPv6 addresses or CIDR ranges ("10.0.0.0/8", "::1"). Throws
  /// std::invalid_argument naming the first entry that is neither.
  explicit TrustedProxies(const std::vector<std::string>& entries = {});

  /// Why `entry` is not an address or a range, or nothing when it is.
  static std::optional<std::string> entry_problem(std::string_view entry);

  bool empty() const noexcept { return ranges_.empty(); }
  bool trusts(std::string_view address) const;

  /// The client's address: `peer` itself unless it is a trusted proxy; then X-Forwarded-For
  /// read from the right, skipping the trusted hops, the first untrusted address (nginx's
  /// real_ip_recursive). An entry that is not an address ends the walk at the hop after it.
  std::string client_address(std::string_view peer, std::string_view forwarded_for) const;

 private:
  struct Range {
    std::array<unsigned char, 16> net{};
    unsigned bits = 0;  ///< prefix length over the 16-byte (IPv4-mapped) form
  };
  std::vector<Range> ranges_;
};

}  // namespace xiaoqu::forms
