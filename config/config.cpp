#include "config/config.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

extern char** environ;

namespace xiaoqu::config {
namespace {
using json = nlohmann::json;

const std::set<std::string> kSecretKeys = {"token", "encoding_aes_key", "app_secret", "secret", "master_key", "secret_key", "secret_id"};

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string env_name_for(const std::string& dotted) {
  std::string out = "XIAOQU_";
  for (char c : dotted) out += (c == '.') ? std::string("__") : std::string(1, static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  return out;
}

// A secret in the file would end up in backups and version control: refuse it.
void refuse_file_secrets(const json& j, const std::string& path) {
  if (!j.is_object()) return;
  for (auto it = j.begin(); it != j.end(); ++it) {
    std::string key = path.empty() ? it.key() : path + "." + it.key();
    if (kSecretKeys.count(it.key()) && !(it->is_string() && it->get<std::string>().empty()))
      throw ConfigError(key, "secrets are accepted only from the environment; remove it from the file and set " + env_name_for(key));
    refuse_file_secrets(*it, key);
  }
}

// Environment names are upper case and cannot hold '-': compare keys without either.
std::string env_form(std::string s) {
  s = lower(std::move(s));
  std::replace(s.begin(), s.end(), '-', '_');
  return s;
}

std::string match_key(const json& obj, const std::string& key) {
  for (auto it = obj.begin(); it != obj.end(); ++it)
    if (env_form(it.key()) == env_form(key)) return it.key();
  return lower(key);
}

// Converts text to the JSON type of the value it replaces.
json typed_value(const json& existing, const std::string& text, const std::string& key) {
  try {
    if (existing.is_boolean()) {
      std::string t = lower(text);
      if (t == "true" || t == "1" || t == "yes") return true;
      if (t == "false" || t == "0" || t == "no") return false;
      throw ConfigError(key, "expected true or false, got \"" + text + "\"");
    }
    if (existing.is_number_integer() || existing.is_number_unsigned()) {
      std::size_t pos = 0;
      long long v = std::stoll(text, &pos);
      if (pos != text.size()) throw std::invalid_argument("trailing");
      return v;
    }
    if (existing.is_array()) return json::parse(text);
    if (existing.is_null()) {
      // A key the file leaves to its default: read the obvious scalar types.
      if (text == "true" || text == "false") return text == "true";
      if (!text.empty() && text.size() < 18 && std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); }))
        return std::stoll(text);
    }
  } catch (const ConfigError&) {
    throw;
  } catch (const std::exception&) {
    throw ConfigError(key, "cannot read \"" + text + "\" as " + std::string(existing.type_name()));
  }
  return text;
}

// Which dotted key each environment variable set, so errors can name the variable too.
using Origins = std::map<std::string, std::string>;

void set_path(json& root, const std::vector<std::string>& parts, const std::string& text, const std::string& label,
              Origins* origins = nullptr) {
  json* node = &root;
  std::string dotted;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (!node->is_object()) throw ConfigError(label, "does not name an object key");
    std::string k = match_key(*node, parts[i]);
    dotted += (i ? "." : "") + k;
    if (i + 1 == parts.size()) {
      json existing = node->contains(k) ? (*node)[k] : json();
      (*node)[k] = typed_value(existing, text, label);
      if (origins) (*origins)[dotted] = label;
    } else {
      if (!node->contains(k)) (*node)[k] = json::object();
      node = &(*node)[k];
    }
  }
}

void apply_environment(json& root, const Environment& env, Origins& origins) {
  for (const auto& [name, value] : env) {
    if (name.rfind("XIAOQU_", 0) != 0) continue;
    std::string rest = name.substr(7);
    if (rest == "MASTER_KEY") rest = "STORE__MASTER_KEY";  // the documented short name
    std::vector<std::string> parts;
    for (std::size_t pos = 0;;) {
      auto next = rest.find("__", pos);
      parts.push_back(rest.substr(pos, next == std::string::npos ? std::string::npos : next - pos));
      if (next == std::string::npos) break;
      pos = next + 2;
    }
    if (std::any_of(parts.begin(), parts.end(), [](const std::string& p) { return p.empty(); })) continue;
    set_path(root, parts, value, name, &origins);
  }
}

