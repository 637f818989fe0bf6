#include "spreadsheet/xml_stream.hpp"

#include <expat.h>

#include <climits>
#include <cstring>
#include <new>

#include "spreadsheet/read_error.hpp"

namespace xiaoqu::spreadsheet::detail {
namespace {
// Names are matched by their part after the prefix ("x:row" is "row"): cheaper than
// expat's namespace processing, and the prefixes are all that differ between producers.
constexpr char kSeparator = ':';

std::string_view local_name(const char* name) {
  const char* sep = std::strrchr(name, kSeparator);
  return sep ? std::string_view(sep + 1) : std::string_view(name);
}
}  // namespace

std::string_view XmlAttributes::get(std::string_view local) const {
  for (const char** a = raw_; a[0]; a += 2)
    if (local_name(a[0]) == local) return a[1];
  return {};
}

std::string_view XmlAttributes::get_qualified(std::string_view local) const {
  for (const char** a = raw_; a[0]; a += 2)
    if (std::strchr(a[0], kSeparator) && local_name(a[0]) == local) return a[1];
  return {};
}

XmlStream::XmlStream(XmlHandler& handler, std::string part)
    : handler_(handler), part_(std::move(part)), parser_(XML_ParserCreate(nullptr)) {
  if (!parser_) throw std::bad_alloc();
  XML_SetUserData(parser_, this);
  XML_SetElementHandler(parser_, &XmlStream::on_start, &XmlStream::on_end);
  XML_SetCharacterDataHandler(parser_, &XmlStream::on_text);
  XML_SetStartDoctypeDeclHandler(parser_, &XmlStream::on_doctype);
  XML_SetParamEntityParsing(parser_, XML_PARAM_ENTITY_PARSING_NEVER);
}

XmlStream::~XmlStream() { XML_ParserFree(parser_); }

void XmlStream::abort_with(std::exception_ptr error) {
  // Exceptions must not unwind through expat's C frames: park it and stop the parser.
  if (!error_) error_ = std::move(error);
  XML_StopParser(parser_, XML_FALSE);
}

void XmlStream::stop() {
  stopped_ = true;
  XML_StopParser(parser_, XML_FALSE);
}

void XmlStream::on_start(void* self, const char* name, const char** attributes) {
  auto* s = static_cast<XmlStream*>(self);
  try {
    s->handler_.start(local_name(name), XmlAttributes(attributes));
  } catch (...) {
    s->abort_with(std::current_exception());
  }
}

void XmlStream::on_end(void* self, const char* name) {
  auto* s = static_cast<XmlStream*>(self);
  try {
    s->handler_.end(local_name(name));
  } catch (...) {
    s->abort_with(std::current_exception());
  }
}

void XmlStream::on_text(void* self, const char* data, int size) {
  auto* s = static_cast<XmlStream*>(self);
  try {
    s->handler_.text(std::string_view(data, static_cast<std::size_t>(size)));
  } catch (...) {
    s->abort_with(std::current_exception());
  }
}

void XmlStream::on_doctype(void* self, const char*, const char*, const char*, int) {
  auto* s = static_cast<XmlStream*>(self);
  try {
    fail_corrupt(s->part_ + " 含有 DTD（不允许）");
  } catch (...) {
    s->abort_with(std::current_exception());
  }
}

bool XmlStream::feed(const char* data, std::size_t size, bool last) {
  if (stopped_) return false;
  do {
    int n = size > INT_MAX / 2 ? INT_MAX / 2 : static_cast<int>(size);
    bool final_piece = last && static_cast<std::size_t>(n) == size;
    XML_Status status = XML_Parse(parser_, data, n, final_piece);
    if (error_) std::rethrow_exception(error_);
    if (stopped_) return false;
    if (status != XML_STATUS_OK) {
      fail_corrupt(part_ + " 第 " + std::to_string(XML_GetCurrentLineNumber(parser_)) + " 行 XML 错误：" +
                   XML_ErrorString(XML_GetErrorCode(parser_)));
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  } while (size > 0);
  return true;
}

}  // namespace xiaoqu::spreadsheet::detail
