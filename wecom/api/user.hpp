#pragma once
// WeCom members (docs/protocol/wecom.md): ids of everyone, one member, the members of a department, and
// create / update / delete. Input is checked against the platform's rules before any call;
// a bad value throws std::invalid_argument naming the field and nothing is sent.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "wechat/api_client.hpp"

namespace xiaoqu::wecom::api {

/// One row of user/list_id: a member in one department (a member in two departments gives
/// two rows). Self-built apps get `userid`; third-party apps get `open_userid`.
struct DepartmentUser {
  std::string userid;
  std::string open_userid;
  std::int64_t department = 0;
};

/// user/simplelist row.
struct MemberBrief {
  std::string userid;
  std::string name;         ///< third-party apps get the userid here, not the real name
  std::string open_userid;  ///< third-party only
  std::vector<std::int64_t> departments;
};

/// user/get and user/list record. Absent optionals were not disclosed to this app.
struct Member {
  std::string userid;
  std::string name;
  std::string open_userid;
  std::vector<std::int64_t> departments;
  std::vector<std::int64_t> orders;
  std::vector<int> is_leader_in_dept;
  std::optional<std::int64_t> main_department;
  std::optional<std::string> position, mobile, email, telephone, alias, avatar;
  std::optional<int> gender;  ///< 1 male, 2 female, 0 unknown
  int status = 0;             ///< 1 active, 2 disabled, 4 not yet activated, 5 left
};

/// user/create input. `mobile` or `email` is required.
struct NewMember {
  std::string userid;
  std::string name;
  std::string mobile;
  std::string email;
  std::vector<std::int64_t> departments;  ///< at most 20; empty puts the member in the root
  std::string position;
  std::string alias;
  std::optional<int> gender;
  std::optional<std::int64_t> main_department;
  std::optional<bool> enable;
};

/// user/update input: only the fields that are set change.
struct MemberUpdate {
  std::string userid;
  std::optional<std::string> name, mobile, email, position, alias;
  std::optional<std::vector<std::int64_t>> departments;
  std::optional<int> gender;
  std::optional<std::int64_t> main_department;
  std::optional<bool> enable;
};

/// user/list_id, walking every cursor page; `limit` (1–10000) is the page size.
/// https://developer.work.weixin.qq.com/document/path/96067
std::vector<DepartmentUser> list_user_ids(wechat::ApiClient& api, const wechat::CredentialKey& corp, unsigned limit = 10000);

/// user/get; 60111 when the userid is unknown.
/// https://developer.work.weixin.qq.com/document/path/90196
Member get_user(wechat::ApiClient& api, const wechat::CredentialKey& corp, const std::string& userid);

/// user/simplelist: members of one department, without sub-departments.
/// https://developer.work.weixin.qq.com/document/path/90200
std::vector<MemberBrief> list_users_brief(wechat::ApiClient& api, const wechat::CredentialKey& corp, std::int64_t department_id);

/// user/list: full records of one department's members, without sub-departments.
/// https://developer.work.weixin.qq.com/document/path/90201
std::vector<Member> list_users(wechat::ApiClient& api, const wechat::CredentialKey& corp, std::int64_t department_id);

/// user/create. https://developer.work.weixin.qq.com/document/path/90195
void create_user(wechat::ApiClient& api, const wechat::CredentialKey& corp, const NewMember& member);

/// user/update. https://developer.work.weixin.qq.com/document/path/90197
void update_user(wechat::ApiClient& api, const wechat::CredentialKey& corp, const MemberUpdate& update);

/// user/delete. https://developer.work.weixin.qq.com/document/path/90198
void delete_user(wechat::ApiClient& api, const wechat::CredentialKey& corp, const std::string& userid);

/// The rules of docs/protocol/wecom.md (contacts API); each throws std::invalid_argument naming the field.
/// userid: 1–64 bytes of [0-9A-Za-z_-@.], starting with a letter or digit.
void check_userid(const std::string& userid, const char* field = "userid");
/// name: 1–64 characters (UTF-8).
void check_name(const std::string& name);
/// mobile: digits with an optional leading '+' and '-' separators, at most 32 bytes.
void check_mobile(const std::string& mobile);
/// departments: at most 20, each a positive id.
void check_departments(const std::vector<std::int64_t>& departments);

}  // namespace xiaoqu::wecom::api
