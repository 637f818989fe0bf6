#include "wechat/api/user.hpp"

#include "wechat/api/reply_fields.hpp"

namespace xiaoqu::wechat::api {
namespace {
FollowerInfo follower_info(const nlohmann::json& u, const std::string& api) {
  if (!u.is_object()) throw PlatformError(api, PlatformError::Kind::bad_response, 0, "user_info_list entry is not an object");
  FollowerInfo f;
  f.openid = field<std::string>(u, "openid", api);
  f.subscribed = field<std::int64_t>(u, "subscribe", api) != 0;
  if (!f.subscribed) return f;
  f.language = optional_field<std::string>(u, "language", api);
  f.unionid = optional_field<std::string>(u, "unionid", api);
  f.remark = optional_field<std::string>(u, "remark", api);
  f.subscribe_time = optional_field<std::int64_t>(u, "subscribe_time", api);
  f.tag_ids = optional_field<std::vector<std::int64_t>>(u, "tagid_list", api);
  f.subscribe_scene = optional_field<std::string>(u, "subscribe_scene", api);
  f.qr_scene = optional_field<std::int64_t>(u, "qr_scene", api);
  f.qr_scene_str = optional_field<std::string>(u, "qr_scene_str", api);
  return f;
}
}  // namespace

FollowerPage get_followers(ApiClient& api, const CredentialKey& account, const std::string& next_openid) {
  ApiRequest req;
  req.path = "/cgi-bin/user/get";
  if (!next_openid.empty()) req.query.emplace_back("next_openid", next_openid);
  nlohmann::json j = api.call(req, account);
  FollowerPage page;
  page.total = field<std::int64_t>(j, "total", req.path);
  page.count = field<std::int64_t>(j, "count", req.path);
  page.next_openid = optional_field<std::string>(j, "next_openid", req.path);
  // The last page may come without `data` at all.
  if (auto d = j.find("data"); d != j.end() && !d->is_null()) {
    if (!d->is_object()) throw PlatformError(req.path, PlatformError::Kind::bad_response, 0, "reply field data is not an object");
    page.openids = optional_field<std::vector<std::string>>(*d, "openid", req.path);
  }
  if (page.openids.size() != static_cast<std::size_t>(page.count))
    throw PlatformError(req.path, PlatformError::Kind::bad_response, 0,
                        "count " + std::to_string(page.count) + " but " + std::to_string(page.openids.size()) + " openids");
  return page;
}

void for_each_follower_page(ApiClient& api, const CredentialKey& account, const std::function<void(const FollowerPage&)>& visit) {
  std::string next;
  for (;;) {
    FollowerPage page = get_followers(api, account, next);
    if (page.count == 0) return;
    visit(page);
    if (page.next_openid.empty()) return;
    // A cursor that does not move would loop forever.
    if (page.next_openid == next)
      throw PlatformError("/cgi-bin/user/get", PlatformError::Kind::bad_response, 0, "next_openid did not advance");
    next = std::move(page.next_openid);
  }
}

std::vector<FollowerInfo> batch_get_info(ApiClient& api, const CredentialKey& account, std::span<const std::string> openids,
                                         const std::string& lang) {
  std::vector<FollowerInfo> out;
  out.reserve(openids.size());
  for (std::size_t at = 0; at < openids.size(); at += kBatchGetMax) {
    auto slice = openids.subspan(at, std::min(kBatchGetMax, openids.size() - at));
    nlohmann::json list = nlohmann::json::array();
    for (const auto& o : slice) list.push_back({{"openid", o}, {"lang", lang}});
    ApiRequest req;
    req.method = "POST";
    req.path = "/cgi-bin/user/info/batchget";
    req.body = nlohmann::json{{"user_list", std::move(list)}};
    nlohmann::json j = api.call(req, account);
    const auto& infos = array_field(j, "user_info_list", req.path);
    if (infos.size() != slice.size())
      throw PlatformError(req.path, PlatformError::Kind::bad_response, 0,
                          "asked for " + std::to_string(slice.size()) + " users, got " + std::to_string(infos.size()));
    for (const auto& u : infos) out.push_back(follower_info(u, req.path));
  }
  return out;
}

void update_remark(ApiClient& api, const CredentialKey& account, const std::string& openid, const std::string& remark) {
  ApiRequest req;
  req.method = "POST";
  req.path = "/cgi-bin/user/info/updateremark";
  req.body = nlohmann::json{{"openid", openid}, {"remark", remark}};
  api.call(req, account);
}

}  // namespace xiaoqu::wechat::api
