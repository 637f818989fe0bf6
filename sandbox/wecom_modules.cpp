// WeCom endpoints of the sandbox (contacts, app messages, third-party suites, web login),
// one file per group; their state lives in sandbox/wecom_state.hpp.
#include "sandbox/wecom_state.hpp"

namespace xiaoqu::sandbox {
void register_wecom_modules(Sandbox& sb) {
  register_wecom_contacts(sb);
  register_wecom_messages(sb);
  register_wecom_suites(sb);
  register_wecom_login(sb);
  register_wecom_contact_changes(sb);
}
}  // namespace xiaoqu::sandbox
