// The request and response helpers every admin API handler uses.
#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "gateway/api/api.hpp"
#include "gateway/forms/multipart.hpp"

namespace xiaoqu::gateway::api {

bool Principal::can_see(std::int64_t community_id) const noexcept {
  return is_operator || std::find(communities.begin(), communities.end(), community_id) != communities.end();
}

nlohmann::json ApiRequest::json() const {
  if (http.body.empty()) throw ApiError(400, "invalid_json", "请求正文不能为空，应为 JSON 对象");
  nlohmann::json j = nlohmann::json::parse(http.body, nullptr, false);
  if (j.is_discarded()) throw ApiError(400, "invalid_json", "请求正文不是有效的 JSON");
  if (!j.is_object()) throw ApiError(400, "invalid_json", "请求正文应为 JSON 对象");
  return j;
}

std::optional<std::string> ApiRequest::query(std::string_view name) const {
  // application/x-www-form-urlencoded: '+' is a space (browsers' URLSearchParams send it).
  std::string_view q = http.query;
  while (!q.empty()) {
    auto amp = q.find('&');
    std::string_view item = q.substr(0, amp);
    q = amp == std::string_view::npos ? std::string_view{} : q.substr(amp + 1);
    auto eq = item.find('=');
    std::string key(item.substr(0, eq)), value(eq == std::string_view::npos ? std::string_view{} : item.substr(eq + 1));
    std::replace(key.begin(), key.end(), '+', ' ');
    if (percent_decode(key) != name) continue;
    std::replace(value.begin(), value.end(), '+', ' ');
    return percent_decode(value);
  }
  return std::nullopt;
}

std::int64_t ApiRequest::positive_query(std::string_view name, std::int64_t fallback, std::int64_t max) const {
  auto text = query(name);
  if (!text || text->empty()) return fallback;
  try {
    std::size_t used = 0;
    long long n = std::stoll(*text, &used);
    if (used == text->size() && n >= 1 && n <= max) return n;
  } catch (const std::exception&) {
  }
  throw ApiError(400, "invalid", std::string(name) + " 必须是 1 到 " + std::to_string(max) + " 之间的整数", std::string(name));
}

std::int64_t ApiRequest::id(std::string_view name) const {
  auto it = params.find(name);
  // A malformed id names nothing that exists: the same 404 as an id that is not there.
  const bool community = name == "community";
  auto refuse = [&]() -> ApiError {
    return community ? ApiError(404, "community_not_found", "小区不存在或无权访问") : ApiError(404, "not_found", "记录不存在");
  };
  if (it == params.end()) throw std::logic_error("route has no parameter " + std::string(name));
  const std::string& v = it->second;
  if (v.empty() || v.size() > 18 || v[0] == '0' || !std::all_of(v.begin(), v.end(), [](unsigned char c) { return std::isdigit(c); }))
    throw refuse();
  return std::stoll(v);
}

UploadedFile ApiRequest::file() const {
  std::string_view content_type = http.header("content-type");
  std::vector<forms::Part> parts;
  try {
    parts = forms::parse_multipart(http.body, content_type);
  } catch (const forms::MultipartError& e) {
    throw ApiError(400, "invalid_upload", std::string("上传格式错误：") + e.what(), "file");
  }
  for (const auto& p : parts) {
    if (!p.is_file) continue;
    if (p.body.empty()) throw ApiError(400, "invalid_upload", "上传的文件是空的", p.name);
    return UploadedFile{p.name, p.file_name, p.content_type, std::string(p.body)};
  }
  throw ApiError(400, "invalid_upload", "请选择要上传的文件", "file");
}

ApiResponse ApiResponse::json(const nlohmann::json& body, int status) {
  ApiResponse r;
  r.status = status;
  // Text from spreadsheets may hold invalid UTF-8; replace it rather than fail the answer.
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

namespace {
// RFC 5987 attr-char are sent as they are; everything else percent-encoded.
std::string rfc5987(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || std::string_view("!#$&+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

// The plain filename= for old clients: ASCII only, no quotes or separators.
std::string ascii_fallback(std::string_view s) {
  std::string out;
  for (unsigned char c : s) out.push_back(c >= 0x20 && c < 0x7F && c != '"' && c != '\\' && c != '/' && c != ';' ? static_cast<char>(c) : '_');
  return out;
}
}  // namespace

ApiResponse ApiResponse::file(std::string bytes, std::string_view file_name, std::string_view content_type) {
  ApiResponse r;
  r.body = std::move(bytes);
  r.content_type = std::string(content_type);
  r.headers.emplace_back("Content-Disposition",
                         "attachment; filename=\"" + ascii_fallback(file_name) + "\"; filename*=UTF-8''" + rfc5987(file_name));
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

ApiResponse ApiResponse::xlsx(std::string bytes, std::string_view file_name) {
  return file(std::move(bytes), file_name, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
}

ApiResponse ApiResponse::no_content() {
  ApiResponse r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

}  // namespace xiaoqu::gateway::api
