// WeCom contacts in the sandbox: departments, members and tags, with the platform's shapes,
// the third-party privacy view and its error codes (docs/protocol/wecom.md).
#include <httplib.h>

#include <algorithm>
#include <cctype>

#include "sandbox/wecom_state.hpp"
#include "wechat/msg_crypt.hpp"

namespace xiaoqu::sandbox {
namespace {
using nlohmann::json;

std::size_t utf8_length(const std::string& s) {
  return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](unsigned char c) { return (c & 0xC0) != 0x80; }));
}

bool valid_mobile(const std::string& m) {
  if (m.empty() || m.size() > 32) return false;
  for (std::size_t i = 0; i < m.size(); ++i)
    if (!(std::isdigit(static_cast<unsigned char>(m[i])) || m[i] == '-' || (m[i] == '+' && i == 0))) return false;
  return true;
}

// The list_id cursor is opaque to callers; a signature keeps forged or foreign ones out.
std::string make_cursor(const std::string& corp_id, std::size_t offset) {
  std::string o = std::to_string(offset);
  return "C" + o + "x" + wechat::sha1_signature({"cursor", corp_id, o}).substr(0, 12);
}

std::optional<std::size_t> read_cursor(const std::string& corp_id, const std::string& cursor) {
  if (cursor.empty()) return 0;
  auto x = cursor.find('x');
  if (cursor[0] != 'C' || x == std::string::npos || x < 2) return std::nullopt;
  std::string o = cursor.substr(1, x - 1);
  if (!std::all_of(o.begin(), o.end(), [](unsigned char c) { return std::isdigit(c); }) || o.size() > 9) return std::nullopt;
  if (make_cursor(corp_id, std::stoul(o)) != cursor) return std::nullopt;
  return std::stoul(o);
}

// Department ids of a create/update body: at most 20, each existing and in scope.
bool read_departments(const json& body, const WecomCorp& corp, const WecomCaller& caller, std::vector<std::int64_t>& out,
                      httplib::Response& res) {
  out = body.at("department").get<std::vector<std::int64_t>>();
  if (out.size() > 20) {
    Sandbox::error(res, 60110, "user department count exceeds limit");
    return false;
  }
  for (auto d : out) {
    if (!corp.departments.count(d)) {
      Sandbox::error(res, 60003, "department not found: " + std::to_string(d));
      return false;
    }
    if (!wecom_visible(corp, caller, d)) {
      Sandbox::error(res, 60011, "no privilege to access/modify contact/party/agent");
      return false;
    }
  }
  return true;
}

// Third-party apps change contacts only with the contact-edit authorization.
bool may_edit(const WecomCaller& caller, httplib::Response& res) {
  if (caller.contact_edit) return true;
  Sandbox::error(res, 48002, "api forbidden: the app lacks contact edit authorization");
  return false;
}

void department_lists(Sandbox& sb) {
  auto handler = [&sb](bool ids_only) {
    return [&sb, ids_only](const httplib::Request& req, httplib::Response& res) {
      auto caller = wecom_caller(sb, req, res);
      if (!caller) return;
      std::lock_guard lk(sb.mutex());
      auto& corp = sb.state<WecomState>().corp(caller->corp_id);
      std::vector<std::int64_t> ids;
      if (req.has_param("id") && !req.get_param_value("id").empty()) {
        auto id = wecom_int_param(req, "id");
        if (!id || !corp.departments.count(*id)) return Sandbox::error(res, 60003, "department not found");
        if (!wecom_visible(corp, *caller, *id)) return Sandbox::error(res, 60011, "no privilege to access/modify contact/party/agent");
        ids = corp.subtree(*id);
      } else {
        for (const auto& [id, d] : corp.departments) ids.push_back(id);
      }
      json list = json::array();
      for (auto id : ids) {
        if (!wecom_visible(corp, *caller, id)) continue;
        const auto& d = corp.departments.at(id);
        list.push_back(ids_only ? json{{"id", d.id}, {"parentid", d.parent_id}, {"order", d.order}}
                                : wecom_department_json(d, *caller));
      }
      Sandbox::reply(res, {{"errcode", 0}, {"errmsg", "ok"}, {ids_only ? "department_id" : "department", list}});
    };
  };
  /// https://developer.work.weixin.qq.com/document/path/90208
  sb.get("/cgi-bin/department/list", handler(false));
  /// https://developer.work.weixin.qq.com/document/path/95350
  sb.get("/cgi-bin/department/simplelist", handler(true));
}

