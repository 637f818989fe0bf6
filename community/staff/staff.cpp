#include "community/staff/staff.hpp"

#include <algorithm>
#include <set>

#include "community/shared/audit.hpp"
#include "community/staff/departments.hpp"
#include "community/shared/masking.hpp"
#include "community/structure/structure.hpp"
#include "notify/phone_number.hpp"

namespace xiaoqu::community {
namespace {

using Kind = RecordError::Kind;

// Read from "staff s" so the same list serves joins.
constexpr const char* kColumns =
    "s.id, s.name, s.gender, s.position, s.rank, s.phone, s.wechat_id, s.address, s.wecom_corp_id, "
    "s.wecom_userid, s.wecom_state, s.created_at, s.updated_at";

std::string limited(const std::string& raw, std::size_t max_chars, const std::string& label, const char* field) {
  auto v = trimmed(raw);
  if (char_count(v) > max_chars)
    throw RecordError(Kind::invalid, label + "不能超过 " + std::to_string(max_chars) + " 个字", field);
  for (unsigned char ch : v)
    if (ch < 0x20 || ch == 0x7f) throw RecordError(Kind::invalid, label + "含有控制字符", field);
  return v;
}

// Full-width digits, plus and hyphen (typed on Chinese keyboards) become ASCII before the
// phone is parsed.
std::string half_width_phone(std::string_view raw) {
  std::string out;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    auto b = static_cast<unsigned char>(raw[i]);
    if (b == 0xEF && i + 2 < raw.size() && static_cast<unsigned char>(raw[i + 1]) == 0xBC) {
      auto t = static_cast<unsigned char>(raw[i + 2]);
      if (t >= 0x90 && t <= 0x99) {
        out += static_cast<char>('0' + (t - 0x90));
        i += 2;
        continue;
      }
      if (t == 0x8B || t == 0x8D) {
        out += t == 0x8B ? '+' : '-';
        i += 2;
        continue;
      }
    }
    out += raw[i];
  }
  return out;
}

std::string national_phone(const std::string& raw) {
  auto text = trimmed(half_width_phone(raw));
  if (text.empty()) return {};
  auto e164 = notify::normalize_phone(text);
  if (!e164) throw RecordError(Kind::invalid, "手机号码“" + text + "”不是有效的 11 位大陆手机号", "phone");
  return e164->substr(e164->size() - 11);
}

Staff read_row(store::Statement& s) {
  Staff st;
  st.id = s.integer(0);
  st.name = s.text(1);
  st.gender = s.text(2);
  st.position = s.text(3);
  st.rank = s.text(4);
  st.phone = s.text(5);
  st.wechat_id = s.text(6);
  st.address = s.text(7);
  st.wecom_corp_id = s.text(8);
  st.wecom_userid = s.text(9);
  st.wecom_state = s.text(10);
  st.created_at = s.integer(11);
  st.updated_at = s.integer(12);
  return st;
}

void load_links(store::Connection& c, Staff& st) {
  auto& cs = c.cached("SELECT community_id FROM staff_communities WHERE staff_id = ?1 ORDER BY community_id");
  cs.bind(1, st.id);
  while (cs.step()) st.communities.push_back(cs.integer(0));
  cs.reset();
  auto& ds = c.cached("SELECT department_id FROM staff_departments WHERE staff_id = ?1 ORDER BY department_id");
  ds.bind(1, st.id);
  std::vector<std::int64_t> ids;
  while (ds.step()) ids.push_back(ds.integer(0));
  ds.reset();
  for (auto id : ids) st.departments.push_back(department_path(c, id));
  std::sort(st.departments.begin(), st.departments.end());
}

std::optional<Staff> load(store::Connection& c, std::int64_t id) {
  auto& s = c.cached(std::string("SELECT ") + kColumns + " FROM staff s WHERE s.id = ?1");
  s.bind(1, id);
  if (!s.step()) {
    s.reset();
    return std::nullopt;
  }
  auto st = read_row(s);
  s.reset();
  load_links(c, st);
  return st;
}

std::optional<std::int64_t> id_by_phone(store::Connection& c, const std::string& phone) {
  if (phone.empty()) return std::nullopt;
  auto& s = c.cached("SELECT id FROM staff WHERE phone = ?1 ORDER BY id LIMIT 1");
  s.bind(1, phone);
  std::optional<std::int64_t> id;
  if (s.step()) id = s.integer(0);
  s.reset();
  return id;
}

std::optional<std::int64_t> id_by_wecom(store::Connection& c, const std::string& corp, const std::string& userid) {
  if (userid.empty()) return std::nullopt;
  auto& s = c.cached("SELECT id FROM staff WHERE wecom_corp_id = ?1 AND wecom_userid = ?2");
  s.bind(1, corp).bind(2, userid);
  std::optional<std::int64_t> id;
  if (s.step()) id = s.integer(0);
  s.reset();
  return id;
}

void require_communities(store::Connection& c, const std::vector<std::int64_t>& ids) {
  auto& s = c.cached("SELECT 1 FROM communities WHERE id = ?1");
  for (auto id : ids) {
    s.bind(1, id);
    bool ok = s.step();
    s.reset();
    if (!ok) throw RecordError(Kind::not_found, "服务小区不存在（id " + std::to_string(id) + "）", "communities");
  }
}

// Writes every column and both link sets of `st` (id 0: a new row).
std::int64_t write_staff(store::Connection& c, const Staff& st, std::int64_t now) {
  std::int64_t id = st.id;
  std::string last4 = st.phone.size() >= 4 ? st.phone.substr(st.phone.size() - 4) : "";
  if (id == 0) {
    auto& ins = c.cached(
        "INSERT INTO staff (name, gender, position, rank, phone, phone_last4, wechat_id, address, wecom_corp_id, "
        "wecom_userid, created_at, updated_at) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?11)");
    ins.bind(1, st.name).bind(2, st.gender).bind(3, st.position).bind(4, st.rank).bind(5, st.phone).bind(6, last4);
    ins.bind(7, st.wechat_id).bind(8, st.address).bind(9, st.wecom_corp_id).bind(10, st.wecom_userid).bind(11, now);
    ins.run();
    id = c.last_insert_id();
  } else {
    auto& up = c.cached(
        "UPDATE staff SET name=?1, gender=?2, position=?3, rank=?4, phone=?5, phone_last4=?6, wechat_id=?7, "
        "address=?8, wecom_corp_id=?9, wecom_userid=?10, updated_at=?11 WHERE id=?12");
    up.bind(1, st.name).bind(2, st.gender).bind(3, st.position).bind(4, st.rank).bind(5, st.phone).bind(6, last4);
    up.bind(7, st.wechat_id).bind(8, st.address).bind(9, st.wecom_corp_id).bind(10, st.wecom_userid).bind(11, now);
    up.bind(12, id);
    up.run();
    auto& dc = c.cached("DELETE FROM staff_communities WHERE staff_id = ?1");
    dc.bind(1, id);
    dc.run();
    auto& dd = c.cached("DELETE FROM staff_departments WHERE staff_id = ?1");
    dd.bind(1, id);
    dd.run();
  }
  auto& lc = c.cached("INSERT OR IGNORE INTO staff_communities (staff_id, community_id) VALUES (?1, ?2)");
  for (auto cid : st.communities) {
    lc.bind(1, id).bind(2, cid);
    lc.run();
    lc.reset();
  }
  auto& ld = c.cached("INSERT OR IGNORE INTO staff_departments (staff_id, department_id) VALUES (?1, ?2)");
  for (const auto& path : st.departments) {
    auto department = ensure_department(c, split_department_path(path));
    ld.bind(1, id).bind(2, department);
    ld.run();
    ld.reset();
  }
  return id;
}

// The fields an update compares: timestamps and sync state aside.
nlohmann::json comparable(const Staff& s) {
  auto j = to_json(s, false);
  j.erase("created_at");
  j.erase("updated_at");
  j.erase("id");
  return j;
}

nlohmann::json audited(const Staff& s) {
  auto j = to_json(s, true);
  j.erase("created_at");
  j.erase("updated_at");
  return j;
}

Staff from_input(const StaffInput& in) {
  Staff st;
  st.name = in.name;
  st.gender = in.gender;
  st.position = in.position;
  st.rank = in.rank;
  st.phone = in.phone;
  st.wechat_id = in.wechat_id;
  st.address = in.address;
  st.wecom_corp_id = in.wecom_corp_id;
  st.wecom_userid = in.wecom_userid;
  st.communities = in.communities;
  st.departments = in.departments;
  std::sort(st.departments.begin(), st.departments.end());
  return st;
}

std::int64_t first_community(const Staff& s) { return s.communities.empty() ? 0 : s.communities.front(); }

}  // namespace

