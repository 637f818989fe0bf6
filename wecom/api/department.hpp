#pragma once
// WeCom departments (docs/protocol/wecom.md): the tree with names, or ids only. Every call takes the
// credential of the corp it reads: a self-built app (wecom::corp_key) or an authorized
// corp of a suite (wecom::authorized_corp_key).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "wechat/api_client.hpp"

namespace xiaoqu::wecom::api {

struct Department {
  std::int64_t id = 0;
  std::optional<std::string> name;     ///< absent for third-party apps
  std::optional<std::string> name_en;
  std::int64_t parent_id = 0;          ///< 0 for the root (id 1)
  std::int64_t order = 0;
  std::vector<std::string> leaders;    ///< department_leader userids
};

struct DepartmentId {
  std::int64_t id = 0, parent_id = 0, order = 0;
};

/// department/list: `id` and all departments below it; the whole tree without `id`.
/// https://developer.work.weixin.qq.com/document/path/90208
std::vector<Department> list_departments(wechat::ApiClient& api, const wechat::CredentialKey& corp,
                                         std::optional<std::int64_t> id = std::nullopt);

/// department/simplelist: the same set as list_departments(), ids only.
/// https://developer.work.weixin.qq.com/document/path/95350
std::vector<DepartmentId> list_department_ids(wechat::ApiClient& api, const wechat::CredentialKey& corp,
                                              std::optional<std::int64_t> id = std::nullopt);

}  // namespace xiaoqu::wecom::api
