#include "wecom/api/tag.hpp"

#include <stdexcept>

#include "wecom/api/reply_fields.hpp"

namespace xiaoqu::wecom::api {

TagMembers get_tag(wechat::ApiClient& api, const wechat::CredentialKey& corp, std::int64_t tag_id) {
  if (tag_id < 0) throw std::invalid_argument("tagid: must be a tag id (0 or more)");
  wechat::ApiRequest req;
  req.path = "/cgi-bin/tag/get";
  req.query = {{"tagid", std::to_string(tag_id)}};
  auto reply = api.call(req, corp);
  TagMembers out;
  out.name = detail::string_or_empty(reply, "tagname");
  // A tag holding only departments may come without userlist, and the reverse.
  if (auto users = reply.find("userlist"); users != reply.end() && users->is_array())
    for (const auto& u : *users)
      out.users.push_back({wechat::field<std::string>(u, "userid", req.path), detail::string_or_empty(u, "name")});
  out.parties = detail::int_list(reply, "partylist");
  return out;
}

}  // namespace xiaoqu::wecom::api
