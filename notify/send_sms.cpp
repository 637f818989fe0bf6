#include "notify/send_sms.hpp"

#include <nlohmann/json.hpp>

#include "notify/tc3_signer.hpp"

namespace xiaoqu::notify {
namespace {
using ordered_json = nlohmann::ordered_json;

std::string text(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return {};
  if (!it->is_string()) throw SmsError(SmsError::Kind::bad_response, "", std::string("reply field ") + key + " is not a string");
  return it->get<std::string>();
}
}  // namespace

std::string send_sms_body(const SendSmsCall& call) {
  ordered_json j;
  j["PhoneNumberSet"] = call.phone_numbers;
  j["SmsSdkAppId"] = call.sdk_app_id;
  if (!call.sign_name.empty()) j["SignName"] = call.sign_name;
  j["TemplateId"] = call.template_id;
  if (!call.template_params.empty()) j["TemplateParamSet"] = call.template_params;
  if (!call.session_context.empty()) j["SessionContext"] = call.session_context;
  // ensure_ascii=false: the signature text goes as UTF-8, and these bytes are what gets signed.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string host_of(std::string_view base_url) {
  bool https = base_url.rfind("https://", 0) == 0;
  if (auto scheme = base_url.find("://"); scheme != std::string_view::npos) base_url.remove_prefix(scheme + 3);
  std::string_view host = base_url.substr(0, base_url.find('/'));
  std::string_view default_port = https ? ":443" : ":80";
  if (host.size() > default_port.size() && host.substr(host.size() - default_port.size()) == default_port)
    host.remove_suffix(default_port.size());
  return std::string(host);
}

wechat::HttpRequest signed_send_sms(const config::SmsConfig& sms, const std::string& base_url, std::string body,
                                    std::int64_t timestamp) {
  wechat::HttpRequest req;
  req.method = "POST";
  req.base_url = base_url;
  // The API lives at the root path of its host.
  req.target = "/";
  req.content_type = std::string(kSmsContentType);
  std::string host = host_of(base_url);
  tc3::SignInput in;
  in.secret_id = sms.secret_id;
  in.secret_key = sms.secret_key;
  in.service = "sms";
  in.timestamp = timestamp;
  in.headers = {{"Content-Type", req.content_type}, {"Host", host}, {"X-TC-Action", std::string(kSmsAction)}};
  in.payload = body;
  tc3::Signature sig = tc3::sign(in);
  req.body = std::move(body);
  // Content-Type goes through content_type only: listing it here too would send it twice.
  req.headers = {{"Host", host},
                 {"X-TC-Action", std::string(kSmsAction)},
                 {"X-TC-Version", std::string(kSmsVersion)},
                 {"X-TC-Timestamp", std::to_string(timestamp)},
                 {"X-TC-Region", sms.region},
                 {"Authorization", sig.authorization}};
  return req;
}

SendSmsReply read_send_sms_reply(const wechat::HttpResponse& res) {
  using Kind = SmsError::Kind;
  if (res.status < 200 || res.status > 299) throw SmsError(Kind::http_status, "", res.body.substr(0, 200), "", res.status);
  auto j = nlohmann::json::parse(res.body, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("Response") || !j["Response"].is_object())
    throw SmsError(Kind::bad_response, "", "reply is not a JSON object with Response", "", res.status);
  const auto& r = j["Response"];
  SendSmsReply out;
  out.request_id = text(r, "RequestId");
  if (auto err = r.find("Error"); err != r.end()) {
    if (!err->is_object()) throw SmsError(Kind::bad_response, "", "Response.Error is not an object", out.request_id, res.status);
    std::string code = text(*err, "Code");
    if (code.empty()) throw SmsError(Kind::bad_response, "", "Response.Error lacks Code", out.request_id, res.status);
    throw SmsError(Kind::api, std::move(code), text(*err, "Message"), out.request_id);
  }
  auto set = r.find("SendStatusSet");
  if (set == r.end() || !set->is_array()) throw SmsError(Kind::bad_response, "", "reply lacks SendStatusSet", out.request_id, res.status);
  for (const auto& e : *set) {
    if (!e.is_object()) throw SmsError(Kind::bad_response, "", "SendStatusSet entry is not an object", out.request_id, res.status);
    SendStatus s;
    s.serial_no = text(e, "SerialNo");
    s.phone_number = text(e, "PhoneNumber");
    s.code = text(e, "Code");
    s.message = text(e, "Message");
    s.session_context = text(e, "SessionContext");
    s.iso_code = text(e, "IsoCode");
    if (auto fee = e.find("Fee"); fee != e.end() && fee->is_number_integer()) s.fee = fee->get<std::int64_t>();
    out.statuses.push_back(std::move(s));
  }
  return out;
}

}  // namespace xiaoqu::notify
