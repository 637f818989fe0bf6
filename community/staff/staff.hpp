#pragma once
// Staff (员工): the property company's people, serving one or several communities, in one
// or several departments. One person is one record: the same phone, or the same WeCom
// userid in the same corp, updates the existing record instead of adding a duplicate
// (upsert_staff), which the admin API, the Excel import and the WeCom sync all rely on.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "community/structure/communities.hpp"
#include "store/sqlite.hpp"

namespace xiaoqu::community {

/// A staff record as entered (form, spreadsheet row or WeCom member).
struct StaffInput {
  std::string name;
  std::string gender;  ///< "", "male"/"female" (or 男/女)
  std::string position, rank;
  std::string phone;  ///< any form notify::normalize_phone accepts; may be empty with a WeCom userid
  std::string wechat_id, address;
  std::vector<std::string> departments;   ///< paths "工程部—维修组"; see split_department_path
  std::vector<std::int64_t> communities;  ///< service communities, at least one
  std::string wecom_corp_id, wecom_userid;
};

struct Staff {
  std::int64_t id = 0;
  std::string name, gender, position, rank;
  std::string phone;  ///< 11 national digits
  std::string wechat_id, address, wecom_corp_id, wecom_userid, wecom_state;
  std::vector<std::int64_t> communities;
  std::vector<std::string> departments;  ///< paths joined with "—"
  std::int64_t created_at = 0, updated_at = 0;
};

/// The input checked and normalized (names trimmed, phone to 11 digits, gender to
/// male/female, departments split into canonical "—" paths, communities de-duplicated).
/// RecordError invalid naming the field (name, gender, phone, position, rank, wechat_id,
/// address, departments, communities) otherwise. Touches no store.
StaffInput checked_staff(const StaffInput& in);

enum class UpsertOutcome : std::uint8_t { added, updated, unchanged };
struct UpsertResult {
  std::int64_t id = 0;
  UpsertOutcome outcome = UpsertOutcome::added;
};

/// Adds the person, or updates the record with the same phone (else the same WeCom corp and
/// userid). An update keeps the communities the record already serves and adds the given
/// ones; departments are replaced when given. Communities must exist (not_found). Audited
/// with phones masked.
UpsertResult upsert_staff(store::Connection& c, const StaffInput& in, const std::string& actor, std::int64_t now);

/// The record as `in` says exactly (communities and departments replaced). conflict when the
/// phone or WeCom userid belongs to another record.
void replace_staff(store::Connection& c, std::int64_t staff_id, const StaffInput& in, const std::string& actor,
                   std::int64_t now);

/// RecordError not_found unless the person serves that community.
Staff get_staff(store::Connection& c, std::int64_t community_id, std::int64_t staff_id);

/// Ends the person's service in that community; the record itself goes with its last one.
void remove_staff(store::Connection& c, std::int64_t community_id, std::int64_t staff_id, const std::string& actor,
                  std::int64_t now);

struct StaffQuery {
  std::string q;  ///< part of the name, or the last 4 digits of the phone
  std::int64_t department_id = 0;  ///< this department and those below; 0 = all
  std::int64_t page = 1, page_size = 20;
};
struct StaffPage {
  std::vector<Staff> items;
  std::int64_t total = 0;
};
/// The staff serving a community, by name then id.
StaffPage list_staff(store::Connection& c, std::int64_t community_id, const StaffQuery& q);

/// JSON for the API and the audit log. `masked_phone` for lists and audit entries;
/// `communities` limited to `visible` when given (a property admin's view).
nlohmann::json to_json(const Staff& s, bool masked_phone, const std::vector<std::int64_t>* visible = nullptr);

/// "男"/"女" for male/female, "" otherwise; and back (accepting both forms).
std::string gender_label(const std::string& gender);
std::optional<std::string> gender_from(const std::string& text);

}  // namespace xiaoqu::community
