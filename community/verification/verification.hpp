#pragma once
// The decision on a resident's submission, as plain functions: given what they entered and
// what the property imported for that room, approve at once or say why a person must look.
// No store, no server: community/verification_requests.* loads the inputs and applies it.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "community/residents/residents.hpp"  // Identity

namespace xiaoqu::community {

/// What the resident entered, already normalized (name_key by normalize_name, phone 11 digits).
struct Submission {
  std::string name_key;
  std::string phone;
  Identity identity = Identity::owner;
  std::string lease_end;  ///< YYYY-MM-DD, fixed-term tenants only
  std::string openid;
  bool phone_proven = false;
};

/// One imported resident of the submission's room.
struct RoomResident {
  std::int64_t id = 0;
  std::string name_key;
  std::string phone;
  Identity identity = Identity::owner;
  std::string lease_end;
  std::string status;  ///< imported, verified, pending, rejected, lease_ended
  std::string openid;  ///< bound WeChat user, or empty
};

/// Why a submission waits for review; stored and shown to reviewers.
enum class PendingReason : std::uint8_t {
  no_record,         ///< nobody was imported for that room with that phone or name
  phone_differs,     ///< the name is on record for the room, with another phone
  name_differs,      ///< the phone is on record for the room, under another name
  identity_differs,  ///< name and phone match, the identity does not
  bound_elsewhere,   ///< the record is already verified by another WeChat user
  lease_ended,       ///< a fixed-term tenant whose lease has ended
  phone_not_proven,  ///< the community asks for an SMS code and none was given
};
std::string_view to_string(PendingReason r) noexcept;
/// The reviewer-facing sentence, in Chinese.
std::string_view describe(PendingReason r) noexcept;

struct Decision {
  bool approved = false;
  std::optional<std::int64_t> resident_id;  ///< the matched record (approved) or the nearest one
  std::string rule;                         ///< approved: the rule that fired
  std::optional<PendingReason> reason;      ///< pending: why
};

/// The rule: approve when an imported resident of the room has the same phone, the same
/// normalized name and the same identity, is not bound to another WeChat user, and (for a
/// fixed-term tenant) whose lease has not ended on `today` (YYYY-MM-DD, the community's
/// local date). `require_proven_phone`: the community asks for an SMS code first.
Decision decide(const Submission& s, const std::vector<RoomResident>& room, std::string_view today, bool require_proven_phone);

/// True when a lease ending on `lease_end` has ended on `today` (the day after the end date).
bool lease_has_ended(std::string_view lease_end, std::string_view today) noexcept;

/// Who may review a pending request of `identity` for a room: property admins always; a
/// verified owner of the room too when the community allows owner review, for family
/// members and tenants only (an owner's claim is decided by the property).
bool owner_may_review(Identity identity, bool community_allows_owner_review) noexcept;

}  // namespace xiaoqu::community
