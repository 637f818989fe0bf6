// WeCom endpoints of the sandbox (contacts, app messages, third-party suites, web login).
#include "sandbox/sandbox.hpp"

namespace xiaoqu::sandbox {
void register_wecom_modules(Sandbox& sb) { (void)sb; }
}  // namespace xiaoqu::sandbox
