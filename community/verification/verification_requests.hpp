#pragma once
// Resident verification in the store: a submission is validated, decided by decide()
// (community/verification/verification.hpp) and applied in the caller's transaction — the resident
// verified with this WeChat user, or a pending request plus one reminder per reviewer in the
// outbox. Reviews by property admins or, where allowed, the room's owner, land here too.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "community/shared/personal_data.hpp"
#include "community/residents/residents.hpp"
#include "community/verification/verification.hpp"
#include "config/config.hpp"
#include "store/sqlite.hpp"

namespace xiaoqu::community {

/// What the H5 form sends, as typed.
struct VerificationInput {
  std::int64_t community_id = 0;
  std::int64_t room_id = 0;
  std::string appid, openid;
  std::string name, phone, identity, lease_end, id_type, id_number;
  bool phone_proven = false;  ///< a valid SMS code for this phone was presented
};

struct VerificationOutcome {
  std::int64_t request_id = 0;
  bool approved = false;
  std::string rule;    ///< approved: the rule that fired
  std::string reason;  ///< pending: PendingReason code
  std::int64_t resident_id = 0;
  int reminders = 0;   ///< outbox rows written for reviewers
};

/// Validates (RecordError invalid naming the field), decides and applies. Run inside a
/// Database job: the request, the resident update, the audit entry and the outbox rows
/// commit together or not at all.
VerificationOutcome submit_verification(store::Connection& c, const PersonalData& pd, const config::VerificationConfig& cfg,
                                        const VerificationInput& in, std::int64_t now);

struct VerificationRequest {
  std::int64_t id = 0, community_id = 0, room_id = 0, resident_id = 0;
  std::vector<std::string> room_path;
  std::string appid, openid, name, phone, identity, lease_end, id_number_masked;
  std::string status, rule, reason, decided_by, decision_note;
  std::int64_t created_at = 0, decided_at = 0;
};
/// The console's JSON: phone masked, the reason in words as well as its code.
nlohmann::json to_json(const VerificationRequest& r);

VerificationRequest get_request(store::Connection& c, std::int64_t community_id, std::int64_t request_id);
/// Newest first; `status` empty for all but superseded ones.
std::vector<VerificationRequest> list_requests(store::Connection& c, std::int64_t community_id, const std::string& status,
                                               std::int64_t page, std::int64_t page_size, std::int64_t& total);
/// A WeChat user's own requests in a community, newest first (the H5 page's status list).
std::vector<VerificationRequest> requests_of(store::Connection& c, std::int64_t community_id, const std::string& appid,
                                             const std::string& openid);

/// A person's decision on a pending request. `actor` is "admin:<id>" or "owner:<openid>".
/// Approving binds the imported record of that room and phone when there is one free, else
/// makes the pending resident verified; rejecting needs a reason. The resident is told by
/// template message (outbox). RecordError conflict when the request is no longer pending.
VerificationRequest review_request(store::Connection& c, const config::VerificationConfig& cfg, std::int64_t community_id,
                                   std::int64_t request_id, bool approve, const std::string& note, const std::string& actor,
                                   std::int64_t now);

/// Pending requests an owner may decide: family members and tenants of rooms where this WeChat
/// user is a verified owner, when the community allows owner review.
std::vector<VerificationRequest> requests_for_owner(store::Connection& c, std::int64_t community_id, const std::string& appid,
                                                    const std::string& openid);
/// Throws RecordError forbidden unless `openid` may review that request as the room's owner.
void check_owner_may_review(store::Connection& c, std::int64_t community_id, std::int64_t request_id, const std::string& appid,
                            const std::string& openid);

/// Fixed-term tenants whose lease ended before `today` (YYYY-MM-DD) become lease_ended;
/// audited. Returns how many changed.
int expire_leases(store::Connection& c, const std::string& today, std::int64_t now);

}  // namespace xiaoqu::community
