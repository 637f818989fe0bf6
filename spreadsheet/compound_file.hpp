#pragma once
// What an OLE2 compound file (CFB, D0 CF 11 E0) holds: a legacy .xls workbook, or an
// Office document encrypted with a password (Excel wraps those in CFB whatever the format).
#include <string_view>

namespace xiaoqu::spreadsheet::detail {

/// `damaged`: no directory found at all (a truncated upload).
enum class CompoundKind { encrypted_package, xls_workbook, other, damaged };

bool is_compound_file(std::string_view bytes);

/// Classifies by the stream names in the directory: EncryptionInfo/EncryptedPackage,
/// Workbook/Book. Directory entries are 128 bytes at 128-byte-aligned offsets whatever the
/// sector size, so scanning those offsets needs no FAT walk and cannot run past the end.
CompoundKind classify_compound_file(std::string_view bytes);

}  // namespace xiaoqu::spreadsheet::detail
