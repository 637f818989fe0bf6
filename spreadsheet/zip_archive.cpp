#include "spreadsheet/zip_archive.hpp"

#include <zlib.h>

#include <algorithm>
#include <cstring>

#include "spreadsheet/read_error.hpp"

namespace xiaoqu::spreadsheet::detail {
namespace {

constexpr std::uint32_t kLocalHeader = 0x04034b50;
constexpr std::uint32_t kCentralHeader = 0x02014b50;
constexpr std::uint32_t kEndOfDirectory = 0x06054b50;
constexpr std::uint32_t kZip64Locator = 0x07064b50;
constexpr std::uint32_t kZip64EndOfDirectory = 0x06064b50;
// An .xlsx has a few dozen parts; this only bounds what a crafted directory can make us hold.
constexpr std::size_t kMaxEntries = 65535;
// Below this a part is too small for its ratio to mean anything (an empty sheet's XML
// compresses several hundred times).
constexpr std::uint64_t kRatioFloor = 1u << 20;
constexpr std::size_t kChunk = 64 * 1024;

std::uint16_t u16(std::string_view b, std::size_t at) {
  return static_cast<std::uint16_t>(static_cast<unsigned char>(b[at]) | static_cast<unsigned char>(b[at + 1]) << 8);
}
std::uint32_t u32(std::string_view b, std::size_t at) {
  return static_cast<std::uint32_t>(u16(b, at)) | static_cast<std::uint32_t>(u16(b, at + 2)) << 16;
}
std::uint64_t u64(std::string_view b, std::size_t at) {
  return static_cast<std::uint64_t>(u32(b, at)) | static_cast<std::uint64_t>(u32(b, at + 4)) << 32;
}

std::string part_key(std::string_view name) {
  while (!name.empty() && name.front() == '/') name.remove_prefix(1);
  std::string key(name);
  for (char& c : key) {
    if (c == '\\') c = '/';
    else if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return key;
}

// The end-of-central-directory record: searched backwards, since a comment may follow it.
std::size_t find_end_of_directory(std::string_view b) {
  if (b.size() < 22) fail_corrupt("ZIP 目录缺失");
  std::size_t lowest = b.size() > 22 + 0xFFFF ? b.size() - 22 - 0xFFFF : 0;
  for (std::size_t at = b.size() - 22;; --at) {
    if (u32(b, at) == kEndOfDirectory) return at;
    if (at == lowest) break;
  }
  fail_corrupt("ZIP 目录缺失");
}

}  // namespace

ZipArchive::ZipArchive(std::string_view bytes, const ReadLimits& limits) : bytes_(bytes), limits_(limits) {
  std::size_t eocd = find_end_of_directory(bytes);
  std::uint64_t count = u16(bytes, eocd + 10);
  std::uint64_t dir_size = u32(bytes, eocd + 12);
  std::uint64_t dir_offset = u32(bytes, eocd + 16);
  if (count == 0xFFFF || dir_size == 0xFFFFFFFF || dir_offset == 0xFFFFFFFF) {
    // ZIP64: the real figures live in a second record the locator points at.
    if (eocd < 20 || u32(bytes, eocd - 20) != kZip64Locator) fail_corrupt("ZIP64 目录缺失");
    std::uint64_t at = u64(bytes, eocd - 20 + 8);
    if (at > bytes.size() || bytes.size() - at < 56 || u32(bytes, at) != kZip64EndOfDirectory) fail_corrupt("ZIP64 目录损坏");
    count = u64(bytes, at + 32);
    dir_size = u64(bytes, at + 40);
    dir_offset = u64(bytes, at + 48);
  }
  if (dir_offset > bytes.size() || dir_size > bytes.size() - dir_offset) fail_corrupt("ZIP 目录越界");
  if (count > kMaxEntries) fail_corrupt("ZIP 条目过多");

  std::size_t at = dir_offset;
  const std::size_t end = dir_offset + dir_size;
  for (std::uint64_t i = 0; i < count; ++i) {
    if (end - at < 46 || u32(bytes, at) != kCentralHeader) fail_corrupt("ZIP 目录项损坏");
    Entry e;
    e.flags = u16(bytes, at + 8);
    e.method = u16(bytes, at + 10);
    e.compressed_size = u32(bytes, at + 20);
    std::uint32_t uncompressed32 = u32(bytes, at + 24);
    std::size_t name_len = u16(bytes, at + 28), extra_len = u16(bytes, at + 30), comment_len = u16(bytes, at + 32);
    e.local_header_offset = u32(bytes, at + 42);
    if (end - at - 46 < name_len + extra_len + comment_len) fail_corrupt("ZIP 目录项损坏");
    e.name = std::string(bytes.substr(at + 46, name_len));
    std::replace(e.name.begin(), e.name.end(), '\\', '/');
    // ZIP64 extra field: 64-bit values, present only for the fields saturated at 0xFFFFFFFF.
    std::string_view extra = bytes.substr(at + 46 + name_len, extra_len);
    while (extra.size() >= 4) {
      std::uint16_t id = u16(extra, 0), len = u16(extra, 2);
      if (extra.size() - 4 < len) break;
      if (id == 0x0001) {
        std::string_view f = extra.substr(4, len);
        std::size_t p = 0;
        auto next = [&](std::uint64_t& v) {
          if (f.size() - p < 8) fail_corrupt("ZIP64 扩展字段损坏");
          v = u64(f, p);
          p += 8;
        };
        std::uint64_t ignored = 0;
        if (uncompressed32 == 0xFFFFFFFF) next(ignored);
        if (e.compressed_size == 0xFFFFFFFF) next(e.compressed_size);
        if (e.local_header_offset == 0xFFFFFFFF) next(e.local_header_offset);
      }
      extra.remove_prefix(4 + len);
    }
    at += 46 + name_len + extra_len + comment_len;
    auto [it, fresh] = entries_.emplace(part_key(e.name), std::move(e));
    // Two parts of one name could show a checker one sheet and the importer another.
    if (!fresh) fail_corrupt("ZIP 中有重名条目 " + it->second.name);
  }
}

const ZipArchive::Entry* ZipArchive::find(std::string_view name) const {
  auto it = entries_.find(part_key(name));
  return it == entries_.end() ? nullptr : &it->second;
}

std::string_view ZipArchive::data_of(const Entry& e) const {
  std::uint64_t at = e.local_header_offset;
  if (at > bytes_.size() || bytes_.size() - at < 30 || u32(bytes_, at) != kLocalHeader)
    fail_corrupt("条目 " + e.name + " 的本地头损坏");
  std::uint64_t start = at + 30 + u16(bytes_, at + 26) + u16(bytes_, at + 28);
  if (start > bytes_.size() || e.compressed_size > bytes_.size() - start) fail_corrupt("条目 " + e.name + " 被截断");
  return bytes_.substr(start, e.compressed_size);
}

void ZipArchive::count(std::size_t inflated_now, std::uint64_t part_inflated, std::uint64_t part_compressed) {
  total_inflated_ += inflated_now;
  if (total_inflated_ > limits_.max_uncompressed_bytes) fail_zip_bomb_total(limits_.max_uncompressed_bytes);
  if (part_inflated > kRatioFloor &&
      static_cast<double>(part_inflated) > limits_.max_ratio * static_cast<double>(std::max<std::uint64_t>(part_compressed, 1)))
    fail_zip_bomb_ratio(limits_.max_ratio);
}

void ZipArchive::read(const Entry& e, const Sink& sink) {
  if (e.flags & 0x0001) fail_encrypted();
  std::string_view data = data_of(e);
  if (e.method == 0) {
    for (std::size_t at = 0; at < data.size(); at += kChunk) {
      std::size_t n = std::min(kChunk, data.size() - at);
      count(n, at + n, data.size());
      if (!sink(data.data() + at, n)) return;
    }
    return;
  }
  if (e.method != 8) fail_corrupt("条目 " + e.name + " 使用了不支持的压缩方式 " + std::to_string(e.method));

  z_stream z{};
  if (inflateInit2(&z, -MAX_WBITS) != Z_OK) fail_corrupt("无法初始化解压");
  struct End {
    z_stream* z;
    ~End() { inflateEnd(z); }
  } end{&z};
  // zlib counts input in uInt: feed a file larger than that in slices.
  std::size_t fed = 0;
  std::uint64_t part_inflated = 0;
  char out[kChunk];
  for (;;) {
    if (z.avail_in == 0 && fed < data.size()) {
      std::size_t n = std::min<std::size_t>(data.size() - fed, 1u << 30);
      z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data() + fed));
      z.avail_in = static_cast<uInt>(n);
      fed += n;
    }
    z.next_out = reinterpret_cast<Bytef*>(out);
    z.avail_out = sizeof out;
    int rc = inflate(&z, Z_NO_FLUSH);
    std::size_t produced = sizeof out - z.avail_out;
    if (rc != Z_OK && rc != Z_STREAM_END && !(rc == Z_BUF_ERROR && produced > 0)) {
      if (rc == Z_BUF_ERROR) fail_corrupt("条目 " + e.name + " 被截断");
      fail_corrupt("条目 " + e.name + " 的压缩数据损坏");
    }
    part_inflated += produced;
    count(produced, part_inflated, data.size());
    if (produced > 0 && !sink(out, produced)) return;
    if (rc == Z_STREAM_END) return;
    if (produced == 0 && z.avail_in == 0 && fed == data.size()) fail_corrupt("条目 " + e.name + " 被截断");
  }
}

std::string ZipArchive::read_all(const Entry& e) {
  std::string all;
  read(e, [&](const char* d, std::size_t n) {
    all.append(d, n);
    return true;
  });
  return all;
}

}  // namespace xiaoqu::spreadsheet::detail
