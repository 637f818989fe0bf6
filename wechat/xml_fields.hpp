#pragma once
// Internal: reads the flat <xml> documents of WeChat / WeCom pushes (docs/protocol/official-account-callback.md).
// Fields are the direct children of <xml>: any order, CDATA or not, unknown ones ignored.
#include <tinyxml2.h>

#include <cstdint>
#include <forward_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "wechat/message.hpp"

namespace xiaoqu::wechat::detail {

/// One parsed document. Views returned by text() may point into the input: they live as long
/// as both this object and the input.
class XmlFields {
 public:
  /// flat_or_tinyxml2: a byte scanner for the flat documents the platforms send, tinyxml2 for
  /// anything else (same fields, same errors); tinyxml2: tinyxml2 only (differential tests).
  enum class Parser { flat_or_tinyxml2, tinyxml2 };
  struct Field {
    std::string_view name, text;
  };

  /// Throws XmlError on malformed XML, a root other than <xml>, or any DTD / unknown markup.
  explicit XmlFields(std::string_view xml, Parser parser = Parser::flat_or_tinyxml2);
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

  /// The direct children of <xml> in document order.
  std::span<const Field> fields() const noexcept { return fields_; }
  /// True when the flat scanner read the document (tinyxml2 was not needed).
  bool flat() const noexcept { return !doc_.has_value(); }

 private:
  bool scan_flat(std::string_view xml);
  void parse_tinyxml2(std::string_view xml);
  const Field* find(std::string_view name) const noexcept;

  std::optional<tinyxml2::XMLDocument> doc_;  // engaged only when the flat scanner declined
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
