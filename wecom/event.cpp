#include "wecom/event.hpp"

#include <type_traits>

#include "wechat/msg_crypt.hpp"
#include "wechat/xml_fields.hpp"

namespace xiaoqu::wecom {
namespace {

using wechat::detail::iequals;
using wechat::detail::XmlFields;

ContactChange::Type contact_type(std::string_view change_type) {
  using T = ContactChange::Type;
  static constexpr std::pair<std::string_view, T> types[] = {
      {"create_user", T::create_user},   {"update_user", T::update_user},   {"delete_user", T::delete_user},
      {"create_party", T::create_party}, {"update_party", T::update_party}, {"delete_party", T::delete_party},
      {"update_tag", T::update_tag}};
  for (const auto& [name, type] : types) {
    if (iequals(change_type, name)) return type;
  }
  return T::other;
}

// "zhangsan,lisi": blank items skipped.
std::vector<std::string> id_list(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    auto comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

ContactChange contact_change(const XmlFields& f, std::string suite_id, std::string corp_id, std::int64_t timestamp) {
  ContactChange c;
  c.change_type = f.id("ChangeType");
  c.type = contact_type(c.change_type);
  c.suite_id = std::move(suite_id);
  c.corp_id = std::move(corp_id);
  c.timestamp = timestamp;
  c.user_id = f.id("UserID");
  c.new_user_id = f.id("NewUserID");
  c.open_user_id = f.id("OpenUserID");
  c.name = f.opt_str("Name");
  c.mobile = f.opt_str("Mobile");
  c.position = f.opt_str("Position");
  c.email = f.opt_str("Email");
  c.alias = f.opt_str("Alias");
  c.gender = f.opt_int("Gender");
  c.departments = f.i64_list("Department");
  c.main_department = f.opt_i64("MainDepartment");
  c.party_id = f.i64("Id");
  c.parent_id = f.opt_i64("ParentId");
  c.order = f.opt_i64("Order");
  c.tag_id = f.i64("TagId");
  c.add_users = id_list(f.text("AddUserItems"));
  c.del_users = id_list(f.text("DelUserItems"));
  c.add_parties = f.i64_list("AddPartyItems");
  c.del_parties = f.i64_list("DelPartyItems");
  return c;
}

Instruction instruction(const XmlFields& f) {
  const std::string_view info_type = f.token("InfoType");
  std::string suite_id = f.id("SuiteId");
  const std::int64_t ts = f.i64("TimeStamp");
  if (iequals(info_type, "suite_ticket")) return SuiteTicket{std::move(suite_id), f.id("SuiteTicket"), ts};
  if (iequals(info_type, "create_auth")) {
    return CreateAuth{std::move(suite_id), f.id("AuthCode"), f.str("State"), f.str("ExtraInfo"), ts};
  }
  if (iequals(info_type, "change_auth")) return ChangeAuth{std::move(suite_id), f.id("AuthCorpId"), f.str("State"), ts};
  if (iequals(info_type, "cancel_auth")) return CancelAuth{std::move(suite_id), f.id("AuthCorpId"), ts};
  if (iequals(info_type, "change_contact")) return contact_change(f, std::move(suite_id), f.id("AuthCorpId"), ts);
  return UnknownInstruction{std::move(suite_id), std::string(info_type), ts};
}

std::string_view contact_label(ContactChange::Type t) noexcept {
  using T = ContactChange::Type;
  switch (t) {
    case T::create_user: return "wecom.change_contact.create_user";
    case T::update_user: return "wecom.change_contact.update_user";
    case T::delete_user: return "wecom.change_contact.delete_user";
    case T::create_party: return "wecom.change_contact.create_party";
    case T::update_party: return "wecom.change_contact.update_party";
    case T::delete_party: return "wecom.change_contact.delete_party";
    case T::update_tag: return "wecom.change_contact.update_tag";
    case T::other: break;
  }
  return "wecom.change_contact.other";
}

// "+u:zhangsan,lisi;-u:...;+p:1,2;-p:3" (empty parts left out).
std::string tag_items(const ContactChange& c) {
  std::string out;
  auto part = [&out](const char* label, const auto& items) {
    if (items.empty()) return;
    if (!out.empty()) out += ';';
    out += label;
    bool first = true;
    for (const auto& i : items) {
      if (!first) out += ',';
      first = false;
      if constexpr (std::is_same_v<std::decay_t<decltype(i)>, std::string>) out += i;
      else out += std::to_string(i);
    }
  };
  part("+u:", c.add_users);
  part("-u:", c.del_users);
  part("+p:", c.add_parties);
  part("-p:", c.del_parties);
  return out;
}

}  // namespace

Push parse_push(std::string_view xml) {
  const XmlFields f(xml);
  if (f.has("InfoType")) return instruction(f);
  // Self-built apps get contact changes as an event on the data URL (docs/protocol/wecom.md).
  if (iequals(f.token("MsgType"), "event") && iequals(f.token("Event"), "change_contact")) {
    return Instruction{contact_change(f, {}, f.id("ToUserName"), f.i64("CreateTime"))};
  }
  return wechat::detail::message_from_fields(f);
}

std::string_view kind_label(const Instruction& i) noexcept {
  if (const auto* c = std::get_if<ContactChange>(&i)) return contact_label(c->type);
  static constexpr std::string_view labels[] = {
      "wecom.suite_ticket", "wecom.create_auth", "wecom.change_auth", "wecom.cancel_auth", "", "wecom.unknown"};
  static_assert(std::size(labels) == std::variant_size_v<Instruction>);
  return labels[i.index()];
}

std::string dedup_key(const Instruction& i) {
  const auto key = [](std::initializer_list<std::string_view> parts) {
    std::string k = "i";
    for (std::string_view p : parts) {
      k += ':';
      k += p;
    }
    return k;
  };
  return std::visit(
      [&key](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        const std::string ts = std::to_string(v.timestamp);
        if constexpr (std::is_same_v<T, SuiteTicket>)
          return key({"suite_ticket", v.suite_id, ts});
        else if constexpr (std::is_same_v<T, CreateAuth>)
          return key({"create_auth", v.suite_id, v.auth_code, ts});
        else if constexpr (std::is_same_v<T, ChangeAuth>)
          return key({"change_auth", v.suite_id, v.auth_corp_id, ts});
        else if constexpr (std::is_same_v<T, CancelAuth>)
          return key({"cancel_auth", v.suite_id, v.auth_corp_id, ts});
        else if constexpr (std::is_same_v<T, ContactChange>) {
          // Several changes can share a second: the entity ids keep them apart.
          std::string k = key({"change_contact", v.suite_id, v.corp_id, ts, v.change_type, v.user_id,
                               std::to_string(v.party_id), std::to_string(v.tag_id)});
          // A member tagged and untagged within a second differs only in the items, which may
          // list thousands of userids: a digest of them keeps the key short.
          if (v.type == ContactChange::Type::update_tag) k += ":" + wechat::sha1_signature({tag_items(v)}).substr(0, 16);
          return k;
        } else {
          return key({v.info_type, v.suite_id, ts});
        }
      },
      i);
}

}  // namespace xiaoqu::wecom
