// libFuzzer target for the callback crypto: signature check, base64 and decrypt on hostile input.
#include "wechat/msg_crypt.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

using xiaoqu::wechat::CryptError;
using xiaoqu::wechat::MsgCrypt;

const MsgCrypt& crypt() {
  static const MsgCrypt c("AAAAA", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG");
  return c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  // "<signature>\n<base64>"; without a newline the whole input is the base64 text.
  const std::size_t nl = input.find('\n');
  const std::string_view signature = nl == std::string_view::npos ? std::string_view() : input.substr(0, nl);
  const std::string_view encrypt = nl == std::string_view::npos ? input : input.substr(nl + 1);

  const MsgCrypt& c = crypt();
  (void)c.verify_msg_signature(signature, "1714112445", "415670741", encrypt);
  (void)c.verify_signature(signature, "1714112445", encrypt);

  MsgCrypt::Decrypted out;
  const CryptError e = c.decrypt(encrypt, out);
  if (e != CryptError::ok && (!out.message.empty() || !out.receive_id.empty())) std::abort();
  if (e == CryptError::ok) {
    // Whatever decrypts must survive our own encoder and decrypt back to the same split.
    const std::string again = c.encrypt(out.message, out.receive_id);
    MsgCrypt::Decrypted back;
    const CryptError e2 = c.decrypt(again, back);
    const bool empty_buffer = out.message.empty() && out.receive_id.empty();
    if (empty_buffer ? e2 != CryptError::illegal_buffer
                     : (e2 != CryptError::ok || back.message != out.message || back.receive_id != out.receive_id)) {
      std::abort();
    }
  }

  std::string decoded;
  if (xiaoqu::wechat::base64_decode(encrypt, decoded)) {
    // Decoding then re-encoding is canonical: equal except for spare bits in the last quantum.
    const std::string re = xiaoqu::wechat::base64_encode(
        std::span(reinterpret_cast<const unsigned char*>(decoded.data()), decoded.size()));
    if (re.size() != encrypt.size()) std::abort();
  }
  return 0;
}
