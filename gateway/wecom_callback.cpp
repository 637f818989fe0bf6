// GET/POST /wecom/callback/{id}: WeCom URL verification (encrypted echostr), app messages,
// and third-party instructions (docs/protocol/wecom.md).
#include <ctime>

#include "gateway/callbacks.hpp"
#include "store/platform_records.hpp"
#include "wecom/event.hpp"

namespace xiaoqu::gateway {
namespace {
store::Database::Job effects_of(const wecom::Instruction& instruction, const store::SecretBox& box,
                                std::string_view endpoint, std::int64_t now) {
  std::string ep(endpoint);
  return std::visit(
      [&](const auto& i) -> store::Database::Job {
        using T = std::decay_t<decltype(i)>;
        if constexpr (std::is_same_v<T, wecom::SuiteTicket>) {
          return [&box, i, now](store::Connection& c) { store::save_suite_ticket(c, box, i.suite_id, i.ticket, i.timestamp, now); };
        } else if constexpr (std::is_same_v<T, wecom::CreateAuth>) {
          store::SuiteAuthEvent e{ep, i.suite_id, "create_auth", {}, i.auth_code, i.state, i.timestamp};
          return [&box, e, now](store::Connection& c) { store::record_suite_auth_event(c, box, e, now); };
        } else if constexpr (std::is_same_v<T, wecom::ChangeAuth>) {
          store::SuiteAuthEvent e{ep, i.suite_id, "change_auth", i.auth_corp_id, {}, i.state, i.timestamp};
          return [&box, e, now](store::Connection& c) { store::record_suite_auth_event(c, box, e, now); };
        } else if constexpr (std::is_same_v<T, wecom::CancelAuth>) {
          store::SuiteAuthEvent e{ep, i.suite_id, "cancel_auth", i.auth_corp_id, {}, {}, i.timestamp};
          return [&box, e, now](store::Connection& c) { store::record_suite_auth_event(c, box, e, now); };
        } else if constexpr (std::is_same_v<T, wecom::ContactChange>) {
          // Ids only: names and phones are re-read from the API when the change is applied.
          // update_tag keeps only the tag: who joined or left is re-read, as the platform advises.
          store::ContactChangeRecord r{ep, i.corp_id, i.change_type, i.user_id, i.new_user_id, i.party_id, i.timestamp, i.tag_id};
          return [r, now](store::Connection& c) { store::record_contact_change(c, r, now); };
        } else {
          return {};
        }
      },
      instruction);
}
}  // namespace

void Callbacks::wecom(Request&& req, std::string_view id, const Respond& respond) {
  constexpr Route route = Route::wecom_callback;
  auto it = wecom_.find(id);
  if (it == wecom_.end()) return reject(Rejection::unknown_account, route, req.request_id, id, respond);
  const WecomAccount& acc = *it->second;
  QueryParams q(req.query);
  std::int64_t now = std::time(nullptr);
  std::string_view ts = q.value("timestamp");
  std::string message;

  if (req.method == "GET") {
    auto echostr = q.get("echostr");
    if (!echostr) return reject(Rejection::missing_parameter, route, req.request_id, id, respond);
    if (auto r = open_encrypted(acc.crypt, q, *echostr, acc.cfg.receive_ids, message))
      return reject(*r, route, req.request_id, id, respond);
    if (!timestamp_fresh(ts, now)) return reject(Rejection::stale_timestamp, route, req.request_id, id, respond, ts);
    Response res;
    res.route = route;
    res.body = std::move(message);  // exactly the decrypted bytes: no quotes, no newline
    return respond(std::move(res));
  }
  if (req.method != "POST") return reject(Rejection::method_not_allowed, route, req.request_id, id, respond);

  wechat::Envelope env;
  try {
    env = wechat::parse_envelope(req.body);
  } catch (const wechat::XmlError& e) {
    return reject(Rejection::malformed_xml, route, req.request_id, id, respond, e.what());
  }
  if (auto r = open_encrypted(acc.crypt, q, env.encrypt, acc.cfg.receive_ids, message))
    return reject(*r, route, req.request_id, id, respond);

  wecom::Push push;
  try {
    push = wecom::parse_push(message);
  } catch (const wechat::XmlError& e) {
    return reject(Rejection::malformed_xml, route, req.request_id, id, respond, e.what());
  }
  // Suites must answer instructions with exactly "success"; self-built apps answer nothing.
  std::string_view nothing = acc.cfg.kind == config::WecomEndpoint::Kind::suite ? "success" : "";
  Handled h;
  h.request_id = req.request_id;
  h.dedup_key.append("wecom:").append(id).append("|");
  if (auto* instruction = std::get_if<wecom::Instruction>(&push)) {
    h.dedup_key.append(wecom::dedup_key(*instruction));
    h.kind.append(wecom::kind_label(*instruction));
    h.reply.assign(nothing);
    h.effects = effects_of(*instruction, box_, id, now);
    return finish(route, ts, now, std::move(h), ReplyEncoding{nullptr, {}, nothing}, respond);
  }
  const auto& msg = std::get<wechat::Message>(push);
  Outcome out = wecom_handlers_.dispatch(CallbackContext{id, req.request_id, now}, msg);
  h.dedup_key.append(wechat::dedup_key(msg));
  h.kind.append("wecom.").append(wechat::kind_label(msg));
  h.reply = out.reply_text ? wechat::render_text_reply(wechat::header_of(msg), *out.reply_text, now) : std::string(nothing);
  h.effects = std::move(out.effects);
  std::string receive_id = acc.cfg.receive_ids.empty() ? std::string() : acc.cfg.receive_ids.front();
  finish(route, ts, now, std::move(h), ReplyEncoding{&acc.crypt, receive_id, nothing}, respond);
}

}  // namespace xiaoqu::gateway
