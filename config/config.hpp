#pragma once
// The configuration model. Loaded from a JSON file, then XIAOQU_* environment variables,
// then command-line `--set key.path=value` flags; validated once; immutable afterwards.
// Secrets (tokens, EncodingAESKeys, app secrets, the master key) are accepted only from
// the environment: a secret found in the file stops start-up.
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace xiaoqu::config {

/// Invalid configuration: `key` is the dotted path, `what()` says what is wrong.
class ConfigError : public std::runtime_error {
 public:
  ConfigError(std::string key, const std::string& problem)
      : std::runtime_error(key + ": " + problem), key_(std::move(key)), problem_(problem) {}
  const std::string& key() const noexcept { return key_; }
  const std::string& problem() const noexcept { return problem_; }

 private:
  std::string key_, problem_;
};

enum class MessageMode { plaintext, compatible, safe };
const char* to_string(MessageMode m) noexcept;

struct ServerConfig {
  std::string listen = "127.0.0.1";
  std::uint16_t port = 8080;
  unsigned threads = 0;  ///< 0 = one io thread per core
  std::size_t max_header_bytes = 8 * 1024;
  std::size_t max_body_bytes = 1024 * 1024;
  unsigned read_timeout_ms = 10'000;
  unsigned idle_timeout_ms = 60'000;
  unsigned max_connections = 10'000;
  unsigned shutdown_grace_ms = 10'000;
  std::size_t max_upload_bytes = 21 * 1024 * 1024;  ///< body limit of POST /api/v1/* (spreadsheet uploads)
  /// Reverse proxies (addresses or CIDR ranges) whose X-Forwarded-For names the client; empty:
  /// the TCP peer is the client and the header is ignored.
  std::vector<std::string> trusted_proxies;
};

struct StoreConfig {
  std::string path = "var/xiaoqu.db";
  std::string master_key;       ///< secret: 64 hex chars or base64 of 32 bytes (env only)
  std::string master_key_file;  ///< demo only: generated on first run when no master_key is set
};

struct CallbackConfig {
  unsigned timestamp_window_seconds = 300;  ///< 0 switches the window off (benchmarks)
  bool dedup = true;                        ///< false switches de-duplication off (benchmarks)
  unsigned dedup_ttl_seconds = 600;
};

struct OfficialAccount {
  std::string appid, name;
  MessageMode mode = MessageMode::safe;
  std::string token, encoding_aes_key, app_secret;  ///< secrets
};

struct Component {
  std::string appid;
  std::string token, encoding_aes_key, app_secret;  ///< secrets
};

/// One WeCom callback endpoint: a self-built app of a corp, or a third-party suite.
struct WecomEndpoint {
  enum class Kind { corp, suite };
  std::string id;  ///< the path segment of /wecom/callback/{id}
  Kind kind = Kind::corp;
  std::string corp_id, agent_id, suite_id;
  std::vector<std::string> receive_ids;  ///< accepted receive ids; default corp_id / suite_id
  std::string token, encoding_aes_key, secret;  ///< secrets
};

/// Where each platform is reached. Real deployments keep the defaults; the sandbox and
/// tests point them at a local server.
struct PlatformUrls {
  std::string wechat_api = "https://api.weixin.qq.com";
  std::string wechat_open = "https://open.weixin.qq.com";   ///< OAuth authorize pages
  std::string wechat_mp = "https://mp.weixin.qq.com";       ///< showqrcode, component login page
  std::string wecom_api = "https://qyapi.weixin.qq.com";
  std::string wecom_open = "https://open.work.weixin.qq.com";  ///< suite install page
  std::string wecom_login = "https://login.work.weixin.qq.com";
  std::string sms_api = "https://sms.tencentcloudapi.com";
};

/// Outbound HTTP: timeouts, TLS, the optional fixed egress proxy, the worker pool size.
struct HttpConfig {
  unsigned connect_timeout_ms = 3'000;
  unsigned read_timeout_ms = 10'000;
  std::string proxy;  ///< "host:port"; WeChat whitelists caller IPs, so egress often goes through one host
  bool verify_tls = true;
  std::string ca_file;
  unsigned workers = 8;
  unsigned max_attempts = 4;       ///< for transient errors (-1, 45009, timeouts, 5xx)
  unsigned backoff_initial_ms = 200;
  unsigned backoff_max_ms = 5'000;
};

/// Tencent Cloud SMS (API 3.0).
struct SmsConfig {
  std::string secret_id, secret_key;  ///< secrets
  std::string sdk_app_id, sign_name, region = "ap-guangzhou";
};

/// The notification outbox dispatcher (notify/dispatcher.hpp).
struct OutboxConfig {
  unsigned poll_ms = 200;              ///< how often due rows are looked for
  unsigned rate_per_second = 100;      ///< sends per second per Official Account, and for SMS
  unsigned concurrency = 16;           ///< messages in flight at once
  unsigned max_attempts = 12;          ///< then the row is failed
  unsigned backoff_base_ms = 5'000;    ///< first retry delay; doubles per attempt, with jitter
  unsigned backoff_cap_ms = 3'600'000;
  unsigned lease_seconds = 120;        ///< a claimed row is sent again after this if its sender died
};

/// A fault the sandbox injects on one endpoint path from the start.
struct SandboxFault {
  long long errcode = 0;
  double rate = 1.0;
  unsigned latency_ms = 0;
  bool stall = false;
  int http_status = 0;
  long long count = -1;  ///< how many calls it hits; -1 = all
};

/// The sandbox that plays WeChat, WeCom and SMS.
struct SandboxConfig {
  std::string listen = "127.0.0.1";
  std::uint16_t port = 9090;
  std::string gateway_url = "http://127.0.0.1:8080";  ///< where it pushes callbacks
  unsigned followers = 1000;                          ///< followers generated per Official Account
  unsigned ticket_interval_seconds = 600;             ///< component_verify_ticket / suite_ticket pushes (0 = off)
  std::map<std::string, SandboxFault> faults;         ///< by endpoint path, e.g. "/cgi-bin/user/get"
};

/// Resident verification: the H5 pages' public address and the messages it sends.
struct VerificationConfig {
  std::string public_url = "http://127.0.0.1:8080";  ///< where residents' browsers reach the gateway
  std::string review_template_id = "TPLreviewReminder";    ///< set to the account's 待审核提醒 template id
  std::string result_template_id = "TPLverificationResult";  ///< set to the account's 审核结果通知 template id
  std::string sms_review_template_id = "1001";        ///< SMS template to reviewers without WeChat
  std::string sms_otp_template_id = "1002";           ///< SMS template carrying a one-time code
  unsigned otp_ttl_seconds = 300;
  unsigned otp_per_phone_per_hour = 5;
  unsigned otp_per_openid_per_day = 20;
  unsigned state_ttl_seconds = 600;                   ///< OAuth state and admin binding QR
  unsigned session_ttl_seconds = 7200;                ///< a resident's H5 session after OAuth
};

/// Spreadsheet imports (residents, staff, structure).
struct ImportConfig {
  std::size_t max_file_bytes = 20u << 20;  ///< an uploaded .xlsx/.xls larger than this is refused
};

/// Followers of the Official Accounts (微信关注用户): the full sync and its schedule.
struct FollowersConfig {
  bool auto_sync = true;               ///< sync an account fully once it is connected (configured or authorized)
  unsigned resync_hours = 24;          ///< full re-sync that repairs drift; 0 = never on a schedule
  unsigned batchget_in_flight = 4;     ///< user/info/batchget calls at once during a sync
  unsigned retry_failed_minutes = 10;  ///< a failed run resumes after this long
  /// Followers fetched before one commit (whole user/get pages, at least one). Each follower lands
  /// on a random leaf of the followers B-tree, so a commit rewrites about one page per row until
  /// the commit holds more rows than the tree has leaves: fewer, larger commits (sorted by openid)
  /// cut the write volume several times. Memory held is this many profiles, whatever N is.
  unsigned commit_rows = 50'000;
};

/// The admin console: sessions and login throttling.
struct AdminConfig {
  unsigned session_idle_seconds = 2 * 3600;   ///< a session unused this long ends
  unsigned session_ttl_seconds = 12 * 3600;   ///< and every session ends this long after login
  bool cookie_secure = true;                  ///< Secure on the session cookie (false only for plain-http development)
  unsigned login_max_failures_per_username = 5;
  unsigned login_max_failures_per_address = 20;
  unsigned login_window_seconds = 15 * 60;
};

/// 员工信息 ↔ 企业微信 (staff linking): which suite admins install, or which self-built app's
/// contacts secret reads the corp, and how often linked corps are re-synced.
struct WecomLinkConfig {
  std::string public_url = "http://127.0.0.1:8080";  ///< where admins' browsers reach the gateway (install redirect)
  std::string suite;       ///< wecom endpoint id (kind suite) to install; default: the first suite with a secret
  std::string self_built;  ///< wecom endpoint id (kind corp) whose secret reads contacts; default: the first corp with a secret
  bool test_install = false;                   ///< set_session_info auth_type 1, for a suite not yet released
  unsigned state_ttl_seconds = 1200;           ///< how long an install link / QR stays usable (pre_auth_code lives 1200 s)
  unsigned resync_interval_seconds = 86'400;   ///< full re-sync of each linked corp (0 = only on demand and events)
};

struct Config {
  WecomLinkConfig wecom_link;
  AdminConfig admin;
  FollowersConfig followers;
  ImportConfig import;
  VerificationConfig verification;
  ServerConfig server;
  StoreConfig store;
  CallbackConfig callbacks;
  std::string log_level = "info";
  std::vector<OfficialAccount> official_accounts;
  std::vector<Component> components;
  std::vector<WecomEndpoint> wecom;
  PlatformUrls platforms;
  HttpConfig http;
  SmsConfig sms;
  SandboxConfig sandbox;
  OutboxConfig outbox;
};

/// Environment as name/value pairs (tests pass their own; main passes ::environ).
using Environment = std::map<std::string, std::string>;
Environment process_environment();

/// Loads FILE, applies XIAOQU_* overrides from `env` and `key.path=value` overrides,
/// validates. Throws ConfigError naming the key.
Config load(const std::string& file, const Environment& env,
            const std::vector<std::string>& overrides = {});

/// Same from JSON text (tests).
Config load_from_text(const std::string& json_text, const Environment& env,
                      const std::vector<std::string>& overrides = {});

}  // namespace xiaoqu::config
