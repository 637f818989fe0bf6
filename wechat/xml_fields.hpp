#pragma once
// Internal: reads the flat <xml> documents of WeChat / WeCom pushes (docs/wechat-protocol.md 4).
// Fields are the direct children of <xml>: any order, CDATA or not, unknown ones ignored.
#include <tinyxml2.h>

#include <cstdint>
#include <forward_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wechat/message.hpp"

namespace xiaoqu::wechat::detail {

/// One parsed document. Views returned by text() live as long as this object.
class XmlFields {
 public:
  /// Throws XmlError on malformed XML, a root other than <xml>, or any DTD / unknown markup.
  explicit XmlFields(std::string_view xml);
  XmlFields(const XmlFields&) = delete;
  XmlFields& operator=(const XmlFields&) = delete;

  bool has(std::string_view name) const noexcept { return find(name) != nullptr; }
  /// Raw text (entities decoded, CDATA unwrapped); empty when absent. First occurrence wins.
  std::string_view text(std::string_view name) const noexcept;
  /// text() without surrounding whitespace: for type names and ids compared or keyed on.
  std::string_view token(std::string_view name) const noexcept;
  std::string str(std::string_view name) const { return std::string(text(name)); }
  std::string id(std::string_view name) const { return std::string(token(name)); }
  std::optional<std::string> opt_str(std::string_view name) const;

  /// Numeric fields: absent or blank → 0 / nullopt; anything else unparsable → XmlError.
  std::int64_t i64(std::string_view name) const { return opt_i64(name).value_or(0); }
  std::optional<std::int64_t> opt_i64(std::string_view name) const;
  std::optional<int> opt_int(std::string_view name) const;
  int i32(std::string_view name) const { return opt_int(name).value_or(0); }
  double f64(std::string_view name) const;
  /// Comma-separated integers ("1,2"); blank items skipped.
  std::vector<std::int64_t> i64_list(std::string_view name) const;

 private:
  struct Field {
    std::string_view name, text;
  };
  const Field* find(std::string_view name) const noexcept;

  tinyxml2::XMLDocument doc_{true, tinyxml2::PRESERVE_WHITESPACE};
  std::vector<Field> fields_;
  std::forward_list<std::string> joined_;  // stable storage for text split over several nodes
};

std::string_view trim(std::string_view s) noexcept;
/// ASCII case-insensitive equality: event names differ in case between MP and WeCom.
bool iequals(std::string_view a, std::string_view b) noexcept;

/// parse_message() on an already parsed document (defined in message.cpp), so that
/// wecom::parse_push parses each body once.
Message message_from_fields(const XmlFields& f);

}  // namespace xiaoqu::wechat::detail
