#pragma once
// Every way a request is refused, with its HTTP status, metric label and the short text
// the caller sees — one table, so a new rejection cannot forget one of the three.
#include <string_view>

#include "gateway/http_types.hpp"

namespace xiaoqu::gateway {

enum class Rejection {
  unknown_account,
  missing_parameter,
  bad_signature,
  stale_timestamp,
  bad_base64,
  bad_padding,
  bad_buffer,
  wrong_receive_id,
  malformed_xml,
  body_too_large,
  header_too_large,
  bad_request,
  method_not_allowed,
  connection_limit,
  store_unavailable,
  count
};

struct RejectionInfo {
  int status;
  std::string_view label;
  std::string_view body;
};

const RejectionInfo& info(Rejection r) noexcept;

Response reject(Rejection r, Route route);

}  // namespace xiaoqu::gateway
