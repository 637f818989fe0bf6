#pragma once
// Applying what WeCom says about a linked corp's contacts to the departments and staff
// tables: a whole snapshot (the 同步 button, after linking, nightly) or one change
// (change_contact). The caller fetches from the API first and applies in one transaction,
// so a sync that fails halfway changes nothing.
//
// Staff merge rule: a WeCom member and a staff record are the same person when the record
// carries the member's userid (from an earlier sync, or typed in by the admin) or, when
// WeCom discloses the mobile (self-built apps), the same phone. Suites get neither names nor
// phones, so what the admin entered is kept. (Same rule as community::upsert_staff, which
// is not used here: it needs service communities and department paths, and would take a
// suite's userid for the person's name.) A member new to the staff table serves the
// communities of the account that linked the corp.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/sqlite.hpp"

namespace xiaoqu::community {

struct WecomDepartmentRecord {
  std::int64_t id = 0, parent_id = 0, order = 0;  ///< parent 0: the root
  std::optional<std::string> name;                ///< suites get no names
};

struct WecomMemberRecord {
  std::string userid;
  std::optional<std::string> name;      ///< only when it is the real name (not for suites)
  std::optional<std::string> position;  ///< not for suites
  std::optional<std::string> mobile;    ///< self-built apps only
  std::optional<int> gender;            ///< 1 male, 2 female, 0 unknown
  std::vector<std::int64_t> departments;
};

struct ContactSnapshot {
  std::vector<WecomDepartmentRecord> departments;
  std::vector<WecomMemberRecord> members;
};

struct SyncCounts {
  int departments = 0;        ///< the corp's departments after the sync
  int departments_removed = 0;
  int members = 0;            ///< members in the snapshot
  int staff_added = 0;        ///< new staff records
  int staff_merged = 0;       ///< manual records that were the same person
  int staff_unsynced = 0;     ///< records whose member left WeCom (or the visible range)
};

/// Mirrors the snapshot: departments upserted by (corp, WeCom id) and removed when gone;
/// members upserted into staff (see the merge rule), their WeCom department memberships
/// replaced; the corp's synced staff missing from the snapshot marked 'unsynced'. Call in
/// one transaction.
SyncCounts apply_contact_snapshot(store::Connection& c, const std::string& corp_id, const ContactSnapshot& snapshot,
                                  std::int64_t now);

enum class MemberUpsert { added, merged, updated };
/// One member (change_contact create_user / update_user after user/get). `staff_id`, when
/// given, receives the record's id.
MemberUpsert upsert_wecom_member(store::Connection& c, const std::string& corp_id, const WecomMemberRecord& m,
                                 std::int64_t now, std::int64_t* staff_id = nullptr);

/// update_user with NewUserID: the record follows the member to the new userid.
void rename_wecom_member(store::Connection& c, const std::string& corp_id, const std::string& old_userid,
                         const std::string& new_userid, std::int64_t now);

/// delete_user (or a member no longer visible): the record stays, marked 'unsynced'.
bool mark_member_unsynced(store::Connection& c, const std::string& corp_id, const std::string& userid, std::int64_t now);

/// create_party / update_party: one department (its parent must already be known, else
/// it is placed at the top until the parent arrives).
void upsert_wecom_department(store::Connection& c, const std::string& corp_id, const WecomDepartmentRecord& d);

/// delete_party: the department goes; members keep their other departments.
bool remove_wecom_department(store::Connection& c, const std::string& corp_id, std::int64_t wecom_department_id);

/// How many departments and synced staff the corp has now.
struct CorpCounts {
  int departments = 0, staff_synced = 0, staff_unsynced = 0;
};
CorpCounts corp_counts(store::Connection& c, const std::string& corp_id);

}  // namespace xiaoqu::community
