#include "gateway/rejection.hpp"

#include <array>

namespace xiaoqu::gateway {
namespace {
constexpr std::array<RejectionInfo, static_cast<std::size_t>(Rejection::count)> kTable = {{
    {404, "unknown_account", "unknown account\n"},
    {400, "missing_parameter", "missing signature, timestamp or nonce\n"},
    {401, "bad_signature", "signature does not match\n"},
    {403, "stale_timestamp", "timestamp outside the accepted window\n"},
    {400, "bad_base64", "Encrypt is not valid base64\n"},
    {400, "bad_padding", "ciphertext length or padding is invalid\n"},
    {400, "bad_buffer", "decrypted buffer is malformed\n"},
    {403, "wrong_receive_id", "message is addressed to another receive id\n"},
    {400, "malformed_xml", "body is not well-formed XML\n"},
    {413, "body_too_large", "request body too large\n"},
    {431, "header_too_large", "request header fields too large\n"},
    {400, "bad_request", "malformed HTTP request\n"},
    {405, "method_not_allowed", "method not allowed\n"},
    {503, "connection_limit", "too many connections\n"},
    // A retry later will be answered: the platform retries on any non-200.
    {500, "store_unavailable", "temporarily unable to record the message\n"},
}};
}  // namespace

const RejectionInfo& info(Rejection r) noexcept { return kTable[static_cast<std::size_t>(r)]; }

Response reject(Rejection r, Route route) {
  const auto& i = info(r);
  Response res;
  res.status = i.status;
  res.body = std::string(i.body);
  res.route = route;
  return res;
}

}  // namespace xiaoqu::gateway
