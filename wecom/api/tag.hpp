#pragma once
// WeCom member tags (标签, docs/protocol/wecom.md): who a tag holds. A suite's visible range may be given
// by tags, so the staff sync reads them. Every call takes the credential of the corp it
// reads, as department.hpp and user.hpp do.
#include <cstdint>
#include <string>
#include <vector>

#include "wechat/api_client.hpp"

namespace xiaoqu::wecom::api {

struct TagMember {
  std::string userid;
  std::string name;  ///< third-party apps no longer receive it (empty then)
};

/// tag/get: the tag's direct members and its departments. The departments' members (and
/// those of their sub-departments) belong to the tag too; they are not listed here.
struct TagMembers {
  std::string name;
  std::vector<TagMember> users;
  std::vector<std::int64_t> parties;
};

/// tag/get; 40068 for an unknown tag id, 60011 for a tag outside a suite's visible range.
/// Members outside the app's visible range are left out by the platform.
/// https://developer.work.weixin.qq.com/document/path/90213
TagMembers get_tag(wechat::ApiClient& api, const wechat::CredentialKey& corp, std::int64_t tag_id);

}  // namespace xiaoqu::wecom::api
