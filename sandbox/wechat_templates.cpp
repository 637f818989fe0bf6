// Sandbox template messages (docs/protocol/template-messages.md): message/template/send with its checks, the record
// of what was sent, and the TEMPLATESENDJOBFINISH push that follows a send.
#include <httplib.h>

#include <chrono>
#include <set>

#include "sandbox/wechat_followers.hpp"
#include "sandbox/wechat_support.hpp"

namespace xiaoqu::sandbox {
namespace {
constexpr std::int64_t kDedupSeconds = 600;
// The finish event follows the reply, as on the platform, so the sender knows the msgid first.
constexpr std::chrono::milliseconds kFinishDelay{100};

struct SentTemplate {
  std::int64_t msgid;
  std::string appid, touser, template_id, url, client_msg_id, status;
  nlohmann::json miniprogram, data;
  std::int64_t sent_at;
};

struct TemplateMessages {
  std::vector<SentTemplate> sent;
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> recent;  ///< appid|openid|client_msg_id → msgid, time
  std::set<std::pair<std::string, std::string>> blocked;                ///< (appid, openid) refusing the account's messages
  std::int64_t next_msgid = 2'000'000'001;
};

// 47003 unless every data entry is {"value": "text"}.
bool valid_data(const nlohmann::json& data) {
  if (!data.is_object()) return false;
  for (const auto& [name, entry] : data.items())
    if (!entry.is_object() || !entry.contains("value") || !entry["value"].is_string()) return false;
  return true;
}

nlohmann::json to_json(const SentTemplate& m) {
  return {{"msgid", m.msgid},       {"appid", m.appid},         {"touser", m.touser},   {"template_id", m.template_id},
          {"url", m.url},           {"miniprogram", m.miniprogram}, {"client_msg_id", m.client_msg_id},
          {"data", m.data},         {"sent_at", m.sent_at},     {"status", m.status}};
}
}  // namespace

void register_wechat_templates(Sandbox& sb) {
  /// https://developers.weixin.qq.com/doc/service/api/notify/template/api_sendtemplatemessage.html
  sb.post("/cgi-bin/message/template/send", [&sb](const httplib::Request& req, httplib::Response& res) {
    auto appid = require_account(sb, req, res);
    if (!appid) return;
    auto body = Sandbox::body_json(req, res);
    if (!body) return;
    auto touser = string_member(*body, "touser");
    auto template_id = string_member(*body, "template_id");
    if (!touser) return Sandbox::error(res, 40003, "invalid openid: touser is required");
    // No template catalogue in the configuration: ids starting with TPL stand for the account's templates.
    if (!template_id || template_id->rfind("TPL", 0) != 0) return Sandbox::error(res, 40037, "invalid template_id");
    auto data = body->find("data");
    if (data == body->end() || !valid_data(*data)) return Sandbox::error(res, 47003, "argument invalid! data.value invalid");
    auto url = body->contains("url") ? string_member(*body, "url") : std::optional<std::string>("");
    auto mp = body->find("miniprogram");
    bool mp_ok = mp == body->end() || (mp->is_object() && string_member(*mp, "appid"));
    if (!url || !mp_ok) return Sandbox::error(res, 47003, "argument invalid! url or miniprogram");
    std::string client_msg_id = string_member(*body, "client_msg_id").value_or("");

    SentTemplate m;
    {
      std::lock_guard lk(sb.mutex());
      auto standing = followers_of(sb, *appid).standing(*touser);
      if (standing == AccountFollowers::Standing::unknown || standing == AccountFollowers::Standing::foreign)
        return Sandbox::error(res, 40003, "invalid openid");
      if (standing == AccountFollowers::Standing::left) return Sandbox::error(res, 43004, "require subscribe");
      auto& state = sb.state<TemplateMessages>();
      std::int64_t now = unix_now();
      std::string dedup = *appid + "|" + *touser + "|" + client_msg_id;
      if (!client_msg_id.empty()) {
        auto seen = state.recent.find(dedup);
        // The same openid + client_msg_id within 10 minutes sends nothing new.
        if (seen != state.recent.end() && now - seen->second.second < kDedupSeconds) {
          sb.count("template_deduplicated");
          return Sandbox::reply(res, {{"errcode", 0}, {"errmsg", "ok"}, {"msgid", seen->second.first}});
        }
      }
      bool blocked = state.blocked.count({*appid, *touser}) > 0;
      m = SentTemplate{state.next_msgid++, *appid, *touser, *template_id, *url, client_msg_id,
                       blocked ? "failed:user block" : "success",
                       mp == body->end() ? nlohmann::json() : *mp, *data, now};
      state.sent.push_back(m);
      if (!client_msg_id.empty()) state.recent[dedup] = {m.msgid, now};
    }
    Sandbox::reply(res, {{"errcode", 0}, {"errmsg", "ok"}, {"msgid", m.msgid}});
    if (auto to = account_push(sb, *appid)) {
      std::string more = "<MsgID>" + std::to_string(m.msgid) + "</MsgID>" + cdata("Status", m.status);
      sb.count("pushes queued " + to->path);
      sb.state<PushQueue>().add(std::move(*to), event_xml(*appid, *touser, "TEMPLATESENDJOBFINISH", more), kFinishDelay);
    }
  });

  // ---- inspection and control ----
  sb.get("/sandbox/wechat/template_messages", [&sb](const httplib::Request& req, httplib::Response& res) {
    std::string appid = req.get_param_value("appid");
    nlohmann::json list = nlohmann::json::array();
    {
      std::lock_guard lk(sb.mutex());
      for (const auto& m : sb.state<TemplateMessages>().sent)
        if (appid.empty() || m.appid == appid) list.push_back(to_json(m));
    }
    Sandbox::reply(res, {{"messages", std::move(list)}});
  });

  sb.post("/sandbox/wechat/block", [&sb](const httplib::Request& req, httplib::Response& res) {
    auto body = Sandbox::body_json(req, res);
    if (!body) return;
    auto appid = string_member(*body, "appid");
    auto openid = string_member(*body, "openid");
    if (!appid || !openid) return control_error(res, 400, "appid and openid are required");
    auto it = body->find("blocked");
    bool blocked = it == body->end() || (it->is_boolean() && it->get<bool>());
    std::lock_guard lk(sb.mutex());
    auto& set = sb.state<TemplateMessages>().blocked;
    if (blocked) set.insert({*appid, *openid});
    else set.erase({*appid, *openid});
    Sandbox::reply(res, {{"blocked", blocked}});
  });
}

}  // namespace xiaoqu::sandbox
