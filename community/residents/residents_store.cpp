#include "community/residents/residents_store.hpp"

#include <map>

#include "community/shared/audit.hpp"
#include "community/structure/communities.hpp"
#include "community/shared/masking.hpp"
#include "community/shared/names.hpp"
#include "community/structure/structure.hpp"

namespace xiaoqu::community {
namespace {

using Kind = RecordError::Kind;
using nlohmann::json;

constexpr std::string_view kColumns =
    "r.id, r.community_id, r.room_id, r.name, r.name_key, r.gender, r.identity, IFNULL(r.lease_end, ''), r.phone, "
    "r.id_type, r.id_number_masked, r.id_number_hash, r.status, r.openid, r.source, r.created_at, r.updated_at";

Resident read_row(store::Statement& s) {
  Resident r;
  r.id = s.integer(0);
  r.community_id = s.integer(1);
  r.room_id = s.integer(2);
  r.name = s.text(3);
  r.name_key = s.text(4);
  r.gender = gender_from_text(s.text(5)).value_or(Gender::unspecified);
  r.identity = identity_from_text(s.text(6)).value_or(Identity::owner);
  r.lease_end = s.text(7);
  r.phone = s.text(8);
  r.id_type = id_type_from_text(s.text(9)).value_or(IdType::none);
  r.id_number_masked = s.text(10);
  r.id_number_hash = s.text(11);
  r.status = status_from_text(s.text(12)).value_or(ResidentStatus::imported);
  r.openid = s.text(13);
  r.source = s.text(14);
  r.created_at = s.integer(15);
  r.updated_at = s.integer(16);
  return r;
}

// All problems in one message, the first field for the form to focus.
[[noreturn]] void throw_invalid(const std::vector<FieldError>& errors) {
  std::string message;
  for (const auto& e : errors) {
    if (!message.empty()) message += "；";
    message += e.message;
  }
  throw RecordError(Kind::invalid, message, errors.front().field);
}

// The leaf node (a room) of the community that `ref` names.
std::int64_t resolve_room(store::Connection& c, std::int64_t community_id, const RoomRef& ref) {
  if (!ref.path.empty()) {
    std::vector<std::string> path;
    for (const auto& p : ref.path) path.push_back(trim_text(p));
    if (auto id = find_room(c, community_id, path)) return *id;
    std::string joined;
    for (const auto& p : path) joined += (joined.empty() ? "" : "/") + p;
    throw RecordError(Kind::invalid, "房间“" + joined + "”不存在", "room");
  }
  auto& s = c.cached(
      "SELECT n.depth, json_array_length(s.levels) FROM structure_nodes n JOIN structures s ON s.id = n.structure_id "
      "WHERE n.id = ?1 AND n.community_id = ?2");
  s.bind(1, ref.room_id).bind(2, community_id);
  bool found = s.step();
  bool leaf = found && s.integer(0) == s.integer(1);
  s.reset();
  if (!found) throw RecordError(Kind::invalid, "房间不存在", "room");
  if (!leaf) throw RecordError(Kind::invalid, "所选节点不是房间（住户只能登记在最后一级）", "room");
  return ref.room_id;
}

void check_no_duplicate(store::Connection& c, std::int64_t community_id, std::int64_t room_id, const std::string& phone,
                        std::int64_t except_id) {
  auto& s = c.cached("SELECT id FROM residents WHERE community_id = ?1 AND room_id = ?2 AND phone = ?3 AND id <> ?4");
  s.bind(1, community_id).bind(2, room_id).bind(3, phone).bind(4, except_id);
  bool dup = s.step();
  s.reset();
  if (dup) throw RecordError(Kind::conflict, "该房间已登记手机号为 " + mask_phone(phone) + " 的住户", "phone");
}

struct SealedId {
  std::optional<std::string> enc;  // nothing: NULL
  std::string hash, masked;
};

SealedId seal_id(const PersonalData& pd, const CleanResident& r) {
  if (r.id_number.empty()) return {};
  return {pd.seal(r.id_number), pd.lookup_hash(r.id_number), mask_id_number(r.id_number)};
}

std::optional<std::string> optional_string(const json& body, const char* key) {
  if (!body.contains(key) || body[key].is_null()) return std::nullopt;
  if (!body[key].is_string()) throw RecordError(Kind::invalid, std::string(key) + " 必须是字符串", key);
  return body[key].get<std::string>();
}

std::int64_t positive(const std::optional<std::string>& v, std::int64_t fallback, const char* name) {
  if (!v || v->empty()) return fallback;
  std::int64_t n = 0;
  for (char ch : *v) {
    if (ch < '0' || ch > '9' || n > 1'000'000'000) throw RecordError(Kind::invalid, std::string(name) + " 必须是正整数", name);
    n = n * 10 + (ch - '0');
  }
  if (n <= 0) throw RecordError(Kind::invalid, std::string(name) + " 必须是正整数", name);
  return n;
}

// The WHERE clause and its bound texts for the list filters.
struct Filter {
  std::string where;
  std::vector<std::string> texts;  // bound from ?2 on (?1 is the community id)
};

Filter build_filter(store::Connection& c, const ResidentQuery& q) {
  Filter f;
  f.where = " WHERE r.community_id = ?1";
  auto arg = [&](std::string v) {
    f.texts.push_back(std::move(v));
    return "?" + std::to_string(f.texts.size() + 1);
  };
  std::string term = trim_text(q.q);
  bool digits = !term.empty() && term.find_first_not_of("0123456789") == std::string::npos;
  if (digits && term.size() == 4) {
    f.where += " AND r.phone_last4 = " + arg(term);
  } else if (auto phone = term.empty() ? std::nullopt : normalize_mobile(term)) {
    f.where += " AND r.phone = " + arg(*phone);
  } else if (!term.empty()) {
    std::string key = normalize_name(term), pattern = "%";
    for (char ch : key) {
      if (ch == '%' || ch == '_' || ch == '\\') pattern.push_back('\\');
      pattern.push_back(ch);
    }
    pattern += "%";
    f.where += " AND r.name_key LIKE " + arg(pattern) + " ESCAPE '\\'";
  }
  if (q.status) f.where += " AND r.status = " + arg(std::string(to_code(*q.status)));
  if (q.node_id > 0) {
    std::string prefix = node_path_prefix(c, q.community_id, q.node_id);
    // Paths are '/id/id/': every path below the prefix sorts between it and the prefix with its
    // final '/' bumped to '0', so the path index answers a range instead of a LIKE.
    std::string end = prefix;
    end.back() = static_cast<char>('/' + 1);
    std::string lo = arg(prefix);
    f.where += " AND r.room_id IN (SELECT id FROM structure_nodes WHERE path >= " + lo + " AND path < " + arg(end) + ")";
  }
  return f;
}

void bind_filter(store::Statement& s, const ResidentQuery& q, const Filter& f) {
  s.bind(1, q.community_id);
  for (std::size_t i = 0; i < f.texts.size(); ++i) s.bind(static_cast<int>(i + 2), f.texts[i]);
}

class RoomPaths {
 public:
  explicit RoomPaths(store::Connection& c) : c_(c) {}
  const std::vector<std::string>& operator()(std::int64_t room_id) {
    auto it = cache_.find(room_id);
    if (it == cache_.end()) it = cache_.emplace(room_id, room_path(c_, room_id)).first;
    return it->second;
  }

 private:
  store::Connection& c_;
  std::map<std::int64_t, std::vector<std::string>> cache_;
};

}  // namespace

json to_json(const Resident& r) {
  return json{{"id", r.id},
              {"community_id", r.community_id},
              {"room_id", r.room_id},
              {"room_path", r.room_path},
              {"name", r.name},
              {"gender", to_code(r.gender)},
              {"gender_label", to_label(r.gender)},
              {"identity", to_code(r.identity)},
              {"identity_label", to_label(r.identity)},
              {"lease_end", r.lease_end.empty() ? json(nullptr) : json(r.lease_end)},
              {"phone", mask_phone(r.phone)},
              {"id_type", to_code(r.id_type)},
              {"id_number", r.id_number_masked},
              {"status", to_code(r.status)},
              {"status_label", to_label(r.status)},
              {"verified", r.status == ResidentStatus::verified},
              {"source", r.source},
              {"created_at", r.created_at},
              {"updated_at", r.updated_at}};
}

json audit_json(const Resident& r) {
  return json{{"room_id", r.room_id},
              {"name", r.name},
              {"gender", to_code(r.gender)},
              {"identity", to_code(r.identity)},
              {"lease_end", r.lease_end},
              {"phone", mask_phone(r.phone)},
              {"id_type", to_code(r.id_type)},
              {"id_number", r.id_number_masked},
              {"status", to_code(r.status)}};
}

ResidentFields ResidentFields::from_json(const json& body) {
  if (!body.is_object()) throw RecordError(Kind::invalid, "请求体必须是 JSON 对象");
  ResidentFields f;
  f.name = optional_string(body, "name");
  f.gender = optional_string(body, "gender");
  f.identity = optional_string(body, "identity");
  f.lease_end = optional_string(body, "lease_end");
  f.phone = optional_string(body, "phone");
  f.id_type = optional_string(body, "id_type");
  f.id_number = optional_string(body, "id_number");
  if (body.contains("room_id") && !body["room_id"].is_null()) {
    if (!body["room_id"].is_number_integer() || body["room_id"].get<std::int64_t>() <= 0)
      throw RecordError(Kind::invalid, "room_id 必须是房间节点的 id", "room_id");
    f.room = RoomRef{body["room_id"].get<std::int64_t>(), {}};
  } else if (body.contains("room_path") && !body["room_path"].is_null()) {
    const json& p = body["room_path"];
    if (!p.is_array() || p.empty() || p.size() > kMaxLevels)
      throw RecordError(Kind::invalid, "room_path 必须是 1 到 4 个楼栋名称组成的数组", "room_path");
    RoomRef ref;
    for (const auto& v : p) {
      if (!v.is_string()) throw RecordError(Kind::invalid, "room_path 的每一项必须是字符串", "room_path");
      ref.path.push_back(v.get<std::string>());
    }
    f.room = std::move(ref);
  }
  return f;
}

Resident get_resident(store::Connection& c, std::int64_t community_id, std::int64_t resident_id) {
  auto& s = c.cached("SELECT " + std::string(kColumns) + " FROM residents r WHERE r.id = ?1 AND r.community_id = ?2");
  s.bind(1, resident_id).bind(2, community_id);
  if (!s.step()) {
    s.reset();
    throw RecordError(Kind::not_found, "住户不存在", "resident");
  }
  Resident r = read_row(s);
  s.reset();
  r.room_path = room_path(c, r.room_id);
  return r;
}

std::int64_t create_resident(store::Connection& c, const PersonalData& pd, std::int64_t community_id,
                             const ResidentFields& f, const std::string& actor, std::int64_t now) {
  ResidentDraft d{f.name.value_or(""),     f.gender.value_or(""),  f.identity.value_or(""), f.lease_end.value_or(""),
                  f.phone.value_or(""),    f.id_type.value_or(""), f.id_number.value_or("")};
  CleanResident clean;
  auto errors = validate_resident(d, Date::today_in_china(now), clean);
  if (!errors.empty()) throw_invalid(errors);
  if (!f.room) throw RecordError(Kind::invalid, "缺少房间（room_id 或 room_path）", "room");
  std::int64_t room_id = resolve_room(c, community_id, *f.room);
  check_no_duplicate(c, community_id, room_id, clean.phone, 0);
  SealedId id = seal_id(pd, clean);
  auto& s = c.cached(
      "INSERT INTO residents (community_id, room_id, name, name_key, gender, identity, lease_end, phone, phone_last4, "
      "id_type, id_number_enc, id_number_hash, id_number_masked, status, source, created_at, updated_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, 'imported', 'manual', ?14, ?14)");
  s.bind(1, community_id).bind(2, room_id).bind(3, clean.name).bind(4, clean.name_key);
  s.bind(5, to_code(clean.gender)).bind(6, to_code(clean.identity));
  if (clean.lease_end) s.bind(7, clean.lease_end->iso());
  else s.bind_null(7);
  s.bind(8, clean.phone).bind(9, clean.phone.substr(clean.phone.size() - 4)).bind(10, to_code(clean.id_type));
  if (id.enc) s.bind_blob(11, *id.enc);
  else s.bind_null(11);
  s.bind(12, id.hash).bind(13, id.masked).bind(14, now);
  s.run();
  std::int64_t rid = c.last_insert_id();
  Resident stored = get_resident(c, community_id, rid);
  audit(c, {actor, "resident.create", "resident", rid, community_id, nullptr, audit_json(stored)}, now);
  return rid;
}

Resident update_resident(store::Connection& c, const PersonalData& pd, std::int64_t community_id,
                         std::int64_t resident_id, const ResidentFields& f, const std::string& actor,
                         std::int64_t now) {
  Resident before = get_resident(c, community_id, resident_id);
  ResidentDraft d{f.name.value_or(before.name),
                  f.gender.value_or(std::string(to_label(before.gender))),
                  f.identity.value_or(std::string(to_label(before.identity))),
                  f.lease_end.value_or(before.lease_end),
                  f.phone.value_or(before.phone),
                  "",
                  ""};
  // Changing the identity away from 限期租客 drops the lease end unless the body sets one.
  if (f.identity && !f.lease_end && identity_from_text(*f.identity) != Identity::fixed_term_tenant) d.lease_end.clear();
  bool new_id = f.id_number.has_value();
  if (f.id_type && !new_id)
    throw RecordError(Kind::invalid, "修改证件类型时必须同时填写证件号码", "id_number");
  if (new_id) {
    d.id_type = f.id_type.value_or("");
    d.id_number = *f.id_number;
  }
  CleanResident clean;
  auto errors = validate_resident(d, Date::today_in_china(now), clean);
  if (!errors.empty()) throw_invalid(errors);
  std::int64_t room_id = f.room ? resolve_room(c, community_id, *f.room) : before.room_id;
  check_no_duplicate(c, community_id, room_id, clean.phone, resident_id);

  std::string sql =
      "UPDATE residents SET room_id = ?1, name = ?2, name_key = ?3, gender = ?4, identity = ?5, lease_end = ?6, "
      "phone = ?7, phone_last4 = ?8, updated_at = ?9";
  if (new_id) sql += ", id_type = ?12, id_number_enc = ?13, id_number_hash = ?14, id_number_masked = ?15";
  sql += " WHERE id = ?10 AND community_id = ?11";
  auto& s = c.cached(sql);
  s.bind(1, room_id).bind(2, clean.name).bind(3, clean.name_key).bind(4, to_code(clean.gender));
  s.bind(5, to_code(clean.identity));
  if (clean.lease_end) s.bind(6, clean.lease_end->iso());
  else s.bind_null(6);
  s.bind(7, clean.phone).bind(8, clean.phone.substr(clean.phone.size() - 4)).bind(9, now);
  s.bind(10, resident_id).bind(11, community_id);
  if (new_id) {
    SealedId id = seal_id(pd, clean);
    s.bind(12, to_code(clean.id_type));
    if (id.enc) s.bind_blob(13, *id.enc);
    else s.bind_null(13);
    s.bind(14, id.hash).bind(15, id.masked);
  }
  s.run();
  Resident after = get_resident(c, community_id, resident_id);
  audit(c, {actor, "resident.update", "resident", resident_id, community_id, audit_json(before), audit_json(after)}, now);
  return after;
}

void delete_resident(store::Connection& c, std::int64_t community_id, std::int64_t resident_id,
                     const std::string& actor, std::int64_t now) {
  Resident before = get_resident(c, community_id, resident_id);
  auto& s = c.cached("DELETE FROM residents WHERE id = ?1 AND community_id = ?2");
  s.bind(1, resident_id).bind(2, community_id);
  s.run();
  audit(c, {actor, "resident.delete", "resident", resident_id, community_id, audit_json(before), nullptr}, now);
}

ResidentQuery ResidentQuery::from_params(std::int64_t community_id, const std::optional<std::string>& q,
                                         const std::optional<std::string>& status,
                                         const std::optional<std::string>& node_id,
                                         const std::optional<std::string>& page,
                                         const std::optional<std::string>& page_size) {
  ResidentQuery r;
  r.community_id = community_id;
  r.q = q.value_or("");
  if (status && !status->empty()) {
    r.status = status_from_text(*status);
    if (!r.status)
      throw RecordError(Kind::invalid, "status 应为 imported、verified、pending、rejected、lease_ended 之一", "status");
  }
  r.node_id = positive(node_id, 0, "node_id");
  r.page = positive(page, 1, "page");
  r.page_size = positive(page_size, 20, "page_size");
  if (r.page_size > kMaxPageSize)
    throw RecordError(Kind::invalid, "page_size 不能超过 " + std::to_string(kMaxPageSize), "page_size");
  return r;
}

ResidentPage list_residents(store::Connection& c, const ResidentQuery& q) {
  Filter f = build_filter(c, q);
  ResidentPage page;
  {
    auto& s = c.cached("SELECT COUNT(*) FROM residents r" + f.where);
    bind_filter(s, q, f);
    s.step();
    page.total = s.integer(0);
    s.reset();
  }
  int limit = static_cast<int>(f.texts.size()) + 2;
  auto& s = c.cached("SELECT " + std::string(kColumns) + " FROM residents r" + f.where + " ORDER BY r.id LIMIT ?" +
                     std::to_string(limit) + " OFFSET ?" + std::to_string(limit + 1));
  bind_filter(s, q, f);
  s.bind(limit, q.page_size).bind(limit + 1, (q.page - 1) * q.page_size);
  RoomPaths paths(c);
  while (s.step()) {
    page.items.push_back(read_row(s));
  }
  s.reset();
  for (auto& r : page.items) r.room_path = paths(r.room_id);
  return page;
}

void for_each_resident(store::Connection& c, const ResidentQuery& q, const std::function<void(const Resident&)>& each) {
  Filter f = build_filter(c, q);
  store::Statement s(c, "SELECT " + std::string(kColumns) + " FROM residents r" + f.where + " ORDER BY r.room_id, r.id");
  bind_filter(s, q, f);
  RoomPaths paths(c);
  while (s.step()) {
    Resident r = read_row(s);
    r.room_path = paths(r.room_id);
    each(r);
  }
}

}  // namespace xiaoqu::community
