// The part of the callback endpoints that every platform family shares: account lookup
// tables, signature + decryption, freshness, de-duplication, commit and the answer.
#include <charconv>
#include <random>

#include "config/log.hpp"
#include "gateway/callbacks.hpp"
#include "store/callback_log.hpp"

namespace xiaoqu::gateway {

Callbacks::Callbacks(const config::CallbackConfig& cfg, const store::Accounts& accounts, store::Database& db,
                     const store::SecretBox& box, Metrics& metrics)
    : cfg_(cfg), db_(db), box_(box), metrics_(metrics), dedup_(cfg.dedup_ttl_seconds) {
  for (const auto& a : accounts.official_accounts) {
    MpAccount acc{a, std::nullopt};
    if (!a.encoding_aes_key.empty()) acc.crypt.emplace(a.token, a.encoding_aes_key);
    mp_.emplace(a.appid, std::move(acc));
  }
  for (const auto& c : accounts.components)
    components_.emplace(c.appid, std::make_unique<ComponentAccount>(ComponentAccount{c, wechat::MsgCrypt(c.token, c.encoding_aes_key)}));
  for (const auto& w : accounts.wecom)
    wecom_.emplace(w.id, std::make_unique<WecomAccount>(WecomAccount{w, wechat::MsgCrypt(w.token, w.encoding_aes_key)}));
}

bool Callbacks::timestamp_fresh(std::string_view timestamp, std::int64_t now) const {
  if (cfg_.timestamp_window_seconds == 0) return true;
  std::int64_t ts = 0;
  auto [p, ec] = std::from_chars(timestamp.data(), timestamp.data() + timestamp.size(), ts);
  if (ec != std::errc() || p != timestamp.data() + timestamp.size()) return false;
  std::int64_t skew = now > ts ? now - ts : ts - now;
  return skew <= static_cast<std::int64_t>(cfg_.timestamp_window_seconds);
}

std::optional<Rejection> Callbacks::open_encrypted(const wechat::MsgCrypt& crypt, const QueryParams& q,
                                                   std::string_view encrypt, const std::vector<std::string>& receive_ids,
                                                   std::string& message) const {
  auto sig = q.get("msg_signature");
  auto ts = q.get("timestamp");
  auto nonce = q.get("nonce");
  if (!sig || !ts || !nonce || encrypt.empty()) return Rejection::missing_parameter;
  // Authenticate before anything looks inside the ciphertext.
  if (!crypt.verify_msg_signature(*sig, *ts, *nonce, encrypt)) return Rejection::bad_signature;
  wechat::MsgCrypt::Decrypted d;
  switch (crypt.decrypt(encrypt, d)) {
    case wechat::CryptError::ok: break;
    case wechat::CryptError::decode_base64: return Rejection::bad_base64;
    case wechat::CryptError::illegal_buffer: return Rejection::bad_buffer;
    default: return Rejection::bad_padding;
  }
  bool accepted = false;
  for (const auto& id : receive_ids) accepted = accepted || id == d.receive_id;
  if (!accepted) return Rejection::wrong_receive_id;
  message = std::move(d.message);
  return std::nullopt;
}

void Callbacks::reject(Rejection r, Route route, std::string_view request_id, std::string_view account,
                       const Respond& respond, std::string_view detail) {
  metrics_.count_rejection(r);
  log::warn("callback.rejected", {{"rid", request_id}, {"route", label(route)}, {"account", account},
                                  {"reason", info(r).label}, {"detail", detail}});
  respond(gateway::reject(r, route));
}

Response Callbacks::render(Route route, std::string_view plain, const ReplyEncoding& enc) const {
  Response res;
  res.route = route;
  if (enc.crypt && !plain.empty() && plain != "success") {
    // A fresh timestamp and nonce per answer; the signature covers exactly these two.
    thread_local std::mt19937_64 rng{std::random_device{}()};
    std::string nonce = std::to_string(1'000'000'000 + rng() % 9'000'000'000ULL);
    std::string ts = std::to_string(std::time(nullptr));
    res.body = enc.crypt->reply_envelope(plain, enc.receive_id, ts, nonce);
    res.content_type = "application/xml; charset=utf-8";
  } else {
    res.body.assign(plain);
    if (!plain.empty() && plain.front() == '<') res.content_type = "application/xml; charset=utf-8";
  }
  return res;
}

namespace {
// The de-duplication record of a handled push; `key` is "endpoint|dedup key".
void record(store::Connection& c, std::string_view key, std::string_view kind, std::string_view reply, std::int64_t now) {
  auto bar = key.find('|');
  store::record_handled(c, key.substr(0, bar), key.substr(bar + 1), kind, reply, now);
}
}  // namespace

// A push whose effects could not be committed: forgotten by the de-duplication cache, so the
// platform's retry is handled afresh, and answered as the store being unavailable.
void Callbacks::commit_failed(std::exception_ptr e, Route route, const std::string& key, bool dedup, const Respond& respond) {
  if (dedup) dedup_.abandon(key);
  std::string what;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    what = ex.what();
  }
  log::error("callback.commit_failed", {{"key", key}, {"error", what}});
  metrics_.count_rejection(Rejection::store_unavailable);
  respond(gateway::reject(Rejection::store_unavailable, route));
}

