#include "community/structure/communities.hpp"

#include "community/shared/audit.hpp"

namespace xiaoqu::community {
namespace {

using Kind = RecordError::Kind;

// Office numbers come in many shapes (0755-8888 8888, +86 755 ..., 400-...): digits with
// dashes, spaces and a leading +, 3 to 20 digits.
std::string checked_office_phone(std::string_view raw) {
  auto phone = trimmed(raw);
  int digits = 0;
  for (std::size_t i = 0; i < phone.size(); ++i) {
    char ch = phone[i];
    if (ch >= '0' && ch <= '9')
      ++digits;
    else if (!(ch == '-' || ch == ' ' || (ch == '+' && i == 0)))
      throw RecordError(Kind::invalid, "物业电话只能包含数字、空格、“-”和开头的“+”", "office_phone");
  }
  if (!phone.empty() && (digits < 3 || digits > 20))
    throw RecordError(Kind::invalid, "物业电话应有 3 到 20 位数字", "office_phone");
  return phone;
}

std::string checked_community_name(std::string_view raw) {
  auto name = trimmed(raw);
  if (name.empty()) throw RecordError(Kind::invalid, "小区名称不能为空", "name");
  if (char_count(name) > 60) throw RecordError(Kind::invalid, "小区名称不能超过 60 个字", "name");
  return name;
}

std::string checked_address(std::string_view raw) {
  auto a = trimmed(raw);
  if (char_count(a) > 200) throw RecordError(Kind::invalid, "地址不能超过 200 个字", "address");
  return a;
}

void require_unique_name(store::Connection& c, const std::string& name, std::int64_t except_id) {
  store::Statement s(c, "SELECT id FROM communities WHERE name = ?1 AND id <> ?2");
  s.bind(1, name).bind(2, except_id);
  if (s.step()) throw RecordError(Kind::conflict, "已有名为“" + name + "”的小区", "name");
}

std::optional<std::string> string_member(const nlohmann::json& body, const char* key, const char* label) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) throw RecordError(Kind::invalid, std::string(label) + "应为文本", key);
  return it->get<std::string>();
}

std::optional<bool> bool_member(const nlohmann::json& body, const char* key, const char* label) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return std::nullopt;
  if (!it->is_boolean()) throw RecordError(Kind::invalid, std::string(label) + "应为 true 或 false", key);
  return it->get<bool>();
}

Community read(store::Statement& s) {
  Community c;
  c.id = s.integer(0);
  c.name = s.text(1);
  c.address = s.text(2);
  c.office_phone = s.text(3);
  c.allow_structure_import = s.integer(4) != 0;
  c.owner_review = s.integer(5) != 0;
  c.sms_otp = s.integer(6) != 0;
  c.official_account_appid = s.text(7);
  c.created_at = s.integer(8);
  c.updated_at = s.integer(9);
  return c;
}

constexpr const char* kColumns =
    "id, name, address, office_phone, allow_structure_import, owner_review, sms_otp, official_account_appid, "
    "created_at, updated_at";

}  // namespace

std::size_t char_count(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char ch : s)
    if ((ch & 0xC0) != 0x80) ++n;
  return n;
}

std::string trimmed(std::string_view s) {
  auto space_at_front = [&](std::string_view v) -> std::size_t {
    if (!v.empty() && (v.front() == ' ' || v.front() == '\t' || v.front() == '\r' || v.front() == '\n')) return 1;
    if (v.size() >= 3 && v.substr(0, 3) == "\xE3\x80\x80") return 3;  // U+3000 ideographic space
    return 0;
  };
  auto space_at_back = [&](std::string_view v) -> std::size_t {
    if (!v.empty() && (v.back() == ' ' || v.back() == '\t' || v.back() == '\r' || v.back() == '\n')) return 1;
    if (v.size() >= 3 && v.substr(v.size() - 3) == "\xE3\x80\x80") return 3;
    return 0;
  };
  while (auto n = space_at_front(s)) s.remove_prefix(n);
  while (auto n = space_at_back(s)) s.remove_suffix(n);
  return std::string(s);
}

CommunityFields CommunityFields::from_json(const nlohmann::json& body) {
  if (!body.is_object()) throw RecordError(Kind::invalid, "请求体应为 JSON 对象");
  CommunityFields f;
  f.name = string_member(body, "name", "小区名称");
  f.address = string_member(body, "address", "地址");
  f.office_phone = string_member(body, "office_phone", "物业电话");
  f.official_account_appid = string_member(body, "official_account_appid", "公众号 AppID");
  f.allow_structure_import = bool_member(body, "allow_structure_import", "允许导入住户时创建楼栋");
  f.owner_review = bool_member(body, "owner_review", "业主审核");
  f.sms_otp = bool_member(body, "sms_otp", "短信验证码");
  return f;
}

nlohmann::json to_json(const Community& c) {
  return {{"id", c.id},
          {"name", c.name},
          {"address", c.address},
          {"office_phone", c.office_phone},
          {"allow_structure_import", c.allow_structure_import},
          {"owner_review", c.owner_review},
          {"sms_otp", c.sms_otp},
          {"official_account_appid", c.official_account_appid},
          {"created_at", c.created_at},
          {"updated_at", c.updated_at}};
}

