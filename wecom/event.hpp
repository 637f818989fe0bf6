#pragma once
// Typed WeCom third-party instruction callbacks and contact-change events
// (docs/protocol/wecom.md). Open Platform component notices live
// in wechat/component_notice.hpp.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "wechat/message.hpp"

namespace xiaoqu::wecom {

struct SuiteTicket { std::string suite_id, ticket; std::int64_t timestamp = 0; };
struct CreateAuth { std::string suite_id, auth_code, state, extra_info; std::int64_t timestamp = 0; };
struct ChangeAuth { std::string suite_id, auth_corp_id, state; std::int64_t timestamp = 0; };
struct CancelAuth { std::string suite_id, auth_corp_id; std::int64_t timestamp = 0; };

/// change_contact, from either the third-party form (InfoType) or the self-built form
/// (MsgType=event, Event=change_contact). Every field but the ids is optional.
struct ContactChange {
  enum class Type { create_user, update_user, delete_user, create_party, update_party, delete_party, update_tag, other };
  Type type = Type::other;
  std::string change_type;   ///< the raw ChangeType
  std::string suite_id;      ///< third-party form only
  std::string corp_id;       ///< AuthCorpId (third-party) or ToUserName (self-built)
  std::int64_t timestamp = 0;  ///< TimeStamp or CreateTime
  // user fields
  std::string user_id, new_user_id, open_user_id;
  std::optional<std::string> name, mobile, position, email, alias;
  std::optional<int> gender;  ///< 1 male, 2 female
  std::vector<std::int64_t> departments;
  std::optional<std::int64_t> main_department;
  // party fields
  std::int64_t party_id = 0;
  std::optional<std::int64_t> parent_id;
  std::optional<std::int64_t> order;
  // tag fields (update_tag): who joined or left the tag. The platform advises re-reading
  // the tag (tag/get) rather than relying on these; a department deleted may omit its item.
  std::int64_t tag_id = 0;
  std::vector<std::string> add_users, del_users;
  std::vector<std::int64_t> add_parties, del_parties;
};

struct UnknownInstruction { std::string suite_id, info_type; std::int64_t timestamp = 0; };

/// What a WeCom callback carries after decryption.
using Instruction = std::variant<SuiteTicket, CreateAuth, ChangeAuth, CancelAuth, ContactChange, UnknownInstruction>;

/// A WeCom push is either an instruction (has InfoType, or is a self-built change_contact
/// event) or an app message/event of the same shape as an Official Account push.
using Push = std::variant<Instruction, wechat::Message>;

/// Throws wechat::XmlError.
Push parse_push(std::string_view xml);

/// "wecom.suite_ticket", "wecom.change_contact.create_user", ...
std::string_view kind_label(const Instruction& i) noexcept;

/// De-duplication key: instructions key on InfoType + ids + TimeStamp.
std::string dedup_key(const Instruction& i);

}  // namespace xiaoqu::wecom
