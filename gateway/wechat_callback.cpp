// GET/POST /wechat/callback/{appid}: the Official Account server callback (docs/protocol/official-account-callback.md).
#include <ctime>

#include "gateway/callbacks.hpp"

namespace xiaoqu::gateway {
namespace {
// The plain `signature` (URL check and plaintext mode): token, timestamp and nonce only.
bool plain_signature_ok(const std::string& token, std::string_view sig, std::string_view ts, std::string_view nonce) {
  return wechat::signatures_equal(wechat::sha1_signature({token, ts, nonce}), sig);
}
}  // namespace

void Callbacks::wechat(Request&& req, std::string_view appid, const Respond& respond) {
  constexpr Route route = Route::wechat_callback;
  auto it = mp_.find(appid);
  if (it == mp_.end()) return reject(Rejection::unknown_account, route, req.request_id, appid, respond);
  const MpAccount& acc = it->second;
  QueryParams q(req.query);
  auto sig = q.get("signature");
  auto ts = q.get("timestamp");
  auto nonce = q.get("nonce");
  std::int64_t now = std::time(nullptr);

  if (req.method == "GET") {
    auto echostr = q.get("echostr");
    if (!sig || !ts || !nonce || !echostr) return reject(Rejection::missing_parameter, route, req.request_id, appid, respond);
    if (!plain_signature_ok(acc.cfg.token, *sig, *ts, *nonce))
      return reject(Rejection::bad_signature, route, req.request_id, appid, respond);
    if (!timestamp_fresh(*ts, now)) return reject(Rejection::stale_timestamp, route, req.request_id, appid, respond, *ts);
    Response res;
    res.route = route;
    res.body.assign(*echostr);
    return respond(std::move(res));
  }
  if (req.method != "POST") return reject(Rejection::method_not_allowed, route, req.request_id, appid, respond);

  bool encrypted = q.value("encrypt_type") == "aes";
  if (acc.cfg.mode == config::MessageMode::safe && !encrypted)
    return reject(Rejection::missing_parameter, route, req.request_id, appid, respond, "safe mode requires encrypt_type=aes");
  if (encrypted && !acc.crypt)
    return reject(Rejection::bad_request, route, req.request_id, appid, respond, "encrypted push to an account without EncodingAESKey");
  if (!ts || !nonce) return reject(Rejection::missing_parameter, route, req.request_id, appid, respond);

  ReplyEncoding enc{nullptr, std::string(appid), "success"};
  std::string xml;
  if (encrypted) {
    wechat::Envelope env;
    try {
      env = wechat::parse_envelope(req.body);
    } catch (const wechat::XmlError& e) {
      return reject(Rejection::malformed_xml, route, req.request_id, appid, respond, e.what());
    }
    if (auto r = open_encrypted(*acc.crypt, q, env.encrypt, {acc.cfg.appid}, xml))
      return reject(*r, route, req.request_id, appid, respond);
    enc.crypt = &*acc.crypt;
  } else {
    // Plaintext mode: the plain signature is the only authentication; check it before parsing.
    if (!sig) return reject(Rejection::missing_parameter, route, req.request_id, appid, respond);
    if (!plain_signature_ok(acc.cfg.token, *sig, *ts, *nonce))
      return reject(Rejection::bad_signature, route, req.request_id, appid, respond);
    xml = std::move(req.body);
  }

  wechat::Message msg;
  try {
    msg = wechat::parse_message(xml);
  } catch (const wechat::XmlError& e) {
    return reject(Rejection::malformed_xml, route, req.request_id, appid, respond, e.what());
  }
  Outcome out = mp_handlers_.dispatch(CallbackContext{appid, req.request_id, now}, msg);
  Handled h;
  h.request_id = req.request_id;
  h.dedup_key.reserve(64);
  h.dedup_key.append("mp:").append(appid).append("|").append(wechat::dedup_key(msg));
  h.kind.append("mp.").append(wechat::kind_label(msg));
  h.reply = out.reply_text ? wechat::render_text_reply(wechat::header_of(msg), *out.reply_text, now) : std::string("success");
  h.effects = std::move(out.effects);
  if (out.reply_in_transaction)
    h.reply_in_transaction = [decide = std::move(out.reply_in_transaction), header = wechat::header_of(msg), now](store::Connection& c) {
      auto text = decide(c);
      return text ? wechat::render_text_reply(header, *text, now) : std::string("success");
    };
  finish(route, *ts, now, std::move(h), enc, respond);
}

}  // namespace xiaoqu::gateway
