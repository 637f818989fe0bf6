#pragma once
// WeChat's certification events (微信认证事件推送): 资质认证成功, 名称认证成功, 年审通知 and
// 认证过期失效 carry ExpiredTime, when the account's certification ends. It is stored as the
// account's certification expiry, so the console's 「公众号认证将于…到期」 warning follows the
// platform without the operator typing the date. They reach us at the account's own callback
// URL, or at the component's when the account management permission set was authorized to it.
#include "gateway/message_handlers.hpp"

namespace xiaoqu::gateway {

void register_certification_handlers(MessageHandlers& handlers);

}  // namespace xiaoqu::gateway