std::string gender_label(const std::string& gender) {
  if (gender == "male") return "男";
  if (gender == "female") return "女";
  return {};
}

std::optional<std::string> gender_from(const std::string& text) {
  auto t = trimmed(text);
  if (t.empty()) return std::string();
  if (t == "male" || t == "男") return std::string("male");
  if (t == "female" || t == "女") return std::string("female");
  return std::nullopt;
}

StaffInput checked_staff(const StaffInput& in) {
  StaffInput out;
  out.name = checked_name(in.name, "姓名", "name");
  auto g = gender_from(in.gender);
  if (!g) throw RecordError(Kind::invalid, "性别只能是“男”或“女”", "gender");
  out.gender = *g;
  out.position = limited(in.position, 40, "职位", "position");
  out.rank = limited(in.rank, 40, "职级", "rank");
  out.wechat_id = limited(in.wechat_id, 64, "微信号", "wechat_id");
  out.address = limited(in.address, 200, "地址", "address");
  out.wecom_corp_id = trimmed(in.wecom_corp_id);
  out.wecom_userid = trimmed(in.wecom_userid);
  out.phone = national_phone(in.phone);
  if (out.phone.empty() && out.wecom_userid.empty()) throw RecordError(Kind::invalid, "手机号码不能为空", "phone");
  std::set<std::string> seen;
  for (const auto& d : in.departments) {
    auto names = split_department_path(d);
    std::string path;
    for (const auto& n : names) path += (path.empty() ? "" : "\xE2\x80\x94") + n;
    if (seen.insert(path).second) out.departments.push_back(path);
  }
  std::set<std::int64_t> communities(in.communities.begin(), in.communities.end());
  if (communities.empty()) throw RecordError(Kind::invalid, "至少需要一个服务小区", "communities");
  out.communities.assign(communities.begin(), communities.end());
  return out;
}

