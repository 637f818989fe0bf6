#pragma once
// 员工信息 ↔ 企业微信: links a property company account to its WeCom corp (third-party suite
// install, or a self-built app from the configuration), syncs the corp's departments and
// members into the staff tables, and applies change_contact events as they arrive. The
// rules live in community/wecom_link*; this is where they meet the WeCom API.
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "community/staff/wecom_link.hpp"
#include "community/staff/wecom_link_sync.hpp"
#include "config/config.hpp"
#include "gateway/http_types.hpp"
#include "store/database.hpp"
#include "store/secret_box.hpp"
#include "wechat/api_client.hpp"

namespace xiaoqu::gateway {

class Platform;

class WecomLinking {
 public:
  /// Registers its hooks on the platform (suite installs, cancel_auth, change_auth).
  WecomLinking(const config::Config& cfg, store::Database& db, const store::SecretBox& box, Platform& platform);
  ~WecomLinking();
  WecomLinking(const WecomLinking&) = delete;
  WecomLinking& operator=(const WecomLinking&) = delete;

  struct InstallLink {
    std::string url;      ///< the install page (3rdapp/install) with pre_auth_code, redirect and state
    std::string qr_text;  ///< the same URL, the text a QR code encodes for scanning on a phone
    std::string state;
    std::int64_t expires_at = 0;
  };
  /// Suite mode: a fresh pre_auth_code (marked as a test install when configured) and a
  /// state bound to the admin. Blocking (WeCom calls). Throws community::WecomLinkError.
  InstallLink install_link(std::int64_t admin_id);

  struct InstallResult {
    bool linked = false;
    std::string corp_id, corp_name;
    std::string message;  ///< for the admin's browser (Simplified Chinese)
  };
  /// The install page's redirect (?auth_code&state): exchanges the code and links the corp to
  /// the state's admin, or says why not. Blocking. Never throws for a refusal.
  InstallResult complete_install(const std::string& auth_code, const std::string& state);

  /// Self-built mode: the configured corp (contacts secret) linked to the admin, then synced
  /// in the background. Throws community::WecomLinkError.
  community::WecomCorpLink link_self_built(std::int64_t admin_id);

  /// 我要更换关联企业. Throws community::WecomLinkError(not_found) when nothing is linked.
  community::WecomCorpLink unlink(std::int64_t admin_id);

  struct SyncReport {
    std::string corp_id;
    community::SyncCounts counts;
    std::int64_t finished_at = 0;
  };
  /// The 同步 button: a full sync of the admin's linked corp. Blocking. Throws
  /// community::WecomLinkError (not linked; WeCom failed — nothing changed then).
  SyncReport sync_admin(std::int64_t admin_id);
  /// A full sync of a linked corp: fetch everything, then apply it in one transaction.
  SyncReport sync_corp(const std::string& corp_id);
  /// sync_corp on a worker; failures are recorded on the link and logged.
  void schedule_sync(const std::string& corp_id);
  /// A sync of every linked corp whose last one is older than the configured interval.
  void schedule_due_syncs(std::int64_t now);

  /// GET /api/v1/wecom/status: link state, corp, counts, last sync and errors.
  nlohmann::json status(std::int64_t admin_id);

  /// change_contact events recorded by the callback pipeline, applied on a worker (at most
  /// one run queued).
  void schedule_contact_changes();
  /// Applies every unprocessed change_contact in arrival order. Blocking: workers only.
  /// Defined in wecom_contact_apply.cpp.
  void apply_contact_changes();

  /// Runs `job` on the platform's worker pool.
  void post(std::function<void()> job);

 private:
  const config::WecomEndpoint* suite_endpoint() const;
  const config::WecomEndpoint* self_built_endpoint() const;
  wechat::CredentialKey corp_credential(const community::WecomCorpLink& link) const;
  /// Everything the app may see: the visible departments, the tags' departments and members,
  /// the members granted one by one. Throws wechat::PlatformError.
  community::ContactSnapshot fetch_snapshot(const community::WecomCorpLink& link);
  /// Written in the transaction that applies a snapshot (a change's processed mark).
  using AlsoInSync = std::function<void(store::Connection&, std::int64_t at)>;
  /// A full sync of `link`: reads WeCom, then applies the snapshot in one transaction together
  /// with `also`. The caller holds sync_mu_. Throws wechat::PlatformError: nothing written then.
  SyncReport read_and_apply(community::WecomCorpLink link, const AlsoInSync& also);
  void refresh_auth_info(community::WecomCorpLink& link);
  void record_failure(const std::string& corp_id, const std::string& message);

  const config::Config& cfg_;
  store::Database& db_;
  const store::SecretBox& box_;
  Platform& platform_;
  std::mutex sync_mu_;  ///< one sync or change application at a time: no stale snapshot overwrites a newer change
  std::mutex apply_mu_;
  std::atomic<bool> changes_queued_{false};
  std::mutex due_mu_;
  std::map<std::string, std::int64_t> due_attempts_;  ///< corp → when a periodic re-sync was last started
};

/// The tags (标签) in the link's visible range, as last read from the authorization.
std::vector<std::int64_t> visible_tags(const community::WecomCorpLink& link);

/// The admin-facing text of a failed WeCom call (errcode kept for support, no secrets).
std::string wecom_failure_message(const std::exception& e);

/// GET /wecom/install/callback?auth_code&state (public): finishes the install on a worker
/// and answers the admin's browser with a small page saying what happened.
void answer_install_redirect(WecomLinking& linking, Request&& req, Respond respond);

/// The staff-linking service of the App that owns `platform` (for the admin API routes,
/// which are given the platform); nullptr when none was created.
WecomLinking* wecom_linking_of(const Platform& platform);

}  // namespace xiaoqu::gateway
