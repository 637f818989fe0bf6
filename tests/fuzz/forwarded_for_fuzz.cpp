// libFuzzer target: the client address behind trusted proxies, on arbitrary bytes. Input: the
// TCP peer up to the first '\n', then the X-Forwarded-For value. The answer is always the peer
// itself or one of the header's entries, and an untrusted peer always gets its own address.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "gateway/forms/client_address.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const xiaoqu::forms::TrustedProxies proxies({"127.0.0.1", "10.0.0.0/8", "::1", "2001:db8::/32"});
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto nl = input.find('\n');
  if (nl == std::string_view::npos) return 0;
  std::string_view peer = input.substr(0, nl), header = input.substr(nl + 1);
  std::string client = proxies.client_address(peer, header);
  if (!proxies.trusts(peer)) {
    if (client != peer) std::abort();
    return 0;
  }
  if (client != peer && header.find(client) == std::string_view::npos) std::abort();
  return 0;
}
