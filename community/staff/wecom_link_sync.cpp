#include "community/staff/wecom_link_sync.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "notify/phone_number.hpp"

namespace xiaoqu::community {
namespace {
using store::Connection;

std::optional<std::int64_t> local_department(Connection& c, const std::string& corp_id, std::int64_t wecom_id) {
  auto& s = c.cached("SELECT id FROM departments WHERE wecom_corp_id = ?1 AND wecom_department_id = ?2");
  s.bind(1, corp_id).bind(2, wecom_id);
  std::optional<std::int64_t> id;
  if (s.step()) id = s.integer(0);
  s.reset();
  return id;
}

bool sibling_name_taken(Connection& c, std::optional<std::int64_t> parent, const std::string& name, std::int64_t self) {
  auto& s = c.cached("SELECT 1 FROM departments WHERE IFNULL(parent_id, 0) = ?1 AND name = ?2 AND id <> ?3");
  s.bind(1, parent.value_or(0)).bind(2, name).bind(3, self);
  bool taken = s.step();
  s.reset();
  return taken;
}

// Department names are unique among siblings; a manual department (or another corp's root)
// may already hold the WeCom name, so the WeCom one is told apart by its id.
std::string free_name(Connection& c, std::optional<std::int64_t> parent, const std::string& wanted, std::int64_t self,
                      std::int64_t wecom_id) {
  if (!sibling_name_taken(c, parent, wanted, self)) return wanted;
  std::string base = wanted + "（" + std::to_string(wecom_id) + "）";
  std::string name = base;
  for (int n = 2; sibling_name_taken(c, parent, name, self); ++n) name = base + "-" + std::to_string(n);
  return name;
}

std::string fallback_name(std::int64_t wecom_id) { return "部门" + std::to_string(wecom_id); }

// A name no real department has, held while a snapshot rearranges the tree.
std::string placeholder_name(const std::string& corp_id, std::int64_t wecom_id) {
  return "\x1f" + corp_id + ":" + std::to_string(wecom_id);
}

std::string department_name(Connection& c, std::int64_t id) {
  auto& s = c.cached("SELECT name FROM departments WHERE id = ?1");
  s.bind(1, id);
  std::string name = s.step() ? s.text(0) : std::string();
  s.reset();
  return name;
}

void set_department(Connection& c, std::int64_t id, std::optional<std::int64_t> parent, const std::string& name) {
  auto& s = c.cached("UPDATE departments SET parent_id = ?2, name = ?3 WHERE id = ?1");
  s.bind(1, id);
  if (parent) s.bind(2, *parent);
  else s.bind_null(2);
  s.bind(3, name).run();
}

std::int64_t insert_department(Connection& c, const std::string& corp_id, std::int64_t wecom_id,
                               std::optional<std::int64_t> parent, const std::string& name) {
  auto& s = c.cached("INSERT INTO departments (parent_id, name, wecom_corp_id, wecom_department_id) VALUES (?1, ?2, ?3, ?4)");
  if (parent) s.bind(1, *parent);
  else s.bind_null(1);
  s.bind(2, name).bind(3, corp_id).bind(4, wecom_id).run();
  return c.last_insert_id();
}

std::optional<std::int64_t> parent_of(Connection& c, const std::string& corp_id, const WecomDepartmentRecord& d) {
  if (d.parent_id == 0 || d.parent_id == d.id) return std::nullopt;
  return local_department(c, corp_id, d.parent_id);
}

// WeCom's mobile as the staff table keeps phones: 11 digits; nothing when it is not a
// mainland mobile (an overseas number is not matched or stored).
std::optional<std::string> staff_phone(const std::optional<std::string>& mobile) {
  if (!mobile || mobile->empty()) return std::nullopt;
  auto e164 = notify::normalize_phone(*mobile);
  if (!e164 || e164->size() < 11) return std::nullopt;
  return e164->substr(e164->size() - 11);
}

std::optional<std::string> staff_gender(std::optional<int> g) {
  if (g == 1) return std::string("male");
  if (g == 2) return std::string("female");
  return std::nullopt;  // 0 / absent: unknown, keep what the admin entered
}

void bind_opt(store::Statement& s, int i, const std::optional<std::string>& v) {
  if (v) s.bind(i, *v);
  else s.bind_null(i);
}

struct Match {
  std::int64_t id = 0;
  bool same_corp = false;
};

// The staff record of this member: by userid (this corp's, or typed in by hand), then by phone.
// The "<> ''" terms let SQLite use the partial indexes (without them every member scans staff).
std::optional<Match> find_staff(Connection& c, const std::string& corp_id, const std::string& userid,
                                const std::optional<std::string>& phone) {
  {
    auto& s = c.cached(
        "SELECT id, wecom_corp_id = ?2 FROM staff WHERE wecom_corp_id IN (?2, '') AND wecom_userid = ?1 COLLATE NOCASE "
        "AND wecom_userid <> '' ORDER BY wecom_corp_id = ?2 DESC, id LIMIT 1");
    s.bind(1, userid).bind(2, corp_id);
    std::optional<Match> m;
    if (s.step()) m = Match{s.integer(0), s.integer(1) != 0};
    s.reset();
    if (m) return m;
  }
  if (!phone) return std::nullopt;
  // Another member of this corp with the phone is someone else: WeCom mobiles are unique per corp.
  auto& s = c.cached("SELECT id FROM staff WHERE phone = ?1 AND phone <> '' AND (wecom_userid = '' OR wecom_corp_id <> ?2) ORDER BY id LIMIT 1");
  s.bind(1, *phone).bind(2, corp_id);
  std::optional<Match> m;
  if (s.step()) m = Match{s.integer(0), false};
  s.reset();
  return m;
}

void replace_memberships(Connection& c, std::int64_t staff_id, const std::string& corp_id,
                         const std::vector<std::int64_t>& departments) {
  c.cached(
       "DELETE FROM staff_departments WHERE staff_id = ?1 AND EXISTS "
       "(SELECT 1 FROM departments d WHERE d.id = staff_departments.department_id AND d.wecom_corp_id = ?2)")
      .bind(1, staff_id)
      .bind(2, corp_id)
      .run();
  for (auto d : departments)
    c.cached(
         "INSERT OR IGNORE INTO staff_departments (staff_id, department_id) "
         "SELECT ?1, id FROM departments WHERE wecom_corp_id = ?2 AND wecom_department_id = ?3")
        .bind(1, staff_id)
        .bind(2, corp_id)
        .bind(3, d)
        .run();
}
}  // namespace

void upsert_wecom_department(Connection& c, const std::string& corp_id, const WecomDepartmentRecord& d) {
  auto parent = parent_of(c, corp_id, d);
  auto existing = local_department(c, corp_id, d.id);
  std::string wanted = d.name && !d.name->empty() ? *d.name : existing ? department_name(c, *existing) : fallback_name(d.id);
  if (existing) {
    set_department(c, *existing, parent, free_name(c, parent, wanted, *existing, d.id));
  } else {
    insert_department(c, corp_id, d.id, parent, free_name(c, parent, wanted, 0, d.id));
  }
}

bool remove_wecom_department(Connection& c, const std::string& corp_id, std::int64_t wecom_department_id) {
  c.cached("DELETE FROM departments WHERE wecom_corp_id = ?1 AND wecom_department_id = ?2").bind(1, corp_id).bind(2, wecom_department_id).run();
  return c.changes() > 0;
}

MemberUpsert upsert_wecom_member(Connection& c, const std::string& corp_id, const WecomMemberRecord& m, std::int64_t now,
                                 std::int64_t* staff_id) {
  auto phone = staff_phone(m.mobile);
  auto match = find_staff(c, corp_id, m.userid, phone);
  std::optional<std::string> name = m.name && !m.name->empty() ? m.name : std::nullopt;
  std::int64_t id = 0;
  MemberUpsert outcome;
  if (match) {
    id = match->id;
    outcome = match->same_corp ? MemberUpsert::updated : MemberUpsert::merged;
    // Absent fields (suites see no names, positions or phones) keep what the admin entered.
    auto& s = c.cached(
        "UPDATE staff SET name = CASE WHEN ?2 IS NOT NULL THEN ?2 WHEN name = '' THEN ?9 ELSE name END, "
        "position = COALESCE(?3, position), gender = COALESCE(?4, gender), phone = COALESCE(?5, phone), "
        "phone_last4 = CASE WHEN ?5 IS NOT NULL THEN substr(?5, -4) ELSE phone_last4 END, "
        "wecom_corp_id = ?6, wecom_userid = ?7, wecom_state = 'synced', updated_at = ?8 WHERE id = ?1");
    s.bind(1, id);
    bind_opt(s, 2, name);
    bind_opt(s, 3, m.position);
    bind_opt(s, 4, staff_gender(m.gender));
    bind_opt(s, 5, phone);
    s.bind(6, corp_id).bind(7, m.userid).bind(8, now).bind(9, m.userid).run();
  } else {
    outcome = MemberUpsert::added;
    auto& s = c.cached(
        "INSERT INTO staff (name, gender, position, phone, phone_last4, wecom_corp_id, wecom_userid, wecom_state, "
        "created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'synced', ?8, ?8)");
    s.bind(1, name.value_or(m.userid))
        .bind(2, staff_gender(m.gender).value_or(""))
        .bind(3, m.position.value_or(""))
        .bind(4, phone.value_or(""))
        .bind(5, phone ? phone->substr(phone->size() - 4) : std::string())
        .bind(6, corp_id)
        .bind(7, m.userid)
        .bind(8, now)
        .run();
    id = c.last_insert_id();
    // Staff lists are per community: a new member serves the communities of the account that
    // linked the corp, so it shows up there (the admin narrows it down later).
    c.cached(
         "INSERT OR IGNORE INTO staff_communities (staff_id, community_id) SELECT ?1, ac.community_id FROM admin_communities ac "
         "JOIN wecom_corp_links l ON l.admin_id = ac.admin_id WHERE l.corp_id = ?2 AND l.state = 'linked'")
        .bind(1, id)
        .bind(2, corp_id)
        .run();
  }
  replace_memberships(c, id, corp_id, m.departments);
  if (staff_id) *staff_id = id;
  return outcome;
}

void rename_wecom_member(Connection& c, const std::string& corp_id, const std::string& old_userid, const std::string& new_userid,
                         std::int64_t now) {
  if (old_userid == new_userid || new_userid.empty()) return;
  c.cached(
       "UPDATE staff SET wecom_userid = ?3, updated_at = ?4 WHERE wecom_corp_id = ?1 AND wecom_userid = ?2 COLLATE NOCASE AND wecom_userid <> '' "
       "AND NOT EXISTS (SELECT 1 FROM staff WHERE wecom_corp_id = ?1 AND wecom_userid = ?3)")
      .bind(1, corp_id)
      .bind(2, old_userid)
      .bind(3, new_userid)
      .bind(4, now)
      .run();
}

bool mark_member_unsynced(Connection& c, const std::string& corp_id, const std::string& userid, std::int64_t now) {
  c.cached(
       "UPDATE staff SET wecom_state = 'unsynced', updated_at = ?3 "
       "WHERE wecom_corp_id = ?1 AND wecom_userid = ?2 COLLATE NOCASE AND wecom_userid <> '' AND wecom_state = 'synced'")
      .bind(1, corp_id)
      .bind(2, userid)
      .bind(3, now)
      .run();
  return c.changes() > 0;
}

SyncCounts apply_contact_snapshot(Connection& c, const std::string& corp_id, const ContactSnapshot& snapshot, std::int64_t now) {
  SyncCounts counts;
  // 1. Every department of the snapshot exists under a placeholder name at the top, so the
  //    tree can be rearranged in any order without tripping the sibling-name rule.
  std::map<std::int64_t, std::int64_t> local;          // WeCom id -> departments.id
  std::map<std::int64_t, std::string> previous_names;  // kept when WeCom sends no name (suites)
  for (const auto& d : snapshot.departments) {
    if (local.count(d.id)) continue;
    if (auto existing = local_department(c, corp_id, d.id)) {
      previous_names[d.id] = department_name(c, *existing);
      set_department(c, *existing, std::nullopt, placeholder_name(corp_id, d.id));
      local[d.id] = *existing;
    } else {
      local[d.id] = insert_department(c, corp_id, d.id, std::nullopt, placeholder_name(corp_id, d.id));
    }
  }
  // 2. Departments WeCom no longer shows go (their memberships with them).
  {
    std::vector<std::int64_t> gone;
    store::Statement s(c, "SELECT id, wecom_department_id FROM departments WHERE wecom_corp_id = ?1");
    s.bind(1, corp_id);
    while (s.step())
      if (!local.count(s.integer(1))) gone.push_back(s.integer(0));
    for (auto id : gone) {
      c.cached("DELETE FROM departments WHERE id = ?1").bind(1, id).run();
      counts.departments_removed += c.changes() > 0 ? 1 : 0;
    }
  }
  // 3. Parents and real names; a placeholder never collides, so one pass in any order works.
  for (const auto& d : snapshot.departments) {
    auto it = local.find(d.parent_id);
    std::optional<std::int64_t> parent;
    if (d.parent_id != 0 && d.parent_id != d.id && it != local.end()) parent = it->second;
    auto prev = previous_names.find(d.id);
    std::string wanted = d.name && !d.name->empty()                              ? *d.name
                         : prev != previous_names.end() && !prev->second.empty() ? prev->second
                                                                                 : fallback_name(d.id);
    set_department(c, local[d.id], parent, free_name(c, parent, wanted, local[d.id], d.id));
  }
  counts.departments = static_cast<int>(local.size());

  // 4. Members; whoever of the corp was synced and is not in the snapshot left.
  std::set<std::int64_t> present;
  for (const auto& m : snapshot.members) {
    std::int64_t id = 0;
    switch (upsert_wecom_member(c, corp_id, m, now, &id)) {
      case MemberUpsert::added: ++counts.staff_added; break;
      case MemberUpsert::merged: ++counts.staff_merged; break;
      case MemberUpsert::updated: break;
    }
    present.insert(id);
  }
  counts.members = static_cast<int>(snapshot.members.size());
  std::vector<std::int64_t> left;
  {
    store::Statement s(c, "SELECT id FROM staff WHERE wecom_corp_id = ?1 AND wecom_state = 'synced'");
    s.bind(1, corp_id);
    while (s.step())
      if (!present.count(s.integer(0))) left.push_back(s.integer(0));
  }
  for (auto id : left)
    c.cached("UPDATE staff SET wecom_state = 'unsynced', updated_at = ?2 WHERE id = ?1").bind(1, id).bind(2, now).run();
  counts.staff_unsynced = static_cast<int>(left.size());
  return counts;
}

CorpCounts corp_counts(Connection& c, const std::string& corp_id) {
  CorpCounts out;
  store::Statement d(c, "SELECT count(*) FROM departments WHERE wecom_corp_id = ?1");
  d.bind(1, corp_id);
  if (d.step()) out.departments = static_cast<int>(d.integer(0));
  store::Statement s(c,
                     "SELECT count(*) FILTER (WHERE wecom_state = 'synced'), count(*) FILTER (WHERE wecom_state = 'unsynced') "
                     "FROM staff WHERE wecom_corp_id = ?1");
  s.bind(1, corp_id);
  if (s.step()) {
    out.staff_synced = static_cast<int>(s.integer(0));
    out.staff_unsynced = static_cast<int>(s.integer(1));
  }
  return out;
}

}  // namespace xiaoqu::community