Community get_community(store::Connection& c, std::int64_t id) {
  store::Statement s(c, std::string("SELECT ") + kColumns + " FROM communities WHERE id = ?1");
  s.bind(1, id);
  if (!s.step()) throw RecordError(Kind::not_found, "小区不存在", "community");
  return read(s);
}

std::int64_t create_community(store::Connection& c, const CommunityFields& f, const std::string& actor,
                              std::int64_t now) {
  Community n;
  n.name = checked_community_name(f.name.value_or(""));
  require_unique_name(c, n.name, 0);
  n.address = checked_address(f.address.value_or(""));
  n.office_phone = checked_office_phone(f.office_phone.value_or(""));
  n.official_account_appid = trimmed(f.official_account_appid.value_or(""));
  n.allow_structure_import = f.allow_structure_import.value_or(false);
  n.owner_review = f.owner_review.value_or(false);
  n.sms_otp = f.sms_otp.value_or(false);
  store::Statement ins(c,
                       "INSERT INTO communities (name, address, office_phone, allow_structure_import, owner_review, "
                       "sms_otp, official_account_appid, created_at, updated_at) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?8)");
  ins.bind(1, n.name).bind(2, n.address).bind(3, n.office_phone);
  ins.bind(4, n.allow_structure_import ? 1 : 0).bind(5, n.owner_review ? 1 : 0).bind(6, n.sms_otp ? 1 : 0);
  ins.bind(7, n.official_account_appid).bind(8, now);
  ins.run();
  n.id = c.last_insert_id();
  n.created_at = n.updated_at = now;
  audit(c, {actor, "community.create", "community", n.id, n.id, nullptr, to_json(n)}, now);
  return n.id;
}

void update_community(store::Connection& c, std::int64_t id, const CommunityFields& f, const std::string& actor,
                      std::int64_t now) {
  auto before = get_community(c, id);
  auto after = before;
  if (f.name) {
    after.name = checked_community_name(*f.name);
    require_unique_name(c, after.name, id);
  }
  if (f.address) after.address = checked_address(*f.address);
  if (f.office_phone) after.office_phone = checked_office_phone(*f.office_phone);
  if (f.official_account_appid) after.official_account_appid = trimmed(*f.official_account_appid);
  if (f.allow_structure_import) after.allow_structure_import = *f.allow_structure_import;
  if (f.owner_review) after.owner_review = *f.owner_review;
  if (f.sms_otp) after.sms_otp = *f.sms_otp;
  after.updated_at = now;
  store::Statement up(c,
                      "UPDATE communities SET name=?1, address=?2, office_phone=?3, allow_structure_import=?4, "
                      "owner_review=?5, sms_otp=?6, official_account_appid=?7, updated_at=?8 WHERE id=?9");
  up.bind(1, after.name).bind(2, after.address).bind(3, after.office_phone);
  up.bind(4, after.allow_structure_import ? 1 : 0).bind(5, after.owner_review ? 1 : 0).bind(6, after.sms_otp ? 1 : 0);
  up.bind(7, after.official_account_appid).bind(8, now).bind(9, id);
  up.run();
  audit(c, {actor, "community.update", "community", id, id, to_json(before), to_json(after)}, now);
}

void delete_community(store::Connection& c, std::int64_t id, const std::string& actor, std::int64_t now) {
  auto before = get_community(c, id);
  store::Statement r(c, "SELECT COUNT(*) FROM residents WHERE community_id = ?1");
  r.bind(1, id);
  r.step();
  store::Statement s(c, "SELECT COUNT(*) FROM staff_communities WHERE community_id = ?1");
  s.bind(1, id);
  s.step();
  auto residents = r.integer(0), staff = s.integer(0);
  if (residents > 0 || staff > 0)
    throw RecordError(Kind::conflict, "仍有 " + std::to_string(residents) + " 位住户/" + std::to_string(staff) +
                                          " 位员工关联此小区");
  store::Statement del(c, "DELETE FROM communities WHERE id = ?1");
  del.bind(1, id);
  del.run();
  audit(c, {actor, "community.delete", "community", id, id, to_json(before), nullptr}, now);
}

CommunityPage list_communities(store::Connection& c, std::string_view q, const std::vector<std::int64_t>* visible,
                               std::int64_t page, std::int64_t page_size) {
  std::string where = " WHERE instr(name, ?1) > 0";
  if (visible) {
    // Ids are integers, so they are written into the statement rather than bound one by one.
    where += " AND id IN (0";
    for (auto id : *visible) {
      where += ',';
      where += std::to_string(id);
    }
    where += ')';
  }
  auto needle = trimmed(q);
  CommunityPage out;
  store::Statement n(c, "SELECT COUNT(*) FROM communities" + where);
  n.bind(1, needle);
  n.step();
  out.total = n.integer(0);
  store::Statement s(c, std::string("SELECT ") + kColumns + " FROM communities" + where +
                            " ORDER BY id LIMIT ?2 OFFSET ?3");
  s.bind(1, needle).bind(2, page_size).bind(3, (page - 1) * page_size);
  while (s.step()) out.items.push_back(read(s));
  return out;
}

}  // namespace xiaoqu::community
