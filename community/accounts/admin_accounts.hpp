#pragma once
// Console accounts and their sessions, as plain functions over a store connection: the
// admin API calls them on a worker (reads) or inside Database::write jobs (changes), and
// `xiaoqu admin create` calls them directly. Every change is audited in the same
// transaction, never with the password or its hash.
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "store/sqlite.hpp"

namespace xiaoqu::community {

/// Bad input or a refused change; nothing was written. `what()` is Simplified Chinese.
class AdminError : public std::runtime_error {
 public:
  enum class Kind { invalid, duplicate, not_found, conflict };
  AdminError(Kind kind, std::string field, const std::string& message)
      : std::runtime_error(message), kind_(kind), field_(std::move(field)) {}
  Kind kind() const noexcept { return kind_; }
  const std::string& field() const noexcept { return field_; }

 private:
  Kind kind_;
  std::string field_;
};

inline constexpr const char* kRoleOperator = "operator";
inline constexpr const char* kRolePropertyAdmin = "property_admin";

struct AdminAccount {
  std::int64_t id = 0;
  std::string username, display_name, phone, role;
  bool disabled = false;
  std::vector<std::int64_t> communities;  ///< assigned (property admins); empty for operators
  std::int64_t created_at = 0, updated_at = 0;
  bool is_operator() const { return role == kRoleOperator; }
};

struct NewAdmin {
  std::string username, password, role, display_name, phone;
  std::vector<std::int64_t> communities;
  /// hash_password(password), computed by the caller off the store's writer thread (argon2id
  /// takes tens of milliseconds); hashed here when empty.
  std::string password_hash;
};

/// What a PATCH changes; absent members stay as they are.
struct AdminChanges {
  std::optional<std::string> role, display_name, phone, password;
  std::optional<std::vector<std::int64_t>> communities;
  std::optional<bool> disabled;
  std::string password_hash;  ///< as NewAdmin::password_hash, for `password`
};

/// Validates, hashes the password (argon2id) and inserts. Throws AdminError naming the field.
std::int64_t create_admin(store::Connection& c, const NewAdmin& a, const std::string& actor, std::int64_t now);
std::optional<AdminAccount> find_admin(store::Connection& c, std::int64_t id);
std::vector<AdminAccount> list_admins(store::Connection& c);
/// Applies the changes; a password change, a disable or a role change ends the account's
/// sessions. Refuses to leave no enabled operator.
void update_admin(store::Connection& c, std::int64_t id, const AdminChanges& ch, const std::string& actor, std::int64_t now);
void delete_admin(store::Connection& c, std::int64_t id, const std::string& actor, std::int64_t now);

/// What a login needs: the stored hash and whether the account may sign in.
struct LoginRecord {
  std::int64_t id = 0;
  std::string password_hash;
  bool disabled = false;
};
std::optional<LoginRecord> login_record(store::Connection& c, const std::string& username);
/// After a successful login with an outdated hash (no audit entry: the password is the same).
void replace_password_hash(store::Connection& c, std::int64_t id, const std::string& hash, std::int64_t now);

/// A new session: the cookie value is only ever returned here; the store keeps its SHA-256.
struct NewSession {
  std::string cookie_value, csrf_token, token_hash;
};
NewSession create_session(store::Connection& c, std::int64_t admin_id, std::int64_t now, std::int64_t absolute_ttl_seconds);

struct SessionRecord {
  std::string token_hash, csrf_token;
  std::int64_t admin_id = 0, created_at = 0, expires_at = 0, last_seen_at = 0;
};
/// Hex SHA-256 of a cookie value (what admin_sessions.token_hash holds).
std::string session_token_hash(std::string_view cookie_value);
std::optional<SessionRecord> find_session(store::Connection& c, const std::string& token_hash);
void touch_session(store::Connection& c, const std::string& token_hash, std::int64_t now);
void delete_session(store::Connection& c, const std::string& token_hash);
/// Drops sessions past their absolute expiry or idle longer than `idle_seconds`.
int delete_expired_sessions(store::Connection& c, std::int64_t now, std::int64_t idle_seconds);

/// Constant-time equality for tokens.
bool tokens_equal(std::string_view a, std::string_view b) noexcept;

}  // namespace xiaoqu::community
