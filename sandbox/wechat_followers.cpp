#include "sandbox/wechat_followers.hpp"

#include <array>
#include <iterator>

#include "sandbox/wechat_support.hpp"

namespace xiaoqu::sandbox {
namespace {
// Openid layout: "o" + account prefix (8) + masked index (7) + check (12) = 28 characters,
// so an openid maps back to its index without a table, and a typo fails the check.
constexpr std::string_view kAlphabet = "aB3cD4eF5gH6iJ7kL8mN9pQ2rS_tU-vW";
static_assert(kAlphabet.size() == 32);
constexpr std::size_t kPrefix = 8, kIndex = 7, kCheck = 12, kOpenidLength = 1 + kPrefix + kIndex + kCheck;
constexpr std::uint64_t kIndexMask = (1ULL << (5 * kIndex)) - 1;
constexpr std::int64_t kFirstSubscribeTime = 1420070400;  // 2015-01-01

void encode(std::string& out, std::uint64_t v, std::size_t digits) {
  for (std::size_t i = 0; i < digits; ++i, v >>= 5) out.push_back(kAlphabet[v & 31]);
}

std::optional<std::uint64_t> decode(std::string_view s) {
  static const auto table = [] {
    std::array<int, 256> t{};
    t.fill(-1);
    for (std::size_t i = 0; i < kAlphabet.size(); ++i) t[static_cast<unsigned char>(kAlphabet[i])] = static_cast<int>(i);
    return t;
  }();
  std::uint64_t v = 0;
  for (std::size_t i = s.size(); i-- > 0;) {
    int d = table[static_cast<unsigned char>(s[i])];
    if (d < 0) return std::nullopt;
    v = (v << 5) | static_cast<std::uint64_t>(d);
  }
  return v;
}

std::string prefix_of(const std::string& appid) {
  std::string p;
  encode(p, stable_hash(appid, 1), kPrefix);
  return p;
}

std::string check_of(const std::string& appid, std::uint64_t index) {
  std::string c;
  encode(c, stable_hash(appid, 3 + index * 0x9E3779B97F4A7C15ULL), kCheck);
  return c;
}

std::uint64_t index_mask(const std::string& appid) { return stable_hash(appid, 2) & kIndexMask; }

struct Followers {
  std::map<std::string, AccountFollowers> by_appid;
};
}  // namespace

std::string generated_openid(const std::string& appid, std::uint64_t index) {
  std::string id = "o" + prefix_of(appid);
  encode(id, (index ^ index_mask(appid)) & kIndexMask, kIndex);
  return id + check_of(appid, index);
}

AccountFollowers::AccountFollowers(std::string appid, std::uint64_t generated) : appid_(std::move(appid)), generated_(generated) {
  tags[kStarTagId] = SandboxTag{"星标组", 0};
}

std::optional<std::uint64_t> AccountFollowers::generated_index(const std::string& openid) const {
  if (openid.size() != kOpenidLength || openid[0] != 'o' || openid.compare(1, kPrefix, prefix_of(appid_)) != 0) return std::nullopt;
  auto masked = decode(std::string_view(openid).substr(1 + kPrefix, kIndex));
  if (!masked) return std::nullopt;
  std::uint64_t index = *masked ^ index_mask(appid_);
  if (index >= generated_ || openid.compare(1 + kPrefix + kIndex, kCheck, check_of(appid_, index)) != 0) return std::nullopt;
  return index;
}

AccountFollowers::Standing AccountFollowers::standing(const std::string& openid) const {
  if (auto it = arrivals_.find(openid); it != arrivals_.end()) return it->second.following ? Standing::following : Standing::left;
  if (auto i = generated_index(openid)) return unsubscribed_.count(*i) ? Standing::left : Standing::following;
  bool shaped = openid.size() == kOpenidLength && openid[0] == 'o' && decode(std::string_view(openid).substr(1));
  return shaped && openid.compare(1, kPrefix, prefix_of(appid_)) != 0 ? Standing::foreign : Standing::unknown;
}

void AccountFollowers::subscribe(const std::string& openid, const std::string& scene) {
  if (auto i = generated_index(openid); i && !arrivals_.count(openid)) {
    unsubscribed_.erase(*i);
    return;
  }
  auto [it, fresh] = arrivals_.try_emplace(openid, Arrival{arrival_order_.size(), false, 0, {}});
  if (fresh) arrival_order_.push_back(openid);
  if (!it->second.following) ++arrivals_following_;
  it->second.following = true;
  it->second.subscribe_time = unix_now();
  it->second.scene = scene;
}

bool AccountFollowers::unsubscribe(const std::string& openid) {
  if (auto it = arrivals_.find(openid); it != arrivals_.end()) {
    if (!it->second.following) return false;
    it->second.following = false;
    --arrivals_following_;
    return true;
  }
  auto i = generated_index(openid);
  return i && unsubscribed_.insert(*i).second;
}

void AccountFollowers::remember(const std::string& openid) {
  if (auto s = standing(openid); s == Standing::following || s == Standing::left) return;
  arrivals_.emplace(openid, Arrival{arrival_order_.size(), false, 0, {}});
  arrival_order_.push_back(openid);
}

void AccountFollowers::set_generated(std::uint64_t n) {
  generated_ = n;
  unsubscribed_.erase(unsubscribed_.lower_bound(n), unsubscribed_.end());
}

std::uint64_t AccountFollowers::total() const { return generated_ - unsubscribed_.size() + arrivals_following_; }

std::optional<std::uint64_t> AccountFollowers::position(const std::string& openid) const {
  if (auto it = arrivals_.find(openid); it != arrivals_.end()) return generated_ + it->second.order;
  return generated_index(openid);
}

std::string AccountFollowers::openid_at(std::uint64_t p) const {
  return p < generated_ ? generated_openid(appid_, p) : arrival_order_[p - generated_];
}

bool AccountFollowers::any_following_from(std::uint64_t p) const {
  if (p < generated_) {
    auto left_after = static_cast<std::uint64_t>(std::distance(unsubscribed_.lower_bound(p), unsubscribed_.end()));
    if (generated_ - p > left_after) return true;
    p = generated_;
  }
  for (std::uint64_t k = p - generated_; k < arrival_order_.size(); ++k)
    if (arrivals_.at(arrival_order_[k]).following) return true;
  return false;
}

std::optional<AccountFollowers::Page> AccountFollowers::page_after(const std::string& next_openid, std::size_t limit) const {
  std::uint64_t p = 0;
  if (!next_openid.empty()) {
    auto at = position(next_openid);
    if (!at) return std::nullopt;
    p = *at + 1;
  }
  Page page;
  const std::uint64_t end = generated_ + arrival_order_.size();
  for (; p < end && page.openids.size() < limit; ++p) {
    bool following = p < generated_ ? !unsubscribed_.count(p) : arrivals_.at(arrival_order_[p - generated_]).following;
    if (following) page.openids.push_back(openid_at(p));
  }
  if (!page.openids.empty() && any_following_from(p)) page.next_openid = page.openids.back();
  return page;
}

nlohmann::json AccountFollowers::info(const std::string& openid) const {
  if (standing(openid) != Standing::following) return {{"subscribe", 0}, {"openid", openid}};
  std::int64_t subscribe_time = 0;
  std::string scene;
  if (auto it = arrivals_.find(openid); it != arrivals_.end()) {
    subscribe_time = it->second.subscribe_time;
    scene = it->second.scene;
  } else {
    subscribe_time = kFirstSubscribeTime + static_cast<std::int64_t>(*generated_index(openid)) * 20;
  }
  nlohmann::json tag_ids = nlohmann::json::array();
  if (auto t = user_tags.find(openid); t != user_tags.end())
    for (auto id : t->second) tag_ids.push_back(id);
  auto remark = remarks.find(openid);
  bool numeric_scene = !scene.empty() && scene.find_first_not_of("0123456789") == std::string::npos && scene.size() < 11;
  return {{"subscribe", 1},
          {"openid", openid},
          {"nickname", ""},
          {"sex", 0},
          {"language", "zh_CN"},
          {"city", ""},
          {"province", ""},
          {"country", ""},
          {"headimgurl", ""},
          {"subscribe_time", subscribe_time},
          {"remark", remark == remarks.end() ? std::string() : remark->second},
          {"groupid", 0},
          {"tagid_list", tag_ids},
          {"subscribe_scene", scene.empty() ? "ADD_SCENE_SEARCH" : "ADD_SCENE_QR_CODE"},
          {"qr_scene", numeric_scene ? std::stoll(scene) : 0},
          {"qr_scene_str", numeric_scene ? std::string() : scene}};
}

AccountFollowers& followers_of(Sandbox& sb, const std::string& appid) {
  auto& all = sb.state<Followers>().by_appid;
  auto it = all.find(appid);
  if (it == all.end()) it = all.emplace(appid, AccountFollowers(appid, sb.config().sandbox.followers)).first;
  return it->second;
}

}  // namespace xiaoqu::sandbox
