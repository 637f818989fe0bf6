#pragma once
// A local stand-in for the WeChat, WeCom and Tencent Cloud SMS APIs, with their real
// request and response shapes and error codes, holding state in memory. Modules (one file
// per API group) register their endpoints and keep their own state through state<T>().
// It also plays the platform's push side: encrypted callbacks to the gateway.
#include <cstdint>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <typeindex>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/config.hpp"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace xiaoqu::sandbox {

/// A fault injected on one endpoint path: an errcode at a rate, added latency, or a stall
/// longer than any client timeout (a dropped connection as the caller sees it).
struct Fault {
  long long errcode = 0;
  std::string errmsg = "injected fault";
  double rate = 1.0;
  unsigned latency_ms = 0;
  bool stall = false;
  int http_status = 0;  ///< answer with this HTTP status instead of an errcode
  long long remaining = -1;  ///< how many more calls it hits; -1 = until cleared
  long long after = 0;       ///< calls that pass untouched before it starts hitting
};

class Sandbox {
 public:
  using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;

  explicit Sandbox(config::Config cfg);
  ~Sandbox();

  /// Binds (sandbox.listen / sandbox.port; 0 = any free port) and serves on its own threads.
  unsigned short start();
  void stop();
  std::string base_url() const;
  const config::Config& config() const noexcept { return cfg_; }
  /// Where pushes go (tests start the gateway after the sandbox). Call before pushes start.
  void set_gateway_url(std::string url) { cfg_.sandbox.gateway_url = std::move(url); }

  // ---- for modules ----
  void get(const std::string& path, Handler h);
  void post(const std::string& path, Handler h);

  /// Whether a handler takes a request, for paths two platforms share on this one host
  /// (the Official Account's and WeCom's /cgi-bin/user/get).
  using Claim = std::function<bool(const httplib::Request&)>;
  /// Serves the requests `claims` accepts ahead of the path's plain handler. Registering a
  /// path twice without a claim throws std::logic_error.
  void get(const std::string& path, Claim claims, Handler h);
  void post(const std::string& path, Claim claims, Handler h);

  /// Module state, created on first use and kept for the sandbox's life. Guard it with mutex().
  template <class T>
  T& state() {
    std::lock_guard lk(states_mu_);
    auto& p = states_[std::type_index(typeid(T))];
    if (!p) p = std::make_shared<T>();
    return *static_cast<T*>(p.get());
  }
  std::recursive_mutex& mutex() noexcept { return mu_; }

  /// Issues a token of `kind` ("mp", "component", "authorizer", "wecom_corp", "suite", ...)
  /// for `owner` (appid, corp/agent, ...). Stable-token semantics: the same live token is
  /// returned unless `force` or it expired.
  std::string issue_token(const std::string& kind, const std::string& owner, bool force = false, std::int64_t expires_in = 7200);
  /// The owner of a live token of `kind`, if any.
  std::optional<std::string> token_owner(const std::string& kind, const std::string& token);
  /// Invalidates the live tokens of `kind` for `owner`, as another instance refreshing would.
  void invalidate_tokens(const std::string& kind, const std::string& owner);
  /// Validates the token query parameter; on failure answers 41001 / 40014 / 42001 and returns nothing.
  std::optional<std::string> require_token(const httplib::Request& req, httplib::Response& res, const std::string& kind,
                                           const char* param = "access_token");

  static void reply(httplib::Response& res, const nlohmann::json& body);
  static void error(httplib::Response& res, long long errcode, const std::string& errmsg);
  /// Parses a JSON request body; on failure answers 47001 (data format error).
  static std::optional<nlohmann::json> body_json(const httplib::Request& req, httplib::Response& res);

  void set_fault(const std::string& path, Fault f);
  void clear_faults();
  void count(const std::string& name, std::uint64_t n = 1);
  std::uint64_t counter(const std::string& name);
  nlohmann::json counters();

  /// POSTs (or GETs) an encrypted callback to the gateway as the platform does and returns
  /// {status, body}. `receive_id` goes inside the ciphertext.
  std::pair<int, std::string> push(const std::string& path, const std::string& token, const std::string& aes_key,
                                   const std::string& receive_id, const std::string& inner_xml,
                                   const std::string& to_user = {});

 private:
  void route(const std::string& method, const std::string& path, Claim claims, Handler h);
  bool apply_fault(const std::string& path, httplib::Response& res);
  void register_core();
  void ticket_loop();

  config::Config cfg_;
  std::unique_ptr<httplib::Server> server_;
  struct Route {
    Handler plain;
    std::vector<std::pair<Claim, Handler>> claimed;
  };
  std::map<std::string, Route> routes_;  ///< by "METHOD path"; filled before start()
  std::thread thread_;
  unsigned short port_ = 0;
  std::recursive_mutex mu_;
  std::mutex states_mu_;
  std::unordered_map<std::type_index, std::shared_ptr<void>> states_;
  std::mutex faults_mu_;
  std::map<std::string, Fault> faults_;
  std::mutex counters_mu_;
  std::map<std::string, std::uint64_t> counters_;
  struct IssuedToken {
    std::string kind, owner;
    std::int64_t expires_at;
  };
  std::mutex tokens_mu_;
  std::unordered_map<std::string, IssuedToken> tokens_;      ///< token value → who and until when
  std::map<std::string, std::string> live_token_;             ///< kind/owner → current token
  std::thread ticket_thread_;
  std::mutex ticket_mu_;
  std::condition_variable ticket_cv_;
  bool stopping_ = false;
};

/// Registers every API module (followers, tags, QR codes, templates, OAuth, component,
/// WeCom contacts and suites, SMS) on the sandbox.
void register_modules(Sandbox& sb);

}  // namespace xiaoqu::sandbox
