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


// Community records: communities and their building structures, residents, staff and
// departments, admin accounts with their communities and sessions, the audit log and
// import reports. Phones are stored normalized (11 digits) with their last four digits
// indexed for search; ID numbers only sealed (SecretBox) with a keyed lookup hash and a
// masked form, never in plaintext.
constexpr std::string_view kV3 = R"sql(
CREATE TABLE communities (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  address TEXT NOT NULL DEFAULT '',
  office_phone TEXT NOT NULL DEFAULT '',
  allow_structure_import INTEGER NOT NULL DEFAULT 0,  -- a resident import may create missing rooms
  owner_review INTEGER NOT NULL DEFAULT 0,            -- 是否允许业主审核所属房间住户的申请
  sms_otp INTEGER NOT NULL DEFAULT 0,                 -- residents prove their phone by SMS code
  official_account_appid TEXT NOT NULL DEFAULT '',    -- the Official Account that serves it
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
-- One community may hold several structures (高层区 栋/单元/房间, 别墅区 组团/门牌号).
CREATE TABLE structures (
  id INTEGER PRIMARY KEY,
  community_id INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  levels TEXT NOT NULL,  -- JSON array of 1..4 level names, each at most 40 characters
  created_at INTEGER NOT NULL,
  UNIQUE (community_id, name)
);
-- The tree; a room is a node at the structure's last level. path is '/id/id/.../' from the
-- root down to and including the node, so "everything below this building" is a prefix.
CREATE TABLE structure_nodes (
  id INTEGER PRIMARY KEY,
  structure_id INTEGER NOT NULL REFERENCES structures(id) ON DELETE CASCADE,
  community_id INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
  parent_id INTEGER REFERENCES structure_nodes(id) ON DELETE CASCADE,
  depth INTEGER NOT NULL CHECK (depth BETWEEN 1 AND 4),
  name TEXT NOT NULL,
  path TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX structure_nodes_sibling_names ON structure_nodes (structure_id, IFNULL(parent_id, 0), name);
CREATE INDEX structure_nodes_by_path ON structure_nodes (path);
CREATE INDEX structure_nodes_by_parent ON structure_nodes (parent_id);
CREATE TABLE residents (
  id INTEGER PRIMARY KEY,
  community_id INTEGER NOT NULL REFERENCES communities(id),
  room_id INTEGER NOT NULL REFERENCES structure_nodes(id),
  name TEXT NOT NULL DEFAULT '',
  name_key TEXT NOT NULL DEFAULT '',   -- normalized name for matching and re-import keys
  gender TEXT NOT NULL DEFAULT '' CHECK (gender IN ('','male','female')),
  identity TEXT NOT NULL CHECK (identity IN ('owner','family','tenant','fixed_term_tenant')),
  lease_end TEXT,                      -- YYYY-MM-DD; set exactly for fixed_term_tenant
  phone TEXT NOT NULL DEFAULT '',      -- normalized: 11 digits
  phone_last4 TEXT NOT NULL DEFAULT '',
  id_type TEXT NOT NULL DEFAULT '' CHECK (id_type IN ('','resident_id','passport','other')),
  id_number_enc BLOB,                  -- SecretBox
  id_number_hash TEXT NOT NULL DEFAULT '',  -- keyed hash for look-ups
  id_number_masked TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL DEFAULT 'imported' CHECK (status IN ('imported','verified','pending','rejected','lease_ended')),
  openid TEXT NOT NULL DEFAULT '',     -- the WeChat user once verified
  appid TEXT NOT NULL DEFAULT '',      -- the Official Account of that openid
  verified_at INTEGER,
  source TEXT NOT NULL DEFAULT 'manual' CHECK (source IN ('manual','import','verification')),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX residents_by_last4 ON residents (community_id, phone_last4);
CREATE INDEX residents_by_name ON residents (community_id, name);
CREATE INDEX residents_by_status ON residents (community_id, status);
CREATE INDEX residents_by_room ON residents (room_id);
CREATE INDEX residents_by_openid ON residents (openid) WHERE openid <> '';
CREATE TABLE departments (
  id INTEGER PRIMARY KEY,
  parent_id INTEGER REFERENCES departments(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  wecom_corp_id TEXT NOT NULL DEFAULT '',
  wecom_department_id INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX departments_sibling_names ON departments (IFNULL(parent_id, 0), name);
CREATE TABLE staff (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  gender TEXT NOT NULL DEFAULT '' CHECK (gender IN ('','male','female')),
  position TEXT NOT NULL DEFAULT '',
  rank TEXT NOT NULL DEFAULT '',
  phone TEXT NOT NULL DEFAULT '',
  phone_last4 TEXT NOT NULL DEFAULT '',
  wechat_id TEXT NOT NULL DEFAULT '',
  address TEXT NOT NULL DEFAULT '',
  wecom_corp_id TEXT NOT NULL DEFAULT '',
  wecom_userid TEXT NOT NULL DEFAULT '',
  wecom_state TEXT NOT NULL DEFAULT '' CHECK (wecom_state IN ('','synced','unsynced')),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX staff_by_wecom_user ON staff (wecom_corp_id, wecom_userid) WHERE wecom_userid <> '';
CREATE INDEX staff_by_phone ON staff (phone) WHERE phone <> '';
CREATE TABLE staff_communities (
  staff_id INTEGER NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
  community_id INTEGER NOT NULL REFERENCES communities(id),
  PRIMARY KEY (staff_id, community_id)
) WITHOUT ROWID;
CREATE INDEX staff_communities_by_community ON staff_communities (community_id);
CREATE TABLE staff_departments (
  staff_id INTEGER NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
  department_id INTEGER NOT NULL REFERENCES departments(id) ON DELETE CASCADE,
  PRIMARY KEY (staff_id, department_id)
) WITHOUT ROWID;
-- Console accounts. An operator sees every community; a property admin those assigned.
-- The WeChat binding and reminder switch are the 提醒设置 tab.
CREATE TABLE admin_accounts (
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL DEFAULT '',
  phone TEXT NOT NULL DEFAULT '',
  role TEXT NOT NULL CHECK (role IN ('operator','property_admin')),
  password_hash TEXT NOT NULL,         -- argon2id (libsodium crypto_pwhash_str)
  disabled INTEGER NOT NULL DEFAULT 0,
  reminders_enabled INTEGER NOT NULL DEFAULT 1,
  wechat_appid TEXT NOT NULL DEFAULT '',
  wechat_openid TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE admin_communities (
  admin_id INTEGER NOT NULL REFERENCES admin_accounts(id) ON DELETE CASCADE,
  community_id INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
  PRIMARY KEY (admin_id, community_id)
) WITHOUT ROWID;
CREATE INDEX admin_communities_by_community ON admin_communities (community_id);
-- Sessions by the SHA-256 of the cookie value, so a copy of the database opens no session.
CREATE TABLE admin_sessions (
  token_hash TEXT PRIMARY KEY,
  admin_id INTEGER NOT NULL REFERENCES admin_accounts(id) ON DELETE CASCADE,
  csrf_token TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL
) WITHOUT ROWID;
-- Who changed what and when. before/after are JSON without plaintext personal data
-- (phones and ID numbers appear masked).
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,                 -- 'admin:<id>', 'resident:<openid>', 'system'
  action TEXT NOT NULL,                -- 'resident.create', 'resident.update', 'import.commit', ...
  entity TEXT NOT NULL,
  entity_id INTEGER NOT NULL DEFAULT 0,
  community_id INTEGER NOT NULL DEFAULT 0,
  before TEXT NOT NULL DEFAULT '',
  after TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_by_entity ON audit_log (entity, entity_id);
CREATE INDEX audit_log_by_community ON audit_log (community_id, at);
-- Each import attempt: what it did, or the downloadable report of what was wrong.
CREATE TABLE import_reports (
  id INTEGER PRIMARY KEY,
  community_id INTEGER NOT NULL DEFAULT 0,
  admin_id INTEGER NOT NULL DEFAULT 0,
  kind TEXT NOT NULL CHECK (kind IN ('residents','staff','structure')),
  file_name TEXT NOT NULL DEFAULT '',
  outcome TEXT NOT NULL CHECK (outcome IN ('committed','rejected')),
  added INTEGER NOT NULL DEFAULT 0,
  updated INTEGER NOT NULL DEFAULT 0,
  unchanged INTEGER NOT NULL DEFAULT 0,
  error_count INTEGER NOT NULL DEFAULT 0,
  errors TEXT NOT NULL DEFAULT '[]',   -- JSON [{row, column, reason}], capped
  report_xlsx BLOB,                    -- the bad rows with an error column
  created_at INTEGER NOT NULL
);
)sql";

// Reserved: each later feature owns one slot so their versions never collide.
// v4: the notification outbox (notify/). v5: followers, tags and sync jobs. v6: resident verification requests, OAuth states, QR tokens, SMS codes.
constexpr std::string_view kV4 = R"sql(
-- Everything that must reach a person, written in the transaction that decided it and sent
-- by notify::Dispatcher. A row moves pending → sending (claimed until claimed_until, so a
-- crashed sender's claim expires) → sent → delivered, or back to pending with a later
-- next_attempt_at after a transient failure, or to failed (permanent, or out of attempts).
CREATE TABLE outbox (
  id INTEGER PRIMARY KEY,
  idempotency_key TEXT NOT NULL UNIQUE,
  purpose TEXT NOT NULL,
  community_id INTEGER NOT NULL DEFAULT 0,
  channel TEXT NOT NULL CHECK (channel IN ('template','sms')),
  account TEXT NOT NULL,               -- the sending appid, or 'sms'
  payload TEXT NOT NULL,               -- JSON: the message as enqueued (recipient included)
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','sending','sent','delivered','failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  claimed_until INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',  -- without personal data
  platform_msg_id TEXT NOT NULL DEFAULT '',  -- template msgid or SMS SerialNo
  delivery_status TEXT NOT NULL DEFAULT '',  -- the platform's TEMPLATESENDJOBFINISH status text
  created_at INTEGER NOT NULL,
  sent_at INTEGER,
  updated_at INTEGER NOT NULL
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE status = 'pending';
CREATE INDEX outbox_leases ON outbox (claimed_until) WHERE status = 'sending';
CREATE INDEX outbox_by_msgid ON outbox (account, platform_msg_id) WHERE platform_msg_id <> '';
CREATE INDEX outbox_by_community ON outbox (community_id, status, id);
-- Delivery reports that arrived before the send was recorded (the platform can be faster
-- than our commit); applied when the msgid is recorded.
CREATE TABLE outbox_early_reports (
  account TEXT NOT NULL,
  platform_msg_id TEXT NOT NULL,
  status TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  PRIMARY KEY (account, platform_msg_id)
) WITHOUT ROWID;
)sql";
// Followers of each Official Account as WeChat knows them (synced by user/get + batchget, kept
// current by subscribe/unsubscribe events), their tags, the sync runs with the user/get cursor
// each committed page advanced (a restart resumes there), and per-account profile facts.
constexpr std::string_view kV5 = R"sql(
CREATE TABLE followers (
  appid TEXT NOT NULL,
  openid TEXT NOT NULL,
  subscribed INTEGER NOT NULL DEFAULT 1 CHECK (subscribed IN (0,1)),
  subscribe_time INTEGER NOT NULL DEFAULT 0,
  unsubscribed_at INTEGER,
  nickname TEXT NOT NULL DEFAULT '',
  remark TEXT NOT NULL DEFAULT '',
  language TEXT NOT NULL DEFAULT '',
  unionid TEXT NOT NULL DEFAULT '',
  subscribe_scene TEXT NOT NULL DEFAULT '',
  last_synced_run INTEGER NOT NULL DEFAULT 0,  -- the sync run that last saw it following
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (appid, openid)
) WITHOUT ROWID;
CREATE INDEX followers_by_time ON followers (appid, subscribe_time);
-- The tags each follower holds (tagid_list), one row per tag, so "followers with tag X" is an index seek.
CREATE TABLE follower_tags (
  appid TEXT NOT NULL,
  openid TEXT NOT NULL,
  tag_id INTEGER NOT NULL,
  PRIMARY KEY (appid, openid, tag_id)
) WITHOUT ROWID;
CREATE INDEX follower_tags_by_tag ON follower_tags (appid, tag_id, openid);
CREATE TABLE tags (
  appid TEXT NOT NULL,
  tag_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  count INTEGER NOT NULL DEFAULT 0,  -- followers holding it, as WeChat last said
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (appid, tag_id)
) WITHOUT ROWID;
CREATE TABLE follower_sync_runs (
  id INTEGER PRIMARY KEY,
  appid TEXT NOT NULL,
  reason TEXT NOT NULL DEFAULT '' CHECK (reason IN ('','connected','scheduled','manual')),
  status TEXT NOT NULL CHECK (status IN ('running','done','failed')),
  started_at INTEGER NOT NULL,
  finished_at INTEGER,
  next_openid TEXT NOT NULL DEFAULT '',   -- where user/get resumes; '' = from the start
  pages_done INTEGER NOT NULL DEFAULT 0,
  total INTEGER NOT NULL DEFAULT 0,       -- followers as user/get last reported
  done INTEGER NOT NULL DEFAULT 0,        -- followers stored by this run
  marked_unsubscribed INTEGER NOT NULL DEFAULT 0,  -- drift repaired when it finished
  last_error TEXT NOT NULL DEFAULT '',
  updated_at INTEGER NOT NULL
);
CREATE INDEX follower_sync_runs_by_account ON follower_sync_runs (appid, id);
CREATE UNIQUE INDEX follower_sync_runs_one_open ON follower_sync_runs (appid) WHERE status <> 'done';
CREATE TABLE account_profiles (
  appid TEXT PRIMARY KEY,
  certification_expires_at TEXT,          -- YYYY-MM-DD
  certification_source TEXT NOT NULL DEFAULT '' CHECK (certification_source IN ('','operator','authorizer_info')),
  updated_at INTEGER NOT NULL
);
)sql";
constexpr std::string_view kV6 = R"sql(
-- What a resident submitted in the H5 page and what became of it. A request that matched
-- an imported record is approved at once (rule says which); the others wait with a reason.
CREATE TABLE verification_requests (
  id INTEGER PRIMARY KEY,
  community_id INTEGER NOT NULL REFERENCES communities(id),
  room_id INTEGER NOT NULL REFERENCES structure_nodes(id),
  appid TEXT NOT NULL,
  openid TEXT NOT NULL,
  name TEXT NOT NULL,
  name_key TEXT NOT NULL,
  phone TEXT NOT NULL,                 -- normalized 11 digits
  identity TEXT NOT NULL CHECK (identity IN ('owner','family','tenant','fixed_term_tenant')),
  lease_end TEXT,
  id_type TEXT NOT NULL DEFAULT '',
  id_number_enc BLOB,
  id_number_masked TEXT NOT NULL DEFAULT '',
  phone_proven INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL CHECK (status IN ('approved','pending','rejected','superseded')),
  rule TEXT NOT NULL DEFAULT '',       -- the rule that approved it automatically
  reason TEXT NOT NULL DEFAULT '',     -- why it waits: no_record, phone_differs, name_differs, ...
  resident_id INTEGER REFERENCES residents(id),
  decided_by TEXT NOT NULL DEFAULT '', -- 'system', 'admin:<id>', 'owner:<openid>'
  decision_note TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  decided_at INTEGER
);
CREATE INDEX verification_requests_by_status ON verification_requests (community_id, status, created_at);
CREATE INDEX verification_requests_by_user ON verification_requests (appid, openid, created_at);
CREATE INDEX verification_requests_by_room ON verification_requests (room_id, status);
-- OAuth state: bound to a community, single use, short-lived.
CREATE TABLE oauth_states (
  state TEXT PRIMARY KEY,
  community_id INTEGER NOT NULL,
  appid TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER,
  session_hash TEXT NOT NULL DEFAULT ''  -- the session its code opened (a reloaded redirect finds it)
) WITHOUT ROWID;
-- A resident's H5 session after OAuth, by the SHA-256 of its cookie.
CREATE TABLE resident_sessions (
  token_hash TEXT PRIMARY KEY,
  community_id INTEGER NOT NULL,
  appid TEXT NOT NULL,
  openid TEXT NOT NULL,
  csrf_token TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;
-- The community's permanent QR code (one per community and Official Account).
CREATE TABLE community_qrcodes (
  community_id INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
  appid TEXT NOT NULL,
  scene TEXT NOT NULL,
  ticket TEXT NOT NULL,
  url TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (community_id, appid)
) WITHOUT ROWID;
-- 邀请关联: one-time tokens carried by a temporary QR code's scene.
CREATE TABLE admin_binding_tokens (
  token TEXT PRIMARY KEY,
  admin_id INTEGER NOT NULL REFERENCES admin_accounts(id) ON DELETE CASCADE,
  appid TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER,
  used_by_openid TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
-- SMS one-time codes: only a hash of the code is kept.
CREATE TABLE sms_codes (
  id INTEGER PRIMARY KEY,
  phone TEXT NOT NULL,
  appid TEXT NOT NULL,
  openid TEXT NOT NULL,
  code_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  used_at INTEGER
);
CREATE INDEX sms_codes_by_phone ON sms_codes (phone, created_at);
CREATE INDEX sms_codes_by_openid ON sms_codes (openid, created_at);
)sql";
// v7: WeCom corp links (staff linking by suite install or self-built app). One corp links
// to one property company account and one account to one corp; a row that was unlinked or
// cancelled stays (status page, history) until the corp or the account links again.
constexpr std::string_view kV7 = R"sql(
CREATE TABLE wecom_corp_links (
  id INTEGER PRIMARY KEY,
  corp_id TEXT NOT NULL UNIQUE,
  admin_id INTEGER NOT NULL UNIQUE REFERENCES admin_accounts(id) ON DELETE CASCADE,
  mode TEXT NOT NULL CHECK (mode IN ('suite','self_built')),
  suite_id TEXT NOT NULL DEFAULT '',    -- suite mode: whose permanent code reads the contacts
  agent_id TEXT NOT NULL DEFAULT '',    -- suite: the installed app; self-built: the configured secret's agent id
  corp_name TEXT NOT NULL DEFAULT '',
  visible_range TEXT NOT NULL DEFAULT '{}',  -- JSON {"party":[ids],"user":[userids],"tag":[ids]} granted at install
  state TEXT NOT NULL CHECK (state IN ('linked','unlinked','cancelled')),
  linked_at INTEGER NOT NULL,
  changed_at INTEGER NOT NULL,
  last_sync_at INTEGER,
  last_sync_error TEXT NOT NULL DEFAULT ''
);
-- The state parameter of an install link / QR code: who asked to link, so the redirect or
-- the create_auth instruction links the corp to that account. outcome is 'linked' or the
-- refusal shown to the admin.
CREATE TABLE wecom_install_states (
  state TEXT PRIMARY KEY,
  admin_id INTEGER NOT NULL REFERENCES admin_accounts(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER,
  corp_id TEXT NOT NULL DEFAULT '',
  outcome TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
CREATE INDEX wecom_install_states_by_admin ON wecom_install_states (admin_id, created_at);
CREATE INDEX departments_by_wecom ON departments (wecom_corp_id, wecom_department_id);
CREATE INDEX staff_by_wecom_corp ON staff (wecom_corp_id, wecom_state);
-- WeCom userids are case-insensitive: the merge looks them up without case.
CREATE INDEX staff_by_wecom_user_nocase ON staff (wecom_corp_id, wecom_userid COLLATE NOCASE) WHERE wecom_userid <> '';
)sql";

// The certification expiry also comes from WeChat's own certification events (年审通知 and the
// like, with ExpiredTime), not from the authorizer info, which has no such field: the source is
// renamed to 'wechat' and the event that set it is kept. SQLite changes a CHECK only by a rebuild.
constexpr std::string_view kV8 = R"sql(
CREATE TABLE account_profiles_v8 (
  appid TEXT PRIMARY KEY,
  certification_expires_at TEXT,          -- YYYY-MM-DD
  certification_source TEXT NOT NULL DEFAULT '' CHECK (certification_source IN ('','operator','wechat')),
  certification_event TEXT NOT NULL DEFAULT '',  -- the WeChat event that set it (annual_renew, ...)
  updated_at INTEGER NOT NULL
);
INSERT INTO account_profiles_v8 (appid, certification_expires_at, certification_source, updated_at)
  SELECT appid, certification_expires_at,
         CASE certification_source WHEN 'authorizer_info' THEN 'wechat' ELSE certification_source END, updated_at
  FROM account_profiles;
DROP TABLE account_profiles;
ALTER TABLE account_profiles_v8 RENAME TO account_profiles;
-- update_tag changes name a tag, not a department: its own column.
ALTER TABLE wecom_contact_changes ADD COLUMN tag_id INTEGER NOT NULL DEFAULT 0;
)sql";

const std::vector<Migration> kMigrations = {
    {1, "accounts, callback de-duplication, tickets, authorization events", kV1},
    {2, "platform credentials", kV2},
    {3, "communities, structures, residents, staff, admin accounts, audit log, import reports", kV3},
    {4, "notification outbox", kV4},
    {5, "followers, tags, follower sync, WeCom corp links", kV5},
    {6, "resident verification", kV6},
    {7, "WeCom corp links", kV7},
    {8, "certification expiry from WeChat's events, tag of a contact change", kV8},
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
