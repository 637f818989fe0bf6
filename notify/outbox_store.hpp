#pragma once
// The outbox rows' state changes, each a few statements run inside a Database job: claiming
// due rows under a lease, recording a send's outcome, applying a delivery report, and the
// admin's list and retry. The payload stays JSON here (see notify/outbox.hpp for why).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "store/sqlite.hpp"

namespace xiaoqu::notify {

/// A claimed row as the dispatcher sends it.
struct ClaimedRow {
  std::int64_t id = 0;
  std::string idempotency_key, channel, account, payload;
  int attempts = 0;  ///< including the one just claimed
};

/// Claims up to `limit` due rows: pending with next_attempt_at <= now, or sending with an
/// expired lease (a sender that died). `take(account)` is asked once per candidate and says
/// whether that account may send one more now (the rate limit); a refused account is not
/// offered again in this claim. Claimed rows become sending until now + lease_seconds, with
/// attempts + 1.
std::vector<ClaimedRow> claim_due(store::Connection& c, std::int64_t now, int limit, int lease_seconds,
                                  const std::function<bool(const std::string& account)>& take);

/// The send was accepted: status sent with the platform's id (msgid / SerialNo). A delivery
/// report that arrived before this is applied now.
void record_sent(store::Connection& c, std::int64_t id, const std::string& platform_msg_id, std::int64_t now);
/// A transient failure: back to pending at `next_attempt_at`, or failed when `give_up`.
void record_retry(store::Connection& c, std::int64_t id, const std::string& error, std::int64_t next_attempt_at, bool give_up,
                  std::int64_t now);
/// A permanent failure: failed with the reason, never attempted again unless an admin retries.
void record_failed(store::Connection& c, std::int64_t id, const std::string& error, std::int64_t now);

/// TEMPLATESENDJOBFINISH: the row of (account, msgid) becomes delivered ("success") or failed
/// ("failed:user block", "failed:system failed"), keeping the platform's text. Idempotent.
/// Returns false when no row has that msgid yet (the report is kept and applied by record_sent).
bool record_delivery(store::Connection& c, const std::string& account, std::int64_t msgid, const std::string& status,
                     std::int64_t now);

/// One row as admins see it: the recipient masked, no payload.
struct OutboxView {
  std::int64_t id = 0;
  std::string purpose, channel, account, status, recipient_masked, last_error, delivery_status;
  int attempts = 0;
  std::int64_t created_at = 0, updated_at = 0, next_attempt_at = 0;
  std::optional<std::int64_t> sent_at;
};

/// The community's rows, newest first, optionally of one status; at most `limit` after id `before` (0 = from the newest).
std::vector<OutboxView> list_outbox(store::Connection& c, std::int64_t community_id, const std::string& status, int limit,
                                    std::int64_t before);

/// Puts a failed row of the community back to pending, due now, with its attempts reset.
/// Returns the row's status before ("failed" when it was retried), nothing when no such row.
std::optional<std::string> retry_failed(store::Connection& c, std::int64_t community_id, std::int64_t id, std::int64_t now);

/// "189****21" for a phone in any form (the last two digits kept), "oAbC****xyz9" style for an
/// openid: what lists and logs may show of a recipient.
std::string mask_recipient(const std::string& channel, const std::string& payload);

/// `text` with every run of 7 or more digits reduced to its first 3 and last 2, so an error
/// message quoting a phone number keeps no personal data.
std::string scrub_digits(const std::string& text);

}  // namespace xiaoqu::notify
