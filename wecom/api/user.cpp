#include "wecom/api/user.hpp"

#include <cctype>
#include <set>
#include <stdexcept>

#include "wecom/api/reply_fields.hpp"

namespace xiaoqu::wecom::api {
namespace {
using detail::int_list;
using detail::opt_int;
using detail::opt_string;
using detail::string_or_empty;

[[noreturn]] void bad(const std::string& field, const std::string& problem) {
  throw std::invalid_argument(field + ": " + problem);
}

std::size_t utf8_length(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

Member member_from(const nlohmann::json& j, const std::string& api) {
  Member m;
  m.userid = wechat::field<std::string>(j, "userid", api);
  m.name = string_or_empty(j, "name");
  m.open_userid = string_or_empty(j, "open_userid");
  m.departments = int_list(j, "department");
  m.orders = int_list(j, "order");
  for (auto v : int_list(j, "is_leader_in_dept")) m.is_leader_in_dept.push_back(static_cast<int>(v));
  m.main_department = opt_int(j, "main_department");
  m.position = opt_string(j, "position");
  m.mobile = opt_string(j, "mobile");
  m.email = opt_string(j, "email");
  m.telephone = opt_string(j, "telephone");
  m.alias = opt_string(j, "alias");
  m.avatar = opt_string(j, "avatar");
  if (auto g = opt_int(j, "gender")) m.gender = static_cast<int>(*g);
  m.status = static_cast<int>(opt_int(j, "status").value_or(0));
  return m;
}

wechat::ApiRequest department_request(const char* path, std::int64_t department_id) {
  if (department_id <= 0) bad("department_id", "must be a positive department id");
  wechat::ApiRequest req;
  req.path = path;
  req.query = {{"department_id", std::to_string(department_id)}};
  return req;
}
}  // namespace

void check_userid(const std::string& userid, const char* field) {
  if (userid.empty() || userid.size() > 64) bad(field, "must be 1 to 64 bytes");
  if (!std::isalnum(static_cast<unsigned char>(userid.front()))) bad(field, "must start with a letter or a digit");
  for (unsigned char c : userid)
    if (!std::isalnum(c) && c != '_' && c != '-' && c != '@' && c != '.')
      bad(field, "may hold only letters, digits and _ - @ .");
}

void check_name(const std::string& name) {
  std::size_t n = utf8_length(name);
  if (n == 0 || n > 64) bad("name", "must be 1 to 64 characters");
}

void check_mobile(const std::string& mobile) {
  if (mobile.empty() || mobile.size() > 32) bad("mobile", "must be 1 to 32 characters");
  for (std::size_t i = 0; i < mobile.size(); ++i) {
    char c = mobile[i];
    if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '-' || (c == '+' && i == 0)))
      bad("mobile", "may hold only digits, '-' and a leading '+'");
  }
}

void check_departments(const std::vector<std::int64_t>& departments) {
  if (departments.size() > 20) bad("department", "a member belongs to at most 20 departments");
  for (auto d : departments)
    if (d <= 0) bad("department", "ids are positive");
}

std::vector<DepartmentUser> list_user_ids(wechat::ApiClient& api, const wechat::CredentialKey& corp, unsigned limit) {
  if (limit < 1 || limit > 10000) bad("limit", "must be between 1 and 10000");
  wechat::ApiRequest req;
  req.path = "/cgi-bin/user/list_id";
  std::vector<DepartmentUser> out;
  std::set<std::string> seen;
  std::string cursor;
  do {
    req.body = nlohmann::json{{"cursor", cursor}, {"limit", limit}};
    auto reply = api.call(req, corp);
    for (const auto& row : detail::array_field(reply, "dept_user", req.path))
      out.push_back({string_or_empty(row, "userid"), string_or_empty(row, "open_userid"), opt_int(row, "department").value_or(0)});
    cursor = string_or_empty(reply, "next_cursor");
    // A cursor handed out twice would walk the same pages forever.
    if (!cursor.empty() && !seen.insert(cursor).second)
      throw wechat::PlatformError(req.path, wechat::PlatformError::Kind::bad_response, 0, "next_cursor repeats");
  } while (!cursor.empty());
  return out;
}

