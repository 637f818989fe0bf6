// libFuzzer target: the multipart/form-data parser on arbitrary bytes. Input: the
// Content-Type up to the first '\n', then the body. The parser either throws MultipartError
// or returns parts whose bodies lie inside the input, whose file names carry no directory,
// and which parse back the same after being written out again with a fresh boundary.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "gateway/forms/multipart.hpp"

namespace {
using xiaoqu::forms::MultipartError;
using xiaoqu::forms::Part;

std::string quoted(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

bool writable(const Part& p) {
  // Names with line breaks cannot be written back as one header line.
  auto plain = [](std::string_view s) { return s.find_first_of("\r\n") == std::string_view::npos; };
  return plain(p.name) && plain(p.file_name) && plain(p.content_type) && p.body.find("--fuzz-boundary-7e1") == std::string_view::npos;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto nl = input.find('\n');
  if (nl == std::string_view::npos) return 0;
  std::string_view type = input.substr(0, nl), body = input.substr(nl + 1);
  std::vector<Part> parts;
  try {
    parts = xiaoqu::forms::parse_multipart(body, type, 16);
  } catch (const MultipartError&) {
    return 0;
  }
  if (parts.empty() || parts.size() > 16) std::abort();
  std::string again = "multipart/form-data; boundary=--fuzz-boundary-7e1", rebuilt;
  bool round_trip = true;
  for (const auto& p : parts) {
    if (p.body.data() < body.data() || p.body.data() + p.body.size() > body.data() + body.size()) std::abort();
    if (p.name.empty() || p.file_name.find_first_of("/\\") != std::string::npos) std::abort();
    if (p.content_type.empty()) std::abort();
    round_trip = round_trip && writable(p);
    rebuilt += "----fuzz-boundary-7e1\r\nContent-Disposition: form-data; name=" + quoted(p.name);
    if (p.is_file) rebuilt += "; filename=" + quoted(p.file_name);
    rebuilt += "\r\nContent-Type: " + p.content_type + "\r\n\r\n";
    rebuilt.append(p.body);
    rebuilt += "\r\n";
  }
  rebuilt += "----fuzz-boundary-7e1--\r\n";
  if (!round_trip) return 0;
  auto back = xiaoqu::forms::parse_multipart(rebuilt, again, 16);  // must not throw
  if (back.size() != parts.size()) std::abort();
  for (std::size_t i = 0; i < parts.size(); ++i)
    if (back[i].name != parts[i].name || back[i].file_name != parts[i].file_name || back[i].body != parts[i].body ||
        back[i].is_file != parts[i].is_file)
      std::abort();
  return 0;
}