void member_reads(Sandbox& sb) {
  /// https://developer.work.weixin.qq.com/document/path/96067
  sb.post("/cgi-bin/user/list_id", wecom_guard([&sb](const httplib::Request& req, httplib::Response& res) {
    auto caller = wecom_caller(sb, req, res);
    if (!caller) return;
    auto body = Sandbox::body_json(req, res);
    if (!body) return;
    if (!may_edit(*caller, res)) return;
    std::int64_t limit = body->value("limit", 10000LL);
    if (limit < 1 || limit > 10000) return Sandbox::error(res, 40058, "invalid limit: must be 1 to 10000");
    std::lock_guard lk(sb.mutex());
    auto& corp = sb.state<WecomState>().corp(caller->corp_id);
    auto offset = read_cursor(corp.corp_id, body->value("cursor", ""));
    if (!offset) return Sandbox::error(res, 40058, "invalid cursor");
    json rows = json::array();
    for (const auto& [key, m] : corp.members)
      for (auto d : m.departments) {
        if (!wecom_visible(corp, *caller, d)) continue;
        rows.push_back(caller->third_party() ? json{{"open_userid", wecom_open_userid(corp.corp_id, m.userid)}, {"department", d}}
                                             : json{{"userid", m.userid}, {"department", d}});
      }
    std::size_t begin = std::min(*offset, rows.size()), end = std::min(begin + static_cast<std::size_t>(limit), rows.size());
    json page(json::value_t::array);
    for (std::size_t i = begin; i < end; ++i) page.push_back(rows[i]);
    Sandbox::reply(res, {{"errcode", 0},
                         {"errmsg", "ok"},
                         {"next_cursor", end < rows.size() ? make_cursor(corp.corp_id, end) : ""},
                         {"dept_user", page}});
  }));

  /// https://developer.work.weixin.qq.com/document/path/90196
  // The Official Account's follower list has the same path: WeCom takes the WeCom tokens.
  sb.get("/cgi-bin/user/get", [&sb](const httplib::Request& req) { return wecom_token(sb, req); },
         [&sb](const httplib::Request& req, httplib::Response& res) {
    auto caller = wecom_caller(sb, req, res);
    if (!caller) return;
    if (req.get_param_value("userid").empty()) return Sandbox::error(res, 41009, "missing userid");
    std::lock_guard lk(sb.mutex());
    auto& corp = sb.state<WecomState>().corp(caller->corp_id);
    auto* m = corp.find(req.get_param_value("userid"));
    if (!m) return Sandbox::error(res, 60111, "userid not found");
    if (!wecom_visible(corp, *caller, *m)) return Sandbox::error(res, 60011, "no privilege to access/modify contact/party/agent");
    json j = wecom_member_json(corp, *m, *caller, true);
    j["errcode"] = 0;
    j["errmsg"] = "ok";
    Sandbox::reply(res, j);
  });

  auto by_department = [&sb](bool detail) {
    return [&sb, detail](const httplib::Request& req, httplib::Response& res) {
      auto caller = wecom_caller(sb, req, res);
      if (!caller) return;
      auto id = wecom_int_param(req, "department_id");
      if (!id) return Sandbox::error(res, 40058, "invalid department_id");
      std::lock_guard lk(sb.mutex());
      auto& corp = sb.state<WecomState>().corp(caller->corp_id);
      if (!corp.departments.count(*id)) return Sandbox::error(res, 60003, "department not found");
      if (!wecom_visible(corp, *caller, *id)) return Sandbox::error(res, 60011, "no privilege to access/modify contact/party/agent");
      if (auto f = corp.member_list_faults.find(*id); f != corp.member_list_faults.end())
        return Sandbox::error(res, f->second, "injected fault for department " + std::to_string(*id));
      json list = json::array();
      for (const auto& [key, m] : corp.members)
        if (std::find(m.departments.begin(), m.departments.end(), *id) != m.departments.end())
          list.push_back(wecom_member_json(corp, m, *caller, detail));
      Sandbox::reply(res, {{"errcode", 0}, {"errmsg", "ok"}, {"userlist", list}});
    };
  };
  /// https://developer.work.weixin.qq.com/document/path/90200
  sb.get("/cgi-bin/user/simplelist", by_department(false));
  /// https://developer.work.weixin.qq.com/document/path/90201
  sb.get("/cgi-bin/user/list", by_department(true));
}

