#pragma once
// expat, fed in chunks, for the parts of an .xlsx. Element and attribute names arrive as
// local names (prefixes differ between Excel, WPS, LibreOffice and the .NET SDK); any
// DTD is refused, so entity expansion (billion laughs) never starts.
#include <cstddef>
#include <exception>
#include <string>
#include <string_view>

struct XML_ParserStruct;

namespace xiaoqu::spreadsheet::detail {

/// One attribute list from expat: name/value pairs, names as written ("r:id").
class XmlAttributes {
 public:
  explicit XmlAttributes(const char** raw) : raw_(raw) {}
  /// The value of the attribute with that local name, or "" when absent.
  std::string_view get(std::string_view local) const;
  /// Like get(), but only a prefixed attribute (r:id, not id or sheetId).
  std::string_view get_qualified(std::string_view local) const;

 private:
  const char** raw_;
};

class XmlHandler {
 public:
  virtual ~XmlHandler() = default;
  virtual void start(std::string_view name, const XmlAttributes& attributes) = 0;
  virtual void end(std::string_view name) = 0;
  virtual void text(std::string_view chunk) = 0;
};

class XmlStream {
 public:
  /// `part` names the ZIP part in error messages.
  XmlStream(XmlHandler& handler, std::string part);
  ~XmlStream();
  XmlStream(const XmlStream&) = delete;
  XmlStream& operator=(const XmlStream&) = delete;

  /// Parses the next chunk; `last` ends the document. Returns false once the handler asked
  /// to stop (stop()). Throws SheetError(corrupt) on malformed XML or a DTD, and rethrows
  /// whatever the handler threw.
  bool feed(const char* data, std::size_t size, bool last);
  /// Called from a handler callback: parse no further.
  void stop();

 private:
  static void on_start(void* self, const char* name, const char** attributes);
  static void on_end(void* self, const char* name);
  static void on_text(void* self, const char* data, int size);
  static void on_doctype(void* self, const char*, const char*, const char*, int);
  void abort_with(std::exception_ptr error);

  XmlHandler& handler_;
  std::string part_;
  XML_ParserStruct* parser_;
  std::exception_ptr error_;
  bool stopped_ = false;
};

}  // namespace xiaoqu::spreadsheet::detail
