#include "gateway/certification_events.hpp"

#include "community/followers/followers_account.hpp"
#include "config/log.hpp"

namespace xiaoqu::gateway {

void register_certification_handlers(MessageHandlers& handlers) {
  handlers.on<wechat::CertificationEvent>([](const CallbackContext& ctx, const wechat::CertificationEvent& e) {
    if (e.expired_time <= 0) {
      // Nothing to store; the event is still acknowledged so WeChat does not retry it.
      log::warn("certification.event_without_expiry", {{"appid", std::string(ctx.appid)}, {"event", e.event}});
      return Outcome{std::nullopt, {}};
    }
    // Committed with the callback's de-duplication record: a retry stores nothing twice.
    return Outcome{std::nullopt, [appid = std::string(ctx.appid), event = e.event, expired = e.expired_time, now = ctx.now](store::Connection& c) {
                     community::record_certification_event(c, appid, event, expired, now);
                   }};
  });
}

}  // namespace xiaoqu::gateway
