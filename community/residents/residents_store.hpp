#pragma once
// Residents in the store: add, edit, delete (each audited with masked before/after), look
// up and list with the console's filters. Every function is scoped by community id.
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "community/shared/personal_data.hpp"
#include "community/residents/residents.hpp"
#include "store/sqlite.hpp"

namespace xiaoqu::community {

/// A stored resident as the console sees it: the ID number only masked.
struct Resident {
  std::int64_t id = 0, community_id = 0, room_id = 0;
  std::vector<std::string> room_path;  ///< node names from the top (filled by get/list)
  std::string name, name_key;
  Gender gender = Gender::unspecified;
  Identity identity = Identity::owner;
  std::string lease_end;  ///< YYYY-MM-DD or empty
  std::string phone;      ///< 11 digits
  IdType id_type = IdType::none;
  std::string id_number_masked, id_number_hash;
  ResidentStatus status = ResidentStatus::imported;
  std::string openid, source;
  std::int64_t created_at = 0, updated_at = 0;
};

/// The console's JSON for a resident: phone masked (189****21), ID number masked.
nlohmann::json to_json(const Resident& r);
/// The audit form: every field, personal data masked.
nlohmann::json audit_json(const Resident& r);

/// The room a resident lives in, as the API names it: a node id or the path of names.
struct RoomRef {
  std::int64_t room_id = 0;
  std::vector<std::string> path;
};

/// The fields of a create or PATCH body, as typed. Unset members keep their stored value.
struct ResidentFields {
  std::optional<std::string> name, gender, identity, lease_end, phone, id_type, id_number;
  std::optional<RoomRef> room;
  /// RecordError invalid naming the member when it has the wrong JSON type.
  static ResidentFields from_json(const nlohmann::json& body);
};

/// RecordError not_found when the resident is not in that community.
Resident get_resident(store::Connection& c, std::int64_t community_id, std::int64_t resident_id);

/// Validates (RecordError invalid naming the first bad field, all problems in the message)
/// and inserts; the room must exist in the community. Audited as resident.create.
std::int64_t create_resident(store::Connection& c, const PersonalData& pd, std::int64_t community_id,
                             const ResidentFields& f, const std::string& actor, std::int64_t now);
/// Applies the set fields on top of the stored ones, validates the result, stores it.
/// Audited as resident.update with masked before/after. Returns the stored resident.
Resident update_resident(store::Connection& c, const PersonalData& pd, std::int64_t community_id,
                         std::int64_t resident_id, const ResidentFields& f, const std::string& actor,
                         std::int64_t now);
void delete_resident(store::Connection& c, std::int64_t community_id, std::int64_t resident_id,
                     const std::string& actor, std::int64_t now);

/// The console's list filters.
struct ResidentQuery {
  std::int64_t community_id = 0;
  std::string q;  ///< 4 digits: last 4 of the phone; 11 digits: the phone; else part of the name
  std::optional<ResidentStatus> status;
  std::int64_t node_id = 0;  ///< any structure node: the residents of every room below it
  std::int64_t page = 1, page_size = 20;
  /// From the query parameters q, status, node_id, page, page_size (≤ 200); RecordError
  /// invalid naming the parameter otherwise.
  static ResidentQuery from_params(std::int64_t community_id, const std::optional<std::string>& q,
                                   const std::optional<std::string>& status, const std::optional<std::string>& node_id,
                                   const std::optional<std::string>& page, const std::optional<std::string>& page_size);
};

inline constexpr std::int64_t kMaxPageSize = 200;

struct ResidentPage {
  std::vector<Resident> items;
  std::int64_t total = 0;
};

/// One page, by id, with the total count of matches.
ResidentPage list_residents(store::Connection& c, const ResidentQuery& q);
/// Every match of the filters (page ignored), by room then id, for exports; `each` is
/// called per resident (room_path filled) so a large export never holds them all.
void for_each_resident(store::Connection& c, const ResidentQuery& q, const std::function<void(const Resident&)>& each);

}  // namespace xiaoqu::community
