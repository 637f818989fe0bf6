#pragma once
// Communities (小区): the root of every record. Plain functions over a connection, so the
// admin API routes stay thin and tests need no server. Writes audit themselves in the
// caller's transaction.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "store/sqlite.hpp"

namespace xiaoqu::community {

/// A request the records cannot satisfy, with a message a property manager can act on
/// (Simplified Chinese). The admin API maps the kind to a status (400, 404, 409, 403).
class RecordError : public std::runtime_error {
 public:
  enum class Kind : std::uint8_t { invalid, not_found, conflict, forbidden };
  RecordError(Kind kind, const std::string& message, std::string field = {})
      : std::runtime_error(message), kind_(kind), field_(std::move(field)) {}
  Kind kind() const noexcept { return kind_; }
  const std::string& field() const noexcept { return field_; }

 private:
  Kind kind_;
  std::string field_;
};

/// Characters (UTF-8 code points) in `s`: name limits count what the manager sees, not bytes.
std::size_t char_count(std::string_view s);
/// `s` without leading and trailing ASCII and ideographic (U+3000) spaces.
std::string trimmed(std::string_view s);

struct Community {
  std::int64_t id = 0;
  std::string name, address, office_phone;
  bool allow_structure_import = false;  ///< a resident import may create missing rooms
  bool owner_review = false;            ///< owners may review applications for their rooms
  bool sms_otp = false;                 ///< residents prove their phone by SMS code
  std::string official_account_appid;
  std::int64_t created_at = 0, updated_at = 0;
};

/// What a create or PATCH sets; unset members stay as they are.
struct CommunityFields {
  std::optional<std::string> name, address, office_phone, official_account_appid;
  std::optional<bool> allow_structure_import, owner_review, sms_otp;
  /// Reads the JSON body; RecordError naming the field when a member has the wrong type.
  static CommunityFields from_json(const nlohmann::json& body);
};

nlohmann::json to_json(const Community& c);

/// Creates a community; name required and unique, address and office phone optional.
std::int64_t create_community(store::Connection& c, const CommunityFields& f, const std::string& actor,
                              std::int64_t now);
/// RecordError not_found when there is none.
Community get_community(store::Connection& c, std::int64_t id);
void update_community(store::Connection& c, std::int64_t id, const CommunityFields& f, const std::string& actor,
                      std::int64_t now);
/// Refuses (conflict, "仍有 N 位住户/M 位员工关联此小区") while residents or staff reference it.
void delete_community(store::Connection& c, std::int64_t id, const std::string& actor, std::int64_t now);

struct CommunityPage {
  std::vector<Community> items;
  std::int64_t total = 0;
};
/// Communities whose name contains `q` (all when empty), by id; `visible` limits the list to
/// a property admin's communities (nullptr: an operator, every community).
CommunityPage list_communities(store::Connection& c, std::string_view q, const std::vector<std::int64_t>* visible,
                               std::int64_t page, std::int64_t page_size);

}  // namespace xiaoqu::community
