#pragma once
// What the platforms push that later work depends on: component_verify_ticket and WeCom
// suite_ticket (inputs to the component and suite tokens), authorization notices of the
// Open Platform, WeCom suite instructions and contact changes. Tickets and codes are
// sealed with the SecretBox before they reach the disk.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/secret_box.hpp"
#include "store/sqlite.hpp"

namespace xiaoqu::store {

struct Ticket {
  std::string value;
  std::int64_t issued_at = 0, received_at = 0;
};

/// Keeps the newest ticket: an older push arriving late does not replace a newer one.
void save_component_verify_ticket(Connection& c, const SecretBox& box, std::string_view component_appid,
                                  std::string_view ticket, std::int64_t create_time, std::int64_t now);
std::optional<Ticket> component_verify_ticket(Connection& c, const SecretBox& box, std::string_view component_appid);

void save_suite_ticket(Connection& c, const SecretBox& box, std::string_view suite_id, std::string_view ticket,
                       std::int64_t ticket_time, std::int64_t now);
std::optional<Ticket> suite_ticket(Connection& c, const SecretBox& box, std::string_view suite_id);

/// authorized / updateauthorized / unauthorized: the event log and the current state.
struct AuthorizationNotice {
  std::string component_appid, authorizer_appid, info_type;
  std::string authorization_code;  ///< empty for unauthorized
  std::int64_t create_time = 0, code_expires_at = 0;
};
void record_authorization_notice(Connection& c, const SecretBox& box, const AuthorizationNotice& n, std::int64_t now);
/// "authorized", "unauthorized", or nullopt when never seen.
std::optional<std::string> authorization_state(Connection& c, std::string_view component_appid,
                                               std::string_view authorizer_appid);

struct SuiteAuthEvent {
  std::string endpoint, suite_id, info_type, auth_corp_id, auth_code, state;
  std::int64_t event_time = 0;
};
void record_suite_auth_event(Connection& c, const SecretBox& box, const SuiteAuthEvent& e, std::int64_t now);

struct ContactChangeRecord {
  std::string endpoint, corp_id, change_type, user_id, new_user_id;
  std::int64_t party_id = 0, event_time = 0;
  std::int64_t tag_id = 0;  ///< update_tag: the tag whose members changed
};
void record_contact_change(Connection& c, const ContactChangeRecord& r, std::int64_t now);

}  // namespace xiaoqu::store

namespace xiaoqu::store {

/// An `authorized` notice whose code has not been exchanged yet.
struct PendingAuthorization {
  std::string component_appid, authorizer_appid, authorization_code;
};
std::vector<PendingAuthorization> pending_authorizations(Connection& c, const SecretBox& box);
/// The code was exchanged (its refresh token is stored): forget it.
void clear_authorization_code(Connection& c, std::string_view component_appid, std::string_view authorizer_appid);
/// (component, authorizer) pairs currently authorized.
std::vector<std::pair<std::string, std::string>> authorized_accounts(Connection& c);

struct PendingSuiteAuthEvent {
  std::int64_t id = 0;
  std::string endpoint, suite_id, info_type, auth_corp_id, auth_code, state;
};
std::vector<PendingSuiteAuthEvent> pending_suite_auth_events(Connection& c, const SecretBox& box);
void mark_suite_auth_event_processed(Connection& c, std::int64_t id, std::int64_t now);

}  // namespace xiaoqu::store
