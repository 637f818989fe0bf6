#pragma once
// The WeCom side of the sandbox: each corp's contacts (a seeded department tree and
// members), recorded app messages, suite installations and the short-lived codes of the
// install and login flows. Held in sb.state<WecomState>() and guarded by sb.mutex().
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sandbox/sandbox.hpp"

namespace xiaoqu::sandbox {

struct WecomDepartment {
  std::int64_t id = 0, parent_id = 0, order = 0;
  std::string name, name_en;
  std::vector<std::string> leaders;
};

struct WecomMember {
  std::string userid, name, mobile, email, position, alias;
  int gender = 0;
  int status = 1;
  std::vector<std::int64_t> departments;
  std::int64_t main_department = 1;
};

/// A member tag (标签): members named one by one and whole departments (with everything below).
struct WecomTag {
  std::int64_t id = 0;
  std::string name;
  std::vector<std::string> users;
  std::vector<std::int64_t> parties;
};

struct WecomCorp {
  std::string corp_id, name, full_name;
  std::map<std::int64_t, WecomDepartment> departments;
  std::map<std::string, WecomMember> members;  ///< by lower-case userid: userids are case-insensitive
  std::vector<nlohmann::json> messages;
  std::int64_t next_department_id = 100;
  /// department id → errcode that user/list and user/simplelist answer for it (control:
  /// POST /sandbox/wecom/department_fault), to fail a sync halfway through the tree.
  std::map<std::int64_t, long long> member_list_faults;
  std::map<std::int64_t, WecomTag> tags;  ///< control: POST /sandbox/wecom/tag
  /// tag id → errcode that tag/get answers for it (control: POST /sandbox/wecom/tag_fault).
  std::map<std::int64_t, long long> tag_faults;

  WecomMember* find(const std::string& userid);
  /// `id` and every department below it, parents first.
  std::vector<std::int64_t> subtree(std::int64_t id) const;
  bool mobile_taken(const std::string& mobile, const std::string& except_userid) const;
};

/// A corp's installation of a suite (get_permanent_code made it active; cancel_auth ends it).
struct WecomInstall {
  std::string suite_id, corp_id, permanent_code, state, installer;
  std::int64_t agent_id = 0;
  std::vector<std::int64_t> allow_party{1};
  std::vector<std::string> allow_user;  ///< members granted one by one
  std::vector<std::int64_t> allow_tag;  ///< tags whose members and departments are in range
  bool contact_edit = false;
  bool active = false;
  int auth_type = 0;
};

struct WecomAuthCode {
  std::string suite_id, corp_id, state, installer;
  std::vector<std::int64_t> allow_party{1};
  std::vector<std::string> allow_user;
  std::vector<std::int64_t> allow_tag;
  bool contact_edit = false;
  int auth_type = 0;
  std::int64_t expires_at = 0;
};

struct WecomPreAuthCode {
  std::string suite_id;
  int auth_type = 0;
  std::int64_t expires_at = 0;
};

struct WecomLoginCode {
  std::string corp_id, suite_id, userid, openid;
  bool legacy = false;  ///< answer with the old UserId / CorpId spelling
  std::int64_t expires_at = 0;
};

struct WecomState {
  std::map<std::string, WecomCorp> corps;
  std::map<std::string, WecomInstall> installs;  ///< by "suite/corp"
  std::map<std::string, WecomAuthCode> auth_codes;
  std::map<std::string, WecomPreAuthCode> pre_auth_codes;
  std::map<std::string, WecomLoginCode> login_codes;
  std::set<std::string> suite_tokens;  ///< every suite token issued, to tell expired (42009) from forged (40082)
  std::int64_t next_agent_id = 1000100;
  std::int64_t next_msgid = 1;

