#include "notify/outbox_store.hpp"

#include <cctype>
#include <nlohmann/json.hpp>
#include <set>

namespace xiaoqu::notify {
namespace {
constexpr std::size_t kMaxErrorBytes = 500;

std::string bounded(const std::string& error) {
  std::string e = scrub_digits(error);
  if (e.size() <= kMaxErrorBytes) return e;
  // Cut at a UTF-8 character boundary.
  std::size_t n = kMaxErrorBytes;
  while (n > 0 && (static_cast<unsigned char>(e[n]) & 0xC0) == 0x80) --n;
  return e.substr(0, n);
}

// A report already recorded for this msgid (it arrived before the send was committed).
void apply_early_report(store::Connection& c, std::int64_t id, const std::string& msgid, std::int64_t now) {
  auto& q = c.cached(
      "SELECT o.account, r.status FROM outbox o JOIN outbox_early_reports r ON r.account = o.account AND r.platform_msg_id = ?2 "
      "WHERE o.id = ?1");
  q.bind(1, id).bind(2, msgid);
  if (!q.step()) return;
  std::string account = q.text(0), status = q.text(1);
  q.reset();
  record_delivery(c, account, std::stoll(msgid), status, now);
  auto& d = c.cached("DELETE FROM outbox_early_reports WHERE account = ?1 AND platform_msg_id = ?2");
  d.bind(1, account).bind(2, msgid).run();
}
}  // namespace

std::vector<ClaimedRow> claim_due(store::Connection& c, std::int64_t now, int limit, int lease_seconds,
                                  const std::function<bool(const std::string&)>& take) {
  std::vector<ClaimedRow> out;
  if (limit <= 0) return out;
  // Accounts out of budget are left out of the next scan, so one busy account does not
  // hide another's due rows behind it.
  std::set<std::string> refused;
  auto claim = [&](std::int64_t id) {
    auto& u = c.cached(
        "UPDATE outbox SET status = 'sending', attempts = attempts + 1, claimed_until = ?2, updated_at = ?3 WHERE id = ?1 "
        "RETURNING attempts");
    u.bind(1, id).bind(2, now + lease_seconds).bind(3, now);
    int attempts = u.step() ? static_cast<int>(u.integer(0)) : 0;
    u.reset();
    return attempts;
  };
  // Expired leases first: those rows were claimed by a sender that is gone.
  const char* const kScans[] = {
      "SELECT id, idempotency_key, channel, account, payload FROM outbox WHERE status = 'sending' AND claimed_until <= ?1 "
      "AND account NOT IN (SELECT value FROM json_each(?2)) ORDER BY claimed_until LIMIT ?3",
      "SELECT id, idempotency_key, channel, account, payload FROM outbox WHERE status = 'pending' AND next_attempt_at <= ?1 "
      "AND account NOT IN (SELECT value FROM json_each(?2)) ORDER BY next_attempt_at LIMIT ?3",
  };
  for (const char* sql : kScans) {
    for (;;) {
      int want = limit - static_cast<int>(out.size());
      if (want <= 0) return out;
      std::vector<ClaimedRow> candidates;
      {
        auto& q = c.cached(sql);
        q.bind(1, now).bind(2, nlohmann::json(refused).dump()).bind(3, want);
        while (q.step()) candidates.push_back(ClaimedRow{q.integer(0), q.text(1), q.text(2), q.text(3), q.text(4), 0});
        q.reset();
      }
      if (candidates.empty()) break;
      bool refused_one = false;
      for (auto& row : candidates) {
        if (refused.count(row.account)) continue;
        if (!take(row.account)) {
          refused.insert(row.account);
          refused_one = true;
          continue;
        }
        row.attempts = claim(row.id);
        out.push_back(std::move(row));
      }
      // Scan again only when a refusal may have hidden other accounts' rows.
      if (!refused_one) break;
    }
  }
  return out;
}

void record_sent(store::Connection& c, std::int64_t id, const std::string& platform_msg_id, std::int64_t now) {
  auto& u = c.cached(
      "UPDATE outbox SET status = 'sent', platform_msg_id = ?2, sent_at = ?3, updated_at = ?3, last_error = '', claimed_until = 0 "
      "WHERE id = ?1 AND status = 'sending'");
  u.bind(1, id).bind(2, platform_msg_id).bind(3, now).run();
  if (c.changes() > 0 && !platform_msg_id.empty() && platform_msg_id.find_first_not_of("0123456789") == std::string::npos)
    apply_early_report(c, id, platform_msg_id, now);
}

void record_retry(store::Connection& c, std::int64_t id, const std::string& error, std::int64_t next_attempt_at, bool give_up,
                  std::int64_t now) {
  auto& u = c.cached(
      "UPDATE outbox SET status = ?2, last_error = ?3, next_attempt_at = ?4, claimed_until = 0, updated_at = ?5 "
      "WHERE id = ?1 AND status = 'sending'");
  u.bind(1, id).bind(2, give_up ? "failed" : "pending").bind(3, bounded(error)).bind(4, next_attempt_at).bind(5, now).run();
}

void record_failed(store::Connection& c, std::int64_t id, const std::string& error, std::int64_t now) {
  auto& u = c.cached(
      "UPDATE outbox SET status = 'failed', last_error = ?2, claimed_until = 0, updated_at = ?3 WHERE id = ?1 AND status = 'sending'");
  u.bind(1, id).bind(2, bounded(error)).bind(3, now).run();
}

bool record_delivery(store::Connection& c, const std::string& account, std::int64_t msgid, const std::string& status,
                     std::int64_t now) {
  std::string key = std::to_string(msgid);
  bool ok = status == "success";
  // Only a sent row moves: a repeated report, or one for a row an admin already retried, changes nothing.
  auto& u = c.cached(
      "UPDATE outbox SET status = ?3, delivery_status = ?4, last_error = ?5, updated_at = ?6 "
      "WHERE account = ?1 AND platform_msg_id = ?2 AND status = 'sent'");
  u.bind(1, account).bind(2, key).bind(3, ok ? "delivered" : "failed").bind(4, bounded(status));
  u.bind(5, ok ? std::string() : "platform reported " + bounded(status)).bind(6, now).run();
  if (c.changes() > 0) return true;
  auto& known = c.cached("SELECT 1 FROM outbox WHERE account = ?1 AND platform_msg_id = ?2");
  known.bind(1, account).bind(2, key);
  bool exists = known.step();
  known.reset();
  if (exists) return true;  // already applied
  auto& keep = c.cached(
      "INSERT INTO outbox_early_reports (account, platform_msg_id, status, received_at) VALUES (?1, ?2, ?3, ?4) "
      "ON CONFLICT DO NOTHING");
  keep.bind(1, account).bind(2, key).bind(3, bounded(status)).bind(4, now).run();
  return false;
}

std::vector<OutboxView> list_outbox(store::Connection& c, std::int64_t community_id, const std::string& status, int limit,
                                    std::int64_t before) {
  // A fresh statement, not a cached one: a reader must not keep its snapshot open.
  store::Statement q(c,
                     "SELECT id, purpose, channel, account, status, payload, last_error, delivery_status, attempts, created_at, "
                     "updated_at, next_attempt_at, sent_at FROM outbox WHERE community_id = ?1 AND (?2 = '' OR status = ?2) "
                     "AND (?3 = 0 OR id < ?3) ORDER BY id DESC LIMIT ?4");
  q.bind(1, community_id).bind(2, status).bind(3, before).bind(4, limit);
  std::vector<OutboxView> out;
  while (q.step()) {
    OutboxView v;
    v.id = q.integer(0);
    v.purpose = q.text(1);
    v.channel = q.text(2);
    v.account = q.text(3);
    v.status = q.text(4);
    v.recipient_masked = mask_recipient(v.channel, q.text(5));
    v.last_error = q.text(6);
    v.delivery_status = q.text(7);
    v.attempts = static_cast<int>(q.integer(8));
    v.created_at = q.integer(9);
    v.updated_at = q.integer(10);
    v.next_attempt_at = q.integer(11);
    if (!q.is_null(12)) v.sent_at = q.integer(12);
    out.push_back(std::move(v));
  }
  return out;
}

std::optional<std::string> retry_failed(store::Connection& c, std::int64_t community_id, std::int64_t id, std::int64_t now) {
  auto& q = c.cached("SELECT status FROM outbox WHERE id = ?1 AND community_id = ?2");
  q.bind(1, id).bind(2, community_id);
  if (!q.step()) {
    q.reset();
    return std::nullopt;
  }
  std::string status = q.text(0);
  q.reset();
  if (status != "failed") return status;
  // A fresh send: the template msgid and delivery text of the failed one no longer apply.
  auto& u = c.cached(
      "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = ?2, claimed_until = 0, platform_msg_id = '', "
      "delivery_status = '', updated_at = ?2 WHERE id = ?1 AND status = 'failed'");
  u.bind(1, id).bind(2, now).run();
  return status;
}

std::string mask_recipient(const std::string& channel, const std::string& payload) {
  auto j = nlohmann::json::parse(payload, nullptr, false);
  if (!j.is_object()) return "";
  if (channel == "sms") {
    std::string phone = j.value("phone", "");
    std::string digits;
    for (char ch : phone)
      if (std::isdigit(static_cast<unsigned char>(ch))) digits += ch;
    if (digits.size() > 11) digits = digits.substr(digits.size() - 11);  // drop the +86
    if (digits.size() < 5) return std::string(digits.size(), '*');
    return digits.substr(0, 3) + "****" + digits.substr(digits.size() - 2);
  }
  std::string openid = j.value("openid", "");
  if (openid.size() <= 8) return std::string(openid.size(), '*');
  return openid.substr(0, 4) + "****" + openid.substr(openid.size() - 4);
}

std::string scrub_digits(const std::string& text) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) {
      out += text[i++];
      continue;
    }
    std::size_t j = i;
    while (j < text.size() && std::isdigit(static_cast<unsigned char>(text[j]))) ++j;
    if (j - i >= 7) out += text.substr(i, 3) + "****" + text.substr(j - 2, 2);
    else out += text.substr(i, j - i);
    i = j;
  }
  return out;
}

}  // namespace xiaoqu::notify
