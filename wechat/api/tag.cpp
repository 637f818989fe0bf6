#include "wechat/api/tag.hpp"

#include "wechat/api/reply_fields.hpp"

namespace xiaoqu::wechat::api {
namespace {
nlohmann::json post(ApiClient& api, const CredentialKey& account, const char* path, nlohmann::json body) {
  ApiRequest req;
  req.method = "POST";
  req.path = path;
  req.body = std::move(body);
  return api.call(req, account);
}

void members(ApiClient& api, const CredentialKey& account, const char* path, std::int64_t tag_id, std::span<const std::string> openids) {
  for (std::size_t at = 0; at < openids.size(); at += kOpenidsPerTagCall) {
    auto slice = openids.subspan(at, std::min(kOpenidsPerTagCall, openids.size() - at));
    post(api, account, path, {{"openid_list", std::vector<std::string>(slice.begin(), slice.end())}, {"tagid", tag_id}});
  }
}
}  // namespace

std::vector<Tag> get_tags(ApiClient& api, const CredentialKey& account) {
  ApiRequest req;
  req.path = "/cgi-bin/tags/get";
  nlohmann::json j = api.call(req, account);
  std::vector<Tag> tags;
  for (const auto& t : array_field(j, "tags", req.path)) {
    if (!t.is_object()) throw PlatformError(req.path, PlatformError::Kind::bad_response, 0, "tags entry is not an object");
    tags.push_back({field<std::int64_t>(t, "id", req.path), field<std::string>(t, "name", req.path), optional_field<std::int64_t>(t, "count", req.path)});
  }
  return tags;
}

Tag create_tag(ApiClient& api, const CredentialKey& account, const std::string& name) {
  const char* path = "/cgi-bin/tags/create";
  nlohmann::json j = post(api, account, path, {{"tag", {{"name", name}}}});
  const auto& t = object_field(j, "tag", path);
  return {field<std::int64_t>(t, "id", path), optional_field<std::string>(t, "name", path, name), 0};
}

void update_tag(ApiClient& api, const CredentialKey& account, std::int64_t tag_id, const std::string& name) {
  post(api, account, "/cgi-bin/tags/update", {{"tag", {{"id", tag_id}, {"name", name}}}});
}

void delete_tag(ApiClient& api, const CredentialKey& account, std::int64_t tag_id) {
  post(api, account, "/cgi-bin/tags/delete", {{"tag", {{"id", tag_id}}}});
}

void batch_tag(ApiClient& api, const CredentialKey& account, std::int64_t tag_id, std::span<const std::string> openids) {
  members(api, account, "/cgi-bin/tags/members/batchtagging", tag_id, openids);
}

void batch_untag(ApiClient& api, const CredentialKey& account, std::int64_t tag_id, std::span<const std::string> openids) {
  members(api, account, "/cgi-bin/tags/members/batchuntagging", tag_id, openids);
}

std::vector<std::int64_t> get_tag_ids_of_user(ApiClient& api, const CredentialKey& account, const std::string& openid) {
  const char* path = "/cgi-bin/tags/getidlist";
  nlohmann::json j = post(api, account, path, {{"openid", openid}});
  return optional_field<std::vector<std::int64_t>>(j, "tagid_list", path);
}

}  // namespace xiaoqu::wechat::api