  /// The corp, seeded with its department tree and members on first use.
  WecomCorp& corp(const std::string& corp_id);
  WecomInstall* install(const std::string& suite_id, const std::string& corp_id);
};

/// Who called: a self-built app (agent_id set) or a suite acting for an authorized corp.
struct WecomCaller {
  std::string corp_id, agent_id, suite_id;
  std::vector<std::int64_t> allow_party{1};
  std::vector<std::string> allow_user;
  std::vector<std::int64_t> allow_tag;
  bool contact_edit = true;
  bool third_party() const noexcept { return !suite_id.empty(); }
};

/// Resolves access_token to a caller: a "wecom_corp" token (owner corp/agent) or a
/// "wecom_authorized_corp" token (owner suite/corp); otherwise answers 41001/40014.
std::optional<WecomCaller> wecom_caller(Sandbox& sb, const httplib::Request& req, httplib::Response& res);
/// Whether access_token is a live WeCom token (self-built or authorized corp): tells a WeCom
/// call from an Official Account call on the paths both platforms use.
bool wecom_token(Sandbox& sb, const httplib::Request& req);
/// Checks suite_access_token: the suite id, or 41001 / 42009 (expired) / 40082 (unknown) answered.
std::optional<std::string> wecom_suite_caller(Sandbox& sb, const httplib::Request& req, httplib::Response& res);

/// Whether the caller's scope covers department `id`: it or an ancestor is in allow_party or
/// is a department of a tag in allow_tag.
bool wecom_visible(const WecomCorp& corp, const WecomCaller& caller, std::int64_t id);
/// A member is in scope through a visible department, allow_user, or a tag in allow_tag.
bool wecom_visible(const WecomCorp& corp, const WecomCaller& caller, const WecomMember& m);
/// Whether the tag is in the caller's scope (self-built apps see every tag).
bool wecom_tag_visible(const WecomCaller& caller, std::int64_t tag_id);

/// Stable per (corp, userid), as the platform's open_userid is per service provider.
std::string wecom_open_userid(const std::string& corp_id, const std::string& userid);
/// The member as this caller may see it: third parties get no mobile or email, and the
/// userid in place of the name.
nlohmann::json wecom_member_json(const WecomCorp& corp, const WecomMember& m, const WecomCaller& caller, bool detail);
nlohmann::json wecom_department_json(const WecomDepartment& d, const WecomCaller& caller);

/// userid rules of the platform: 1–64 bytes of [0-9A-Za-z_-@.], starting alphanumeric.
bool wecom_valid_userid(const std::string& userid);
std::string wecom_lower(std::string s);
std::string wecom_random(const std::string& prefix, std::size_t n = 40);
std::int64_t wecom_now();
/// Wraps a handler so that a request field of the wrong JSON type answers 47001.
Sandbox::Handler wecom_guard(Sandbox::Handler h);
/// A decimal query parameter; nullopt when absent or not a number.
std::optional<std::int64_t> wecom_int_param(const httplib::Request& req, const char* name);
/// <Name><![CDATA[value]]></Name>
std::string wecom_xml(const char* name, const std::string& value);

const config::WecomEndpoint* wecom_suite_endpoint(const config::Config& cfg, const std::string& suite_id);
std::vector<const config::WecomEndpoint*> wecom_corp_endpoints(const config::Config& cfg, const std::string& corp_id);
/// Pushes `inner_xml` encrypted to the gateway's /wecom/callback/{endpoint id}; returns
/// {HTTP status, body}, status 0 when the gateway could not be reached. Call without the lock.
std::pair<int, std::string> wecom_push(Sandbox& sb, const config::WecomEndpoint& ep, const std::string& receive_id,
                                       const std::string& inner_xml);

// One registration per file.
void register_wecom_contacts(Sandbox& sb);        // wecom_contacts.cpp
void register_wecom_messages(Sandbox& sb);        // wecom_message.cpp
void register_wecom_suites(Sandbox& sb);          // wecom_suite.cpp
void register_wecom_login(Sandbox& sb);           // wecom_login.cpp
void register_wecom_contact_changes(Sandbox& sb); // wecom_contact_change.cpp

}  // namespace xiaoqu::sandbox
