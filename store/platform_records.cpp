#include "store/platform_records.hpp"

namespace xiaoqu::store {

void save_component_verify_ticket(Connection& c, const SecretBox& box, std::string_view appid, std::string_view ticket,
                                  std::int64_t create_time, std::int64_t now) {
  Statement s(c,
              "INSERT INTO component_verify_tickets (component_appid, ticket_enc, create_time, received_at) VALUES (?,?,?,?) "
              "ON CONFLICT (component_appid) DO UPDATE SET ticket_enc = excluded.ticket_enc, "
              "create_time = excluded.create_time, received_at = excluded.received_at "
              "WHERE excluded.create_time >= component_verify_tickets.create_time");
  s.bind(1, appid).bind_blob(2, box.seal(ticket)).bind(3, create_time).bind(4, now).run();
}

std::optional<Ticket> component_verify_ticket(Connection& c, const SecretBox& box, std::string_view appid) {
  Statement s(c, "SELECT ticket_enc, create_time, received_at FROM component_verify_tickets WHERE component_appid = ?");
  s.bind(1, appid);
  if (!s.step()) return std::nullopt;
  return Ticket{box.open(s.text(0)), s.integer(1), s.integer(2)};
}

void save_suite_ticket(Connection& c, const SecretBox& box, std::string_view suite_id, std::string_view ticket,
                       std::int64_t ticket_time, std::int64_t now) {
  Statement s(c,
              "INSERT INTO suite_tickets (suite_id, ticket_enc, ticket_time, received_at) VALUES (?,?,?,?) "
              "ON CONFLICT (suite_id) DO UPDATE SET ticket_enc = excluded.ticket_enc, "
              "ticket_time = excluded.ticket_time, received_at = excluded.received_at "
              "WHERE excluded.ticket_time >= suite_tickets.ticket_time");
  s.bind(1, suite_id).bind_blob(2, box.seal(ticket)).bind(3, ticket_time).bind(4, now).run();
}

std::optional<Ticket> suite_ticket(Connection& c, const SecretBox& box, std::string_view suite_id) {
  Statement s(c, "SELECT ticket_enc, ticket_time, received_at FROM suite_tickets WHERE suite_id = ?");
  s.bind(1, suite_id);
  if (!s.step()) return std::nullopt;
  return Ticket{box.open(s.text(0)), s.integer(1), s.integer(2)};
}

void record_authorization_notice(Connection& c, const SecretBox& box, const AuthorizationNotice& n, std::int64_t now) {
  Statement ev(c,
               "INSERT INTO component_authorization_events (component_appid, authorizer_appid, info_type, create_time, received_at) "
               "VALUES (?,?,?,?,?)");
  ev.bind(1, n.component_appid).bind(2, n.authorizer_appid).bind(3, n.info_type).bind(4, n.create_time).bind(5, now).run();
  bool revoked = n.info_type == "unauthorized";
  Statement st(c,
               "INSERT INTO component_authorizations (component_appid, authorizer_appid, state, authorization_code_enc, "
               "code_expires_at, changed_at) VALUES (?,?,?,?,?,?) "
               "ON CONFLICT (component_appid, authorizer_appid) DO UPDATE SET state = excluded.state, "
               "authorization_code_enc = excluded.authorization_code_enc, code_expires_at = excluded.code_expires_at, "
               "changed_at = excluded.changed_at");
  st.bind(1, n.component_appid).bind(2, n.authorizer_appid).bind(3, revoked ? "unauthorized" : "authorized");
  if (n.authorization_code.empty()) st.bind_null(4);
  else st.bind_blob(4, box.seal(n.authorization_code));
  st.bind(5, n.code_expires_at).bind(6, now).run();
}

std::optional<std::string> authorization_state(Connection& c, std::string_view component, std::string_view authorizer) {
  Statement s(c, "SELECT state FROM component_authorizations WHERE component_appid = ? AND authorizer_appid = ?");
  s.bind(1, component).bind(2, authorizer);
  if (!s.step()) return std::nullopt;
  return s.text(0);
}

void record_suite_auth_event(Connection& c, const SecretBox& box, const SuiteAuthEvent& e, std::int64_t now) {
  Statement s(c,
              "INSERT INTO wecom_auth_events (endpoint, suite_id, info_type, auth_corp_id, auth_code_enc, state, event_time, "
              "received_at) VALUES (?,?,?,?,?,?,?,?)");
  s.bind(1, e.endpoint).bind(2, e.suite_id).bind(3, e.info_type).bind(4, e.auth_corp_id);
  if (e.auth_code.empty()) s.bind_null(5);
  else s.bind_blob(5, box.seal(e.auth_code));
  s.bind(6, e.state).bind(7, e.event_time).bind(8, now).run();
}

void record_contact_change(Connection& c, const ContactChangeRecord& r, std::int64_t now) {
  Statement s(c,
              "INSERT INTO wecom_contact_changes (endpoint, corp_id, change_type, user_id, new_user_id, party_id, event_time, "
              "received_at, tag_id) VALUES (?,?,?,?,?,?,?,?,?)");
  s.bind(1, r.endpoint).bind(2, r.corp_id).bind(3, r.change_type).bind(4, r.user_id).bind(5, r.new_user_id)
      .bind(6, r.party_id).bind(7, r.event_time).bind(8, now).bind(9, r.tag_id).run();
}

}  // namespace xiaoqu::store

namespace xiaoqu::store {

std::vector<PendingAuthorization> pending_authorizations(Connection& c, const SecretBox& box) {
  Statement s(c,
              "SELECT component_appid, authorizer_appid, authorization_code_enc FROM component_authorizations "
              "WHERE state = 'authorized' AND authorization_code_enc IS NOT NULL ORDER BY changed_at");
  std::vector<PendingAuthorization> out;
  while (s.step()) out.push_back({s.text(0), s.text(1), box.open(s.text(2))});
  return out;
}

void clear_authorization_code(Connection& c, std::string_view component, std::string_view authorizer) {
  Statement s(c, "UPDATE component_authorizations SET authorization_code_enc = NULL WHERE component_appid = ? AND authorizer_appid = ?");
  s.bind(1, component).bind(2, authorizer).run();
}

std::vector<std::pair<std::string, std::string>> authorized_accounts(Connection& c) {
  Statement s(c, "SELECT component_appid, authorizer_appid FROM component_authorizations WHERE state = 'authorized'");
  std::vector<std::pair<std::string, std::string>> out;
  while (s.step()) out.emplace_back(s.text(0), s.text(1));
  return out;
}

std::vector<PendingSuiteAuthEvent> pending_suite_auth_events(Connection& c, const SecretBox& box) {
  Statement s(c,
              "SELECT id, endpoint, suite_id, info_type, auth_corp_id, auth_code_enc, state FROM wecom_auth_events "
              "WHERE processed_at IS NULL ORDER BY id");
  std::vector<PendingSuiteAuthEvent> out;
  while (s.step())
    out.push_back({s.integer(0), s.text(1), s.text(2), s.text(3), s.text(4), s.is_null(5) ? std::string() : box.open(s.text(5)), s.text(6)});
  return out;
}

void mark_suite_auth_event_processed(Connection& c, std::int64_t id, std::int64_t now) {
  Statement s(c, "UPDATE wecom_auth_events SET processed_at = ? WHERE id = ?");
  s.bind(1, now).bind(2, id).run();
}

}  // namespace xiaoqu::store