UpsertResult upsert_staff(store::Connection& c, const StaffInput& raw, const std::string& actor, std::int64_t now) {
  auto in = checked_staff(raw);
  require_communities(c, in.communities);
  auto existing = id_by_phone(c, in.phone);
  if (!existing) existing = id_by_wecom(c, in.wecom_corp_id, in.wecom_userid);
  if (!existing) {
    auto st = from_input(in);
    st.id = write_staff(c, st, now);
    audit(c, {actor, "staff.create", "staff", st.id, first_community(st), nullptr, audited(st)}, now);
    return {st.id, UpsertOutcome::added};
  }
  auto before = *load(c, *existing);
  auto after = from_input(in);
  after.id = before.id;
  after.created_at = before.created_at;
  after.wecom_state = before.wecom_state;
  // The same person found by WeCom userid keeps the phone on record when the sync has none,
  // and the same person found by phone keeps their WeCom link when the form has none.
  if (after.phone.empty()) after.phone = before.phone;
  if (after.wecom_userid.empty()) {
    after.wecom_corp_id = before.wecom_corp_id;
    after.wecom_userid = before.wecom_userid;
  } else if (auto other = id_by_wecom(c, after.wecom_corp_id, after.wecom_userid); other && *other != before.id) {
    throw RecordError(Kind::conflict, "企业微信账号“" + after.wecom_userid + "”已属于另一位员工", "wecom_userid");
  }
  std::set<std::int64_t> communities(before.communities.begin(), before.communities.end());
  communities.insert(after.communities.begin(), after.communities.end());
  after.communities.assign(communities.begin(), communities.end());
  if (after.departments.empty()) after.departments = before.departments;
  if (comparable(after) == comparable(before)) return {before.id, UpsertOutcome::unchanged};
  write_staff(c, after, now);
  audit(c, {actor, "staff.update", "staff", before.id, first_community(after), audited(before), audited(after)}, now);
  return {before.id, UpsertOutcome::updated};
}

