// libFuzzer target: the flat-XML scanner of XmlFields against tinyxml2 on the same bytes.
// Whenever the scanner accepts a document, tinyxml2 must accept it too with the same fields in
// the same order; otherwise both paths must agree on the error.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "wechat/message.hpp"
#include "wechat/xml_fields.hpp"

using xiaoqu::wechat::XmlError;
using xiaoqu::wechat::detail::XmlFields;

namespace {

struct Result {
  std::optional<std::string> error;
  std::vector<std::pair<std::string, std::string>> fields;
  bool flat = false;
};

Result run(std::string_view xml, XmlFields::Parser parser) {
  Result r;
  try {
    const XmlFields f(xml, parser);
    r.flat = f.flat();
    for (const auto& field : f.fields()) r.fields.emplace_back(field.name, field.text);
  } catch (const XmlError& e) {
    r.error = e.what();
  }
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // libFuzzer's buffer is exactly `size` bytes: ASan catches a scanner reading past the end.
  const std::string_view xml(reinterpret_cast<const char*>(data), size);
  const Result fast = run(xml, XmlFields::Parser::flat_or_tinyxml2);
  const Result slow = run(xml, XmlFields::Parser::tinyxml2);
  if (slow.flat) __builtin_trap();
  if (fast.error != slow.error) __builtin_trap();
  if (fast.fields != slow.fields) __builtin_trap();
  return 0;
}
