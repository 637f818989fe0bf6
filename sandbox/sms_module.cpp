// Tencent Cloud SMS SendSms endpoint of the sandbox, verifying TC3-HMAC-SHA256 signatures.
#include <httplib.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <map>
#include <random>
#include <set>

#include "notify/phone_number.hpp"
#include "notify/tc3_signer.hpp"
#include "sandbox/sandbox.hpp"
#include "sandbox/sms_verify.hpp"

namespace xiaoqu::sandbox {
namespace {
using nlohmann::json;

// Accepted messages and the injected faults; guarded by Sandbox::mutex().
struct SmsState {
  json messages = json::array();
  std::map<std::string, ApiError> phone_faults;  ///< E.164 number → its per-number failure
  struct CallFault {
    ApiError error;
    long long after = 0;       ///< calls let through first
    long long remaining = -1;  ///< calls failed then; -1 = until reset
  };
  std::optional<CallFault> call_fault;
  std::uint64_t serial = 0;
};

const std::set<std::string> kBodyFields = {"PhoneNumberSet", "SmsSdkAppId", "TemplateId", "SignName",
                                           "TemplateParamSet", "SessionContext", "ExtendCode", "SenderId"};

std::string request_id() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uint64_t a = rng(), b = rng();
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(a >> 32), static_cast<unsigned>(a >> 16) & 0xffff,
                static_cast<unsigned>(a) & 0xfff, static_cast<unsigned>(b >> 48) & 0xffff, static_cast<unsigned long long>(b) & 0xffffffffffffULL);
  return buf;
}

/// Request-level failure, also HTTP 200. https://cloud.tencent.com/document/api/382/55981
void api_error(Sandbox& sb, httplib::Response& res, const ApiError& e) {
  sb.count("sms errors " + e.code);
  Sandbox::reply(res, {{"Response", {{"Error", {{"Code", e.code}, {"Message", e.message}}}, {"RequestId", request_id()}}}});
}

bool all_strings(const json& j) {
  return j.is_array() && std::all_of(j.begin(), j.end(), [](const json& v) { return v.is_string(); });
}

// Body checks in the order the platform reports them; nothing when the body is acceptable.
std::optional<ApiError> check_body(const json& b, const config::SmsConfig& sms) {
  for (auto it = b.begin(); it != b.end(); ++it)
    if (!kBodyFields.count(it.key()))
      return ApiError{"UnknownParameter", "The parameter `" + it.key() + "` is not recognized (2019-07-11 names are not 2021-01-11 names)."};
  for (const char* required : {"PhoneNumberSet", "SmsSdkAppId", "TemplateId"})
    if (!b.contains(required) || b[required].empty())
      return ApiError{"MissingParameter", std::string("The request is missing a required parameter `") + required + "`."};
  if (!b["SmsSdkAppId"].is_string() || !b["TemplateId"].is_string())
    return ApiError{"InvalidParameter", "SmsSdkAppId and TemplateId must be strings."};
  if (b.contains("SignName") && !b["SignName"].is_string()) return ApiError{"InvalidParameter", "SignName must be a string."};
  if (!all_strings(b["PhoneNumberSet"]))
    return ApiError{"InvalidParameterValue.IncorrectPhoneNumber", "PhoneNumberSet must be an array of strings."};
  if (b["PhoneNumberSet"].size() > 200)
    return ApiError{"LimitExceeded.PhoneNumberCountLimit", "PhoneNumberSet holds more than 200 numbers."};
  if (!sms.sdk_app_id.empty() && b["SmsSdkAppId"] != sms.sdk_app_id)
    return ApiError{"UnauthorizedOperation.SmsSdkAppIdVerifyFail", "SmsSdkAppId does not belong to this account."};
  if (b.contains("TemplateParamSet") && !all_strings(b["TemplateParamSet"]))
    return ApiError{"InvalidParameterValue.TemplateParameterFormatError", "TemplateParamSet must be an array of strings."};
  if (!sms.sign_name.empty() && b.value("SignName", json("")) != sms.sign_name)
    return ApiError{"FailedOperation.SignatureIncorrectOrUnapproved", "SignName is missing or not approved."};
  if (b.contains("SessionContext") && (!b["SessionContext"].is_string() || b["SessionContext"].get<std::string>().size() >= 512))
    return ApiError{"InvalidParameterValue", "SessionContext must be a string shorter than 512 bytes."};
  for (const auto& p : b["PhoneNumberSet"])
    if (!notify::normalize_phone(p.get<std::string>()))
      return ApiError{"InvalidParameterValue.IncorrectPhoneNumber", "A number in PhoneNumberSet is not a valid mobile number."};
  return std::nullopt;
}