// Applies the optional fields shared by create and update; false when one was refused.
bool apply_fields(const json& body, WecomCorp& corp, const WecomCaller& caller, WecomMember& m, httplib::Response& res) {
  if (body.contains("name")) {
    auto name = body.at("name").get<std::string>();
    if (name.empty() || utf8_length(name) > 64) {
      Sandbox::error(res, 60112, "invalid name");
      return false;
    }
    m.name = name;
  }
  if (body.contains("mobile")) {
    auto mobile = body.at("mobile").get<std::string>();
    if (!mobile.empty() && !valid_mobile(mobile)) {
      Sandbox::error(res, 60103, "invalid mobile");
      return false;
    }
    if (corp.mobile_taken(mobile, m.userid)) {
      Sandbox::error(res, 60104, "mobile existed");
      return false;
    }
    m.mobile = mobile;
  }
  if (body.contains("email")) m.email = body.at("email").get<std::string>();
  if (body.contains("department")) {
    std::vector<std::int64_t> deps;
    if (!read_departments(body, corp, caller, deps, res)) return false;
    if (deps.empty()) deps = {1};
    m.departments = deps;
    if (std::find(deps.begin(), deps.end(), m.main_department) == deps.end()) m.main_department = deps.front();
  }
  if (body.contains("main_department")) {
    auto main = body.at("main_department").get<std::int64_t>();
    if (std::find(m.departments.begin(), m.departments.end(), main) == m.departments.end()) {
      Sandbox::error(res, 60123, "invalid main_department: not one of the member's departments");
      return false;
    }
    m.main_department = main;
  }
  if (body.contains("position")) m.position = body.at("position").get<std::string>();
  if (body.contains("alias")) m.alias = body.at("alias").get<std::string>();
  if (body.contains("gender")) {
    // The platform takes "1" / "2" as text, and numbers from older callers.
    const json& g = body.at("gender");
    std::string text = g.is_string() ? g.get<std::string>() : std::to_string(g.get<int>());
    m.gender = text == "1" ? 1 : text == "2" ? 2 : 0;
  }
  if (body.contains("enable")) m.status = body.at("enable").get<int>() == 0 ? 2 : 1;
  return true;
}

