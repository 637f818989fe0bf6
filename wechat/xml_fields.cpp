#include "wechat/xml_fields.hpp"

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

namespace xiaoqu::wechat::detail {
namespace {

using tinyxml2::XMLElement;
using tinyxml2::XMLNode;
using tinyxml2::XMLText;

[[noreturn]] void fail(std::string what) { throw XmlError(std::move(what)); }

// tinyxml2 keeps <!DOCTYPE ...> (and any other <!...> declaration) as an XMLUnknown node
// instead of interpreting it: refusing them anywhere keeps DTD tricks out entirely.
void reject_unknown_markup(const tinyxml2::XMLDocument& doc) {
  for (const XMLNode* n = doc.FirstChild(); n;) {
    if (n->ToUnknown()) fail("DTD not allowed");
    if (const XMLNode* child = n->FirstChild()) {
      n = child;
      continue;
    }
    while (n != &doc && !n->NextSibling()) n = n->Parent();
    n = (n == &doc) ? nullptr : n->NextSibling();
  }
}

}  // namespace

std::string_view trim(std::string_view s) noexcept {
  constexpr std::string_view ws = " \t\r\n";
  const auto b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(ws) - b + 1);
}

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

XmlFields::XmlFields(std::string_view xml) {
  // tinyxml2 stops at a NUL, which would silently drop the rest of the body.
  if (xml.find('\0') != std::string_view::npos) fail("malformed XML: NUL byte");
  // Belt and braces: no push needs an entity declaration, so even one inside CDATA is refused.
  if (xml.find("<!ENTITY") != std::string_view::npos) fail("DTD not allowed");
  if (doc_.Parse(xml.data(), xml.size()) != tinyxml2::XML_SUCCESS) {
    fail(std::string("malformed XML: ") + doc_.ErrorName());
  }
  reject_unknown_markup(doc_);
  const XMLElement* root = doc_.RootElement();
  if (!root || std::strcmp(root->Name(), "xml") != 0) fail("root element is not <xml>");
  if (root->NextSiblingElement()) fail("more than one root element");

  fields_.reserve(16);
  for (const XMLElement* e = root->FirstChildElement(); e; e = e->NextSiblingElement()) {
    const XMLText* first = nullptr;
    std::string* joined = nullptr;
    // Several nodes happen when a sender splits "]]>" across two CDATA sections.
    for (const XMLNode* c = e->FirstChild(); c; c = c->NextSibling()) {
      const XMLText* t = c->ToText();
      if (!t) continue;
      if (!first) {
        first = t;
        continue;
      }
      if (!joined) joined = &joined_.emplace_front(first->Value());
      joined->append(t->Value());
    }
    std::string_view text = joined  ? std::string_view(*joined)
                            : first ? std::string_view(first->Value())
                                    : std::string_view();
    fields_.push_back({e->Name(), text});
  }
}

const XmlFields::Field* XmlFields::find(std::string_view name) const noexcept {
  for (const Field& f : fields_) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::string_view XmlFields::text(std::string_view name) const noexcept {
  const Field* f = find(name);
  return f ? f->text : std::string_view();
}

std::string_view XmlFields::token(std::string_view name) const noexcept { return trim(text(name)); }

std::optional<std::string> XmlFields::opt_str(std::string_view name) const {
  const Field* f = find(name);
  if (!f) return std::nullopt;
  return std::string(f->text);
}

std::optional<std::int64_t> XmlFields::opt_i64(std::string_view name) const {
  const std::string_view s = token(name);
  if (s.empty()) return std::nullopt;
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) fail(std::string(name) + " is not a number");
  return v;
}

std::optional<int> XmlFields::opt_int(std::string_view name) const {
  const auto v = opt_i64(name);
  if (!v) return std::nullopt;
  if (*v < std::numeric_limits<int>::min() || *v > std::numeric_limits<int>::max())
    fail(std::string(name) + " is out of range");
  return static_cast<int>(*v);
}

double XmlFields::f64(std::string_view name) const {
  const std::string_view s = token(name);
  if (s.empty()) return 0;
  double v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) {
    fail(std::string(name) + " is not a number");
  }
  return v;
}

std::vector<std::int64_t> XmlFields::i64_list(std::string_view name) const {
  std::vector<std::int64_t> out;
  std::string_view rest = text(name);
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    const std::string_view item = trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    if (item.empty()) continue;
    std::int64_t v = 0;
    const auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
    if (ec != std::errc() || end != item.data() + item.size()) fail(std::string(name) + " is not a number list");
    out.push_back(v);
  }
  return out;
}

}  // namespace xiaoqu::wechat::detail
