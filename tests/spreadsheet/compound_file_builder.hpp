#pragma once
// A minimal OLE2 compound file (one FAT sector, one directory sector) holding streams of
// the given names: what Excel wraps a password-protected .xlsx in (EncryptionInfo +
// EncryptedPackage), or a .doc-like container, without needing Excel to make one.
#include <cstdint>
#include <string>
#include <vector>

namespace xiaoqu::testing {

inline std::string compound_file(const std::vector<std::string>& stream_names) {
  auto put16 = [](std::string& s, std::size_t at, std::uint16_t v) {
    s[at] = static_cast<char>(v & 0xFF);
    s[at + 1] = static_cast<char>(v >> 8);
  };
  auto put32 = [&](std::string& s, std::size_t at, std::uint32_t v) {
    put16(s, at, static_cast<std::uint16_t>(v & 0xFFFF));
    put16(s, at + 2, static_cast<std::uint16_t>(v >> 16));
  };
  constexpr std::uint32_t kEnd = 0xFFFFFFFE, kFree = 0xFFFFFFFF, kFatSector = 0xFFFFFFFD;
  std::string f(512 * 4, '\0');
  f.replace(0, 8, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1");
  put16(f, 24, 0x003E), put16(f, 26, 3), put16(f, 28, 0xFFFE), put16(f, 30, 9), put16(f, 32, 6);
  put32(f, 44, 1);      // one FAT sector
  put32(f, 48, 1);      // directory starts at sector 1
  put32(f, 56, 4096);   // mini stream cutoff
  put32(f, 60, kEnd), put32(f, 68, kEnd);
  put32(f, 76, 0);  // DIFAT[0]: the FAT is sector 0
  for (std::size_t i = 1; i < 109; ++i) put32(f, 76 + 4 * i, kFree);
  // Sector 0 (file offset 512): the FAT.
  put32(f, 512, kFatSector), put32(f, 516, kEnd), put32(f, 520, kEnd);
  for (std::size_t i = 3; i < 128; ++i) put32(f, 512 + 4 * i, kFree);
  // Sector 1 (file offset 1024): four directory entries.
  auto entry = [&](std::size_t index, const std::string& name, unsigned char type, std::uint32_t start, std::uint32_t size) {
    std::size_t at = 1024 + 128 * index;
    for (std::size_t i = 0; i < name.size(); ++i) f[at + 2 * i] = name[i];
    put16(f, at + 64, static_cast<std::uint16_t>(2 * (name.size() + 1)));
    f[at + 66] = static_cast<char>(type);
    put32(f, at + 68, kFree), put32(f, at + 72, kFree), put32(f, at + 76, kFree);
    put32(f, at + 116, start), put32(f, at + 120, size);
  };
  entry(0, "Root Entry", 5, kEnd, 0);
  if (!stream_names.empty()) put32(f, 1024 + 76, 1);  // the root's child
  for (std::size_t i = 0; i < stream_names.size() && i < 3; ++i) {
    entry(i + 1, stream_names[i], 2, 2, 16);
    if (i + 1 < stream_names.size()) put32(f, 1024 + 128 * (i + 1) + 72, static_cast<std::uint32_t>(i + 2));  // right sibling
  }
  return f;
}

}  // namespace xiaoqu::testing
