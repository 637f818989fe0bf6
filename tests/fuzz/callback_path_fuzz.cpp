// libFuzzer target for the whole inbound path after the signature: envelope parse,
// decrypt, typed parse of the inner XML (as an Official Account message, a component
// notice and a WeCom push). The input is the plaintext inner message; it is encrypted with a
// fixed key so the fuzzer explores the parsers behind the crypto, and the envelope around it
// is also mutated through the first input byte.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "wechat/component_notice.hpp"
#include "wechat/message.hpp"
#include "wechat/msg_crypt.hpp"
#include "wecom/event.hpp"

namespace {
using namespace xiaoqu;

const wechat::MsgCrypt& crypt() {
  static const wechat::MsgCrypt c("xiaoquMpToken2024", "Q7mZ2xK9pL4vN8rT1wY6sB3dF5gH0jC2eA9uV7iO4kR");
  return c;
}

void parse_all(std::string_view xml) {
  try {
    auto m = wechat::parse_message(xml);
    (void)wechat::dedup_key(m);
    (void)wechat::kind_label(m);
  } catch (const wechat::XmlError&) {
  }
  try {
    auto n = wechat::parse_component_notice(xml);
    (void)wechat::dedup_key(n);
  } catch (const wechat::XmlError&) {
  }
  try {
    auto p = wecom::parse_push(xml);
    if (auto* i = std::get_if<wecom::Instruction>(&p)) (void)wecom::dedup_key(*i);
  } catch (const wechat::XmlError&) {
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  static const unsigned char kRandom[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  std::string encrypt = crypt().encrypt(rest, "wx5d3c9a1b7e20f468", std::span<const unsigned char, 16>(kRandom));
  std::string body;
  if (data[0] & 1) {
    body = "<xml><ToUserName><![CDATA[gh_1]]></ToUserName><Encrypt><![CDATA[" + encrypt + "]]></Encrypt></xml>";
  } else {
    // The raw input as the envelope: hostile outer XML.
    body.assign(rest);
  }
  wechat::Envelope env;
  try {
    env = wechat::parse_envelope(body);
  } catch (const wechat::XmlError&) {
    return 0;
  }
  wechat::MsgCrypt::Decrypted d;
  if (crypt().decrypt(env.encrypt, d) != wechat::CryptError::ok) return 0;
  if ((data[0] & 1) && (d.message != rest || d.receive_id != "wx5d3c9a1b7e20f468")) __builtin_trap();
  parse_all(d.message);
  return 0;
}
