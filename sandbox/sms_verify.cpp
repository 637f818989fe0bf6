#include "sandbox/sms_verify.hpp"

#include <charconv>
#include <set>
#include <vector>

#include "notify/tc3_signer.hpp"

namespace xiaoqu::sandbox {
namespace {
constexpr std::int64_t kMaxSkewSeconds = 300;
}  // namespace

std::optional<ApiError> verify_tc3(const HeaderLookup& header, std::string_view body, const config::SmsConfig& sms, std::int64_t now) {
  namespace tc3 = notify::tc3;
  auto auth_text = header("Authorization");
  if (!auth_text) return ApiError{"AuthFailure.InvalidAuthorization", "Authorization header is missing"};
  auto auth = tc3::parse_authorization(*auth_text);
  if (!auth) return ApiError{"AuthFailure.InvalidAuthorization", "Authorization header is not TC3-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=..."};

  auto ts_text = header("X-TC-Timestamp");
  if (!ts_text) return ApiError{"MissingParameter", "The request is missing a required parameter `X-TC-Timestamp`."};
  std::int64_t ts = 0;
  auto [end, ec] = std::from_chars(ts_text->data(), ts_text->data() + ts_text->size(), ts);
  if (ec != std::errc() || end != ts_text->data() + ts_text->size())
    return ApiError{"InvalidParameter", "X-TC-Timestamp is not Unix seconds"};

  if (sms.secret_id.empty() || sms.secret_key.empty() || !tc3::equal(auth->secret_id, sms.secret_id))
    return ApiError{"AuthFailure.SecretIdNotFound", "The SecretId is not found, please ensure that your SecretId is correct."};
  if (ts > now + kMaxSkewSeconds || ts < now - kMaxSkewSeconds)
    return ApiError{"AuthFailure.SignatureExpire", "Signature expired. Timestamp " + *ts_text + " is more than 300 s from the server time " + std::to_string(now) + "."};

  // The scope must name the timestamp's UTC date and this service.
  if (auth->service != "sms" || auth->date != tc3::utc_date(ts))
    return ApiError{"AuthFailure.SignatureFailure", "The credential scope does not match the timestamp's UTC date and service sms."};

  std::vector<tc3::Header> signed_headers;
  std::set<std::string> names;
  for (std::size_t pos = 0; pos <= auth->signed_headers.size();) {
    auto semi = auth->signed_headers.find(';', pos);
    std::string name = auth->signed_headers.substr(pos, semi == std::string::npos ? std::string::npos : semi - pos);
    pos = semi == std::string::npos ? auth->signed_headers.size() + 1 : semi + 1;
    auto value = header(name);
    if (name.empty() || !value) return ApiError{"AuthFailure.SignatureFailure", "SignedHeaders names a header the request lacks."};
    names.insert(name);
    signed_headers.emplace_back(name, *value);
  }
  if (!names.count("content-type") || !names.count("host"))
    return ApiError{"AuthFailure.SignatureFailure", "SignedHeaders must include content-type and host."};

  tc3::SignInput in;
  in.secret_id = sms.secret_id;
  in.secret_key = sms.secret_key;
  in.service = "sms";
  in.timestamp = ts;
  in.headers = std::move(signed_headers);
  in.payload = body;
  auto expected = tc3::sign(in);
  // Also catches a SignedHeaders list out of order: the recomputed list is sorted.
  if (!tc3::equal(expected.signature, auth->signature) || expected.signed_headers != auth->signed_headers)
    return ApiError{"AuthFailure.SignatureFailure", "The provided credentials could not be validated. Please check your signature is correct."};
  return std::nullopt;
}

}  // namespace xiaoqu::sandbox
