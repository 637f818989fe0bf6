#include "wechat/xml_fields.hpp"

#include <array>
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

// "<!ENTITY" anywhere. Hopping over '!' (rare outside "<![CDATA[") with memchr beats memmem.
bool has_entity_declaration(std::string_view s) noexcept {
  const char* p = s.data();
  const char* const end = p + s.size();
  while ((p = static_cast<const char*>(std::memchr(p, '!', static_cast<std::size_t>(end - p)))) != nullptr) {
    if (p != s.data() && p[-1] == '<' && end - p >= 7 && std::memcmp(p, "!ENTITY", 7) == 0) return true;
    ++p;
  }
  return false;
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

XmlFields::XmlFields(std::string_view xml, Parser parser) {
  // An empty (possibly null) view goes straight to tinyxml2's "empty document" error.
  if (xml.empty()) {
    parse_tinyxml2(xml);
    return;
  }
  // tinyxml2 stops at a NUL, which would silently drop the rest of the body.
  if (std::memchr(xml.data(), '\0', xml.size()) != nullptr) fail("malformed XML: NUL byte");
  // Belt and braces: no push needs an entity declaration, so even one inside CDATA is refused.
  if (has_entity_declaration(xml)) fail("DTD not allowed");
  fields_.reserve(16);
  if (parser == Parser::flat_or_tinyxml2 && scan_flat(xml)) return;
  fields_.clear();
  joined_.clear();
  parse_tinyxml2(xml);
}

namespace {

// The whitespace tinyxml2 skips between nodes, minus '\v' and '\f' which send us to tinyxml2.
constexpr bool is_ws(char c) noexcept { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; }

const char* skip_ws(const char* p, const char* end) noexcept {
  while (p != end && is_ws(*p)) ++p;
  return p;
}

bool starts_with(const char* p, const char* end, std::string_view prefix) noexcept {
  return static_cast<std::size_t>(end - p) >= prefix.size() && std::memcmp(p, prefix.data(), prefix.size()) == 0;
}

// The ASCII part of tinyxml2's IsNameStartChar / IsNameChar; other bytes go to tinyxml2.
constexpr bool name_start(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
}
constexpr bool name_char(char c) noexcept { return name_start(c) || (c >= '0' && c <= '9') || c == '.' || c == '-'; }

// "<Name>" at p (p at '<'): the name, or empty when the tag has any other shape.
std::string_view open_tag(const char* p, const char* end) noexcept {
  const char* n = p + 1;
  if (n == end || !name_start(*n)) return {};
  const char* e = n + 1;
  while (e != end && name_char(*e)) ++e;
  if (e == end || *e != '>') return {};
  return std::string_view(n, static_cast<std::size_t>(e - n));
}

// Text-run bytes: kWs is whitespace for both parsers; kSpecial kept in a value needs tinyxml2
// (entities, newline normalisation, whitespace we do not classify).
constexpr unsigned char kWs = 1, kSpecial = 2;
constexpr std::array<unsigned char, 256> kTextClass = [] {
  std::array<unsigned char, 256> t{};
  t[' '] = t['\t'] = t['\n'] = kWs;
  t['\r'] = kWs | kSpecial;
  t['&'] = t['\v'] = t['\f'] = kSpecial;
  return t;
}();

}  // namespace

// Reads <xml><Tag>text or CDATA pieces</Tag>...</xml> with an optional leading <?xml ...?>.
// Returns false, leaving the rest to tinyxml2, at the first thing of any other shape.
bool XmlFields::scan_flat(std::string_view xml) {
  const char* p = xml.data();
  const char* const end = p + xml.size();
  // CDATA needs tinyxml2 only for a CR (newline normalisation); most documents have none at all.
  const bool cr = std::memchr(xml.data(), '\r', xml.size()) != nullptr;
  p = skip_ws(p, end);
  if (starts_with(p, end, "<?xml")) {
    const std::string_view rest(p, static_cast<std::size_t>(end - p));
    const auto close = rest.find("?>", 5);
    if (close == std::string_view::npos || rest.substr(0, close).find('<', 1) != std::string_view::npos) return false;
    p = skip_ws(p + close + 2, end);
  }
  if (!starts_with(p, end, "<xml>")) return false;
  p += 5;
  for (;;) {
    p = skip_ws(p, end);
    if (p == end || *p != '<') return false;
    if (starts_with(p, end, "</xml>")) {
      // Only whitespace may follow the root; tinyxml2 judges anything else.
      return skip_ws(p + 6, end) == end;
    }
    const std::string_view name = open_tag(p, end);
    if (name.empty()) return false;
    p = name.data() + name.size() + 1;

    std::string_view first;
    bool have_first = false;
    std::string* joined = nullptr;
    const auto add = [&](std::string_view piece) {
      if (!have_first) {
        first = piece;
        have_first = true;
      } else {
        if (!joined) joined = &joined_.emplace_front(first);
        joined->append(piece);
      }
    };
    for (;;) {
      const char* lt = p;
      if (lt == end || *lt != '<') {
        lt = static_cast<const char*>(std::memchr(p, '<', static_cast<std::size_t>(end - p)));
        if (!lt) return false;
      }
      if (lt != p) {
        unsigned char all = kWs, any = 0;
        for (const char* q = p; q != lt; ++q) {
          const unsigned char k = kTextClass[static_cast<unsigned char>(*q)];
          all &= k;
          any |= k;
        }
        // A whitespace-only run before markup is dropped, as tinyxml2 does; other text is kept whole.
        if (!(all & kWs)) {
          if (any & kSpecial) return false;
          add(std::string_view(p, static_cast<std::size_t>(lt - p)));
        }
      }
      if (starts_with(lt, end, "<![CDATA[")) {
        const std::string_view rest(lt + 9, static_cast<std::size_t>(end - lt - 9));
        const auto close = rest.find("]]>");
        if (close == std::string_view::npos) return false;
        const std::string_view data = rest.substr(0, close);
        if (cr && std::memchr(data.data(), '\r', data.size()) != nullptr) return false;
        add(data);
        p = data.data() + close + 3;
        continue;
      }
      if (lt + 1 == end || lt[1] != '/') return false;
      // The closing tag must be exactly </Name>.
      const char* c = lt + 2;
      if (static_cast<std::size_t>(end - c) < name.size() + 1 || std::memcmp(c, name.data(), name.size()) != 0 ||
          c[name.size()] != '>') {
        return false;
      }
      p = c + name.size() + 1;
      break;
    }
    fields_.push_back({name, joined ? std::string_view(*joined) : first});
  }
}

void XmlFields::parse_tinyxml2(std::string_view xml) {
  tinyxml2::XMLDocument& doc = doc_.emplace(true, tinyxml2::PRESERVE_WHITESPACE);
  if (doc.Parse(xml.data(), xml.size()) != tinyxml2::XML_SUCCESS) {
    fail(std::string("malformed XML: ") + doc.ErrorName());
  }
  reject_unknown_markup(doc);
  const XMLElement* root = doc.RootElement();
  if (!root || std::strcmp(root->Name(), "xml") != 0) fail("root element is not <xml>");
  if (root->NextSiblingElement()) fail("more than one root element");

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
