#pragma once
// Live follower changes between syncs: subscribe (without a QR scene) and unsubscribe events
// update the follower in the callback's own transaction, committed before the answer.
#include <string>

#include "gateway/message_handlers.hpp"

namespace xiaoqu::gateway {

/// Registers the SubscribeEvent and UnsubscribeEvent handlers; a new follower is answered with
/// `welcome`. (SubscribeScanEvent belongs to verification, which calls community::record_follow.)
void register_follower_handlers(MessageHandlers& handlers, std::string welcome);

}  // namespace xiaoqu::gateway
