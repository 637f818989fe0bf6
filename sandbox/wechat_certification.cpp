// WeChat's certification events (微信认证事件推送), pushed on request: a test or the demo says
// which event and when the certification ends, and the sandbox delivers it to the account's
// callback as the platform would, from a system account.
#include <httplib.h>

#include <set>

#include "sandbox/sandbox.hpp"
#include "sandbox/wechat_support.hpp"

namespace xiaoqu::sandbox {

void register_wechat_certification(Sandbox& sb) {
  sb.post("/sandbox/wechat/certification", [&sb](const httplib::Request& req, httplib::Response& res) {
    static const std::set<std::string> kEvents = {"qualification_verify_success", "naming_verify_success", "annual_renew",
                                                  "verify_expired"};
    auto body = Sandbox::body_json(req, res);
    if (!body) return;
    auto appid = string_member(*body, "appid");
    auto event = string_member(*body, "event");
    if (!appid || !event || !kEvents.count(*event))
      return control_error(res, 400, "appid and event (qualification_verify_success, naming_verify_success, annual_renew, verify_expired) are required");
    auto expired = body->find("expired_time");
    if (expired == body->end() || !expired->is_number_integer()) return control_error(res, 400, "expired_time (Unix seconds) is required");
    auto to = account_push(sb, *appid);
    if (!to) return control_error(res, 404, "no official account " + *appid + " in the configuration");
    std::string more = "<ExpiredTime>" + std::to_string(expired->get<long long>()) + "</ExpiredTime>";
    auto [status, reply] = deliver(*to, event_xml(*appid, "oWeixinSystemAccount", *event, more));
    sb.count("pushes " + to->path);
    Sandbox::reply(res, {{"gateway_status", status}, {"reply", reply}});
  });
}

}  // namespace xiaoqu::sandbox
