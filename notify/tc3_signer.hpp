#pragma once
// TC3-HMAC-SHA256, the request signature of Tencent Cloud API 3.0 (docs/protocol/sms-tc3.md).
// Pure functions over bytes: no HTTP, no clock, no JSON.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace xiaoqu::notify::tc3 {

inline constexpr std::string_view kAlgorithm = "TC3-HMAC-SHA256";

/// A header as sent on the wire: name in any case, value untrimmed.
using Header = std::pair<std::string, std::string>;

/// What one signature covers. https://cloud.tencent.com/document/api/382/52072
struct SignInput {
  std::string_view secret_id;
  std::string_view secret_key;
  std::string_view service;       ///< "sms"
  std::int64_t timestamp = 0;     ///< the X-TC-Timestamp value, Unix seconds
  std::string_view method = "POST";
  std::string_view query;         ///< canonical query string; empty for POST
  std::vector<Header> headers;    ///< the signed headers; content-type and host at least
  std::string_view payload;       ///< the exact body bytes sent
};

/// Every intermediate of one signature, so each can be compared with tests/data/tc3.json.
/// The secret_* keys derive from the SecretKey: never log them.
struct Signature {
  std::string date;                  ///< UTC date of the timestamp, YYYY-MM-DD
  std::string payload_sha256;
  std::string canonical_headers;     ///< "name:value\n" lines
  std::string signed_headers;        ///< "content-type;host;x-tc-action"
  std::string canonical_request;
  std::string canonical_request_sha256;
  std::string credential_scope;      ///< "DATE/SERVICE/tc3_request"
  std::string string_to_sign;
  std::string secret_date, secret_service, secret_signing;  ///< raw HMAC bytes
  std::string signature;             ///< lower-case hex
  std::string authorization;         ///< the Authorization header value
};

/// Signs one request. https://cloud.tencent.com/document/api/382/52072
Signature sign(const SignInput& in);

/// The parts of an Authorization header, as a server reads them to verify it.
struct Authorization {
  std::string secret_id, date, service, signed_headers, signature;
};

/// Parses "TC3-HMAC-SHA256 Credential=ID/DATE/SERVICE/tc3_request, SignedHeaders=..., Signature=...";
/// nothing when it is not that shape.
std::optional<Authorization> parse_authorization(std::string_view header);

/// The canonical header block and the signed-header list: names and values lower-cased and
/// trimmed (the Tencent page's rule), sorted by name.
std::pair<std::string, std::string> canonical_headers(const std::vector<Header>& headers);

/// METHOD\n/\nQUERY\nHEADERS\nSIGNED\nPAYLOAD_HASH
std::string canonical_request(std::string_view method, std::string_view query, std::string_view canonical_headers,
                              std::string_view signed_headers, std::string_view payload_sha256);

/// TC3-HMAC-SHA256\nTIMESTAMP\nSCOPE\nHASH
std::string string_to_sign(std::int64_t timestamp, std::string_view credential_scope, std::string_view canonical_request_sha256);

/// YYYY-MM-DD in UTC: Beijing time would give the next day for 16:00–24:00 UTC.
std::string utc_date(std::int64_t timestamp);

std::string sha256_hex(std::string_view data);
/// Raw 32-byte HMAC-SHA256.
std::string hmac_sha256(std::string_view key, std::string_view data);
std::string to_hex(std::string_view bytes);
/// Constant-time comparison (different lengths compare unequal).
bool equal(std::string_view a, std::string_view b) noexcept;

}  // namespace xiaoqu::notify::tc3
