#include "gateway/template_events.hpp"

#include "config/log.hpp"
#include "notify/outbox_store.hpp"

namespace xiaoqu::gateway {

void register_template_events(Callbacks& callbacks) {
  callbacks.official_account_handlers().on<wechat::TemplateSendJobFinishEvent>(
      [](const CallbackContext& ctx, const wechat::TemplateSendJobFinishEvent& e) {
        std::string appid(ctx.appid);
        std::int64_t msgid = e.msg_id, now = ctx.now;
        std::string status = e.status;
        // Committed with the callback's de-duplication record: a platform retry changes nothing twice.
        return Outcome{std::nullopt, [appid, msgid, status, now](store::Connection& c) {
                         if (!notify::record_delivery(c, appid, msgid, status, now))
                           log::info("outbox.early_report", {{"appid", appid}, {"msgid", std::to_string(msgid)}});
                       }};
      });
}

}  // namespace xiaoqu::gateway
