// The decision rule on its own: every branch of decide() without a store or a server.
#include "community/verification/verification.hpp"

#include <gtest/gtest.h>

namespace xiaoqu::community {
namespace {

RoomResident imported(std::int64_t id, std::string name, std::string phone, Identity identity, std::string lease_end = "") {
  RoomResident r;
  r.id = id;
  r.name_key = std::move(name);
  r.phone = std::move(phone);
  r.identity = identity;
  r.lease_end = std::move(lease_end);
  r.status = "imported";
  return r;
}

Submission submit(std::string name, std::string phone, Identity identity, std::string openid = "oUser1") {
  Submission s;
  s.name_key = std::move(name);
  s.phone = std::move(phone);
  s.identity = identity;
  s.openid = std::move(openid);
  return s;
}

// The seed's room A/1/101: 张三 the owner and 李四 his family member.
const std::vector<RoomResident> kRoom = {
    imported(1, "张三", "13800000001", Identity::owner),
    imported(2, "李四", "13800000002", Identity::family),
};

TEST(VerificationDecision, ExactMatchIsApprovedWithTheRuleThatFired) {
  auto d = decide(submit("张三", "13800000001", Identity::owner), kRoom, "2024-06-01", false);
  EXPECT_TRUE(d.approved);
  EXPECT_EQ(d.resident_id, 1);
  EXPECT_EQ(d.rule, "imported_match");
  EXPECT_FALSE(d.reason);
}

TEST(VerificationDecision, EmptyRoomWaitsWithNoRecord) {
  auto d = decide(submit("张三", "13800000001", Identity::owner), {}, "2024-06-01", false);
  EXPECT_FALSE(d.approved);
  EXPECT_EQ(d.reason, PendingReason::no_record);
  EXPECT_FALSE(d.resident_id);
}

TEST(VerificationDecision, UnknownPersonWaitsWithNoRecord) {
  auto d = decide(submit("赵七", "13900000009", Identity::owner), kRoom, "2024-06-01", false);
  EXPECT_EQ(d.reason, PendingReason::no_record);
}

TEST(VerificationDecision, KnownNameOtherPhoneIsPhoneDiffers) {
  auto d = decide(submit("张三", "13900000009", Identity::owner), kRoom, "2024-06-01", false);
  EXPECT_FALSE(d.approved);
  EXPECT_EQ(d.reason, PendingReason::phone_differs);
  EXPECT_EQ(d.resident_id, 1);
}

TEST(VerificationDecision, KnownPhoneOtherNameIsNameDiffers) {
  auto d = decide(submit("张叁", "13800000001", Identity::owner), kRoom, "2024-06-01", false);
  EXPECT_EQ(d.reason, PendingReason::name_differs);
  EXPECT_EQ(d.resident_id, 1);
}

TEST(VerificationDecision, SameNameAndPhoneOtherIdentityIsIdentityDiffers) {
  auto d = decide(submit("李四", "13800000002", Identity::owner), kRoom, "2024-06-01", false);
  EXPECT_EQ(d.reason, PendingReason::identity_differs);
  EXPECT_EQ(d.resident_id, 2);
}

TEST(VerificationDecision, RecordBoundToAnotherUserIsNotTakenOver) {
  auto room = kRoom;
  room[0].openid = "oSomeoneElse";
  room[0].status = "verified";
  auto d = decide(submit("张三", "13800000001", Identity::owner, "oUser1"), room, "2024-06-01", false);
  EXPECT_FALSE(d.approved);
  EXPECT_EQ(d.reason, PendingReason::bound_elsewhere);
}

TEST(VerificationDecision, SameUserSubmittingAgainStaysApproved) {
  auto room = kRoom;
  room[0].openid = "oUser1";
  room[0].status = "verified";
  auto d = decide(submit("张三", "13800000001", Identity::owner, "oUser1"), room, "2024-06-01", false);
  EXPECT_TRUE(d.approved);
  EXPECT_EQ(d.rule, "already_verified_by_this_user");
}

TEST(VerificationDecision, FixedTermTenantMatchesUntilTheLeaseEndDayInclusive) {
  std::vector<RoomResident> room = {imported(4, "刘六", "13800000004", Identity::fixed_term_tenant, "2018-12-31")};
  auto s = submit("刘六", "13800000004", Identity::fixed_term_tenant);
  s.lease_end = "2018-12-31";
  EXPECT_TRUE(decide(s, room, "2018-12-31", false).approved);
  auto after = decide(s, room, "2019-01-01", false);
  EXPECT_FALSE(after.approved);
  EXPECT_EQ(after.reason, PendingReason::lease_ended);
}

TEST(VerificationDecision, LeaseEndedStatusNeverMatches) {
  std::vector<RoomResident> room = {imported(4, "刘六", "13800000004", Identity::fixed_term_tenant, "2030-12-31")};
  room[0].status = "lease_ended";
  auto s = submit("刘六", "13800000004", Identity::fixed_term_tenant);
  s.lease_end = "2030-12-31";
  EXPECT_EQ(decide(s, room, "2024-01-01", false).reason, PendingReason::lease_ended);
}

TEST(VerificationDecision, UnprovenPhoneWaitsWhenTheCommunityAsksForACode) {
  auto s = submit("张三", "13800000001", Identity::owner);
  EXPECT_EQ(decide(s, kRoom, "2024-06-01", true).reason, PendingReason::phone_not_proven);
  s.phone_proven = true;
  EXPECT_TRUE(decide(s, kRoom, "2024-06-01", true).approved);
}

TEST(VerificationDecision, TwoRecordsWithOnePhoneTheMatchingOneWins) {
  // A couple sharing a phone: the wife's submission must not be refused because the
  // husband's record with the same phone comes first.
  std::vector<RoomResident> room = {imported(1, "张三", "13800000001", Identity::owner),
                                    imported(7, "王芳", "13800000001", Identity::family)};
  auto d = decide(submit("王芳", "13800000001", Identity::family), room, "2024-06-01", false);
  EXPECT_TRUE(d.approved);
  EXPECT_EQ(d.resident_id, 7);
}

TEST(VerificationDecision, OwnerReviewCoversFamilyAndTenantsOnlyWhenSwitchedOn) {
  EXPECT_FALSE(owner_may_review(Identity::family, false));
  EXPECT_TRUE(owner_may_review(Identity::family, true));
  EXPECT_TRUE(owner_may_review(Identity::tenant, true));
  EXPECT_TRUE(owner_may_review(Identity::fixed_term_tenant, true));
  EXPECT_FALSE(owner_may_review(Identity::owner, true));
}

}  // namespace
}  // namespace xiaoqu::community
