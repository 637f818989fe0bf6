#include "gateway/forms/multipart.hpp"

#include <algorithm>
#include <cctype>

namespace xiaoqu::forms {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

struct Param {
  std::string name, value;
};

// `type; a=b; c="d;e"`: the type, then parameters. Quoted values may hold ';' and \-escapes.
std::string parse_header_value(std::string_view v, std::vector<Param>& params) {
  std::size_t i = 0;
  auto skip_ws = [&] {
    while (i < v.size() && (v[i] == ' ' || v[i] == '\t')) ++i;
  };
  std::size_t semi = v.find(';');
  std::string type = lower(trim(v.substr(0, semi)));
  if (semi == std::string_view::npos) return type;
  i = semi + 1;
  while (i < v.size()) {
    skip_ws();
    std::size_t name_start = i;
    while (i < v.size() && v[i] != '=' && v[i] != ';') ++i;
    std::string name = lower(trim(v.substr(name_start, i - name_start)));
    std::string value;
    if (i < v.size() && v[i] == '=') {
      ++i;
      skip_ws();
      if (i < v.size() && v[i] == '"') {
        ++i;
        bool closed = false;
        while (i < v.size()) {
          char c = v[i++];
          if (c == '\\' && i < v.size()) {
            value.push_back(v[i++]);
          } else if (c == '"') {
            closed = true;
            break;
          } else {
            value.push_back(c);
          }
        }
        if (!closed) throw MultipartError("参数 " + name + " 的引号没有闭合");
        skip_ws();
        while (i < v.size() && v[i] != ';') ++i;  // tolerate junk after the closing quote
      } else {
        std::size_t start = i;
        while (i < v.size() && v[i] != ';') ++i;
        value = std::string(trim(v.substr(start, i - start)));
      }
    }
    if (i < v.size() && v[i] == ';') ++i;
    if (!name.empty()) params.push_back({std::move(name), std::move(value)});
  }
  return type;
}

const std::string* find_param(const std::vector<Param>& params, std::string_view name) {
  for (const auto& p : params)
    if (p.name == name) return &p.value;
  return nullptr;
}

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// RFC 5987 ext-value: charset'language'pct-encoded; only UTF-8 is meaningful here.
std::string decode_ext_value(std::string_view v) {
  std::size_t q1 = v.find('\'');
  std::size_t q2 = q1 == std::string_view::npos ? q1 : v.find('\'', q1 + 1);
  if (q2 == std::string_view::npos) throw MultipartError("filename* 参数格式错误，应为 UTF-8''文件名");
  if (lower(v.substr(0, q1)) != "utf-8") throw MultipartError("filename* 只支持 UTF-8 编码");
  std::string out;
  for (std::size_t i = q2 + 1; i < v.size(); ++i) {
    if (v[i] == '%') {
      int hi = i + 2 < v.size() ? hex(v[i + 1]) : -1, lo = i + 2 < v.size() ? hex(v[i + 2]) : -1;
      if (hi < 0 || lo < 0) throw MultipartError("filename* 中的百分号编码不完整");
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(v[i]);
    }
  }
  return out;
}

// Browsers once sent the whole client path ("C:\\Users\\...\\a.xlsx"); keep the last part only.
std::string base_name(std::string name) {
  auto slash = name.find_last_of("/\\");
  if (slash != std::string::npos) name.erase(0, slash + 1);
  return name;
}

bool valid_boundary(std::string_view b) {
  // RFC 2046: 1 to 70 characters from bchars, not ending in a space.
  if (b.empty() || b.size() > 70 || b.back() == ' ') return false;
  return std::all_of(b.begin(), b.end(), [](unsigned char c) {
    return std::isalnum(c) || std::string_view("'()+_,-./:=? ").find(static_cast<char>(c)) != std::string_view::npos;
  });
}

void read_part_headers(std::string_view headers, std::string_view eol, Part& part) {
  bool disposition = false;
  std::size_t at = 0;
  while (at < headers.size()) {
    std::size_t end = headers.find(eol, at);
    if (end == std::string_view::npos) end = headers.size();
    std::string_view line = headers.substr(at, end - at);
    at = end + eol.size();
    if (line.empty()) continue;
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) throw MultipartError("部分头部缺少冒号：" + std::string(line.substr(0, 60)));
    std::string name = lower(trim(line.substr(0, colon)));
    std::string_view value = trim(line.substr(colon + 1));
    if (name == "content-disposition") {
      std::vector<Param> params;
      if (parse_header_value(value, params) != "form-data") throw MultipartError("Content-Disposition 必须是 form-data");
      const std::string* n = find_param(params, "name");
      if (!n || n->empty()) throw MultipartError("Content-Disposition 缺少 name 参数");
      part.name = *n;
      if (const std::string* ext = find_param(params, "filename*")) {
        part.file_name = base_name(decode_ext_value(*ext));
        part.is_file = true;
      } else if (const std::string* f = find_param(params, "filename")) {
        part.file_name = base_name(*f);
        part.is_file = true;
      }
      disposition = true;
    } else if (name == "content-type") {
      part.content_type = std::string(value);
    }
  }
  if (!disposition) throw MultipartError("某个部分缺少 Content-Disposition 头");
  if (part.content_type.empty()) part.content_type = part.is_file ? "application/octet-stream" : "text/plain";
}

}  // namespace

