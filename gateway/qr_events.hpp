#pragma once
// Scans of our parametric QR codes, as follower (SCAN) or new follower (subscribe with
// qrscene_): a community's entry code answers with the verification link; an admin's
// invitation code binds their WeChat and says so.
#include <string>

#include "config/config.hpp"
#include "gateway/message_handlers.hpp"

namespace xiaoqu::gateway {

void register_qr_handlers(MessageHandlers& handlers, const config::VerificationConfig& cfg, std::string welcome);

/// The passive reply carrying a community's verification link.
std::string verification_link_reply(const config::VerificationConfig& cfg, std::int64_t community_id);

}  // namespace xiaoqu::gateway
