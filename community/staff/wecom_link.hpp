#pragma once
// 员工信息 → 关联企业微信: which WeCom corp belongs to which property company account.
// One corp links to one account and one account to one corp; linking a corp that another
// account holds is refused and writes nothing. Unlinking (我要更换关联企业) or the corp
// uninstalling the suite (cancel_auth) keeps the staff records, marked as no longer synced.
// Plain functions over the caller's connection and transaction (a Database::write job).
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>

#include "store/sqlite.hpp"

namespace xiaoqu::community {

enum class WecomLinkMode { suite, self_built };
enum class WecomLinkState { linked, unlinked, cancelled };
const char* to_string(WecomLinkMode m) noexcept;
const char* to_string(WecomLinkState s) noexcept;

struct WecomCorpLink {
  std::int64_t id = 0, admin_id = 0;
  std::string corp_id, corp_name, suite_id, agent_id;
  WecomLinkMode mode = WecomLinkMode::suite;
  WecomLinkState state = WecomLinkState::linked;
  nlohmann::json visible_range = nlohmann::json::object();  ///< {"party":[...],"user":[...],"tag":[...]}
  std::int64_t linked_at = 0, changed_at = 0;
  std::optional<std::int64_t> last_sync_at;
  std::string last_sync_error;
};

/// A linking step the rules refuse. what() is the message for the admin (Simplified
/// Chinese); code() is stable for clients.
class WecomLinkError : public std::runtime_error {
 public:
  enum class Kind {
    refused,         ///< the rules say no (corp held by another account, account already linked)
    not_found,       ///< nothing linked, unknown or expired install state
    not_configured,  ///< no suite / self-built app in the configuration
    platform,        ///< WeCom refused or could not be reached
  };
  WecomLinkError(Kind kind, std::string code, const std::string& message)
      : std::runtime_error(message), kind_(kind), code_(std::move(code)) {}
  Kind kind() const noexcept { return kind_; }
  const std::string& code() const noexcept { return code_; }

 private:
  Kind kind_;
  std::string code_;
};

/// The message a second account gets for a corp that is already linked.
inline constexpr const char* kCorpLinkedElsewhere = "该企业微信已关联到其他物业账号";

struct NewCorpLink {
  std::int64_t admin_id = 0;
  std::string corp_id, corp_name, suite_id, agent_id;
  WecomLinkMode mode = WecomLinkMode::suite;
  nlohmann::json visible_range = nlohmann::json::object();
};

/// Links `l.corp_id` to `l.admin_id`. The same account linking the same corp again (a
/// reinstall) refreshes name, range and mode. Throws WecomLinkError(refused) with
/// kCorpLinkedElsewhere when another account holds the corp, or when this account holds
/// another corp (it must unlink first); nothing is written then.
WecomCorpLink link_corp(store::Connection& c, const NewCorpLink& l, std::int64_t now);

/// Whether `corp_id` could be linked to `admin_id` now; the refusal it would get otherwise.
std::optional<WecomLinkError> link_refusal(store::Connection& c, std::int64_t admin_id, const std::string& corp_id);

std::optional<WecomCorpLink> link_of_admin(store::Connection& c, std::int64_t admin_id);
std::optional<WecomCorpLink> link_of_corp(store::Connection& c, const std::string& corp_id);

/// 我要更换关联企业: the account's link becomes 'unlinked' and the corp's staff 'unsynced'.
/// Throws WecomLinkError(not_found) when the account has no linked corp.
WecomCorpLink unlink_corp(store::Connection& c, std::int64_t admin_id, std::int64_t now);

/// cancel_auth: the suite was uninstalled. The corp's link (when it is this suite's) becomes
/// 'cancelled' and its staff 'unsynced'. False when no such link was linked.
bool cancel_corp(store::Connection& c, const std::string& suite_id, const std::string& corp_id, std::int64_t now);

/// Marks every synced staff record of the corp as no longer synced; returns how many.
int mark_corp_staff_unsynced(store::Connection& c, const std::string& corp_id, std::int64_t now);

/// The outcome of a sync: success clears the error and sets last_sync_at; a failure keeps
/// last_sync_at and stores the message.
void record_sync_result(store::Connection& c, const std::string& corp_id, std::int64_t now, const std::string& error);

// ---- install states: the state parameter of the install link carries who links ----

/// A fresh state token (32 characters of [0-9a-f], fits both the install URL and the QR
/// code's 32-byte limit) bound to the account until now + ttl.
std::string create_install_state(store::Connection& c, std::int64_t admin_id, std::int64_t now, std::int64_t ttl_seconds);

/// The account a state was issued to while it is unused and unexpired; nullopt otherwise.
std::optional<std::int64_t> install_state_admin(store::Connection& c, const std::string& state, std::int64_t now);

/// Marks the state used with the corp and outcome ('linked' or the refusal message).
void finish_install_state(store::Connection& c, const std::string& state, const std::string& corp_id,
                          const std::string& outcome, std::int64_t now);

struct InstallAttempt {
  std::string corp_id, outcome;
  std::int64_t created_at = 0;
  std::optional<std::int64_t> used_at;
};
/// The account's newest install state, to show how its last attempt ended.
std::optional<InstallAttempt> latest_install_attempt(store::Connection& c, std::int64_t admin_id);
/// The attempt of one state, whatever its age.
std::optional<InstallAttempt> install_attempt(store::Connection& c, const std::string& state);

}  // namespace xiaoqu::community
