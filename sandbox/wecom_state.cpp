#include "sandbox/wecom_state.hpp"

#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <random>

#include "wechat/msg_crypt.hpp"

namespace xiaoqu::sandbox {
namespace {
struct NamePart {
  const char* hanzi;
  const char* pinyin;
  int gender;
};
constexpr NamePart kSurnames[] = {
    {"张", "Zhang", 0}, {"王", "Wang", 0}, {"李", "Li", 0},   {"赵", "Zhao", 0}, {"刘", "Liu", 0},
    {"陈", "Chen", 0},  {"杨", "Yang", 0}, {"黄", "Huang", 0}, {"周", "Zhou", 0}, {"吴", "Wu", 0},
    {"徐", "Xu", 0},    {"孙", "Sun", 0},  {"马", "Ma", 0},   {"朱", "Zhu", 0},  {"胡", "Hu", 0},
    {"郭", "Guo", 0},   {"何", "He", 0},   {"林", "Lin", 0},  {"罗", "Luo", 0},  {"高", "Gao", 0}};
constexpr NamePart kGivenNames[] = {
    {"伟", "Wei", 1},  {"芳", "Fang", 2}, {"娜", "Na", 2},     {"敏", "Min", 2},   {"静", "Jing", 2}, {"磊", "Lei", 1},
    {"强", "Qiang", 1}, {"军", "Jun", 1},  {"洋", "Yang", 1},   {"勇", "Yong", 1},  {"艳", "Yan", 2},  {"杰", "Jie", 1},
    {"涛", "Tao", 1},  {"明", "Ming", 1}, {"超", "Chao", 1},   {"秀英", "Xiuying", 2}, {"华", "Hua", 1}, {"丽", "Li", 2}};
constexpr const char* kCorpNames[] = {"阳光花园物业", "锦绣家园物业", "翠湖物业", "万和物业"};
constexpr int kSeedMembers = 36;

const char* position_of(std::int64_t department) {
  switch (department) {
    case 1: return "总经理";
    case 2: return "工程师";
    case 3: return "维修工";
    case 4: return "客服专员";
    case 5: return "秩序维护员";
    default: return "保洁员";
  }
}

// A deterministic tree and staff list, the same for every run: 工程部—维修组, 客服部, ...
void seed(WecomCorp& c) {
  unsigned sum = 0;
  for (unsigned char ch : c.corp_id) sum += ch;
  c.name = kCorpNames[sum % std::size(kCorpNames)];
  c.full_name = c.name + "服务有限公司";
  c.departments = {
      {1, {1, 0, 100000000, c.name, "Property Management", {}}},
      {2, {2, 1, 100000, "工程部", "Engineering", {}}},
      {3, {3, 2, 100000, "维修组", "Maintenance", {}}},
      {4, {4, 1, 99000, "客服部", "Customer Service", {}}},
      {5, {5, 1, 98000, "秩序维护部", "Security", {}}},
      {6, {6, 1, 97000, "环境部", "Environment", {}}},
  };
  static constexpr std::int64_t kCycle[] = {2, 3, 3, 4, 4, 5, 5, 6};
  for (int i = 0; i < kSeedMembers; ++i) {
    const auto& s = kSurnames[i % std::size(kSurnames)];
    const auto& g = kGivenNames[(i * 7) % std::size(kGivenNames)];
    WecomMember m;
    m.userid = std::string(s.pinyin) + g.pinyin;
    m.name = std::string(s.hanzi) + g.hanzi;
    m.gender = g.gender;
    char mobile[16];
    std::snprintf(mobile, sizeof mobile, "1380013%04d", i);
    m.mobile = mobile;
    if (i % 2 == 0) m.email = wecom_lower(m.userid) + "@wy.example.com";
    std::int64_t dep = i == 0 ? 1 : kCycle[(i - 1) % std::size(kCycle)];
    m.departments = {dep};
    // Some staff also serve at the front desk: one list_id row per (member, department).
    if (i % 5 == 0 && dep != 4 && i != 0) m.departments.push_back(4);
    m.main_department = dep;
    m.position = position_of(dep);
    for (auto d : m.departments)
      if (c.departments[d].leaders.empty()) c.departments[d].leaders.push_back(m.userid);
    c.members.emplace(wecom_lower(m.userid), std::move(m));
  }
}
}  // namespace

WecomMember* WecomCorp::find(const std::string& userid) {
  auto it = members.find(wecom_lower(userid));
  return it == members.end() ? nullptr : &it->second;
}

std::vector<std::int64_t> WecomCorp::subtree(std::int64_t id) const {
  std::vector<std::int64_t> out;
  if (!departments.count(id)) return out;
  out.push_back(id);
  for (std::size_t i = 0; i < out.size(); ++i)
    for (const auto& [did, d] : departments)
      if (d.parent_id == out[i] && did != out[i]) out.push_back(did);
  return out;
}

bool WecomCorp::mobile_taken(const std::string& mobile, const std::string& except_userid) const {
  if (mobile.empty()) return false;
  std::string except = wecom_lower(except_userid);
  return std::any_of(members.begin(), members.end(),
                     [&](const auto& kv) { return kv.first != except && kv.second.mobile == mobile; });
}

WecomCorp& WecomState::corp(const std::string& corp_id) {
  auto [it, fresh] = corps.try_emplace(corp_id);
  if (fresh) {
    it->second.corp_id = corp_id;
    seed(it->second);
  }
  return it->second;
}

WecomInstall* WecomState::install(const std::string& suite_id, const std::string& corp_id) {
  auto it = installs.find(suite_id + "/" + corp_id);
  return it == installs.end() ? nullptr : &it->second;
}

std::optional<WecomCaller> wecom_caller(Sandbox& sb, const httplib::Request& req, httplib::Response& res) {
  const std::string token = req.get_param_value("access_token");
  if (auto owner = token.empty() ? std::nullopt : sb.token_owner("wecom_authorized_corp", token)) {
    auto slash = owner->find('/');
    WecomCaller c;
    c.suite_id = owner->substr(0, slash);
    c.corp_id = owner->substr(slash + 1);
    std::lock_guard lk(sb.mutex());
    auto* inst = sb.state<WecomState>().install(c.suite_id, c.corp_id);
    if (!inst || !inst->active) {
      Sandbox::error(res, 40014, "invalid access_token: the suite is no longer authorized by this corp");
      return std::nullopt;
    }
    c.agent_id = std::to_string(inst->agent_id);
    c.allow_party = inst->allow_party;
    c.allow_user = inst->allow_user;
    c.allow_tag = inst->allow_tag;
    c.contact_edit = inst->contact_edit;
    return c;
  }
  auto owner = sb.require_token(req, res, "wecom_corp");
  if (!owner) return std::nullopt;
  auto slash = owner->find('/');
  WecomCaller c;
  c.corp_id = owner->substr(0, slash);
  c.agent_id = slash == std::string::npos ? "" : owner->substr(slash + 1);
  return c;
}

bool wecom_token(Sandbox& sb, const httplib::Request& req) {
  const std::string token = req.get_param_value("access_token");
  return !token.empty() && (sb.token_owner("wecom_corp", token) || sb.token_owner("wecom_authorized_corp", token));
}

std::optional<std::string> wecom_suite_caller(Sandbox& sb, const httplib::Request& req, httplib::Response& res) {
  if (!req.has_param("suite_access_token")) {
    Sandbox::error(res, 41001, "suite_access_token missing");
    return std::nullopt;
  }
  const std::string token = req.get_param_value("suite_access_token");
  if (auto owner = sb.token_owner("wecom_suite", token)) return owner;
  std::lock_guard lk(sb.mutex());
  if (sb.state<WecomState>().suite_tokens.count(token)) Sandbox::error(res, 42009, "suite_access_token expired");
  else Sandbox::error(res, 40082, "invalid suite_access_token");
  return std::nullopt;
}

namespace {
bool has(const std::vector<std::int64_t>& ids, std::int64_t id) { return std::find(ids.begin(), ids.end(), id) != ids.end(); }

// The caller's tags that exist in the corp.
std::vector<const WecomTag*> granted_tags(const WecomCorp& corp, const WecomCaller& caller) {
  std::vector<const WecomTag*> out;
  for (auto t : caller.allow_tag)
    if (auto it = corp.tags.find(t); it != corp.tags.end()) out.push_back(&it->second);
  return out;
}
}  // namespace

bool wecom_visible(const WecomCorp& corp, const WecomCaller& caller, std::int64_t id) {
  if (!caller.third_party()) return true;
  std::vector<std::int64_t> granted = caller.allow_party;
  for (const auto* tag : granted_tags(corp, caller)) granted.insert(granted.end(), tag->parties.begin(), tag->parties.end());
  // Walk up to the root: a department is visible when it or an ancestor was granted.
  for (int depth = 0; id != 0 && depth < 32; ++depth) {
    if (has(granted, id)) return true;
    auto it = corp.departments.find(id);
    if (it == corp.departments.end()) return false;
    id = it->second.parent_id;
  }
  return false;
}

bool wecom_visible(const WecomCorp& corp, const WecomCaller& caller, const WecomMember& m) {
  if (std::any_of(m.departments.begin(), m.departments.end(), [&](std::int64_t d) { return wecom_visible(corp, caller, d); }))
    return true;
  auto same = [&](const std::string& u) { return wecom_lower(u) == wecom_lower(m.userid); };
  if (std::any_of(caller.allow_user.begin(), caller.allow_user.end(), same)) return true;
  for (const auto* tag : granted_tags(corp, caller))
    if (std::any_of(tag->users.begin(), tag->users.end(), same)) return true;
  return false;
}

bool wecom_tag_visible(const WecomCaller& caller, std::int64_t tag_id) {
  return !caller.third_party() || has(caller.allow_tag, tag_id);
}

std::string wecom_open_userid(const std::string& corp_id, const std::string& userid) {
  return "wo" + wechat::sha1_signature({"open_userid", corp_id, wecom_lower(userid)}).substr(0, 30);
}

nlohmann::json wecom_member_json(const WecomCorp& corp, const WecomMember& m, const WecomCaller& caller, bool detail) {
  bool third = caller.third_party();
  nlohmann::json j = {{"userid", m.userid}, {"name", third ? m.userid : m.name}, {"department", m.departments}};
  if (third) j["open_userid"] = wecom_open_userid(corp.corp_id, m.userid);
  if (!detail) return j;
  std::vector<int> leader;
  for (auto d : m.departments) {
    auto it = corp.departments.find(d);
    bool is = it != corp.departments.end() &&
              std::find(it->second.leaders.begin(), it->second.leaders.end(), m.userid) != it->second.leaders.end();
    leader.push_back(is ? 1 : 0);
  }
  j["order"] = std::vector<int>(m.departments.size(), 0);
  j["is_leader_in_dept"] = leader;
  j["main_department"] = m.main_department;
  j["status"] = m.status;
  if (third) return j;
  j["position"] = m.position;
  j["mobile"] = m.mobile;
  j["gender"] = std::to_string(m.gender);
  j["email"] = m.email;
  j["alias"] = m.alias;
  j["telephone"] = "";
  j["direct_leader"] = nlohmann::json::array();
  j["avatar"] = "";
  j["thumb_avatar"] = "";
  return j;
}

nlohmann::json wecom_department_json(const WecomDepartment& d, const WecomCaller& caller) {
  nlohmann::json j = {{"id", d.id}, {"parentid", d.parent_id}, {"order", d.order}, {"department_leader", d.leaders}};
  // Third-party apps no longer receive department names.
  if (!caller.third_party()) {
    j["name"] = d.name;
    j["name_en"] = d.name_en;
  }
  return j;
}

bool wecom_valid_userid(const std::string& u) {
  if (u.empty() || u.size() > 64 || !std::isalnum(static_cast<unsigned char>(u.front()))) return false;
  return std::all_of(u.begin(), u.end(), [](unsigned char c) { return std::isalnum(c) || c == '_' || c == '-' || c == '@' || c == '.'; });
}

std::string wecom_lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string wecom_random(const std::string& prefix, std::size_t n) {
  static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::string s = prefix;
  for (std::size_t i = 0; i < n; ++i) s.push_back(alphabet[rng() % 62]);
  return s;
}

Sandbox::Handler wecom_guard(Sandbox::Handler h) {
  return [h = std::move(h)](const httplib::Request& req, httplib::Response& res) {
    try {
      h(req, res);
    } catch (const nlohmann::json::exception&) {
      // A field of the wrong JSON type, as the platform words it.
      Sandbox::error(res, 47001, "data format error");
    }
  };
}

std::optional<std::int64_t> wecom_int_param(const httplib::Request& req, const char* name) {
  if (!req.has_param(name)) return std::nullopt;
  const std::string v = req.get_param_value(name);
  if (v.empty() || v.size() > 18 || !std::all_of(v.begin(), v.end(), [](unsigned char c) { return std::isdigit(c); }))
    return std::nullopt;
  return std::stoll(v);
}

std::int64_t wecom_now() { return static_cast<std::int64_t>(std::time(nullptr)); }

std::string wecom_xml(const char* name, const std::string& value) {
  return std::string("<") + name + "><![CDATA[" + value + "]]></" + name + ">";
}

const config::WecomEndpoint* wecom_suite_endpoint(const config::Config& cfg, const std::string& suite_id) {
  for (const auto& e : cfg.wecom)
    if (e.kind == config::WecomEndpoint::Kind::suite && e.suite_id == suite_id) return &e;
  return nullptr;
}

std::vector<const config::WecomEndpoint*> wecom_corp_endpoints(const config::Config& cfg, const std::string& corp_id) {
  std::vector<const config::WecomEndpoint*> out;
  for (const auto& e : cfg.wecom)
    if (e.kind == config::WecomEndpoint::Kind::corp && e.corp_id == corp_id) out.push_back(&e);
  return out;
}

std::pair<int, std::string> wecom_push(Sandbox& sb, const config::WecomEndpoint& ep, const std::string& receive_id,
                                       const std::string& inner_xml) {
  return sb.push("/wecom/callback/" + ep.id, ep.token, ep.encoding_aes_key, receive_id, inner_xml);
}

}  // namespace xiaoqu::sandbox
