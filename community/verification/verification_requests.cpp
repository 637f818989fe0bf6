#include "community/verification/verification_requests.hpp"

#include "community/shared/audit.hpp"
#include "community/structure/communities.hpp"
#include "community/shared/masking.hpp"
#include "community/shared/names.hpp"
#include "community/reminders/reminders.hpp"
#include "community/structure/structure.hpp"
#include "config/log.hpp"
#include "notify/outbox.hpp"

namespace xiaoqu::community {
namespace {

using Kind = RecordError::Kind;

std::string joined(const std::vector<std::string>& path) {
  std::string out;
  for (const auto& p : path) {
    if (!out.empty()) out += "/";
    out += p;
  }
  return out;
}

// The room must be a leaf at the last level of one of the community's structures.
void check_room(store::Connection& c, std::int64_t community_id, std::int64_t room_id) {
  store::Statement s(c,
                     "SELECT n.depth, json_array_length(s.levels) FROM structure_nodes n JOIN structures s ON s.id = n.structure_id "
                     "WHERE n.id = ?1 AND n.community_id = ?2");
  s.bind(1, room_id).bind(2, community_id);
  if (!s.step()) throw RecordError(Kind::invalid, "请选择您所在的房间", "room_id");
  if (s.integer(0) != s.integer(1)) throw RecordError(Kind::invalid, "请选择到最后一级（房间）", "room_id");
}

std::vector<RoomResident> room_residents(store::Connection& c, std::int64_t room_id, const std::string& appid) {
  std::vector<RoomResident> out;
  // Only records the property keeps: pending and rejected rows are earlier submissions.
  auto& s = c.cached(
      "SELECT id, name_key, phone, identity, IFNULL(lease_end, ''), status, openid, appid FROM residents "
      "WHERE room_id = ?1 AND status IN ('imported', 'verified', 'lease_ended')");
  s.bind(1, room_id);
  while (s.step()) {
    RoomResident r;
    r.id = s.integer(0);
    r.name_key = s.text(1);
    r.phone = s.text(2);
    r.identity = identity_from_text(s.text(3)).value_or(Identity::owner);
    r.lease_end = s.text(4);
    r.status = s.text(5);
    std::string openid = s.text(6);
    // A binding made through another Official Account is somebody else's as far as we can tell.
    if (!openid.empty()) r.openid = s.text(7) == appid ? openid : "other-account:" + openid;
    out.push_back(std::move(r));
  }
  s.reset();
  return out;
}

// The pending (or rejected) resident row an earlier submission of this user for this room made.
std::int64_t own_submission_row(store::Connection& c, std::int64_t room_id, const std::string& appid, const std::string& openid) {
  store::Statement s(c,
                     "SELECT id FROM residents WHERE room_id = ?1 AND appid = ?2 AND openid = ?3 AND source = 'verification' "
                     "AND status IN ('pending', 'rejected') ORDER BY id DESC LIMIT 1");
  s.bind(1, room_id).bind(2, appid).bind(3, openid);
  return s.step() ? s.integer(0) : 0;
}

void enqueue_result(store::Connection& c, const config::VerificationConfig& cfg, const Community& com, std::int64_t request_id,
                    const std::string& openid, const std::vector<std::string>& room, bool approved, const std::string& note,
                    std::int64_t now) {
  if (com.official_account_appid.empty() || openid.empty()) return;
  notify::OutboxItem item;
  item.idempotency_key = "verification_result:" + std::to_string(request_id);
  item.purpose = "verification_result";
  item.community_id = com.id;
  notify::TemplateMessage m;
  m.appid = com.official_account_appid;
  m.openid = openid;
  m.template_id = cfg.result_template_id;
  m.url = cfg.public_url + "/r/" + std::to_string(com.id) + "/form";
  m.data = {{"first", {{"value", approved ? "您的住户认证已通过" : "您的住户认证未通过"}}},
            {"keyword1", {{"value", com.name}}},
            {"keyword2", {{"value", joined(room)}}},
            {"keyword3", {{"value", approved ? "已通过" : "未通过"}}},
            {"remark", {{"value", note.empty() ? (approved ? "欢迎回家！" : "") : note}}}};
  item.template_message = std::move(m);
  notify::enqueue(c, item, now);
}

int enqueue_reminders(store::Connection& c, const config::VerificationConfig& cfg, const Community& com, std::int64_t request_id,
                      std::int64_t room_id, Identity identity, const std::string& name, const std::vector<std::string>& room,
                      PendingReason reason, std::int64_t now) {
  auto reviewers = admin_reviewers(c, com.id, com.official_account_appid);
  if (owner_may_review(identity, com.owner_review))
    for (auto& o : owner_reviewers(c, room_id, com.official_account_appid)) reviewers.push_back(std::move(o));
  int written = 0;
  for (const auto& r : reviewers) {
    bool owner = r.key.rfind("owner:", 0) == 0;
    notify::OutboxItem item;
    item.idempotency_key = "review_reminder:" + std::to_string(request_id) + ":" + r.key;
    item.purpose = "review_reminder";
    item.community_id = com.id;
    switch (route_reminder(r, com.official_account_appid)) {
      case ReminderChannel::template_message: {
        notify::TemplateMessage m;
        m.appid = com.official_account_appid;
        m.openid = r.openid;
        m.template_id = cfg.review_template_id;
        if (owner) m.url = cfg.public_url + "/r/" + std::to_string(com.id) + "/review";
        m.data = {{"first", {{"value", "有新的住户认证申请待审核"}}},
                  {"keyword1", {{"value", name}}},
                  {"keyword2", {{"value", com.name + " " + joined(room)}}},
                  {"keyword3", {{"value", std::string(describe(reason))}}},
                  {"remark", {{"value", owner ? "点击进入审核" : "请登录物业管理后台审核"}}}};
        item.template_message = std::move(m);
        break;
      }
      case ReminderChannel::sms: {
        notify::SmsMessage m;
        m.phone = r.phone;
        m.template_id = cfg.sms_review_template_id;
        m.params = {com.name, joined(room)};
        item.sms = std::move(m);
        break;
      }
      case ReminderChannel::none:
        log::warn("verification.reviewer_unreachable",
                  {{"community", std::to_string(com.id)}, {"request", std::to_string(request_id)}, {"reviewer", r.key}});
        continue;
    }
    if (notify::enqueue(c, item, now)) ++written;
  }
  if (reviewers.empty())
    log::warn("verification.no_reviewer", {{"community", std::to_string(com.id)}, {"request", std::to_string(request_id)}});
  return written;
}

VerificationRequest read_request(store::Statement& s) {
  VerificationRequest r;
  r.id = s.integer(0);
  r.community_id = s.integer(1);
  r.room_id = s.integer(2);
  r.resident_id = s.is_null(3) ? 0 : s.integer(3);
  r.appid = s.text(4);
  r.openid = s.text(5);
  r.name = s.text(6);
  r.phone = s.text(7);
  r.identity = s.text(8);
  r.lease_end = s.text(9);
  r.id_number_masked = s.text(10);
  r.status = s.text(11);
  r.rule = s.text(12);
  r.reason = s.text(13);
  r.decided_by = s.text(14);
  r.decision_note = s.text(15);
  r.created_at = s.integer(16);
  r.decided_at = s.is_null(17) ? 0 : s.integer(17);
  return r;
}

constexpr const char* kRequestColumns =
    "SELECT id, community_id, room_id, resident_id, appid, openid, name, phone, identity, IFNULL(lease_end, ''), id_number_masked, "
    "status, rule, reason, decided_by, decision_note, created_at, decided_at FROM verification_requests ";

std::vector<VerificationRequest> collect(store::Connection& c, store::Statement& s) {
  std::vector<VerificationRequest> out;
  while (s.step()) out.push_back(read_request(s));
  for (auto& r : out) r.room_path = room_path(c, r.room_id);
  return out;
}

nlohmann::json request_audit(const VerificationRequest& r) {
  return {{"request", r.id},       {"room_id", r.room_id},   {"name", r.name}, {"phone", mask_phone(r.phone)},
          {"identity", r.identity}, {"status", r.status},     {"reason", r.reason}};
}

}  // namespace

nlohmann::json to_json(const VerificationRequest& r) {
  nlohmann::json j = {{"id", r.id},
                      {"community_id", r.community_id},
                      {"room_id", r.room_id},
                      {"room", joined(r.room_path)},
                      {"name", r.name},
                      {"phone", mask_phone(r.phone)},
                      {"identity", r.identity},
                      {"identity_label", identity_from_text(r.identity) ? std::string(to_label(*identity_from_text(r.identity))) : r.identity},
                      {"lease_end", r.lease_end},
                      {"id_number", r.id_number_masked},
                      {"status", r.status},
                      {"rule", r.rule},
                      {"reason", r.reason},
                      {"decided_by", r.decided_by},
                      {"decision_note", r.decision_note},
                      {"created_at", r.created_at},
                      {"decided_at", r.decided_at}};
  j["reason_text"] = "";
  for (auto reason : {PendingReason::no_record, PendingReason::phone_differs, PendingReason::name_differs,
                      PendingReason::identity_differs, PendingReason::bound_elsewhere, PendingReason::lease_ended,
                      PendingReason::phone_not_proven})
    if (to_string(reason) == r.reason) j["reason_text"] = std::string(describe(reason));
  return j;
}

VerificationOutcome submit_verification(store::Connection& c, const PersonalData& pd, const config::VerificationConfig& cfg,
                                        const VerificationInput& in, std::int64_t now) {
  Community com = get_community(c, in.community_id);
  if (in.appid.empty() || in.openid.empty()) throw RecordError(Kind::invalid, "请在微信中打开认证页面", "openid");
  check_room(c, in.community_id, in.room_id);
  Date today = Date::today_in_china(now);
  ResidentDraft draft{in.name, "", in.identity, in.lease_end, in.phone, in.id_type, in.id_number};
  CleanResident clean;
  auto problems = validate_resident(draft, today, clean);
  if (!problems.empty()) {
    std::string message;
    for (const auto& p : problems) message += (message.empty() ? "" : "；") + p.message;
    throw RecordError(Kind::invalid, message, problems.front().field);
  }

  Submission sub;
  sub.name_key = clean.name_key;
  sub.phone = clean.phone;
  sub.identity = clean.identity;
  sub.lease_end = clean.lease_end ? clean.lease_end->iso() : "";
  sub.openid = in.openid;
  sub.phone_proven = in.phone_proven;
  Decision d = decide(sub, room_residents(c, in.room_id, in.appid), today.iso(), com.sms_otp);
  auto room = room_path(c, in.room_id);

  // A new submission replaces this user's earlier pending one for the same room.
  {
    auto& s = c.cached(
        "UPDATE verification_requests SET status = 'superseded', decided_by = 'system', decided_at = ?4 "
        "WHERE room_id = ?1 AND appid = ?2 AND openid = ?3 AND status = 'pending'");
    s.bind(1, in.room_id).bind(2, in.appid).bind(3, in.openid).bind(4, now);
    s.run();
  }
  std::string sealed_id = clean.id_number.empty() ? std::string() : pd.seal(clean.id_number);
  std::string masked_id = mask_id_number(clean.id_number);
  std::int64_t own_row = own_submission_row(c, in.room_id, in.appid, in.openid);

  VerificationOutcome out;
  out.approved = d.approved;
  out.rule = d.rule;
  out.reason = d.reason ? std::string(to_string(*d.reason)) : std::string();
  if (d.approved) {
    out.resident_id = *d.resident_id;
    auto& s = c.cached(
        "UPDATE residents SET status = 'verified', openid = ?2, appid = ?3, verified_at = ?4, updated_at = ?4 WHERE id = ?1");
    s.bind(1, out.resident_id).bind(2, in.openid).bind(3, in.appid).bind(4, now);
    s.run();
    if (own_row) {
      store::Statement del(c, "DELETE FROM residents WHERE id = ?1");
      del.bind(1, own_row).run();
    }
  } else {
    // The console lists people waiting for review among the residents, as 待审核.
    std::string last4 = clean.phone.substr(clean.phone.size() - 4);
    if (own_row) {
      store::Statement s(c,
                         "UPDATE residents SET name = ?2, name_key = ?3, identity = ?4, lease_end = ?5, phone = ?6, phone_last4 = ?7, "
                         "status = 'pending', updated_at = ?8 WHERE id = ?1");
      s.bind(1, own_row).bind(2, clean.name).bind(3, clean.name_key).bind(4, std::string(to_code(clean.identity)));
      if (sub.lease_end.empty()) s.bind_null(5);
      else s.bind(5, sub.lease_end);
      s.bind(6, clean.phone).bind(7, last4).bind(8, now);
      s.run();
    } else {
      store::Statement s(c,
                         "INSERT INTO residents (community_id, room_id, name, name_key, identity, lease_end, phone, phone_last4, id_type, "
                         "id_number_enc, id_number_hash, id_number_masked, status, openid, appid, source, created_at, updated_at) "
                         "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 'pending', ?13, ?14, 'verification', ?15, ?15)");
      s.bind(1, in.community_id).bind(2, in.room_id).bind(3, clean.name).bind(4, clean.name_key);
      s.bind(5, std::string(to_code(clean.identity)));
      if (sub.lease_end.empty()) s.bind_null(6);
      else s.bind(6, sub.lease_end);
      s.bind(7, clean.phone).bind(8, last4).bind(9, std::string(to_code(clean.id_type)));
      if (sealed_id.empty()) s.bind_null(10);
      else s.bind_blob(10, sealed_id);
      s.bind(11, clean.id_number.empty() ? std::string() : pd.lookup_hash(clean.id_number)).bind(12, masked_id);
      s.bind(13, in.openid).bind(14, in.appid).bind(15, now);
      s.run();
    }
  }

  {
    store::Statement s(c,
                       "INSERT INTO verification_requests (community_id, room_id, appid, openid, name, name_key, phone, identity, lease_end, "
                       "id_type, id_number_enc, id_number_masked, phone_proven, status, rule, reason, resident_id, decided_by, created_at, "
                       "decided_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)");
    s.bind(1, in.community_id).bind(2, in.room_id).bind(3, in.appid).bind(4, in.openid).bind(5, clean.name).bind(6, clean.name_key);
    s.bind(7, clean.phone).bind(8, std::string(to_code(clean.identity)));
    if (sub.lease_end.empty()) s.bind_null(9);
    else s.bind(9, sub.lease_end);
    s.bind(10, std::string(to_code(clean.id_type)));
    if (sealed_id.empty()) s.bind_null(11);
    else s.bind_blob(11, sealed_id);
    s.bind(12, masked_id).bind(13, in.phone_proven ? 1 : 0).bind(14, d.approved ? "approved" : "pending");
    s.bind(15, d.rule).bind(16, out.reason);
    if (d.resident_id) s.bind(17, *d.resident_id);
    else s.bind_null(17);
    s.bind(18, d.approved ? "system" : "");
    s.bind(19, now);
    if (d.approved) s.bind(20, now);
    else s.bind_null(20);
    s.run();
    out.request_id = c.last_insert_id();
  }

  VerificationRequest logged;
  logged.id = out.request_id;
  logged.room_id = in.room_id;
  logged.name = clean.name;
  logged.phone = clean.phone;
  logged.identity = std::string(to_code(clean.identity));
  logged.status = d.approved ? "approved" : "pending";
  logged.reason = out.reason;
  audit(c, {"resident:" + in.openid, d.approved ? "verification.approve" : "verification.submit", "verification_request",
            out.request_id, in.community_id, nullptr, request_audit(logged)},
        now);
  if (d.approved) {
    enqueue_result(c, cfg, com, out.request_id, in.openid, room, true, "", now);
  } else {
    out.reminders = enqueue_reminders(c, cfg, com, out.request_id, in.room_id, clean.identity, clean.name, room, *d.reason, now);
  }
  return out;
}

VerificationRequest get_request(store::Connection& c, std::int64_t community_id, std::int64_t request_id) {
  store::Statement s(c, std::string(kRequestColumns) + "WHERE id = ?1 AND community_id = ?2");
  s.bind(1, request_id).bind(2, community_id);
  auto rows = collect(c, s);
  if (rows.empty()) throw RecordError(Kind::not_found, "认证申请不存在", "request");
  return rows.front();
}

std::vector<VerificationRequest> list_requests(store::Connection& c, std::int64_t community_id, const std::string& status,
                                               std::int64_t page, std::int64_t page_size, std::int64_t& total) {
  if (!status.empty() && status != "pending" && status != "approved" && status != "rejected" && status != "superseded")
    throw RecordError(Kind::invalid, "status 只能是 pending、approved、rejected 或 superseded", "status");
  std::string where = status.empty() ? "WHERE community_id = ?1 AND status <> 'superseded' " : "WHERE community_id = ?1 AND status = ?2 ";
  {
    store::Statement n(c, "SELECT COUNT(*) FROM verification_requests " + where);
    n.bind(1, community_id);
    if (!status.empty()) n.bind(2, status);
    n.step();
    total = n.integer(0);
  }
  store::Statement s(c, std::string(kRequestColumns) + where + "ORDER BY created_at DESC, id DESC LIMIT ?3 OFFSET ?4");
  s.bind(1, community_id);
  if (!status.empty()) s.bind(2, status);
  s.bind(3, page_size).bind(4, (page - 1) * page_size);
  return collect(c, s);
}

std::vector<VerificationRequest> requests_of(store::Connection& c, std::int64_t community_id, const std::string& appid,
                                             const std::string& openid) {
  store::Statement s(c, std::string(kRequestColumns) +
                            "WHERE community_id = ?1 AND appid = ?2 AND openid = ?3 AND status <> 'superseded' "
                            "ORDER BY created_at DESC, id DESC LIMIT 20");
  s.bind(1, community_id).bind(2, appid).bind(3, openid);
  return collect(c, s);
}

VerificationRequest review_request(store::Connection& c, const config::VerificationConfig& cfg, std::int64_t community_id,
                                   std::int64_t request_id, bool approve, const std::string& note, const std::string& actor,
                                   std::int64_t now) {
  VerificationRequest r = get_request(c, community_id, request_id);
  if (r.status != "pending") throw RecordError(Kind::conflict, "该申请已处理（" + r.status + "），不能再次审核", "request");
  if (!approve && trimmed(note).empty()) throw RecordError(Kind::invalid, "请填写拒绝原因", "reason");
  Community com = get_community(c, community_id);
  VerificationRequest before = r;
  std::int64_t own_row = own_submission_row(c, r.room_id, r.appid, r.openid);

  if (approve) {
    // The imported record of that room and phone, when nobody holds it yet, becomes this
    // person's; otherwise the row made from the submission is the resident.
    std::int64_t target = 0;
    if (r.resident_id) {
      store::Statement s(c,
                         "SELECT id FROM residents WHERE id = ?1 AND room_id = ?2 AND phone = ?3 AND openid = '' "
                         "AND status IN ('imported', 'lease_ended')");
      s.bind(1, r.resident_id).bind(2, r.room_id).bind(3, r.phone);
      if (s.step()) target = s.integer(0);
    }
    if (target) {
      store::Statement s(c,
                         "UPDATE residents SET name = ?2, name_key = ?3, identity = ?4, lease_end = ?5, status = 'verified', openid = ?6, "
                         "appid = ?7, verified_at = ?8, updated_at = ?8 WHERE id = ?1");
      s.bind(1, target).bind(2, r.name).bind(3, normalize_name(r.name)).bind(4, r.identity);
      if (r.lease_end.empty()) s.bind_null(5);
      else s.bind(5, r.lease_end);
      s.bind(6, r.openid).bind(7, r.appid).bind(8, now);
      s.run();
      if (own_row) store::Statement(c, "DELETE FROM residents WHERE id = ?1").bind(1, own_row).run();
    } else if (own_row) {
      store::Statement s(c, "UPDATE residents SET status = 'verified', verified_at = ?2, updated_at = ?2 WHERE id = ?1");
      s.bind(1, own_row).bind(2, now).run();
      target = own_row;
    } else {
      throw RecordError(Kind::conflict, "申请对应的住户记录已被删除，请让住户重新提交", "request");
    }
    r.resident_id = target;
  } else if (own_row) {
    store::Statement s(c, "UPDATE residents SET status = 'rejected', updated_at = ?2 WHERE id = ?1");
    s.bind(1, own_row).bind(2, now).run();
  }

  r.status = approve ? "approved" : "rejected";
  r.decided_by = actor;
  r.decision_note = trimmed(note);
  r.decided_at = now;
  {
    store::Statement s(c,
                       "UPDATE verification_requests SET status = ?2, decided_by = ?3, decision_note = ?4, decided_at = ?5, resident_id = ?6 "
                       "WHERE id = ?1 AND status = 'pending'");
    s.bind(1, r.id).bind(2, r.status).bind(3, actor).bind(4, r.decision_note).bind(5, now);
    if (r.resident_id) s.bind(6, r.resident_id);
    else s.bind_null(6);
    s.run();
  }
  auto after = request_audit(r);
  after["decided_by"] = actor;
  after["note"] = r.decision_note;
  audit(c, {actor, approve ? "verification.approve" : "verification.reject", "verification_request", r.id, community_id,
            request_audit(before), after},
        now);
  enqueue_result(c, cfg, com, r.id, r.openid, r.room_path, approve, r.decision_note, now);
  return r;
}

std::vector<VerificationRequest> requests_for_owner(store::Connection& c, std::int64_t community_id, const std::string& appid,
                                                    const std::string& openid) {
  if (!get_community(c, community_id).owner_review) return {};
  store::Statement s(c, std::string(kRequestColumns) +
                            "WHERE community_id = ?1 AND status = 'pending' AND identity <> 'owner' AND room_id IN ("
                            "SELECT room_id FROM residents WHERE community_id = ?1 AND identity = 'owner' AND status = 'verified' "
                            "AND appid = ?2 AND openid = ?3) ORDER BY created_at, id");
  s.bind(1, community_id).bind(2, appid).bind(3, openid);
  return collect(c, s);
}

void check_owner_may_review(store::Connection& c, std::int64_t community_id, std::int64_t request_id, const std::string& appid,
                            const std::string& openid) {
  Community com = get_community(c, community_id);
  VerificationRequest r = get_request(c, community_id, request_id);
  auto identity = identity_from_text(r.identity);
  if (!identity || !owner_may_review(*identity, com.owner_review))
    throw RecordError(Kind::forbidden, "本小区未开启业主审核，或该申请需由物业审核", "request");
  store::Statement s(c,
                     "SELECT 1 FROM residents WHERE room_id = ?1 AND identity = 'owner' AND status = 'verified' AND appid = ?2 "
                     "AND openid = ?3");
  s.bind(1, r.room_id).bind(2, appid).bind(3, openid);
  if (!s.step()) throw RecordError(Kind::forbidden, "只有该房间已认证的业主可以审核", "request");
}

int expire_leases(store::Connection& c, const std::string& today, std::int64_t now) {
  std::vector<std::pair<std::int64_t, std::int64_t>> due;
  {
    store::Statement s(c,
                       "SELECT id, community_id FROM residents WHERE identity = 'fixed_term_tenant' AND lease_end IS NOT NULL "
                       "AND lease_end < ?1 AND status IN ('imported', 'verified')");
    s.bind(1, today);
    while (s.step()) due.emplace_back(s.integer(0), s.integer(1));
  }
  for (auto [id, community] : due) {
    store::Statement s(c, "UPDATE residents SET status = 'lease_ended', updated_at = ?2 WHERE id = ?1");
    s.bind(1, id).bind(2, now).run();
    audit(c, {"system", "resident.lease_ended", "resident", id, community, nullptr, {{"status", "lease_ended"}}}, now);
  }
  return static_cast<int>(due.size());
}

}  // namespace xiaoqu::community
