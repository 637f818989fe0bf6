// change_contact events, applied live: the callback pipeline recorded the ids
// (wecom_contact_changes); here each is re-read from the API, as the platform advises, and
// applied to the staff tables together with its processed mark.
//
// update_tag re-reads the whole corp instead (the full sync, all or nothing): whether a
// member who left the tag is still in range through a department, another tag or a grant
// of their own is exactly what the full sync works out, and the platform advises re-reading
// the tag rather than trusting the event's Add/Del items.
#include <algorithm>
#include <ctime>

#include "config/log.hpp"
#include "gateway/platform.hpp"
#include "gateway/wecom_sync.hpp"
#include "wechat/platform_error.hpp"
#include "wecom/api/department.hpp"
#include "wecom/api/user.hpp"

namespace xiaoqu::gateway {
namespace {
std::int64_t now() { return static_cast<std::int64_t>(std::time(nullptr)); }

struct ContactChangeRow {
  std::int64_t id = 0;
  std::string corp_id, change_type, user_id, new_user_id;
  std::int64_t party_id = 0, tag_id = 0;
};

std::vector<ContactChangeRow> pending_changes(store::Connection& c, std::size_t limit) {
  std::vector<ContactChangeRow> rows;
  store::Statement s(c,
                     "SELECT id, corp_id, change_type, user_id, new_user_id, party_id, tag_id FROM wecom_contact_changes "
                     "WHERE processed_at IS NULL ORDER BY id LIMIT ?1");
  s.bind(1, static_cast<std::int64_t>(limit));
  while (s.step()) rows.push_back({s.integer(0), s.text(1), s.text(2), s.text(3), s.text(4), s.integer(5), s.integer(6)});
  return rows;
}

void mark_processed(store::Connection& c, std::int64_t id, std::int64_t at) {
  c.cached("UPDATE wecom_contact_changes SET processed_at = ?2 WHERE id = ?1").bind(1, id).bind(2, at).run();
}

// The member or department is gone for this app: deleted, or moved out of the visible range.
bool gone(const wechat::PlatformError& e) {
  return e.kind() == wechat::PlatformError::Kind::platform &&
         (e.errcode() == 60111 || e.errcode() == 60003 || e.errcode() == 60011 || e.errcode() == 60123);
}

// A tag outside the range changes nobody the app may see. A self-built app sees the whole corp
// (its range is the root department), so its tags never widen it.
bool tag_in_range(const community::WecomCorpLink& link, std::int64_t tag_id) {
  auto tags = visible_tags(link);
  return std::find(tags.begin(), tags.end(), tag_id) != tags.end();
}

// What applying one change writes, decided after the API was read.
using Apply = std::function<void(store::Connection&, std::int64_t at)>;

Apply member_change(wechat::ApiClient& api, const wechat::CredentialKey& key, const community::WecomCorpLink& link,
                    const ContactChangeRow& row) {
  const std::string& corp = link.corp_id;
  std::string userid = row.new_user_id.empty() ? row.user_id : row.new_user_id;
  std::string old_userid = row.user_id;
  bool renamed = !row.new_user_id.empty() && row.new_user_id != row.user_id;
  try {
    auto m = wecom::api::get_user(api, key, userid);
    community::WecomMemberRecord r;
    r.userid = m.userid;
    // A suite's "name" is the userid: keep what the admin entered.
    if (link.mode == community::WecomLinkMode::self_built && !m.name.empty()) r.name = m.name;
    r.position = m.position;
    r.mobile = m.mobile;
    r.gender = m.gender;
    r.departments = m.departments;
    return [corp, r, renamed, old_userid](store::Connection& c, std::int64_t at) {
      if (renamed) community::rename_wecom_member(c, corp, old_userid, r.userid, at);
      community::upsert_wecom_member(c, corp, r, at);
    };
  } catch (const wechat::PlatformError& e) {
    if (!gone(e)) throw;
    return [corp, userid, old_userid](store::Connection& c, std::int64_t at) {
      community::mark_member_unsynced(c, corp, old_userid, at);
      community::mark_member_unsynced(c, corp, userid, at);
    };
  }
}

Apply party_change(wechat::ApiClient& api, const wechat::CredentialKey& key, const community::WecomCorpLink& link,
                   const ContactChangeRow& row) {
  const std::string& corp = link.corp_id;
  std::int64_t party = row.party_id;
  try {
    for (const auto& d : wecom::api::list_departments(api, key, party)) {
      if (d.id != party) continue;
      community::WecomDepartmentRecord r{d.id, d.parent_id, d.order, d.name};
      if ((!r.name || r.name->empty()) && d.parent_id == 0 && !link.corp_name.empty()) r.name = link.corp_name;
      return [corp, r](store::Connection& c, std::int64_t) { community::upsert_wecom_department(c, corp, r); };
    }
  } catch (const wechat::PlatformError& e) {
    if (!gone(e)) throw;
  }
  return [corp, party](store::Connection& c, std::int64_t) { community::remove_wecom_department(c, corp, party); };
}
}  // namespace

void WecomLinking::apply_contact_changes() {
  std::lock_guard run(apply_mu_);
  for (;;) {
    auto rows = pending_changes(db_.reader(), 200);
    if (rows.empty()) return;
    for (const auto& row : rows) {
      std::lock_guard one(sync_mu_);
      auto link = community::link_of_corp(db_.reader(), row.corp_id);
      Apply apply;
      if (link && link->state == community::WecomLinkState::linked) {
        try {
          auto key = corp_credential(*link);
          auto& api = platform_.wecom_api();
          const std::string& t = row.change_type;
          if (t == "create_user" || t == "update_user") {
            apply = member_change(api, key, *link, row);
          } else if (t == "delete_user") {
            std::string corp = link->corp_id, userid = row.user_id;
            apply = [corp, userid](store::Connection& c, std::int64_t at) { community::mark_member_unsynced(c, corp, userid, at); };
          } else if (t == "create_party" || t == "update_party") {
            apply = party_change(api, key, *link, row);
          } else if (t == "delete_party") {
            std::string corp = link->corp_id;
            std::int64_t party = row.party_id;
            apply = [corp, party](store::Connection& c, std::int64_t) { community::remove_wecom_department(c, corp, party); };
          } else if (t == "update_tag" && tag_in_range(*link, row.tag_id)) {
            // Marked processed in the sync's transaction.
            std::int64_t id = row.id;
            read_and_apply(*link, [id](store::Connection& c, std::int64_t at) { mark_processed(c, id, at); });
            continue;
          }
        } catch (const wechat::PlatformError& e) {
          log::error("wecom_link.change_failed", {{"corp", row.corp_id}, {"change", row.change_type}, {"error", e.what()}});
          // Left pending: the next run (event or timer) tries again once WeCom answers.
          if (e.transient() || e.kind() == wechat::PlatformError::Kind::credential) return;
          record_failure(row.corp_id, wecom_failure_message(e));
        }
      }
      // Changes of corps nobody links (or kinds that do not touch staff, tags outside the range) are done as well.
      std::int64_t at = now();
      db_.write([&](store::Connection& c) {
        if (apply) apply(c, at);
        mark_processed(c, row.id, at);
      });
    }
  }
}

}  // namespace xiaoqu::gateway