void member_writes(Sandbox& sb) {
  /// https://developer.work.weixin.qq.com/document/path/90195
  sb.post("/cgi-bin/user/create", wecom_guard([&sb](const httplib::Request& req, httplib::Response& res) {
    auto caller = wecom_caller(sb, req, res);
    if (!caller) return;
    auto body = Sandbox::body_json(req, res);
    if (!body || !may_edit(*caller, res)) return;
    WecomMember m;
    m.userid = body->value("userid", "");
    if (!wecom_valid_userid(m.userid)) return Sandbox::error(res, 40003, "invalid userid");
    if (!body->contains("name")) return Sandbox::error(res, 60112, "invalid name");
    if (body->value("mobile", "").empty() && body->value("email", "").empty())
      return Sandbox::error(res, 60129, "missing mobile or email");
    std::lock_guard lk(sb.mutex());
    auto& corp = sb.state<WecomState>().corp(caller->corp_id);
    if (corp.find(m.userid)) return Sandbox::error(res, 60102, "userid existed");
    m.departments = {1};
    if (!apply_fields(*body, corp, *caller, m, res)) return;
    corp.members.emplace(wecom_lower(m.userid), std::move(m));
    Sandbox::reply(res, {{"errcode", 0}, {"errmsg", "created"}});
  }));

  /// https://developer.work.weixin.qq.com/document/path/90197
  sb.post("/cgi-bin/user/update", wecom_guard([&sb](const httplib::Request& req, httplib::Response& res) {
    auto caller = wecom_caller(sb, req, res);
    if (!caller) return;
    auto body = Sandbox::body_json(req, res);
    if (!body || !may_edit(*caller, res)) return;
    std::lock_guard lk(sb.mutex());
    auto& corp = sb.state<WecomState>().corp(caller->corp_id);
    auto* found = corp.find(body->value("userid", ""));
    if (!found) return Sandbox::error(res, 60111, "userid not found");
    if (!wecom_visible(corp, *caller, *found)) return Sandbox::error(res, 60011, "no privilege to access/modify contact/party/agent");
    // Changes land on a copy: a refused field leaves the member as it was.
    WecomMember m = *found;
    if (!apply_fields(*body, corp, *caller, m, res)) return;
    std::string old_key = wecom_lower(m.userid);
    if (body->contains("new_userid")) {
      auto renamed = body->at("new_userid").get<std::string>();
      if (!wecom_valid_userid(renamed)) return Sandbox::error(res, 40003, "invalid new_userid");
      if (wecom_lower(renamed) != old_key && corp.find(renamed)) return Sandbox::error(res, 60102, "userid existed");
      for (auto& [id, d] : corp.departments) std::replace(d.leaders.begin(), d.leaders.end(), m.userid, renamed);
      m.userid = renamed;
    }
    corp.members.erase(old_key);
    corp.members.emplace(wecom_lower(m.userid), std::move(m));
    Sandbox::reply(res, {{"errcode", 0}, {"errmsg", "updated"}});
  }));

  /// https://developer.work.weixin.qq.com/document/path/90198
  sb.get("/cgi-bin/user/delete", [&sb](const httplib::Request& req, httplib::Response& res) {
    auto caller = wecom_caller(sb, req, res);
    if (!caller || !may_edit(*caller, res)) return;
    std::lock_guard lk(sb.mutex());
    auto& corp = sb.state<WecomState>().corp(caller->corp_id);
    auto* m = corp.find(req.get_param_value("userid"));
    if (!m) return Sandbox::error(res, 60111, "userid not found");
    if (!wecom_visible(corp, *caller, *m)) return Sandbox::error(res, 60011, "no privilege to access/modify contact/party/agent");
    for (auto& [id, d] : corp.departments) std::erase(d.leaders, m->userid);
    corp.members.erase(wecom_lower(m->userid));
    Sandbox::reply(res, {{"errcode", 0}, {"errmsg", "deleted"}});
  });
}

// Control: {corp_id, department_id, errcode} makes the member lists of that one department
// fail (errcode 0 clears it), so a sync can be broken after its first departments.
void department_faults(Sandbox& sb) {
  sb.post("/sandbox/wecom/department_fault", wecom_guard([&sb](const httplib::Request& req, httplib::Response& res) {
    auto body = Sandbox::body_json(req, res);
    if (!body) return;
    std::string corp_id = body->value("corp_id", "");
    if (corp_id.empty()) return Sandbox::error(res, 40013, "invalid corpid");
    std::int64_t id = body->value("department_id", 0LL);
    long long errcode = body->value("errcode", 0LL);
    std::lock_guard lk(sb.mutex());
    auto& corp = sb.state<WecomState>().corp(corp_id);
    if (!corp.departments.count(id)) return Sandbox::error(res, 60003, "department not found");
    if (errcode == 0) corp.member_list_faults.erase(id);
    else corp.member_list_faults[id] = errcode;
    Sandbox::reply(res, {{"errcode", 0}, {"errmsg", "ok"}});
  }));
}
void tag_reads(Sandbox& sb) {
  /// https://developer.work.weixin.qq.com/document/path/90213 (third party: 90349)
  sb.get("/cgi-bin/tag/get", [&sb](const httplib::Request& req, httplib::Response& res) {
    auto caller = wecom_caller(sb, req, res);
    if (!caller) return;
    auto id = wecom_int_param(req, "tagid");
    std::lock_guard lk(sb.mutex());
    auto& corp = sb.state<WecomState>().corp(caller->corp_id);
    auto it = id ? corp.tags.find(*id) : corp.tags.end();
    if (it == corp.tags.end()) return Sandbox::error(res, 40068, "invalid tagid");
    // A third party reads only the tags of its visible range (it creates none here).
    if (!wecom_tag_visible(*caller, *id)) return Sandbox::error(res, 60011, "no privilege to access/modify contact/party/agent/tag");
    if (auto f = corp.tag_faults.find(*id); f != corp.tag_faults.end())
      return Sandbox::error(res, f->second, "injected fault for tag " + std::to_string(*id));
    const WecomTag& tag = it->second;
    json users = json::array();
    for (const auto& u : tag.users) {
      const auto* m = corp.find(u);
      // Only members the app may see; third parties no longer get names.
      if (!m || !wecom_visible(corp, *caller, *m)) continue;
      users.push_back(caller->third_party() ? json{{"userid", m->userid}} : json{{"userid", m->userid}, {"name", m->name}});
    }
    json parties = json::array();
    for (auto d : tag.parties)
      if (corp.departments.count(d)) parties.push_back(d);
    Sandbox::reply(res, {{"errcode", 0}, {"errmsg", "ok"}, {"tagname", tag.name}, {"userlist", users}, {"partylist", parties}});
  });
}

