#pragma once
// A read-only ZIP view over bytes already in memory (an uploaded .xlsx). Only the central
// directory is trusted for where entries are; no declared size is trusted for how much
// they inflate to: every byte is counted against the read limits while it streams.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "spreadsheet/sheet.hpp"

namespace xiaoqu::spreadsheet::detail {

class ZipArchive {
 public:
  struct Entry {
    std::string name;  ///< as stored, '\' turned into '/'
    std::uint16_t method = 0;
    std::uint16_t flags = 0;
    std::uint64_t compressed_size = 0;
    std::uint64_t local_header_offset = 0;
  };
  /// Receives inflated bytes in chunks; returns false to stop reading the entry.
  using Sink = std::function<bool(const char* data, std::size_t size)>;

  /// Parses the central directory. Throws SheetError(corrupt) when it is malformed.
  ZipArchive(std::string_view bytes, const ReadLimits& limits);

  /// The entry with that part name (case-insensitive, leading '/' ignored), or nullptr.
  const Entry* find(std::string_view name) const;

  /// Streams one entry's content into `sink`. Throws SheetError(zip_bomb) when the inflated
  /// total of all parts read so far passes max_uncompressed_bytes, or this part's
  /// inflated/compressed ratio passes max_ratio; SheetError(corrupt) on bad data.
  void read(const Entry& entry, const Sink& sink);

  /// The whole entry as a string (for the small parts: workbook, rels, styles).
  std::string read_all(const Entry& entry);

  std::size_t size() const noexcept { return entries_.size(); }

 private:
  std::string_view data_of(const Entry& entry) const;
  void count(std::size_t inflated_now, std::uint64_t part_inflated, std::uint64_t part_compressed);

  std::string_view bytes_;
  ReadLimits limits_;
  std::uint64_t total_inflated_ = 0;
  std::unordered_map<std::string, Entry> entries_;  // keyed by the lower-cased part name
};

}  // namespace xiaoqu::spreadsheet::detail
