#include "sandbox/sandbox.hpp"

namespace xiaoqu::sandbox {

void register_wechat_modules(Sandbox& sb);  // wechat_modules.cpp
void register_wecom_modules(Sandbox& sb);   // wecom_modules.cpp
void register_sms_module(Sandbox& sb);      // sms_module.cpp

void register_modules(Sandbox& sb) {
  register_wechat_modules(sb);
  register_wecom_modules(sb);
  register_sms_module(sb);
}

}  // namespace xiaoqu::sandbox
