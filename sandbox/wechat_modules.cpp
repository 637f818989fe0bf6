// Official Account and Open Platform endpoints of the sandbox (followers, tags, QR codes,
// template messages, OAuth, component authorization).
#include "sandbox/sandbox.hpp"

namespace xiaoqu::sandbox {
void register_wechat_modules(Sandbox& sb) { (void)sb; }
}  // namespace xiaoqu::sandbox