void Callbacks::finish(Route route, std::string_view timestamp, std::int64_t now, Handled h, const ReplyEncoding& enc,
                       const Respond& respond) {
  if (cfg_.dedup) {
    std::string prior;
    switch (dedup_.begin(h.dedup_key, now, prior)) {
      case DedupCache::State::done:
        metrics_.count_duplicate();
        respond(render(route, prior, enc));
        return;
      case DedupCache::State::in_flight:
        // The first delivery is being committed; its answer goes out on that connection.
        metrics_.count_duplicate();
        respond(render(route, enc.nothing, enc));
        return;
      case DedupCache::State::fresh:
        break;
    }
  }
  // Checked after de-duplication: a retry of a known delivery is answered, never refused.
  if (!timestamp_fresh(timestamp, now)) {
    if (cfg_.dedup) dedup_.abandon(h.dedup_key);
    reject(Rejection::stale_timestamp, route, h.request_id, h.dedup_key.substr(0, h.dedup_key.find('|')), respond, timestamp);
    return;
  }
  metrics_.count_callback(h.kind);
  if (!cfg_.dedup && !h.effects && !h.reply_in_transaction) {
    respond(render(route, h.reply, enc));
    return;
  }
  if (h.reply_in_transaction) return finish_decided_in_transaction(route, now, std::move(h), enc, respond);
  bool dedup = cfg_.dedup;
  // Encrypted on this io thread, so the single writer thread only commits and answers.
  Response rendered;
  try {
    rendered = render(route, h.reply, enc);
  } catch (...) {
    if (dedup) dedup_.abandon(h.dedup_key);
    throw;
  }
  store::Database::Job job = [effects = std::move(h.effects), key = h.dedup_key, reply = h.reply, kind = h.kind, now,
                              dedup](store::Connection& c) {
    if (effects) effects(c);
    if (dedup) record(c, key, kind, reply, now);
  };
  // The dedup entry keeps the plaintext: a retry gets a freshly encrypted envelope of it.
  store::Database::Done done = [this, route, key = std::move(h.dedup_key), kind = std::move(h.kind),
                                reply = std::move(h.reply), rendered = std::move(rendered), now, dedup,
                                respond](std::exception_ptr e) mutable {
    if (e) return commit_failed(e, route, key, dedup, respond);
    if (dedup) dedup_.complete(key, std::move(reply), now);
    respond(std::move(rendered));
    if (on_commit_) on_commit_(kind);
  };
  db_.submit(std::move(job), std::move(done));
}

// The rare path where the answer comes out of the transaction: the effects, the decided reply
// and the de-duplication record commit together; the reply is encrypted once committed.
void Callbacks::finish_decided_in_transaction(Route route, std::int64_t now, Handled h, const ReplyEncoding& enc,
                                              const Respond& respond) {
  bool dedup = cfg_.dedup;
  auto decided = std::make_shared<std::string>();
  store::Database::Job job = [effects = std::move(h.effects), decide = std::move(h.reply_in_transaction), key = h.dedup_key,
                              kind = h.kind, now, dedup, decided](store::Connection& c) {
    if (effects) effects(c);
    *decided = decide(c);
    if (dedup) record(c, key, kind, *decided, now);
  };
  store::Database::Done done = [this, route, key = std::move(h.dedup_key), kind = std::move(h.kind), now, dedup, decided, enc,
                                respond](std::exception_ptr e) mutable {
    if (e) return commit_failed(e, route, key, dedup, respond);
    Response rendered = render(route, *decided, enc);
    if (dedup) dedup_.complete(key, std::string(*decided), now);
    respond(std::move(rendered));
    if (on_commit_) on_commit_(kind);
  };
  db_.submit(std::move(job), std::move(done));
}

void Callbacks::warm(std::int64_t now) {
  if (!cfg_.dedup) return;
  for (auto& r : store::handled_since(db_.reader(), now - cfg_.dedup_ttl_seconds))
    dedup_.load(r.endpoint + "|" + r.dedup_key, std::move(r.reply), r.handled_at);
}

void Callbacks::sweep(std::int64_t now) {
  dedup_.sweep(now);
  std::int64_t before = now - cfg_.dedup_ttl_seconds;
  db_.submit([before](store::Connection& c) { store::purge_handled_before(c, before); }, nullptr);
}

}  // namespace xiaoqu::gateway
