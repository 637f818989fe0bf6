#pragma once
// Names as people type them into forms and spreadsheets, reduced to one key so that
// "张三", " 张三 ", "Ｊｏｈｎ  Smith" and "john smith" match across the import and the
// verification form.
#include <cstddef>
#include <string>
#include <string_view>

namespace xiaoqu::community {

/// Full-width ASCII forms (U+FF01..U+FF5E) become their ASCII twins and the ideographic
/// space U+3000 a plain space; everything else is copied unchanged.
std::string to_half_width(std::string_view text);

/// to_half_width, then leading and trailing white space removed.
std::string trim_text(std::string_view text);

/// The matching key of a name: half-width, trimmed, inner white space runs collapsed to one
/// space, Latin letters lower-cased. Used for re-import keys and verification matching.
std::string normalize_name(std::string_view name);

/// Number of Unicode code points in valid UTF-8 (length limits count characters, not bytes).
std::size_t utf8_length(std::string_view text);

}  // namespace xiaoqu::community