void replace_staff(store::Connection& c, std::int64_t staff_id, const StaffInput& raw, const std::string& actor,
                   std::int64_t now) {
  auto in = checked_staff(raw);
  require_communities(c, in.communities);
  auto current = load(c, staff_id);
  if (!current) throw RecordError(Kind::not_found, "员工不存在", "staff");
  if (auto other = id_by_phone(c, in.phone); other && *other != staff_id)
    throw RecordError(Kind::conflict, "手机号码 " + mask_phone(in.phone) + " 已属于另一位员工", "phone");
  if (auto other = id_by_wecom(c, in.wecom_corp_id, in.wecom_userid); other && *other != staff_id)
    throw RecordError(Kind::conflict, "企业微信账号“" + in.wecom_userid + "”已属于另一位员工", "wecom_userid");
  auto after = from_input(in);
  after.id = staff_id;
  after.created_at = current->created_at;
  after.wecom_state = current->wecom_state;
  if (comparable(after) == comparable(*current)) return;
  write_staff(c, after, now);
  audit(c, {actor, "staff.update", "staff", staff_id, first_community(after), audited(*current), audited(after)}, now);
}

Staff get_staff(store::Connection& c, std::int64_t community_id, std::int64_t staff_id) {
  auto st = load(c, staff_id);
  if (!st || std::find(st->communities.begin(), st->communities.end(), community_id) == st->communities.end())
    throw RecordError(Kind::not_found, "员工不存在", "staff");
  return *st;
}

void remove_staff(store::Connection& c, std::int64_t community_id, std::int64_t staff_id, const std::string& actor,
                  std::int64_t now) {
  auto before = get_staff(c, community_id, staff_id);
  if (before.communities.size() > 1) {
    store::Statement del(c, "DELETE FROM staff_communities WHERE staff_id = ?1 AND community_id = ?2");
    del.bind(1, staff_id).bind(2, community_id);
    del.run();
    auto after = *load(c, staff_id);
    audit(c, {actor, "staff.leave_community", "staff", staff_id, community_id, audited(before), audited(after)}, now);
    return;
  }
  store::Statement del(c, "DELETE FROM staff WHERE id = ?1");
  del.bind(1, staff_id);
  del.run();
  audit(c, {actor, "staff.delete", "staff", staff_id, community_id, audited(before), nullptr}, now);
}

StaffPage list_staff(store::Connection& c, std::int64_t community_id, const StaffQuery& q) {
  auto needle = trimmed(q.q);
  bool last4 = needle.size() == 4 && std::all_of(needle.begin(), needle.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
  // Every parameter appears in the statement whether or not it filters, so binding is uniform.
  std::string where =
      " WHERE s.id IN (SELECT staff_id FROM staff_communities WHERE community_id = ?1)"
      " AND (?2 = '' OR instr(s.name, ?2) > 0" + std::string(last4 ? " OR s.phone_last4 = ?2)" : ")") +
      " AND (?3 = 0 OR s.id IN (SELECT staff_id FROM staff_departments WHERE department_id IN ("
      "WITH RECURSIVE below(id) AS (SELECT ?3 UNION ALL SELECT d.id FROM departments d JOIN below b ON d.parent_id = b.id) "
      "SELECT id FROM below)))";
  auto bind = [&](store::Statement& s) {
    s.bind(1, community_id);
    s.bind(2, needle);
    s.bind(3, q.department_id);
  };
  StaffPage out;
  store::Statement n(c, "SELECT COUNT(*) FROM staff s" + where);
  bind(n);
  n.step();
  out.total = n.integer(0);
  store::Statement s(c, std::string("SELECT ") + kColumns + " FROM staff s" + where + " ORDER BY s.name, s.id LIMIT ?4 OFFSET ?5");
  bind(s);
  s.bind(4, q.page_size).bind(5, (q.page - 1) * q.page_size);
  while (s.step()) out.items.push_back(read_row(s));
  for (auto& st : out.items) load_links(c, st);
  return out;
}

nlohmann::json to_json(const Staff& s, bool masked_phone, const std::vector<std::int64_t>* visible) {
  std::vector<std::int64_t> communities;
  for (auto id : s.communities)
    if (!visible || std::find(visible->begin(), visible->end(), id) != visible->end()) communities.push_back(id);
  return {{"id", s.id},
          {"name", s.name},
          {"gender", s.gender},
          {"position", s.position},
          {"rank", s.rank},
          {"phone", masked_phone ? mask_phone(s.phone) : s.phone},
          {"wechat_id", s.wechat_id},
          {"address", s.address},
          {"departments", s.departments},
          {"communities", communities},
          {"wecom_corp_id", s.wecom_corp_id},
          {"wecom_userid", s.wecom_userid},
          {"wecom_state", s.wecom_state},
          {"created_at", s.created_at},
          {"updated_at", s.updated_at}};
}

}  // namespace xiaoqu::community
