#include "notify/tc3_signer.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <tuple>

namespace xiaoqu::notify::tc3 {
namespace {
std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}
}  // namespace

std::string to_hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

std::string sha256_hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr) != 1) throw std::runtime_error("tc3: SHA-256 failed");
  return to_hex(std::string_view(reinterpret_cast<const char*>(md), len));
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()), data.size(),
            md, &len))
    throw std::runtime_error("tc3: HMAC-SHA256 failed");
  return std::string(reinterpret_cast<const char*>(md), len);
}

bool equal(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string utc_date(std::int64_t timestamp) {
  using namespace std::chrono;
  const year_month_day ymd{floor<days>(sys_seconds{seconds{timestamp}})};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()));
  return buf;
}

std::pair<std::string, std::string> canonical_headers(const std::vector<Header>& headers) {
  std::vector<std::pair<std::string, std::string>> lines;
  lines.reserve(headers.size());
  for (const auto& [name, value] : headers) lines.emplace_back(lower(trim(name)), lower(trim(value)));
  std::sort(lines.begin(), lines.end());
  std::pair<std::string, std::string> out;
  for (const auto& [name, value] : lines) {
    out.first.append(name).append(":").append(value).append("\n");
    if (!out.second.empty()) out.second.push_back(';');
    out.second.append(name);
  }
  return out;
}

std::string canonical_request(std::string_view method, std::string_view query, std::string_view canonical_headers,
                              std::string_view signed_headers, std::string_view payload_sha256) {
  std::string out;
  out.append(method).append("\n/\n").append(query).append("\n");
  // The header block ends in its own '\n'; the join adds another.
  out.append(canonical_headers).append("\n").append(signed_headers).append("\n").append(payload_sha256);
  return out;
}

std::string string_to_sign(std::int64_t timestamp, std::string_view credential_scope, std::string_view canonical_request_sha256) {
  std::string out(kAlgorithm);
  out.append("\n").append(std::to_string(timestamp)).append("\n").append(credential_scope).append("\n").append(canonical_request_sha256);
  return out;
}

Signature sign(const SignInput& in) {
  Signature s;
  s.date = utc_date(in.timestamp);
  s.payload_sha256 = sha256_hex(in.payload);
  std::tie(s.canonical_headers, s.signed_headers) = canonical_headers(in.headers);
  s.canonical_request = canonical_request(in.method, in.query, s.canonical_headers, s.signed_headers, s.payload_sha256);
  s.canonical_request_sha256 = sha256_hex(s.canonical_request);
  s.credential_scope = s.date + "/" + std::string(in.service) + "/tc3_request";
  s.string_to_sign = string_to_sign(in.timestamp, s.credential_scope, s.canonical_request_sha256);
  s.secret_date = hmac_sha256("TC3" + std::string(in.secret_key), s.date);
  s.secret_service = hmac_sha256(s.secret_date, in.service);
  s.secret_signing = hmac_sha256(s.secret_service, "tc3_request");
  s.signature = to_hex(hmac_sha256(s.secret_signing, s.string_to_sign));
  s.authorization = std::string(kAlgorithm) + " Credential=" + std::string(in.secret_id) + "/" + s.credential_scope +
                    ", SignedHeaders=" + s.signed_headers + ", Signature=" + s.signature;
  return s;
}

std::optional<Authorization> parse_authorization(std::string_view header) {
  header = trim(header);
  if (header.substr(0, kAlgorithm.size()) != kAlgorithm || header.size() <= kAlgorithm.size() || header[kAlgorithm.size()] != ' ')
    return std::nullopt;
  header.remove_prefix(kAlgorithm.size() + 1);
  std::optional<std::string_view> credential, signed_headers, signature;
  while (!header.empty()) {
    auto comma = header.find(',');
    std::string_view part = trim(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
    auto eq = part.find('=');
    if (eq == std::string_view::npos) return std::nullopt;
    std::string_view key = part.substr(0, eq), value = part.substr(eq + 1);
    if (key == "Credential") credential = value;
    else if (key == "SignedHeaders") signed_headers = value;
    else if (key == "Signature") signature = value;
    else return std::nullopt;
  }
  if (!credential || !signed_headers || !signature) return std::nullopt;
  // Credential=ID/DATE/SERVICE/tc3_request: split from the right so only four parts count.
  Authorization a;
  std::string_view c = *credential;
  std::string_view parts[3];
  for (int i = 2; i >= 0; --i) {
    auto slash = c.rfind('/');
    if (slash == std::string_view::npos) return std::nullopt;
    parts[i] = c.substr(slash + 1);
    c = c.substr(0, slash);
  }
  if (c.empty() || parts[2] != "tc3_request") return std::nullopt;
  a.secret_id = c;
  a.date = parts[0];
  a.service = parts[1];
  a.signed_headers = *signed_headers;
  a.signature = *signature;
  return a;
}

}  // namespace xiaoqu::notify::tc3
