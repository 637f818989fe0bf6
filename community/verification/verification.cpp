#include "community/verification/verification.hpp"

namespace xiaoqu::community {

std::string_view to_string(PendingReason r) noexcept {
  switch (r) {
    case PendingReason::no_record: return "no_record";
    case PendingReason::phone_differs: return "phone_differs";
    case PendingReason::name_differs: return "name_differs";
    case PendingReason::identity_differs: return "identity_differs";
    case PendingReason::bound_elsewhere: return "bound_elsewhere";
    case PendingReason::lease_ended: return "lease_ended";
    case PendingReason::phone_not_proven: return "phone_not_proven";
  }
  return "no_record";
}

std::string_view describe(PendingReason r) noexcept {
  switch (r) {
    case PendingReason::no_record: return "该房间没有匹配的导入记录";
    case PendingReason::phone_differs: return "姓名与导入记录一致，手机号不同";
    case PendingReason::name_differs: return "手机号与导入记录一致，姓名不同";
    case PendingReason::identity_differs: return "姓名和手机号一致，身份不同";
    case PendingReason::bound_elsewhere: return "该住户已被其他微信用户认证";
    case PendingReason::lease_ended: return "限期租客的租期已结束";
    case PendingReason::phone_not_proven: return "手机号未通过短信验证";
  }
  return "";
}

bool lease_has_ended(std::string_view lease_end, std::string_view today) noexcept {
  // Both are YYYY-MM-DD, so text order is date order. A missing end date never ends.
  return !lease_end.empty() && lease_end < today;
}

bool owner_may_review(Identity identity, bool community_allows_owner_review) noexcept {
  return community_allows_owner_review && identity != Identity::owner;
}

Decision decide(const Submission& s, const std::vector<RoomResident>& room, std::string_view today, bool require_proven_phone) {
  Decision d;
  auto pending = [&d](PendingReason r, std::optional<std::int64_t> nearest = std::nullopt) {
    d.approved = false;
    d.reason = r;
    d.resident_id = nearest;
    return d;
  };
  if (require_proven_phone && !s.phone_proven) return pending(PendingReason::phone_not_proven);

  // The phone is the strongest key: look at the records carrying it first, and report the
  // closest miss (name, then identity, then lease, then binding) so the reviewer sees why.
  const RoomResident* same_phone_other_name = nullptr;
  const RoomResident* identity_miss = nullptr;
  const RoomResident* lease_miss = nullptr;
  const RoomResident* bound_miss = nullptr;
  for (const auto& r : room) {
    if (r.phone.empty() || r.phone != s.phone) continue;
    if (r.name_key != s.name_key) {
      if (!same_phone_other_name) same_phone_other_name = &r;
      continue;
    }
    if (r.identity != s.identity) {
      if (!identity_miss) identity_miss = &r;
      continue;
    }
    if (r.status == "lease_ended" ||
        (r.identity == Identity::fixed_term_tenant && lease_has_ended(r.lease_end, today))) {
      if (!lease_miss) lease_miss = &r;
      continue;
    }
    if (!r.openid.empty() && r.openid != s.openid) {
      if (!bound_miss) bound_miss = &r;
      continue;
    }
    // A submitted end date that has already passed never matches either.
    if (s.identity == Identity::fixed_term_tenant && lease_has_ended(s.lease_end, today)) {
      if (!lease_miss) lease_miss = &r;
      continue;
    }
    d.approved = true;
    d.resident_id = r.id;
    d.rule = r.openid == s.openid && !r.openid.empty() ? "already_verified_by_this_user" : "imported_match";
    return d;
  }
  if (bound_miss) return pending(PendingReason::bound_elsewhere, bound_miss->id);
  if (lease_miss) return pending(PendingReason::lease_ended, lease_miss->id);
  if (identity_miss) return pending(PendingReason::identity_differs, identity_miss->id);
  if (same_phone_other_name) return pending(PendingReason::name_differs, same_phone_other_name->id);
  for (const auto& r : room)
    if (r.name_key == s.name_key) return pending(PendingReason::phone_differs, r.id);
  return pending(PendingReason::no_record);
}

}  // namespace xiaoqu::community
