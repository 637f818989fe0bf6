#include "gateway/follower_events.hpp"

#include "community/followers/followers.hpp"

namespace xiaoqu::gateway {

void register_follower_handlers(MessageHandlers& handlers, std::string welcome) {
  handlers.on<wechat::SubscribeEvent>([welcome = std::move(welcome)](const CallbackContext& ctx, const wechat::SubscribeEvent& e) {
    // CreateTime is when the user followed; the platform's clock, not ours.
    std::int64_t since = e.header.create_time > 0 ? e.header.create_time : ctx.now;
    return Outcome{welcome, [appid = std::string(ctx.appid), openid = e.header.from_user, since, now = ctx.now](store::Connection& c) {
                     community::record_follow(c, appid, openid, since, "", now);
                   }};
  });
  handlers.on<wechat::UnsubscribeEvent>([](const CallbackContext& ctx, const wechat::UnsubscribeEvent& e) {
    return Outcome{std::nullopt, [appid = std::string(ctx.appid), openid = e.header.from_user, now = ctx.now](store::Connection& c) {
                     community::record_unfollow(c, appid, openid, now);
                   }};
  });
}

}  // namespace xiaoqu::gateway
