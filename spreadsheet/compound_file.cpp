#include "spreadsheet/compound_file.hpp"

#include <cstdint>
#include <string>

namespace xiaoqu::spreadsheet::detail {
namespace {
constexpr std::string_view kMagic("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8);
constexpr std::size_t kHeader = 512;
constexpr std::size_t kEntry = 128;
constexpr unsigned char kStream = 2;
constexpr unsigned char kRoot = 5;

// The entry's name, ASCII-folded to upper case; "" for non-ASCII or malformed names.
std::string entry_name(std::string_view entry) {
  std::size_t bytes = static_cast<unsigned char>(entry[64]) | static_cast<unsigned char>(entry[65]) << 8;
  if (bytes < 2 || bytes > 64 || bytes % 2) return {};
  std::string name;
  for (std::size_t i = 0; i + 2 < bytes; i += 2) {
    unsigned char lo = static_cast<unsigned char>(entry[i]), hi = static_cast<unsigned char>(entry[i + 1]);
    if (hi != 0 || lo < 0x20 || lo > 0x7E) return {};
    name += static_cast<char>(lo >= 'a' && lo <= 'z' ? lo - 'a' + 'A' : lo);
  }
  return name;
}
}  // namespace

bool is_compound_file(std::string_view bytes) { return bytes.substr(0, kMagic.size()) == kMagic; }

CompoundKind classify_compound_file(std::string_view bytes) {
  // A header pointing past the end is an upload cut short.
  if (bytes.size() < kHeader) return CompoundKind::damaged;
  auto u32 = [&](std::size_t at) {
    return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at]) | static_cast<unsigned char>(bytes[at + 1]) << 8 |
                                      static_cast<unsigned char>(bytes[at + 2]) << 16 |
                                      static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at + 3])) << 24);
  };
  unsigned shift = static_cast<unsigned char>(bytes[30]);
  if (shift != 9 && shift != 12) return CompoundKind::damaged;
  std::uint64_t first_directory = (static_cast<std::uint64_t>(u32(48)) + 1) << shift;
  if (first_directory + kEntry > bytes.size()) return CompoundKind::damaged;

  bool workbook = false, root = false;
  for (std::size_t at = kHeader; at + kEntry <= bytes.size(); at += kEntry) {
    std::string_view entry = bytes.substr(at, kEntry);
    auto type = static_cast<unsigned char>(entry[66]);
    if (type == kRoot && entry_name(entry) == "ROOT ENTRY") root = true;
    if (type != kStream) continue;
    std::string name = entry_name(entry);
    if (name == "ENCRYPTIONINFO" || name == "ENCRYPTEDPACKAGE") return CompoundKind::encrypted_package;
    if (name == "WORKBOOK" || name == "BOOK") workbook = true;
  }
  if (workbook) return CompoundKind::xls_workbook;
  return root ? CompoundKind::other : CompoundKind::damaged;
}

}  // namespace xiaoqu::spreadsheet::detail
