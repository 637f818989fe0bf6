#pragma once
// Builds ZIP files byte by byte for the reader's tests: hand-written .xlsx parts, and the
// malformed archives (lying sizes, bombs, truncations) no spreadsheet program would write.
#include <zlib.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace xiaoqu::testing {

class ZipBuilder {
 public:
  struct Part {
    std::string name;
    std::string content;
    bool deflate = true;
    /// When set, written into the headers instead of the real uncompressed size.
    std::uint32_t declared_size = 0;
  };

  ZipBuilder& add(std::string name, std::string content, bool deflate = true, std::uint32_t declared_size = 0) {
    parts_.push_back({std::move(name), std::move(content), deflate, declared_size});
    return *this;
  }

  static std::string deflate_raw(std::string_view in) {
    z_stream z{};
    if (deflateInit2(&z, 9, Z_DEFLATED, -MAX_WBITS, 9, Z_DEFAULT_STRATEGY) != Z_OK) throw std::runtime_error("deflateInit2");
    std::string out(deflateBound(&z, static_cast<uLong>(in.size())), '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = static_cast<uInt>(in.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    if (deflate(&z, Z_FINISH) != Z_STREAM_END) throw std::runtime_error("deflate");
    out.resize(z.total_out);
    deflateEnd(&z);
    return out;
  }

  std::string build() const {
    std::string out, directory;
    for (const auto& p : parts_) {
      std::string data = p.deflate ? deflate_raw(p.content) : p.content;
      std::uint32_t crc = static_cast<std::uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(p.content.data()),
                                                           static_cast<uInt>(p.content.size())));
      std::uint32_t size = p.declared_size ? p.declared_size : static_cast<std::uint32_t>(p.content.size());
      std::uint32_t offset = static_cast<std::uint32_t>(out.size());
      std::uint16_t method = p.deflate ? 8 : 0;
      put32(out, 0x04034b50);
      put16(out, 20), put16(out, 0), put16(out, method), put16(out, 0), put16(out, 0);
      put32(out, crc), put32(out, static_cast<std::uint32_t>(data.size())), put32(out, size);
      put16(out, static_cast<std::uint16_t>(p.name.size())), put16(out, 0);
      out += p.name;
      out += data;
      put32(directory, 0x02014b50);
      put16(directory, 20), put16(directory, 20), put16(directory, 0), put16(directory, method);
      put16(directory, 0), put16(directory, 0);
      put32(directory, crc), put32(directory, static_cast<std::uint32_t>(data.size())), put32(directory, size);
      put16(directory, static_cast<std::uint16_t>(p.name.size())), put16(directory, 0), put16(directory, 0);
      put16(directory, 0), put16(directory, 0), put32(directory, 0), put32(directory, offset);
      directory += p.name;
    }
    std::uint32_t dir_offset = static_cast<std::uint32_t>(out.size());
    out += directory;
    put32(out, 0x06054b50);
    put16(out, 0), put16(out, 0);
    put16(out, static_cast<std::uint16_t>(parts_.size())), put16(out, static_cast<std::uint16_t>(parts_.size()));
    put32(out, static_cast<std::uint32_t>(directory.size())), put32(out, dir_offset);
    put16(out, 0);
    return out;
  }

 private:
  static void put16(std::string& s, std::uint16_t v) {
    s += static_cast<char>(v & 0xFF);
    s += static_cast<char>(v >> 8);
  }
  static void put32(std::string& s, std::uint32_t v) {
    put16(s, static_cast<std::uint16_t>(v & 0xFFFF));
    put16(s, static_cast<std::uint16_t>(v >> 16));
  }
  std::vector<Part> parts_;
};

/// A minimal .xlsx around one worksheet's <sheetData> content, the way Excel lays it out.
inline std::string minimal_xlsx(std::string_view sheet_data, std::string_view shared_strings = {},
                                std::string_view styles = {}, std::string_view sheet_path = "xl/worksheets/sheet1.xml") {
  const std::string ns = "http://schemas.openxmlformats.org/";
  ZipBuilder zip;
  zip.add("[Content_Types].xml",
          R"(<?xml version="1.0" encoding="UTF-8"?><Types xmlns=")" + ns + R"(package/2006/content-types"/>)");
  zip.add("_rels/.rels", R"(<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns=")" + ns +
                              R"(package/2006/relationships"><Relationship Id="rId1" Type=")" + ns +
                              R"(officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>)");
  zip.add("xl/workbook.xml", R"(<?xml version="1.0" encoding="UTF-8"?><workbook xmlns=")" + ns +
                                 R"(spreadsheetml/2006/main" xmlns:r=")" + ns +
                                 R"(officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>)");
  std::string rels = R"(<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns=")" + ns +
                     R"(package/2006/relationships"><Relationship Id="rId1" Type=")" + ns +
                     R"(officeDocument/2006/relationships/worksheet" Target="/)" + std::string(sheet_path) + R"("/>)";
  if (!shared_strings.empty())
    rels += R"(<Relationship Id="rId2" Type=")" + ns + R"(officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>)";
  if (!styles.empty())
    rels += R"(<Relationship Id="rId3" Type=")" + ns + R"(officeDocument/2006/relationships/styles" Target="styles.xml"/>)";
  rels += "</Relationships>";
  zip.add("xl/_rels/workbook.xml.rels", rels);
  zip.add(std::string(sheet_path), R"(<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns=")" + ns +
                                       R"(spreadsheetml/2006/main"><sheetData>)" + std::string(sheet_data) +
                                       "</sheetData></worksheet>");
  if (!shared_strings.empty())
    zip.add("xl/sharedStrings.xml", R"(<?xml version="1.0" encoding="UTF-8"?><sst xmlns=")" + ns +
                                        R"(spreadsheetml/2006/main">)" + std::string(shared_strings) + "</sst>");
  if (!styles.empty())
    zip.add("xl/styles.xml", R"(<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns=")" + ns +
                                 R"(spreadsheetml/2006/main">)" + std::string(styles) + "</styleSheet>");
  return zip.build();
}

}  // namespace xiaoqu::testing