std::string boundary_of(std::string_view content_type) {
  std::vector<Param> params;
  if (parse_header_value(content_type, params) != "multipart/form-data")
    throw MultipartError("请以 multipart/form-data 格式上传文件");
  const std::string* b = find_param(params, "boundary");
  if (!b) throw MultipartError("Content-Type 缺少 boundary 参数");
  if (!valid_boundary(*b)) throw MultipartError("Content-Type 的 boundary 参数无效");
  return *b;
}

std::vector<Part> parse_multipart(std::string_view body, std::string_view content_type, std::size_t max_parts) {
  const std::string dash_boundary = "--" + boundary_of(content_type);

  // The first delimiter: at the very start, or after a preamble line.
  std::size_t first = 0;
  if (body.substr(0, dash_boundary.size()) != dash_boundary) {
    first = body.find("\n" + dash_boundary);
    if (first == std::string_view::npos) throw MultipartError("正文中没有找到 boundary 分隔行");
    first += 1;
  }
  std::size_t after = first + dash_boundary.size();
  // The line ending used from here on: CRLF normally, bare LF when the sender used it.
  std::size_t line_end = body.find('\n', after);
  if (body.substr(after, 2) == "--") throw MultipartError("表单中没有任何部分");
  if (line_end == std::string_view::npos) throw MultipartError("boundary 分隔行之后正文意外结束");
  const std::string_view eol = (line_end > after && body[line_end - 1] == '\r') ? "\r\n" : "\n";
  // Only transport padding (spaces, tabs) may follow a delimiter on its line.
  if (!trim(body.substr(after, line_end + 1 - eol.size() - after)).empty())
    throw MultipartError("boundary 分隔行之后有多余内容");
  std::size_t at = line_end + 1;

  const std::string delimiter = std::string(eol) + dash_boundary;
  const std::string header_end = std::string(eol) + std::string(eol);
  std::vector<Part> parts;
  for (;;) {
    if (parts.size() >= max_parts) throw MultipartError("表单部分过多（最多 " + std::to_string(max_parts) + " 个）");
    Part part;
    // Headers end at the first empty line; a part with no headers starts with that line.
    std::size_t body_start;
    if (body.substr(at, eol.size()) == eol) {
      body_start = at + eol.size();
    } else {
      std::size_t he = body.find(header_end, at);
      if (he == std::string_view::npos) throw MultipartError("部分头部没有以空行结束");
      read_part_headers(body.substr(at, he - at), eol, part);
      body_start = he + header_end.size();
    }
    if (part.name.empty()) throw MultipartError("某个部分缺少 Content-Disposition 头");
    std::size_t d = body.find(delimiter, body_start);
    if (d == std::string_view::npos) throw MultipartError("正文缺少结束的 boundary 分隔行（上传可能不完整）");
    part.body = body.substr(body_start, d - body_start);
    parts.push_back(std::move(part));
    std::size_t rest = d + delimiter.size();
    if (body.substr(rest, 2) == "--") return parts;  // the close delimiter; the epilogue is ignored
    std::size_t nl = body.find('\n', rest);
    if (nl == std::string_view::npos) throw MultipartError("正文缺少结束的 boundary 分隔行（上传可能不完整）");
    if (nl + 1 - eol.size() < rest || !trim(body.substr(rest, nl + 1 - eol.size() - rest)).empty() ||
        (eol.size() == 2 && body[nl - 1] != '\r'))
      throw MultipartError("boundary 分隔行之后有多余内容");
    at = nl + 1;
  }
}

}  // namespace xiaoqu::forms