/// https://cloud.tencent.com/document/api/382/55981
void send_sms(Sandbox& sb, const httplib::Request& req, httplib::Response& res) {
  // Authenticate before parsing (STYLE practice 7).
  auto header = [&req](std::string_view name) -> std::optional<std::string> {
    std::string n(name);
    if (!req.has_header(n)) return std::nullopt;
    return req.get_header_value(n);
  };
  if (auto e = verify_tc3(header, req.body, sb.config().sms, static_cast<std::int64_t>(std::time(nullptr)))) return api_error(sb, res, *e);
  sb.count("sms signature_verified");
  if (header("X-TC-Action") != "SendSms") return api_error(sb, res, {"InvalidAction", "The action requested is not supported by sms."});
  if (header("X-TC-Version") != "2021-01-11") return api_error(sb, res, {"NoSuchVersion", "The API version is not 2021-01-11."});
  if (header("X-TC-Region").value_or("").empty())
    return api_error(sb, res, {"MissingParameter", "The request is missing a required parameter `Region`."});

  auto& st = sb.state<SmsState>();
  {
    std::lock_guard lk(sb.mutex());
    if (st.call_fault && st.call_fault->after > 0) {
      --st.call_fault->after;
    } else if (st.call_fault) {
      ApiError e = st.call_fault->error;
      if (st.call_fault->remaining > 0 && --st.call_fault->remaining == 0) st.call_fault.reset();
      return api_error(sb, res, e);
    }
  }
  auto body = json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) return api_error(sb, res, {"InvalidParameter", "The body is not a JSON object."});
  if (auto e = check_body(body, sb.config().sms)) return api_error(sb, res, *e);

  // Already verified, so it parses: kept to show which headers the client signed.
  std::string signed_headers = notify::tc3::parse_authorization(header("Authorization").value_or(""))->signed_headers;
  std::string session = body.value("SessionContext", "");
  json params = body.value("TemplateParamSet", json::array());
  json statuses = json::array();
  std::lock_guard lk(sb.mutex());
  for (const auto& p : body["PhoneNumberSet"]) {
    std::string phone = *notify::normalize_phone(p.get<std::string>());
    json status = {{"PhoneNumber", phone}, {"SessionContext", session}, {"IsoCode", "CN"}};
    if (auto f = st.phone_faults.find(phone); f != st.phone_faults.end()) {
      status.update({{"SerialNo", ""}, {"Fee", 0}, {"Code", f->second.code}, {"Message", f->second.message}});
      sb.count("sms rejected " + f->second.code);
    } else {
      std::string serial = "2433:" + std::to_string(1000000000000000000ULL + ++st.serial);
      status.update({{"SerialNo", serial}, {"Fee", 1}, {"Code", "Ok"}, {"Message", "send success"}});
      st.messages.push_back({{"phone", phone}, {"template_id", body["TemplateId"]}, {"params", params}, {"session_context", session},
                             {"sign_name", body.value("SignName", "")}, {"sdk_app_id", body["SmsSdkAppId"]}, {"serial_no", serial},
                             {"signed_headers", signed_headers}});
      sb.count("sms sent");
    }
    statuses.push_back(std::move(status));
  }
  Sandbox::reply(res, {{"Response", {{"SendStatusSet", statuses}, {"RequestId", request_id()}}}});
}

void bad_control(httplib::Response& res, const std::string& why) {
  Sandbox::reply(res, {{"ok", false}, {"error", why}});
  res.status = 400;
}
}  // namespace

void register_sms_module(Sandbox& sb) {
  // The SMS API is served at the root path of its host; the WeChat paths are /cgi-bin/...
  sb.post("/", [&sb](const httplib::Request& req, httplib::Response& res) { send_sms(sb, req, res); });

  // ---- inspection and control, for tests and the demo ----
  sb.get("/sandbox/sms/messages", [&sb](const httplib::Request&, httplib::Response& res) {
    std::lock_guard lk(sb.mutex());
    Sandbox::reply(res, {{"messages", sb.state<SmsState>().messages}});
  });
  // {phone, code, message?}: that number gets a per-number failure; an empty code clears it.
  sb.post("/sandbox/sms/phone_fault", [&sb](const httplib::Request& req, httplib::Response& res) {
    auto b = Sandbox::body_json(req, res);
    if (!b) return;
    auto phone = notify::normalize_phone(b->value("phone", ""));
    if (!phone) return bad_control(res, "phone is not a mainland mobile number");
    std::string code = b->value("code", "");
    std::lock_guard lk(sb.mutex());
    auto& faults = sb.state<SmsState>().phone_faults;
    if (code.empty()) faults.erase(*phone);
    else faults[*phone] = ApiError{code, b->value("message", "injected per-number failure")};
    Sandbox::reply(res, {{"ok", true}, {"phone", *phone}});
  });
  // {code, message?, after?, count?}: after `after` signed calls, the next `count` fail as a whole.
  sb.post("/sandbox/sms/call_fault", [&sb](const httplib::Request& req, httplib::Response& res) {
    auto b = Sandbox::body_json(req, res);
    if (!b) return;
    std::string code = b->value("code", "");
    if (code.empty()) return bad_control(res, "code is required");
    std::lock_guard lk(sb.mutex());
    sb.state<SmsState>().call_fault = SmsState::CallFault{
        {code, b->value("message", "injected call failure")}, b->value("after", 0LL), b->value("count", -1LL)};
    Sandbox::reply(res, {{"ok", true}});
  });
  sb.post("/sandbox/sms/reset", [&sb](const httplib::Request&, httplib::Response& res) {
    std::lock_guard lk(sb.mutex());
    sb.state<SmsState>() = SmsState{};
    Sandbox::reply(res, {{"ok", true}});
  });
}

}  // namespace xiaoqu::sandbox
