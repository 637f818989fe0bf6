#pragma once
// multipart/form-data bodies (RFC 7578 over RFC 2046), as browsers and curl send file
// uploads. No dependency beyond the standard library, so the fuzz target links it alone.
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace xiaoqu::forms {

/// A malformed body or Content-Type; `what()` says what is wrong, in Simplified Chinese.
class MultipartError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Part {
  std::string name;          ///< the form field
  std::string file_name;     ///< UTF-8, without any directory; empty for a plain field
  std::string content_type;  ///< as sent; "text/plain" / "application/octet-stream" when absent
  bool is_file = false;      ///< a filename (or filename*) parameter was present
  std::string_view body;     ///< points into the parsed body
};

/// The boundary parameter of a multipart/form-data Content-Type (quoted or not).
/// Throws MultipartError when the type is another one or the boundary is missing or invalid.
std::string boundary_of(std::string_view content_type);

/// Every part, in order. Lines end in CRLF (a body using bare LF throughout is accepted
/// too). Throws MultipartError naming the problem: no opening or closing delimiter, a
/// header line without ':', no Content-Disposition form-data with a name, more than
/// `max_parts` parts, an undecodable filename*.
std::vector<Part> parse_multipart(std::string_view body, std::string_view content_type, std::size_t max_parts = 64);

}  // namespace xiaoqu::forms
