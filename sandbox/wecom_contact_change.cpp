// Control: POST /sandbox/wecom/contact_change changes a corp's contacts (members, departments,
// tag members) as an admin would in the WeCom console and pushes change_contact to the
// gateway (docs/protocol/wecom.md): the third-party form (InfoType, AuthCorpId) to each suite the
// corp authorized, and the self-built form (MsgType=event, Event=change_contact) to each
// self-built app of the corp.
#include <httplib.h>

#include <algorithm>
#include <optional>
#include <variant>

#include "sandbox/wecom_state.hpp"

namespace xiaoqu::sandbox {
namespace {
using nlohmann::json;

std::string number(const char* name, std::int64_t v) {
  return std::string("<") + name + ">" + std::to_string(v) + "</" + name + ">";
}

std::string comma_list(const std::vector<std::int64_t>& ids) {
  std::string out;
  for (auto id : ids) out += (out.empty() ? "" : ",") + std::to_string(id);
  return out;
}

/// The per-type fields of one change, in both forms (third parties see no names or phones).
struct ChangeFields {
  std::string both, self_built_only, third_party_only;
  /// update_tag: a suite hears of it only when the tag is in its visible range.
  std::optional<std::int64_t> tag;
};

std::string id_list(const std::vector<std::string>& ids) {
  std::string out;
  for (const auto& id : ids) out += (out.empty() ? "" : ",") + id;
  return out;
}

struct Refusal {
  long long errcode;
  std::string errmsg;
};

// Applies the change to the sandbox's contacts; returns the fields to push, or why not.
std::variant<ChangeFields, Refusal> apply(WecomCorp& corp, const std::string& type, const json& b) {
  ChangeFields f;
  std::string user_id = b.value("user_id", "");
  auto departments_ok = [&](const std::vector<std::int64_t>& ds) {
    return !ds.empty() && std::all_of(ds.begin(), ds.end(), [&](std::int64_t d) { return corp.departments.count(d) > 0; });
  };
  auto user_fields = [&](const WecomMember& m, bool with_departments) {
    f.third_party_only += wecom_xml("OpenUserID", wecom_open_userid(corp.corp_id, m.userid));
    if (with_departments) {
      f.both += wecom_xml("Department", comma_list(m.departments)) + number("MainDepartment", m.main_department);
    }
  };
  if (type == "create_user") {
    if (!wecom_valid_userid(user_id)) return Refusal{40003, "invalid userid"};
    if (corp.find(user_id)) return Refusal{60102, "userid existed"};
    WecomMember m;
    m.userid = user_id;
    m.name = b.value("name", user_id);
    m.mobile = b.value("mobile", "");
    m.position = b.value("position", "");
    m.departments = b.value("department", std::vector<std::int64_t>{1});
    if (!departments_ok(m.departments)) return Refusal{60003, "department not found"};
    if (corp.mobile_taken(m.mobile, m.userid)) return Refusal{60104, "mobile existed"};
    m.main_department = m.departments.front();
    f.both = wecom_xml("UserID", m.userid);
    user_fields(m, true);
    f.self_built_only = wecom_xml("Name", m.name) + wecom_xml("Mobile", m.mobile) + wecom_xml("Position", m.position) +
                        number("Gender", m.gender) + number("Status", m.status);
    corp.members.emplace(wecom_lower(m.userid), std::move(m));
  } else if (type == "update_user") {
    auto* found = corp.find(user_id);
    if (!found) return Refusal{60111, "userid not found"};
    WecomMember m = *found;
    f.both = wecom_xml("UserID", m.userid);
    if (std::string renamed = b.value("new_user_id", ""); !renamed.empty()) {
      if (!wecom_valid_userid(renamed)) return Refusal{40003, "invalid new userid"};
      if (wecom_lower(renamed) != wecom_lower(m.userid) && corp.find(renamed)) return Refusal{60102, "userid existed"};
      f.both += wecom_xml("NewUserID", renamed);
      m.userid = renamed;
    }
    if (b.contains("name")) {
      m.name = b["name"].get<std::string>();
      f.self_built_only += wecom_xml("Name", m.name);
    }
    if (b.contains("mobile")) {
      m.mobile = b["mobile"].get<std::string>();
      if (corp.mobile_taken(m.mobile, found->userid)) return Refusal{60104, "mobile existed"};
      f.self_built_only += wecom_xml("Mobile", m.mobile);
    }
    if (b.contains("position")) {
      m.position = b["position"].get<std::string>();
      f.self_built_only += wecom_xml("Position", m.position);
    }
    bool moved = b.contains("department");
    if (moved) {
      m.departments = b["department"].get<std::vector<std::int64_t>>();
      if (!departments_ok(m.departments)) return Refusal{60003, "department not found"};
      if (std::find(m.departments.begin(), m.departments.end(), m.main_department) == m.departments.end())
        m.main_department = m.departments.front();
    }
    user_fields(m, moved);
    for (auto& [id, d] : corp.departments) std::replace(d.leaders.begin(), d.leaders.end(), found->userid, m.userid);
    corp.members.erase(wecom_lower(found->userid));
    corp.members.emplace(wecom_lower(m.userid), std::move(m));
  } else if (type == "delete_user") {
    auto* m = corp.find(user_id);
    if (!m) return Refusal{60111, "userid not found"};
    f.both = wecom_xml("UserID", m->userid);
    user_fields(*m, false);
    for (auto& [id, d] : corp.departments) std::erase(d.leaders, m->userid);
    corp.members.erase(wecom_lower(m->userid));
  } else if (type == "create_party" || type == "update_party") {
    bool create = type == "create_party";
    std::int64_t id = b.value("id", create ? corp.next_department_id : 0LL);
    if (create && corp.departments.count(id)) return Refusal{60008, "department existed"};
    if (!create && !corp.departments.count(id)) return Refusal{60003, "department not found"};
    WecomDepartment d = create ? WecomDepartment{id, 1, 0, "", "", {}} : corp.departments.at(id);
    if (b.contains("name")) d.name = b["name"].get<std::string>();
    if (create && d.name.empty()) return Refusal{60009, "department name required"};
    if (b.contains("parent_id")) d.parent_id = b["parent_id"].get<std::int64_t>();
    if (!corp.departments.count(d.parent_id) || d.parent_id == id) return Refusal{60004, "parent department not found"};
    auto below = corp.subtree(id);
    if (!create && std::find(below.begin(), below.end(), d.parent_id) != below.end()) return Refusal{60010, "department loop"};
    if (b.contains("order")) d.order = b["order"].get<std::int64_t>();
    f.both = number("Id", id) + number("ParentId", d.parent_id) + (create ? number("Order", d.order) : "");
    f.self_built_only = wecom_xml("Name", d.name);
    corp.departments[id] = d;
    corp.next_department_id = std::max(corp.next_department_id, id + 1);
  } else if (type == "delete_party") {
    std::int64_t id = b.value("id", 0LL);
    if (!corp.departments.count(id)) return Refusal{60003, "department not found"};
    if (id == 1) return Refusal{60007, "not allowed to delete the root department"};
    if (corp.subtree(id).size() > 1) return Refusal{60006, "department has sub-departments"};
    for (const auto& [key, m] : corp.members)
      if (std::find(m.departments.begin(), m.departments.end(), id) != m.departments.end())
        return Refusal{60005, "department has members"};
    corp.departments.erase(id);
    f.both = number("Id", id);
  } else if (type == "update_tag") {
    // {tag_id, add_users, del_users, add_parties, del_parties}: the tag's members change.
    std::int64_t id = b.value("tag_id", 0LL);
    auto it = corp.tags.find(id);
    if (it == corp.tags.end()) return Refusal{40068, "invalid tagid"};
    WecomTag tag = it->second;
    std::vector<std::string> added, removed;
    for (const auto& u : b.value("add_users", std::vector<std::string>{})) {
      const auto* m = corp.find(u);
      if (!m) return Refusal{60111, "userid not found: " + u};
      if (std::none_of(tag.users.begin(), tag.users.end(), [&](const std::string& t) { return wecom_lower(t) == wecom_lower(u); }))
        tag.users.push_back(m->userid);
      added.push_back(m->userid);
    }
    for (const auto& u : b.value("del_users", std::vector<std::string>{})) {
      auto before = tag.users.size();
      std::erase_if(tag.users, [&](const std::string& t) { return wecom_lower(t) == wecom_lower(u); });
      if (tag.users.size() < before) removed.push_back(u);
    }
    auto add_parties = b.value("add_parties", std::vector<std::int64_t>{});
    auto del_parties = b.value("del_parties", std::vector<std::int64_t>{});
    for (auto d : add_parties) {
      if (!corp.departments.count(d)) return Refusal{60003, "department not found: " + std::to_string(d)};
      if (std::find(tag.parties.begin(), tag.parties.end(), d) == tag.parties.end()) tag.parties.push_back(d);
    }
    for (auto d : del_parties) std::erase(tag.parties, d);
    if (added.empty() && removed.empty() && add_parties.empty() && del_parties.empty())
      return Refusal{40031, "all list invalid: nothing to add to or remove from the tag"};
    f.tag = id;
    f.both = number("TagId", id);
    if (!added.empty()) f.both += wecom_xml("AddUserItems", id_list(added));
    if (!removed.empty()) f.both += wecom_xml("DelUserItems", id_list(removed));
    if (!add_parties.empty()) f.both += wecom_xml("AddPartyItems", comma_list(add_parties));
    if (!del_parties.empty()) f.both += wecom_xml("DelPartyItems", comma_list(del_parties));
    it->second = std::move(tag);
  } else {
    return Refusal{40058,
                   "change_type must be create_user, update_user, delete_user, create_party, update_party, delete_party or update_tag"};
  }
  return f;
}

struct Delivery {
  const config::WecomEndpoint* endpoint;
  std::string receive_id, xml, form;
};
}  // namespace

void register_wecom_contact_changes(Sandbox& sb) {
  sb.post("/sandbox/wecom/contact_change", wecom_guard([&sb](const httplib::Request& req, httplib::Response& res) {
    auto body = Sandbox::body_json(req, res);
    if (!body) return;
    std::string corp_id = body->value("corp_id", ""), type = body->value("change_type", "");
    if (corp_id.empty()) return Sandbox::error(res, 40013, "invalid corpid");
    std::vector<Delivery> deliveries;
    {
      std::lock_guard lk(sb.mutex());
      auto& st = sb.state<WecomState>();
      auto outcome = apply(st.corp(corp_id), type, *body);
      if (auto* r = std::get_if<Refusal>(&outcome)) return Sandbox::error(res, r->errcode, r->errmsg);
      const auto& f = std::get<ChangeFields>(outcome);
      std::string ts = std::to_string(wecom_now());
      std::string change = wecom_xml("ChangeType", type);
      for (const auto& [key, inst] : st.installs) {
        if (inst.corp_id != corp_id || !inst.active) continue;
        // Tag changes reach a suite only for tags in its visible range (docs/protocol/wecom.md, WeCom doc 92656).
        if (f.tag && std::find(inst.allow_tag.begin(), inst.allow_tag.end(), *f.tag) == inst.allow_tag.end()) continue;
        if (const auto* ep = wecom_suite_endpoint(sb.config(), inst.suite_id))
          deliveries.push_back({ep, inst.suite_id,
                                "<xml>" + wecom_xml("SuiteId", inst.suite_id) + wecom_xml("AuthCorpId", corp_id) +
                                    wecom_xml("InfoType", "change_contact") + "<TimeStamp>" + ts + "</TimeStamp>" + change + f.both +
                                    f.third_party_only + "</xml>",
                                "third_party"});
      }
      for (const auto* ep : wecom_corp_endpoints(sb.config(), corp_id))
        deliveries.push_back({ep, corp_id,
                              "<xml>" + wecom_xml("ToUserName", corp_id) + wecom_xml("FromUserName", "sys") + "<CreateTime>" + ts +
                                  "</CreateTime>" + wecom_xml("MsgType", "event") + wecom_xml("Event", "change_contact") + change +
                                  f.both + f.self_built_only + "</xml>",
                              "self_built"});
    }
    // Pushed outside the lock: the gateway may take its time to answer.
    json pushes = json::array();
    for (const auto& d : deliveries) {
      auto [status, answer] = wecom_push(sb, *d.endpoint, d.receive_id, d.xml);
      pushes.push_back({{"endpoint", d.endpoint->id}, {"form", d.form}, {"gateway_status", status}, {"gateway_body", answer}});
    }
    Sandbox::reply(res, {{"errcode", 0}, {"errmsg", "ok"}, {"pushes", pushes}});
  }));
}

}  // namespace xiaoqu::sandbox