// Control: {corp_id, tag_id, name, users, parties} creates or replaces a tag, as an admin
// would in the WeCom console (no event is pushed: see /sandbox/wecom/contact_change
// update_tag for that). {corp_id, tag_id, errcode} on /sandbox/wecom/tag_fault makes tag/get
// fail for it (errcode 0 clears it).
void tag_control(Sandbox& sb) {
  sb.post("/sandbox/wecom/tag", wecom_guard([&sb](const httplib::Request& req, httplib::Response& res) {
    auto body = Sandbox::body_json(req, res);
    if (!body) return;
    std::string corp_id = body->value("corp_id", "");
    if (corp_id.empty()) return Sandbox::error(res, 40013, "invalid corpid");
    WecomTag tag;
    tag.id = body->value("tag_id", 0LL);
    tag.name = body->value("name", "标签" + std::to_string(tag.id));
    if (tag.id <= 0) return Sandbox::error(res, 40068, "invalid tagid");
    if (tag.name.empty() || utf8_length(tag.name) > 32) return Sandbox::error(res, 40071, "invalid tagname");
    std::lock_guard lk(sb.mutex());
    auto& corp = sb.state<WecomState>().corp(corp_id);
    for (const auto& u : body->value("users", std::vector<std::string>{})) {
      const auto* m = corp.find(u);
      if (!m) return Sandbox::error(res, 60111, "userid not found: " + u);
      tag.users.push_back(m->userid);
    }
    tag.parties = body->value("parties", std::vector<std::int64_t>{});
    for (auto d : tag.parties)
      if (!corp.departments.count(d)) return Sandbox::error(res, 60003, "department not found: " + std::to_string(d));
    corp.tags[tag.id] = std::move(tag);
    Sandbox::reply(res, {{"errcode", 0}, {"errmsg", "ok"}});
  }));

  sb.post("/sandbox/wecom/tag_fault", wecom_guard([&sb](const httplib::Request& req, httplib::Response& res) {
    auto body = Sandbox::body_json(req, res);
    if (!body) return;
    std::string corp_id = body->value("corp_id", "");
    if (corp_id.empty()) return Sandbox::error(res, 40013, "invalid corpid");
    std::int64_t id = body->value("tag_id", 0LL);
    long long errcode = body->value("errcode", 0LL);
    std::lock_guard lk(sb.mutex());
    auto& corp = sb.state<WecomState>().corp(corp_id);
    if (!corp.tags.count(id)) return Sandbox::error(res, 40068, "invalid tagid");
    if (errcode == 0) corp.tag_faults.erase(id);
    else corp.tag_faults[id] = errcode;
    Sandbox::reply(res, {{"errcode", 0}, {"errmsg", "ok"}});
  }));
}
}  // namespace

void register_wecom_contacts(Sandbox& sb) {
  department_lists(sb);
  member_reads(sb);
  member_writes(sb);
  department_faults(sb);
  tag_reads(sb);
  tag_control(sb);
}

}  // namespace xiaoqu::sandbox