void apply_overrides(json& root, const std::vector<std::string>& overrides) {
  for (const auto& o : overrides) {
    auto eq = o.find('=');
    if (eq == std::string::npos || eq == 0) throw ConfigError(o, "an override is written key.path=value");
    std::string key = o.substr(0, eq);
    std::vector<std::string> parts;
    std::stringstream ss(key);
    for (std::string p; std::getline(ss, p, '.');) parts.push_back(p);
    if (!key.empty() && kSecretKeys.count(parts.back()))
      throw ConfigError(key, "secrets are accepted only from the environment; set " + env_name_for(key));
    set_path(root, parts, o.substr(eq + 1), key);
  }
}

// Reads a typed model out of JSON, naming the dotted key in every error.
class Reader {
 public:
  Reader(const json& j, std::string path) : j_(j), path_(std::move(path)) {
    if (!j_.is_object()) throw ConfigError(path_.empty() ? "(root)" : path_, "must be an object");
  }
  std::string key(const std::string& k) const { return path_.empty() ? k : path_ + "." + k; }

  void allow(std::initializer_list<const char*> keys) const {
    for (auto it = j_.begin(); it != j_.end(); ++it)
      if (std::none_of(keys.begin(), keys.end(), [&](const char* k) { return it.key() == k; }))
        throw ConfigError(key(it.key()), "unknown key");
  }
  std::string str(const std::string& k, std::string def = {}) const {
    if (!j_.contains(k) || j_[k].is_null()) return def;
    // Digits-only values (a numeric token) arrive from the environment as numbers.
    if (j_[k].is_number_integer()) return std::to_string(j_[k].get<long long>());
    if (!j_[k].is_string()) throw ConfigError(key(k), "must be a string");
    return j_[k].get<std::string>();
  }
  long long integer(const std::string& k, long long def, long long lo, long long hi) const {
    if (!j_.contains(k)) return def;
    if (!j_[k].is_number_integer()) throw ConfigError(key(k), "must be an integer");
    long long v = j_[k].get<long long>();
    if (v < lo || v > hi)
      throw ConfigError(key(k), "must be between " + std::to_string(lo) + " and " + std::to_string(hi) + ", got " + std::to_string(v));
    return v;
  }
  bool boolean(const std::string& k, bool def) const {
    if (!j_.contains(k)) return def;
    if (!j_[k].is_boolean()) throw ConfigError(key(k), "must be true or false");
    return j_[k].get<bool>();
  }
  std::vector<std::string> strings(const std::string& k) const {
    std::vector<std::string> out;
    if (!j_.contains(k)) return out;
    if (!j_[k].is_array()) throw ConfigError(key(k), "must be an array of strings");
    for (const auto& v : j_[k]) {
      if (!v.is_string()) throw ConfigError(key(k), "must be an array of strings");
      out.push_back(v.get<std::string>());
    }
    return out;
  }
  Reader child(const std::string& k) const {
    static const json empty = json::object();
    return j_.contains(k) ? Reader(j_[k], key(k)) : Reader(empty, key(k));
  }
  const json& raw() const { return j_; }

 private:
  const json& j_;
  std::string path_;
};

bool is_alnum(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isalnum(c); });
}

void check_token(const Reader& r, const std::string& token) {
  if (token.empty()) throw ConfigError(r.key("token"), "missing; set " + env_name_for(r.key("token")));
  if (token.size() < 3 || token.size() > 32 || !is_alnum(token))
    throw ConfigError(r.key("token"), "must be 3 to 32 letters or digits");
}

void check_aes_key(const Reader& r, const std::string& key, bool required) {
  if (key.empty()) {
    if (required) throw ConfigError(r.key("encoding_aes_key"), "missing; set " + env_name_for(r.key("encoding_aes_key")));
    return;
  }
  if (key.size() != 43 || !is_alnum(key))
    throw ConfigError(r.key("encoding_aes_key"), "must be 43 letters or digits (the EncodingAESKey of the platform console)");
}

void check_id(const Reader& r, const std::string& id, const std::string& what) {
  if (id.empty() || id.size() > 64 || !std::all_of(id.begin(), id.end(), [](unsigned char c) { return std::isalnum(c) || c == '_' || c == '-'; }))
    throw ConfigError(r.key(""), what + " must be 1 to 64 letters, digits, '_' or '-'");
}

