#include "store/migrations.hpp"

#include <string>

namespace xiaoqu::store {
namespace {
// Secret columns (suffix _enc) hold SecretBox ciphertext, never plaintext.
constexpr std::string_view kV1 = R"sql(
CREATE TABLE official_accounts (
  appid TEXT PRIMARY KEY,
  name TEXT NOT NULL DEFAULT '',
  mode TEXT NOT NULL CHECK (mode IN ('plaintext','compatible','safe')),
  token_enc BLOB NOT NULL,
  aes_key_enc BLOB,
  app_secret_enc BLOB,
  updated_at INTEGER NOT NULL
);
CREATE TABLE components (
  appid TEXT PRIMARY KEY,
  token_enc BLOB NOT NULL,
  aes_key_enc BLOB NOT NULL,
  app_secret_enc BLOB,
  updated_at INTEGER NOT NULL
);
CREATE TABLE wecom_endpoints (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('corp','suite')),
  corp_id TEXT NOT NULL DEFAULT '',
  agent_id TEXT NOT NULL DEFAULT '',
  suite_id TEXT NOT NULL DEFAULT '',
  receive_ids TEXT NOT NULL,
  token_enc BLOB NOT NULL,
  aes_key_enc BLOB NOT NULL,
  secret_enc BLOB,
  updated_at INTEGER NOT NULL
);
-- One row per handled callback: platform retries find it and get the same answer.
CREATE TABLE handled_callbacks (
  endpoint TEXT NOT NULL,
  dedup_key TEXT NOT NULL,
  kind TEXT NOT NULL,
  reply BLOB NOT NULL,
  handled_at INTEGER NOT NULL,
  PRIMARY KEY (endpoint, dedup_key)
) WITHOUT ROWID;
CREATE INDEX handled_callbacks_by_time ON handled_callbacks (handled_at);
CREATE TABLE component_verify_tickets (
  component_appid TEXT PRIMARY KEY,
  ticket_enc BLOB NOT NULL,
  create_time INTEGER NOT NULL,
  received_at INTEGER NOT NULL
);
CREATE TABLE suite_tickets (
  suite_id TEXT PRIMARY KEY,
  ticket_enc BLOB NOT NULL,
  ticket_time INTEGER NOT NULL,
  received_at INTEGER NOT NULL
);
-- Current authorization state of each account authorized to a component.
CREATE TABLE component_authorizations (
  component_appid TEXT NOT NULL,
  authorizer_appid TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('authorized','unauthorized')),
  authorization_code_enc BLOB,
  code_expires_at INTEGER NOT NULL DEFAULT 0,
  changed_at INTEGER NOT NULL,
  PRIMARY KEY (component_appid, authorizer_appid)
);
-- Every authorization notice as received (authorized / updateauthorized / unauthorized).
CREATE TABLE component_authorization_events (
  id INTEGER PRIMARY KEY,
  component_appid TEXT NOT NULL,
  authorizer_appid TEXT NOT NULL,
  info_type TEXT NOT NULL,
  create_time INTEGER NOT NULL,
  received_at INTEGER NOT NULL
);
-- WeCom suite instructions (create_auth, change_auth, cancel_auth) recorded for processing.
CREATE TABLE wecom_auth_events (
  id INTEGER PRIMARY KEY,
  endpoint TEXT NOT NULL,
  suite_id TEXT NOT NULL,
  info_type TEXT NOT NULL,
  auth_corp_id TEXT NOT NULL DEFAULT '',
  auth_code_enc BLOB,
  state TEXT NOT NULL DEFAULT '',
  event_time INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  processed_at INTEGER
);
-- change_contact events: ids only; the record is re-read from the API when processed.
CREATE TABLE wecom_contact_changes (
  id INTEGER PRIMARY KEY,
  endpoint TEXT NOT NULL,
  corp_id TEXT NOT NULL,
  change_type TEXT NOT NULL,
  user_id TEXT NOT NULL DEFAULT '',
  new_user_id TEXT NOT NULL DEFAULT '',
  party_id INTEGER NOT NULL DEFAULT 0,
  event_time INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  processed_at INTEGER
);
)sql";

// Platform credentials: access tokens (shared between restarts and instances), authorizer
// refresh tokens and WeCom permanent codes. Losing a refresh token means the customer must
// authorize again (61023), so these are stored before they are used.
constexpr std::string_view kV2 = R"sql(
CREATE TABLE credentials (
  name TEXT PRIMARY KEY,
  value_enc BLOB NOT NULL,
  expires_at INTEGER NOT NULL DEFAULT 0,
  refresh_at INTEGER NOT NULL DEFAULT 0,
  updated_at INTEGER NOT NULL
);
)sql";

const std::vector<Migration> kMigrations = {
    {1, "accounts, callback de-duplication, tickets, authorization events", kV1},
    {2, "platform credentials", kV2},
};
}  // namespace

const std::vector<Migration>& migrations() { return kMigrations; }

int schema_version(Connection& c) {
  Statement s(c, "PRAGMA user_version");
  s.step();
  return static_cast<int>(s.integer(0));
}

int migrate(Connection& c) {
  int current = schema_version(c);
  int latest = kMigrations.empty() ? 0 : kMigrations.back().version;
  if (current > latest)
    throw StoreError(0, "database schema version " + std::to_string(current) + " is newer than this binary knows (" +
                            std::to_string(latest) + ")");
  int ran = 0;
  for (const auto& m : kMigrations) {
    if (m.version <= current) continue;
    Transaction tx(c);
    c.exec(m.sql);
    c.exec("PRAGMA user_version=" + std::to_string(m.version));
    tx.commit();
    ++ran;
  }
  return ran;
}

}  // namespace xiaoqu::store
