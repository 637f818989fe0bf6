#pragma once
// The callback endpoints of the three platform families:
//   /wechat/callback/{appid}                           Official Account (plaintext, compatible, safe)
//   /wechat/component/{component_appid}[/{authorizer}]  Open Platform notices / authorized accounts
//   /wecom/callback/{id}                               WeCom self-built apps and third-party suites
// Each request is authenticated before its body is parsed, then decrypted, parsed into a
// typed message, de-duplicated, handled, committed, and answered.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "gateway/dedup_cache.hpp"
#include "gateway/http_types.hpp"
#include "gateway/message_handlers.hpp"
#include "gateway/metrics.hpp"
#include "gateway/rejection.hpp"
#include "store/accounts.hpp"
#include "store/database.hpp"
#include "store/secret_box.hpp"
#include "wechat/msg_crypt.hpp"

namespace xiaoqu::gateway {

class Callbacks {
 public:
  Callbacks(const config::CallbackConfig& cfg, const store::Accounts& accounts, store::Database& db,
            const store::SecretBox& box, Metrics& metrics);

  /// Handlers for Official Account messages (direct and through a component).
  MessageHandlers& official_account_handlers() noexcept { return mp_handlers_; }
  /// Handlers for messages to WeCom apps.
  MessageHandlers& wecom_handlers() noexcept { return wecom_handlers_; }

  void wechat(Request&& req, std::string_view appid, const Respond& respond);
  void component(Request&& req, std::string_view component_appid, std::string_view authorizer_appid,
                 const Respond& respond);
  void wecom(Request&& req, std::string_view endpoint_id, const Respond& respond);

  /// Called (on the store's writer thread) after a callback of `kind` was committed, so work
  /// that needs a platform call can start without delaying the answer.
  void on_commit(std::function<void(std::string_view kind)> hook) { on_commit_ = std::move(hook); }

  /// Loads the de-duplication records still inside the TTL (call once at start).
  void warm(std::int64_t now);
  /// Forgets expired records in memory and in the store.
  void sweep(std::int64_t now);

 private:
  struct MpAccount {
    config::OfficialAccount cfg;
    std::optional<wechat::MsgCrypt> crypt;  ///< absent for a plaintext-only account without a key
  };
  struct ComponentAccount {
    config::Component cfg;
    wechat::MsgCrypt crypt;
  };
  struct WecomAccount {
    config::WecomEndpoint cfg;
    wechat::MsgCrypt crypt;
  };

  /// How the plaintext answer becomes the HTTP body.
  struct ReplyEncoding {
    const wechat::MsgCrypt* crypt = nullptr;  ///< null → sent as is
    std::string receive_id;
    std::string_view nothing = "success";     ///< the body that means "no reply"
  };

  /// What a handled message does: its answer and its effects.
  struct Handled {
    std::string dedup_key;  ///< already prefixed with the endpoint
    std::string kind;
    std::string reply;      ///< plaintext answer ("success", "" or reply XML)
    std::string request_id;
    store::Database::Job effects;
    /// Set when the reply is decided in the transaction: returns the plaintext answer.
    std::function<std::string(store::Connection&)> reply_in_transaction;
  };

  bool timestamp_fresh(std::string_view timestamp, std::int64_t now) const;
  /// Shared tail: de-duplicate, check freshness, commit, answer.
  void finish(Route route, std::string_view timestamp, std::int64_t now, Handled handled,
              const ReplyEncoding& enc, const Respond& respond);
  Response render(Route route, std::string_view plain, const ReplyEncoding& enc) const;
  void commit_failed(std::exception_ptr e, Route route, const std::string& key, bool dedup, const Respond& respond);
  void finish_decided_in_transaction(Route route, std::int64_t now, Handled h, const ReplyEncoding& enc, const Respond& respond);
  /// Verifies msg_signature and decrypts; on failure returns the rejection.
  std::optional<Rejection> open_encrypted(const wechat::MsgCrypt& crypt, const QueryParams& q,
                                          std::string_view encrypt, const std::vector<std::string>& receive_ids,
                                          std::string& message) const;
  void reject(Rejection r, Route route, std::string_view request_id, std::string_view account,
              const Respond& respond, std::string_view detail = {});

  config::CallbackConfig cfg_;
  store::Database& db_;
  const store::SecretBox& box_;
  Metrics& metrics_;
  DedupCache dedup_;
  std::map<std::string, MpAccount, std::less<>> mp_;
  std::map<std::string, std::unique_ptr<ComponentAccount>, std::less<>> components_;
  std::map<std::string, std::unique_ptr<WecomAccount>, std::less<>> wecom_;
  MessageHandlers mp_handlers_;
  MessageHandlers wecom_handlers_;
  std::function<void(std::string_view)> on_commit_;
};

}  // namespace xiaoqu::gateway
