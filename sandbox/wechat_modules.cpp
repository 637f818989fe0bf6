// Official Account and Open Platform endpoints of the sandbox (followers, tags, QR codes,
// template messages, OAuth, component authorization, certification events), one file per API group.
#include "sandbox/sandbox.hpp"

namespace xiaoqu::sandbox {

void register_wechat_users(Sandbox& sb);      // wechat_users.cpp
void register_wechat_tags(Sandbox& sb);       // wechat_tags.cpp
void register_wechat_qrcode(Sandbox& sb);     // wechat_qrcode.cpp
void register_wechat_templates(Sandbox& sb);  // wechat_templates.cpp
void register_wechat_oauth(Sandbox& sb);      // wechat_oauth.cpp
void register_wechat_component(Sandbox& sb);  // wechat_component.cpp
void register_wechat_certification(Sandbox& sb);  // wechat_certification.cpp

void register_wechat_modules(Sandbox& sb) {
  register_wechat_users(sb);
  register_wechat_tags(sb);
  register_wechat_qrcode(sb);
  register_wechat_templates(sb);
  register_wechat_oauth(sb);
  register_wechat_component(sb);
  register_wechat_certification(sb);
}

}  // namespace xiaoqu::sandbox
