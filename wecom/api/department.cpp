#include "wecom/api/department.hpp"

#include "wecom/api/reply_fields.hpp"

namespace xiaoqu::wecom::api {
namespace {
wechat::ApiRequest request(const char* path, std::optional<std::int64_t> id) {
  wechat::ApiRequest req;
  req.path = path;
  if (id) req.query.emplace_back("id", std::to_string(*id));
  return req;
}
}  // namespace

std::vector<Department> list_departments(wechat::ApiClient& api, const wechat::CredentialKey& corp, std::optional<std::int64_t> id) {
  auto req = request("/cgi-bin/department/list", id);
  auto reply = api.call(req, corp);
  std::vector<Department> out;
  for (const auto& d : detail::array_field(reply, "department", req.path)) {
    Department dep;
    dep.id = wechat::field<std::int64_t>(d, "id", req.path);
    dep.name = detail::opt_string(d, "name");
    dep.name_en = detail::opt_string(d, "name_en");
    dep.parent_id = detail::opt_int(d, "parentid").value_or(0);
    dep.order = detail::opt_int(d, "order").value_or(0);
    dep.leaders = detail::string_list(d, "department_leader");
    out.push_back(std::move(dep));
  }
  return out;
}

std::vector<DepartmentId> list_department_ids(wechat::ApiClient& api, const wechat::CredentialKey& corp, std::optional<std::int64_t> id) {
  auto req = request("/cgi-bin/department/simplelist", id);
  auto reply = api.call(req, corp);
  std::vector<DepartmentId> out;
  for (const auto& d : detail::array_field(reply, "department_id", req.path)) {
    out.push_back({wechat::field<std::int64_t>(d, "id", req.path), detail::opt_int(d, "parentid").value_or(0),
                   detail::opt_int(d, "order").value_or(0)});
  }
  return out;
}

}  // namespace xiaoqu::wecom::api
