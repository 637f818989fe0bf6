#include "gateway/qr_events.hpp"

#include <charconv>

#include "community/reminders/admin_binding.hpp"
#include "community/followers/followers.hpp"
#include "config/log.hpp"

namespace xiaoqu::gateway {
namespace {

std::optional<std::int64_t> community_of_scene(std::string_view scene) {
  if (scene.substr(0, community::kCommunityScenePrefix.size()) != community::kCommunityScenePrefix) return std::nullopt;
  scene.remove_prefix(community::kCommunityScenePrefix.size());
  std::int64_t id = 0;
  auto [end, ec] = std::from_chars(scene.data(), scene.data() + scene.size(), id);
  if (ec != std::errc() || end != scene.data() + scene.size() || id <= 0) return std::nullopt;
  return id;
}

std::optional<std::string> binding_token_of_scene(std::string_view scene) {
  if (scene.substr(0, community::kBindScenePrefix.size()) != community::kBindScenePrefix) return std::nullopt;
  return std::string(scene.substr(community::kBindScenePrefix.size()));
}

// What a scan means, whether the scanner just followed or already did.
Outcome answer_scan(const config::VerificationConfig& cfg, const CallbackContext& ctx, const wechat::Header& h, const std::string& scene,
                    const std::optional<std::string>& welcome, store::Database::Job follow) {
  Outcome out;
  out.effects = std::move(follow);
  if (auto community = community_of_scene(scene)) {
    out.reply_text = verification_link_reply(cfg, *community);
    return out;
  }
  if (auto token = binding_token_of_scene(scene)) {
    out.reply_in_transaction = [token = *token, appid = std::string(ctx.appid), openid = h.from_user,
                                now = ctx.now](store::Connection& c) -> std::optional<std::string> {
      auto r = community::consume_binding_token(c, token, appid, openid, now);
      log::info("admin.binding_scan", {{"appid", appid}, {"bound", r.bound ? "yes" : "no"}, {"admin", std::to_string(r.admin_id)}});
      return r.message;
    };
    return out;
  }
  out.reply_text = welcome;
  return out;
}

}  // namespace

std::string verification_link_reply(const config::VerificationConfig& cfg, std::int64_t community_id) {
  return "欢迎！请点击 <a href=\"" + cfg.public_url + "/r/" + std::to_string(community_id) +
         "\">住户认证</a>，填写姓名、手机号和房号，与物业登记一致即可立即通过。";
}

void register_qr_handlers(MessageHandlers& handlers, const config::VerificationConfig& cfg, std::string welcome) {
  handlers.on<wechat::SubscribeScanEvent>([cfg, welcome](const CallbackContext& ctx, const wechat::SubscribeScanEvent& e) {
    std::int64_t since = e.header.create_time > 0 ? e.header.create_time : ctx.now;
    store::Database::Job follow = [appid = std::string(ctx.appid), openid = e.header.from_user, since, scene = e.scene,
                                   now = ctx.now](store::Connection& c) {
      community::record_follow(c, appid, openid, since, "qrscene_" + scene, now);
    };
    return answer_scan(cfg, ctx, e.header, e.scene, welcome, std::move(follow));
  });
  handlers.on<wechat::ScanEvent>([cfg](const CallbackContext& ctx, const wechat::ScanEvent& e) {
    return answer_scan(cfg, ctx, e.header, e.scene, std::nullopt, {});
  });
}

}  // namespace xiaoqu::gateway