Config build(const json& root) {
  Reader top(root, "");
  // One section per line: features add theirs without touching the others.
  top.allow({
      "server", "store", "callbacks", "log", "official_accounts", "components", "wecom", "platforms", "http", "sms",
      "sandbox",
      "admin",
      "outbox",
      "verification",
      "import",
      "followers",
      "wecom_link",
  });
  Config c;

  Reader s = top.child("server");
  s.allow({"listen", "port", "threads", "max_header_bytes", "max_body_bytes", "read_timeout_ms", "idle_timeout_ms", "max_connections", "shutdown_grace_ms", "max_upload_bytes",
           "trusted_proxies"});
  c.server.listen = s.str("listen", c.server.listen);
  if (c.server.listen.empty()) throw ConfigError(s.key("listen"), "must be an IP address");
  c.server.port = static_cast<std::uint16_t>(s.integer("port", c.server.port, 0, 65535));
  c.server.threads = static_cast<unsigned>(s.integer("threads", 0, 0, 256));
  c.server.max_header_bytes = static_cast<std::size_t>(s.integer("max_header_bytes", c.server.max_header_bytes, 1024, 1 << 20));
  c.server.max_body_bytes = static_cast<std::size_t>(s.integer("max_body_bytes", c.server.max_body_bytes, 1024, 64ll << 20));
  c.server.read_timeout_ms = static_cast<unsigned>(s.integer("read_timeout_ms", c.server.read_timeout_ms, 100, 600'000));
  c.server.idle_timeout_ms = static_cast<unsigned>(s.integer("idle_timeout_ms", c.server.idle_timeout_ms, 100, 3'600'000));
  c.server.max_connections = static_cast<unsigned>(s.integer("max_connections", c.server.max_connections, 1, 1'000'000));
  c.server.shutdown_grace_ms = static_cast<unsigned>(s.integer("shutdown_grace_ms", c.server.shutdown_grace_ms, 0, 600'000));
  c.server.max_upload_bytes = static_cast<std::size_t>(s.integer("max_upload_bytes", c.server.max_upload_bytes, 1024, 1ll << 30));
  c.server.trusted_proxies = s.strings("trusted_proxies");  // each entry is checked when the gateway starts

  Reader ad = top.child("admin");
  ad.allow({"session_idle_seconds", "session_ttl_seconds", "cookie_secure", "login_max_failures_per_username",
            "login_max_failures_per_address", "login_window_seconds"});
  c.admin.session_idle_seconds = static_cast<unsigned>(ad.integer("session_idle_seconds", c.admin.session_idle_seconds, 1, 30 * 86'400));
  c.admin.session_ttl_seconds = static_cast<unsigned>(ad.integer("session_ttl_seconds", c.admin.session_ttl_seconds, 1, 90 * 86'400));
  c.admin.cookie_secure = ad.boolean("cookie_secure", c.admin.cookie_secure);
  c.admin.login_max_failures_per_username =
      static_cast<unsigned>(ad.integer("login_max_failures_per_username", c.admin.login_max_failures_per_username, 1, 1000));
  c.admin.login_max_failures_per_address =
      static_cast<unsigned>(ad.integer("login_max_failures_per_address", c.admin.login_max_failures_per_address, 1, 100'000));
  c.admin.login_window_seconds = static_cast<unsigned>(ad.integer("login_window_seconds", c.admin.login_window_seconds, 1, 86'400));

  Reader st = top.child("store");
  st.allow({"path", "master_key", "master_key_file"});
  c.store.path = st.str("path", c.store.path);
  if (c.store.path.empty()) throw ConfigError(st.key("path"), "must name the SQLite file");
  c.store.master_key = st.str("master_key");
  c.store.master_key_file = st.str("master_key_file");
  if (c.store.master_key.empty() && c.store.master_key_file.empty())
    throw ConfigError(st.key("master_key"), "missing; set XIAOQU_MASTER_KEY (64 hex characters) or, for a demo, store.master_key_file");

  Reader cb = top.child("callbacks");
  cb.allow({"timestamp_window_seconds", "dedup", "dedup_ttl_seconds"});
  c.callbacks.timestamp_window_seconds = static_cast<unsigned>(cb.integer("timestamp_window_seconds", c.callbacks.timestamp_window_seconds, 0, 86'400));
  c.callbacks.dedup = cb.boolean("dedup", c.callbacks.dedup);
  c.callbacks.dedup_ttl_seconds = static_cast<unsigned>(cb.integer("dedup_ttl_seconds", c.callbacks.dedup_ttl_seconds, 30, 7 * 86'400));

  Reader lg = top.child("log");
  lg.allow({"level"});
  c.log_level = lg.str("level", "info");
  if (c.log_level != "debug" && c.log_level != "info" && c.log_level != "warn" && c.log_level != "error")
    throw ConfigError(lg.key("level"), "must be debug, info, warn or error");

  Reader pf = top.child("platforms");
  pf.allow({"wechat_api", "wechat_open", "wechat_mp", "wecom_api", "wecom_open", "wecom_login", "sms_api"});
  const std::pair<const char*, std::string*> urls[] = {
      {"wechat_api", &c.platforms.wechat_api}, {"wechat_open", &c.platforms.wechat_open},
      {"wechat_mp", &c.platforms.wechat_mp},   {"wecom_api", &c.platforms.wecom_api},
      {"wecom_open", &c.platforms.wecom_open}, {"wecom_login", &c.platforms.wecom_login},
      {"sms_api", &c.platforms.sms_api}};
  for (auto [name, field] : urls) {
    *field = pf.str(name, *field);
    if (field->rfind("http://", 0) != 0 && field->rfind("https://", 0) != 0)
      throw ConfigError(pf.key(name), "must be an http:// or https:// base URL, got \"" + *field + "\"");
    while (!field->empty() && field->back() == '/') field->pop_back();
  }

  Reader hp = top.child("http");
  hp.allow({"connect_timeout_ms", "read_timeout_ms", "proxy", "verify_tls", "ca_file", "workers", "max_attempts", "backoff_initial_ms", "backoff_max_ms"});
  c.http.connect_timeout_ms = static_cast<unsigned>(hp.integer("connect_timeout_ms", c.http.connect_timeout_ms, 100, 60'000));
  c.http.read_timeout_ms = static_cast<unsigned>(hp.integer("read_timeout_ms", c.http.read_timeout_ms, 100, 300'000));
  c.http.proxy = hp.str("proxy");
  if (!c.http.proxy.empty() && c.http.proxy.find(':') == std::string::npos)
    throw ConfigError(hp.key("proxy"), "must be host:port");
  c.http.verify_tls = hp.boolean("verify_tls", true);
  c.http.ca_file = hp.str("ca_file");
  c.http.workers = static_cast<unsigned>(hp.integer("workers", c.http.workers, 1, 256));
  c.http.max_attempts = static_cast<unsigned>(hp.integer("max_attempts", c.http.max_attempts, 1, 20));
  c.http.backoff_initial_ms = static_cast<unsigned>(hp.integer("backoff_initial_ms", c.http.backoff_initial_ms, 1, 60'000));
  c.http.backoff_max_ms = static_cast<unsigned>(hp.integer("backoff_max_ms", c.http.backoff_max_ms, 1, 600'000));

  Reader sm = top.child("sms");
  sm.allow({"secret_id", "secret_key", "sdk_app_id", "sign_name", "region"});
  c.sms.secret_id = sm.str("secret_id");
  c.sms.secret_key = sm.str("secret_key");
  c.sms.sdk_app_id = sm.str("sdk_app_id");
  c.sms.sign_name = sm.str("sign_name");
  c.sms.region = sm.str("region", c.sms.region);

  Reader im = top.child("import");
  im.allow({"max_file_bytes"});
  c.import.max_file_bytes = static_cast<std::size_t>(im.integer("max_file_bytes", c.import.max_file_bytes, 1024, 256ll << 20));

  Reader vf = top.child("verification");
  vf.allow({"public_url", "review_template_id", "result_template_id", "sms_review_template_id", "sms_otp_template_id",
            "otp_ttl_seconds", "otp_per_phone_per_hour", "otp_per_openid_per_day", "state_ttl_seconds", "session_ttl_seconds"});
  c.verification.public_url = vf.str("public_url", c.verification.public_url);
  if (c.verification.public_url.rfind("http://", 0) != 0 && c.verification.public_url.rfind("https://", 0) != 0)
    throw ConfigError(vf.key("public_url"), "must be the http:// or https:// address residents open, got \"" + c.verification.public_url + "\"");
  while (!c.verification.public_url.empty() && c.verification.public_url.back() == '/') c.verification.public_url.pop_back();
  c.verification.review_template_id = vf.str("review_template_id", c.verification.review_template_id);
  c.verification.result_template_id = vf.str("result_template_id", c.verification.result_template_id);
  c.verification.sms_review_template_id = vf.str("sms_review_template_id", c.verification.sms_review_template_id);
  c.verification.sms_otp_template_id = vf.str("sms_otp_template_id", c.verification.sms_otp_template_id);
  c.verification.otp_ttl_seconds = static_cast<unsigned>(vf.integer("otp_ttl_seconds", c.verification.otp_ttl_seconds, 60, 3600));
  c.verification.otp_per_phone_per_hour = static_cast<unsigned>(vf.integer("otp_per_phone_per_hour", c.verification.otp_per_phone_per_hour, 1, 100));
  c.verification.otp_per_openid_per_day = static_cast<unsigned>(vf.integer("otp_per_openid_per_day", c.verification.otp_per_openid_per_day, 1, 1000));
  c.verification.state_ttl_seconds = static_cast<unsigned>(vf.integer("state_ttl_seconds", c.verification.state_ttl_seconds, 60, 86'400));
  c.verification.session_ttl_seconds = static_cast<unsigned>(vf.integer("session_ttl_seconds", c.verification.session_ttl_seconds, 300, 30 * 86'400));

  Reader fw = top.child("followers");
  fw.allow({"auto_sync", "resync_hours", "batchget_in_flight", "retry_failed_minutes", "commit_rows"});
  c.followers.auto_sync = fw.boolean("auto_sync", c.followers.auto_sync);
  c.followers.resync_hours = static_cast<unsigned>(fw.integer("resync_hours", c.followers.resync_hours, 0, 24 * 365));
  // The platform's per-account rate limits leave room for a few calls at once, not dozens.
  c.followers.batchget_in_flight = static_cast<unsigned>(fw.integer("batchget_in_flight", c.followers.batchget_in_flight, 1, 16));
  c.followers.retry_failed_minutes = static_cast<unsigned>(fw.integer("retry_failed_minutes", c.followers.retry_failed_minutes, 1, 24 * 60));
  c.followers.commit_rows = static_cast<unsigned>(fw.integer("commit_rows", c.followers.commit_rows, 1, 500'000));

  Reader ob = top.child("outbox");
  ob.allow({"poll_ms", "rate_per_second", "concurrency", "max_attempts", "backoff_base_ms", "backoff_cap_ms", "lease_seconds"});
  c.outbox.poll_ms = static_cast<unsigned>(ob.integer("poll_ms", c.outbox.poll_ms, 10, 60'000));
  c.outbox.rate_per_second = static_cast<unsigned>(ob.integer("rate_per_second", c.outbox.rate_per_second, 1, 1'000'000));
  c.outbox.concurrency = static_cast<unsigned>(ob.integer("concurrency", c.outbox.concurrency, 1, 1024));
  c.outbox.max_attempts = static_cast<unsigned>(ob.integer("max_attempts", c.outbox.max_attempts, 1, 100));
  c.outbox.backoff_base_ms = static_cast<unsigned>(ob.integer("backoff_base_ms", c.outbox.backoff_base_ms, 1, 3'600'000));
  c.outbox.backoff_cap_ms = static_cast<unsigned>(ob.integer("backoff_cap_ms", c.outbox.backoff_cap_ms, 1, 86'400'000));
  if (c.outbox.backoff_cap_ms < c.outbox.backoff_base_ms)
    throw ConfigError(ob.key("backoff_cap_ms"), "must not be less than outbox.backoff_base_ms");
  c.outbox.lease_seconds = static_cast<unsigned>(ob.integer("lease_seconds", c.outbox.lease_seconds, 1, 86'400));

  Reader wl = top.child("wecom_link");
  wl.allow({"public_url", "suite", "self_built", "test_install", "state_ttl_seconds", "resync_interval_seconds"});
  c.wecom_link.public_url = wl.str("public_url", c.wecom_link.public_url);
  if (c.wecom_link.public_url.rfind("http://", 0) != 0 && c.wecom_link.public_url.rfind("https://", 0) != 0)
    throw ConfigError(wl.key("public_url"), "must be the http:// or https:// address admins open, got \"" + c.wecom_link.public_url + "\"");
  while (c.wecom_link.public_url.back() == '/') c.wecom_link.public_url.pop_back();
  c.wecom_link.suite = wl.str("suite");
  c.wecom_link.self_built = wl.str("self_built");
  c.wecom_link.test_install = wl.boolean("test_install", false);
  c.wecom_link.state_ttl_seconds = static_cast<unsigned>(wl.integer("state_ttl_seconds", c.wecom_link.state_ttl_seconds, 60, 1200));
  c.wecom_link.resync_interval_seconds =
      static_cast<unsigned>(wl.integer("resync_interval_seconds", c.wecom_link.resync_interval_seconds, 0, 30 * 86'400));

  Reader sb = top.child("sandbox");
  sb.allow({"listen", "port", "gateway_url", "followers", "ticket_interval_seconds", "faults"});
  c.sandbox.listen = sb.str("listen", c.sandbox.listen);
  c.sandbox.port = static_cast<std::uint16_t>(sb.integer("port", c.sandbox.port, 0, 65535));
  c.sandbox.gateway_url = sb.str("gateway_url", c.sandbox.gateway_url);
  c.sandbox.followers = static_cast<unsigned>(sb.integer("followers", c.sandbox.followers, 0, 10'000'000));
  c.sandbox.ticket_interval_seconds = static_cast<unsigned>(sb.integer("ticket_interval_seconds", c.sandbox.ticket_interval_seconds, 0, 86'400));
  if (sb.raw().contains("faults")) {
    const json& faults = sb.raw()["faults"];
    if (!faults.is_object()) throw ConfigError(sb.key("faults"), "must be an object keyed by endpoint path");
    for (auto it = faults.begin(); it != faults.end(); ++it) {
      Reader f(*it, sb.key("faults") + "." + it.key());
      f.allow({"errcode", "rate", "latency_ms", "stall", "http_status", "count"});
      if (it.key().empty() || it.key()[0] != '/') throw ConfigError(f.key(""), "the key must be an endpoint path starting with /");
      SandboxFault fault;
      fault.errcode = f.integer("errcode", 0, -1'000'000'000, 1'000'000'000);
      if (it->contains("rate")) {
        if (!(*it)["rate"].is_number() || (*it)["rate"].get<double>() < 0 || (*it)["rate"].get<double>() > 1)
          throw ConfigError(f.key("rate"), "must be a number between 0 and 1");
        fault.rate = (*it)["rate"].get<double>();
      }
      fault.latency_ms = static_cast<unsigned>(f.integer("latency_ms", 0, 0, 600'000));
      fault.stall = f.boolean("stall", false);
      fault.http_status = static_cast<int>(f.integer("http_status", 0, 0, 599));
      fault.count = f.integer("count", -1, -1, 1'000'000'000);
      c.sandbox.faults[it.key()] = fault;
    }
  }

  // Accounts are objects keyed by appid so that environment names can address them.
  if (root.contains("official_accounts")) {
    const json& accounts = root["official_accounts"];
    if (!accounts.is_object()) throw ConfigError("official_accounts", "must be an object keyed by appid");
    for (auto it = accounts.begin(); it != accounts.end(); ++it) {
      Reader a(*it, "official_accounts." + it.key());
      a.allow({"name", "mode", "token", "encoding_aes_key", "app_secret"});
      OfficialAccount acc;
      acc.appid = it.key();
      check_id(a, acc.appid, "the appid");
      acc.name = a.str("name");
      std::string mode = a.str("mode", "safe");
      if (mode == "plaintext") acc.mode = MessageMode::plaintext;
      else if (mode == "compatible") acc.mode = MessageMode::compatible;
      else if (mode == "safe") acc.mode = MessageMode::safe;
      else throw ConfigError(a.key("mode"), "must be plaintext, compatible or safe, got \"" + mode + "\"");
      acc.token = a.str("token");
      acc.encoding_aes_key = a.str("encoding_aes_key");
      acc.app_secret = a.str("app_secret");
      check_token(a, acc.token);
      check_aes_key(a, acc.encoding_aes_key, acc.mode != MessageMode::plaintext);
      c.official_accounts.push_back(std::move(acc));
    }
  }
  if (root.contains("components")) {
    const json& comps = root["components"];
    if (!comps.is_object()) throw ConfigError("components", "must be an object keyed by component appid");
    for (auto it = comps.begin(); it != comps.end(); ++it) {
      Reader a(*it, "components." + it.key());
      a.allow({"token", "encoding_aes_key", "app_secret"});
      Component comp;
      comp.appid = it.key();
      check_id(a, comp.appid, "the component appid");
      comp.token = a.str("token");
      comp.encoding_aes_key = a.str("encoding_aes_key");
      comp.app_secret = a.str("app_secret");
      check_token(a, comp.token);
      check_aes_key(a, comp.encoding_aes_key, true);
      c.components.push_back(std::move(comp));
    }
  }
  if (root.contains("wecom")) {
    const json& eps = root["wecom"];
    if (!eps.is_object()) throw ConfigError("wecom", "must be an object keyed by endpoint id");
    for (auto it = eps.begin(); it != eps.end(); ++it) {
      Reader a(*it, "wecom." + it.key());
      a.allow({"kind", "corp_id", "agent_id", "suite_id", "receive_ids", "token", "encoding_aes_key", "secret"});
      WecomEndpoint ep;
      ep.id = it.key();
      check_id(a, ep.id, "the endpoint id");
      std::string kind = a.str("kind", "corp");
      if (kind == "corp") ep.kind = WecomEndpoint::Kind::corp;
      else if (kind == "suite") ep.kind = WecomEndpoint::Kind::suite;
      else throw ConfigError(a.key("kind"), "must be corp (self-built app) or suite (third-party), got \"" + kind + "\"");
      ep.corp_id = a.str("corp_id");
      ep.agent_id = a.str("agent_id");
      ep.suite_id = a.str("suite_id");
      if (ep.kind == WecomEndpoint::Kind::corp && ep.corp_id.empty()) throw ConfigError(a.key("corp_id"), "required for a self-built app");
      if (ep.kind == WecomEndpoint::Kind::suite && ep.suite_id.empty()) throw ConfigError(a.key("suite_id"), "required for a suite");
      ep.receive_ids = a.strings("receive_ids");
      if (ep.receive_ids.empty()) ep.receive_ids.push_back(ep.kind == WecomEndpoint::Kind::corp ? ep.corp_id : ep.suite_id);
      ep.token = a.str("token");
      ep.encoding_aes_key = a.str("encoding_aes_key");
      ep.secret = a.str("secret");
      check_token(a, ep.token);
      check_aes_key(a, ep.encoding_aes_key, true);
      c.wecom.push_back(std::move(ep));
    }
  }
  // wecom_link names endpoints: each must exist and be of the right kind.
  auto endpoint_of_kind = [&](const std::string& id, WecomEndpoint::Kind kind) {
    return std::any_of(c.wecom.begin(), c.wecom.end(), [&](const WecomEndpoint& e) { return e.id == id && e.kind == kind; });
  };
  if (!c.wecom_link.suite.empty() && !endpoint_of_kind(c.wecom_link.suite, WecomEndpoint::Kind::suite))
    throw ConfigError("wecom_link.suite", "no wecom endpoint \"" + c.wecom_link.suite + "\" of kind suite");
  if (!c.wecom_link.self_built.empty() && !endpoint_of_kind(c.wecom_link.self_built, WecomEndpoint::Kind::corp))
    throw ConfigError("wecom_link.self_built", "no wecom endpoint \"" + c.wecom_link.self_built + "\" of kind corp");
  return c;
}

}  // namespace

const char* to_string(MessageMode m) noexcept {
  switch (m) {
    case MessageMode::plaintext: return "plaintext";
    case MessageMode::compatible: return "compatible";
    case MessageMode::safe: return "safe";
  }
  return "safe";
}

Environment process_environment() {
  Environment env;
  for (char** e = environ; e && *e; ++e) {
    std::string kv(*e);
    auto eq = kv.find('=');
    if (eq != std::string::npos) env.emplace(kv.substr(0, eq), kv.substr(eq + 1));
  }
  return env;
}

Config load_from_text(const std::string& text, const Environment& env, const std::vector<std::string>& overrides) {
  json root;
  try {
    root = json::parse(text);
  } catch (const json::parse_error& e) {
    throw ConfigError("(file)", std::string("not valid JSON: ") + e.what());
  }
  if (!root.is_object()) throw ConfigError("(root)", "must be a JSON object");
  refuse_file_secrets(root, "");
  Origins origins;
  apply_environment(root, env, origins);
  apply_overrides(root, overrides);
  try {
    return build(root);
  } catch (const ConfigError& e) {
    auto it = origins.find(e.key());
    if (it == origins.end()) throw;
    throw ConfigError(e.key(), e.problem() + " (set by " + it->second + ")");
  }
}

Config load(const std::string& file, const Environment& env, const std::vector<std::string>& overrides) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw ConfigError("--config", "cannot read " + file);
  std::stringstream ss;
  ss << in.rdbuf();
  return load_from_text(ss.str(), env, overrides);
}

}  // namespace xiaoqu::config