Member get_user(wechat::ApiClient& api, const wechat::CredentialKey& corp, const std::string& userid) {
  if (userid.empty()) bad("userid", "must not be empty");
  wechat::ApiRequest req;
  req.path = "/cgi-bin/user/get";
  req.query = {{"userid", userid}};
  return member_from(api.call(req, corp), req.path);
}

std::vector<MemberBrief> list_users_brief(wechat::ApiClient& api, const wechat::CredentialKey& corp, std::int64_t department_id) {
  auto req = department_request("/cgi-bin/user/simplelist", department_id);
  auto reply = api.call(req, corp);
  std::vector<MemberBrief> out;
  for (const auto& u : detail::array_field(reply, "userlist", req.path))
    out.push_back({wechat::field<std::string>(u, "userid", req.path), string_or_empty(u, "name"),
                   string_or_empty(u, "open_userid"), int_list(u, "department")});
  return out;
}

std::vector<Member> list_users(wechat::ApiClient& api, const wechat::CredentialKey& corp, std::int64_t department_id) {
  auto req = department_request("/cgi-bin/user/list", department_id);
  auto reply = api.call(req, corp);
  std::vector<Member> out;
  for (const auto& u : detail::array_field(reply, "userlist", req.path)) out.push_back(member_from(u, req.path));
  return out;
}

void create_user(wechat::ApiClient& api, const wechat::CredentialKey& corp, const NewMember& m) {
  check_userid(m.userid);
  check_name(m.name);
  if (m.mobile.empty() && m.email.empty()) bad("mobile", "a mobile or an email is required");
  if (!m.mobile.empty()) check_mobile(m.mobile);
  check_departments(m.departments);
  nlohmann::json body = {{"userid", m.userid}, {"name", m.name}};
  if (!m.mobile.empty()) body["mobile"] = m.mobile;
  if (!m.email.empty()) body["email"] = m.email;
  if (!m.departments.empty()) body["department"] = m.departments;
  if (!m.position.empty()) body["position"] = m.position;
  if (!m.alias.empty()) body["alias"] = m.alias;
  if (m.gender) body["gender"] = std::to_string(*m.gender);
  if (m.main_department) body["main_department"] = *m.main_department;
  if (m.enable) body["enable"] = *m.enable ? 1 : 0;
  wechat::ApiRequest req;
  req.path = "/cgi-bin/user/create";
  req.retry_transient = false;  // a retry after a lost reply would fail with 60102
  req.body = std::move(body);
  api.call(req, corp);
}

void update_user(wechat::ApiClient& api, const wechat::CredentialKey& corp, const MemberUpdate& u) {
  check_userid(u.userid);
  nlohmann::json body = {{"userid", u.userid}};
  if (u.name) {
    check_name(*u.name);
    body["name"] = *u.name;
  }
  // An empty string clears the mobile on the platform, so it is sent as is.
  if (u.mobile) {
    if (!u.mobile->empty()) check_mobile(*u.mobile);
    body["mobile"] = *u.mobile;
  }
  if (u.email) body["email"] = *u.email;
  if (u.position) body["position"] = *u.position;
  if (u.alias) body["alias"] = *u.alias;
  if (u.departments) {
    check_departments(*u.departments);
    body["department"] = *u.departments;
  }
  if (u.gender) body["gender"] = std::to_string(*u.gender);
  if (u.main_department) body["main_department"] = *u.main_department;
  if (u.enable) body["enable"] = *u.enable ? 1 : 0;
  wechat::ApiRequest req;
  req.path = "/cgi-bin/user/update";
  req.body = std::move(body);
  api.call(req, corp);
}

void delete_user(wechat::ApiClient& api, const wechat::CredentialKey& corp, const std::string& userid) {
  check_userid(userid);
  wechat::ApiRequest req;
  req.path = "/cgi-bin/user/delete";
  req.query = {{"userid", userid}};
  api.call(req, corp);
}

}  // namespace xiaoqu::wecom::api
