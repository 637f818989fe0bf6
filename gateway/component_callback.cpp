// POST /wechat/component/{component_appid}: Open Platform notices, and
// POST /wechat/component/{component_appid}/{authorizer_appid}: messages of authorized
// accounts, encrypted with the component's key (docs/protocol/open-platform-component.md).
#include <ctime>

#include "gateway/callbacks.hpp"
#include "store/platform_records.hpp"
#include "wechat/component_notice.hpp"

namespace xiaoqu::gateway {
namespace {
// What each notice writes to the store.
store::Database::Job effects_of(const wechat::ComponentNotice& notice, const store::SecretBox& box,
                                std::string_view component_appid, std::int64_t now) {
  std::string comp(component_appid);
  return std::visit(
      [&](const auto& n) -> store::Database::Job {
        using T = std::decay_t<decltype(n)>;
        if constexpr (std::is_same_v<T, wechat::ComponentVerifyTicket>) {
          return [&box, comp, n, now](store::Connection& c) {
            store::save_component_verify_ticket(c, box, comp, n.ticket, n.create_time, now);
          };
        } else if constexpr (std::is_same_v<T, wechat::AuthorizationGranted>) {
          store::AuthorizationNotice rec{comp, n.authorizer_appid, n.update ? "updateauthorized" : "authorized",
                                         n.authorization_code, n.create_time, n.code_expires_at};
          return [&box, rec, now](store::Connection& c) { store::record_authorization_notice(c, box, rec, now); };
        } else if constexpr (std::is_same_v<T, wechat::AuthorizationRevoked>) {
          store::AuthorizationNotice rec{comp, n.authorizer_appid, "unauthorized", {}, n.create_time, 0};
          return [&box, rec, now](store::Connection& c) { store::record_authorization_notice(c, box, rec, now); };
        } else {
          return {};
        }
      },
      notice);
}
}  // namespace

void Callbacks::component(Request&& req, std::string_view component_appid, std::string_view authorizer_appid,
                          const Respond& respond) {
  const Route route = authorizer_appid.empty() ? Route::wechat_component : Route::wechat_component_authorizer;
  auto it = components_.find(component_appid);
  if (it == components_.end()) return reject(Rejection::unknown_account, route, req.request_id, component_appid, respond);
  if (req.method != "POST") return reject(Rejection::method_not_allowed, route, req.request_id, component_appid, respond);
  const ComponentAccount& comp = *it->second;
  QueryParams q(req.query);
  std::int64_t now = std::time(nullptr);

  wechat::Envelope env;
  try {
    env = wechat::parse_envelope(req.body);
  } catch (const wechat::XmlError& e) {
    return reject(Rejection::malformed_xml, route, req.request_id, component_appid, respond, e.what());
  }
  std::string xml;
  if (auto r = open_encrypted(comp.crypt, q, env.encrypt, {comp.cfg.appid}, xml))
    return reject(*r, route, req.request_id, component_appid, respond);
  std::string_view ts = q.value("timestamp");

  Handled h;
  h.request_id = req.request_id;
  if (authorizer_appid.empty()) {
    wechat::ComponentNotice notice;
    try {
      notice = wechat::parse_component_notice(xml);
    } catch (const wechat::XmlError& e) {
      return reject(Rejection::malformed_xml, route, req.request_id, component_appid, respond, e.what());
    }
    h.dedup_key.append("component:").append(component_appid).append("|").append(wechat::dedup_key(notice));
    h.kind.append(wechat::kind_label(notice));
    h.reply = "success";  // notices are answered with exactly "success"
    h.effects = effects_of(notice, box_, component_appid, now);
    return finish(route, ts, now, std::move(h), ReplyEncoding{nullptr, {}, "success"}, respond);
  }

  wechat::Message msg;
  try {
    msg = wechat::parse_message(xml);
  } catch (const wechat::XmlError& e) {
    return reject(Rejection::malformed_xml, route, req.request_id, authorizer_appid, respond, e.what());
  }
  Outcome out = mp_handlers_.dispatch(CallbackContext{authorizer_appid, req.request_id, now}, msg);
  h.dedup_key.append("mp:").append(authorizer_appid).append("|").append(wechat::dedup_key(msg));
  h.kind.append("mp.").append(wechat::kind_label(msg));
  h.reply = out.reply_text ? wechat::render_text_reply(wechat::header_of(msg), *out.reply_text, now) : std::string("success");
  h.effects = std::move(out.effects);
  if (out.reply_in_transaction)
    h.reply_in_transaction = [decide = std::move(out.reply_in_transaction), header = wechat::header_of(msg), now](store::Connection& c) {
      auto text = decide(c);
      return text ? wechat::render_text_reply(header, *text, now) : std::string("success");
    };
  finish(route, ts, now, std::move(h), ReplyEncoding{&comp.crypt, comp.cfg.appid, "success"}, respond);
}

}  // namespace xiaoqu::gateway
