// libFuzzer target: every parser of decrypted / envelope XML must either return or throw XmlError.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "wechat/component_notice.hpp"
#include "wechat/message.hpp"
#include "wecom/event.hpp"

using namespace xiaoqu;

namespace {

void check_message(const wechat::Message& m) {
  (void)wechat::kind_label(m);
  (void)wechat::dedup_key(m);
  const auto& h = wechat::header_of(m);
  // Our own reply must parse back to the same content ("]]>" splitting); tinyxml2 normalises
  // CR and the parser refuses "<!ENTITY", so such content is left out of the check.
  if (const auto* t = std::get_if<wechat::TextMessage>(&m)) {
    const std::string_view c = t->content;
    if (c.find('\r') != c.npos || c.find("<!ENTITY") != c.npos) return;
    const auto back = wechat::parse_message(wechat::render_text_reply(h, c, 1));
    if (std::get<wechat::TextMessage>(back).content != c) __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view xml(reinterpret_cast<const char*>(data), size);
  try {
    (void)wechat::parse_envelope(xml);
  } catch (const wechat::XmlError&) {
  }
  try {
    check_message(wechat::parse_message(xml));
  } catch (const wechat::XmlError&) {
  }
  try {
    const auto n = wechat::parse_component_notice(xml);
    (void)wechat::kind_label(n);
    (void)wechat::dedup_key(n);
  } catch (const wechat::XmlError&) {
  }
  try {
    const auto p = wecom::parse_push(xml);
    if (const auto* i = std::get_if<wecom::Instruction>(&p)) {
      (void)wecom::kind_label(*i);
      (void)wecom::dedup_key(*i);
    }
  } catch (const wechat::XmlError&) {
  }
  return 0;
}
