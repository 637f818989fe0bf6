// WeCom app messages in the sandbox: message/send resolves recipients against the corp's
// contacts, reports the invalid ones as the platform does and records what was sent.
#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "sandbox/wecom_state.hpp"

namespace xiaoqu::sandbox {
namespace {
using nlohmann::json;

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto bar = text.find('|', start);
    std::string part = text.substr(start, bar == std::string::npos ? std::string::npos : bar - start);
    if (!part.empty()) out.push_back(part);
    if (bar == std::string::npos) break;
    start = bar + 1;
  }
  return out;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : "|") + i;
  return out;
}

// The message body by type, or the errcode the platform gives for a bad one.
std::pair<json, long long> content_of(const json& body) {
  std::string type = body.value("msgtype", "");
  if (type == "text") {
    std::string content = body.contains("text") ? body["text"].value("content", "") : "";
    if (content.empty()) return {{}, 44004};
    return {json{{"content", content}}, 0};
  }
  if (type == "textcard") {
    if (!body.contains("textcard")) return {{}, 40058};
    const json& c = body["textcard"];
    if (c.value("title", "").empty() || c.value("description", "").empty() || c.value("url", "").empty()) return {{}, 40058};
    return {c, 0};
  }
  return {{}, 40008};
}
}  // namespace

void register_wecom_messages(Sandbox& sb) {
  /// https://developer.work.weixin.qq.com/document/path/90236
  sb.post("/cgi-bin/message/send", wecom_guard([&sb](const httplib::Request& req, httplib::Response& res) {
    auto caller = wecom_caller(sb, req, res);
    if (!caller) return;
    auto body = Sandbox::body_json(req, res);
    if (!body) return;
    const json& agent = body->contains("agentid") ? (*body)["agentid"] : json();
    std::string agent_id = agent.is_number_integer() ? std::to_string(agent.get<long long>()) : agent.is_string() ? agent.get<std::string>() : "";
    if (agent_id != caller->agent_id) return Sandbox::error(res, 40056, "invalid agentid");
    auto [content, errcode] = content_of(*body);
    if (errcode == 44004) return Sandbox::error(res, 44004, "empty content");
    if (errcode == 40008) return Sandbox::error(res, 40008, "invalid message type");
    if (errcode) return Sandbox::error(res, errcode, "invalid textcard: title, description and url are required");
    std::string touser = body->value("touser", ""), toparty = body->value("toparty", ""), totag = body->value("totag", "");
    if (touser.empty() && toparty.empty() && totag.empty()) return Sandbox::error(res, 82001, "all touser & toparty & totag empty");

    std::lock_guard lk(sb.mutex());
    auto& st = sb.state<WecomState>();
    auto& corp = st.corp(caller->corp_id);
    std::set<std::string> to;
    std::vector<std::string> invalid_users, invalid_parties, invalid_tags = split(totag);
    for (const auto& u : split(touser)) {
      if (u == "@all") {
        for (const auto& [key, m] : corp.members)
          if (wecom_visible(corp, *caller, m)) to.insert(m.userid);
        continue;
      }
      auto* m = corp.find(u);
      if (m && wecom_visible(corp, *caller, *m)) to.insert(m->userid);
      else invalid_users.push_back(u);
    }
    for (const auto& p : split(toparty)) {
      bool numeric = !p.empty() && p.size() < 18 && std::all_of(p.begin(), p.end(), [](unsigned char c) { return std::isdigit(c); });
      std::int64_t id = numeric ? std::stoll(p) : -1;
      if (!corp.departments.count(id) || !wecom_visible(corp, *caller, id)) {
        invalid_parties.push_back(p);
        continue;
      }
      for (auto d : corp.subtree(id))
        for (const auto& [key, m] : corp.members)
          if (std::find(m.departments.begin(), m.departments.end(), d) != m.departments.end()) to.insert(m.userid);
    }
    json reply = {{"invaliduser", join(invalid_users)}, {"invalidparty", join(invalid_parties)}, {"invalidtag", join(invalid_tags)},
                  {"unlicenseduser", ""}};
    if (to.empty()) {
      reply["errcode"] = 81013;
      reply["errmsg"] = "user & party & tag all invalid";
      return Sandbox::reply(res, reply);
    }
    std::string msgid = "msg" + std::to_string(st.next_msgid++);
    std::string type = body->value("msgtype", "");
    corp.messages.push_back({{"msgid", msgid},
                             {"agentid", caller->agent_id},
                             {"suite_id", caller->suite_id},
                             {"msgtype", type},
                             {type, content},
                             {"touser", touser},
                             {"toparty", toparty},
                             {"recipients", std::vector<std::string>(to.begin(), to.end())},
                             {"safe", body->value("safe", 0)},
                             {"sent_at", wecom_now()}});
    reply["errcode"] = 0;
    reply["errmsg"] = "ok";
    reply["msgid"] = msgid;
    reply["response_code"] = wecom_random("rc", 24);
    Sandbox::reply(res, reply);
  }));

  // Inspection: what each corp was sent.
  sb.get("/sandbox/wecom/messages", [&sb](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lk(sb.mutex());
    auto& st = sb.state<WecomState>();
    json out = json::array();
    std::string corp_id = req.get_param_value("corp_id");
    for (const auto& [id, corp] : st.corps) {
      if (!corp_id.empty() && id != corp_id) continue;
      for (auto m : corp.messages) {
        m["corp_id"] = id;
        out.push_back(std::move(m));
      }
    }
    Sandbox::reply(res, {{"messages", out}});
  });
}

}  // namespace xiaoqu::sandbox
