#include "community/residents/resident_import.hpp"

#include <cmath>
#include <exception>
#include <map>
#include <unordered_map>

#include "community/shared/audit.hpp"
#include "community/structure/communities.hpp"
#include "community/shared/import_reports.hpp"
#include "community/shared/masking.hpp"
#include "community/shared/names.hpp"
#include "community/structure/structure.hpp"

namespace xiaoqu::community {
namespace {

using L = ResidentSheetLayout;
using Kind = RecordError::Kind;

// Lease ends typed as plain numbers are taken as Excel serial days when they fall in
// 1990..2100; other numbers are left to the text rules (and refused there).
constexpr double kPlausibleSerialMin = 32874;  // 1990-01-01
constexpr double kPlausibleSerialMax = 73051;  // 2100-01-01
constexpr std::size_t kHeadRows = 3;           // the header is searched in the first rows
constexpr std::size_t kLookAheadRows = 6;      // enough data rows to recognize another community's file
constexpr std::size_t kReportedErrors = 200;   // in the JSON answer and import_reports.errors

const spreadsheet::Cell* cell_at(const spreadsheet::Row& row, std::size_t i) {
  return i < row.cells.size() ? &row.cells[i] : nullptr;
}

std::string cell_text(const spreadsheet::Row& row, std::size_t i) {
  const auto* c = cell_at(row, i);
  return c ? trim_text(c->text) : std::string();
}

// The lease end cell as text: dates saved as serial numbers become 2018-12-31.
std::string date_cell_text(const spreadsheet::Row& row, std::size_t i) {
  const auto* c = cell_at(row, i);
  if (!c) return {};
  if (c->kind == spreadsheet::Cell::Kind::number &&
      (c->date_format || (c->number >= kPlausibleSerialMin && c->number < kPlausibleSerialMax)))
    if (auto d = date_from_excel_serial(c->number)) return d->iso();
  return trim_text(c->text);
}

std::string join_path(const std::vector<std::string>& path) {
  std::string out;
  for (const auto& p : path) out += (out.empty() ? "" : "/") + p;
  return out;
}

std::string path_key(const std::vector<std::string>& path) {
  std::string out;
  for (const auto& p : path) {
    out += p;
    out.push_back('\x1f');
  }
  return out;
}

std::string column_name(const ColumnMap& cols, const ResidentSheetLayout& layout, std::size_t layout_col) {
  return spreadsheet::column_letter(cols.at[layout_col]) + "（" + layout.headers()[layout_col] + "）";
}

std::size_t layout_column_of(const std::string& field) {
  if (field == "name") return L::name;
  if (field == "gender") return L::gender;
  if (field == "identity") return L::identity;
  if (field == "lease_end") return L::lease_end;
  if (field == "phone") return L::phone;
  if (field == "id_type") return L::id_type;
  return L::id_number;
}

// The row's cells in layout order for the error report. ID numbers are never stored in
// plaintext, so the report (kept in import_reports) shows them masked.
std::vector<std::string> report_cells(const spreadsheet::Row& row, const ColumnMap& cols) {
  std::vector<std::string> cells;
  for (std::size_t i = 0; i < cols.at.size(); ++i)
    cells.push_back(i == L::lease_end ? date_cell_text(row, cols.at[i]) : cell_text(row, cols.at[i]));
  std::string& id = cells[L::id_number];
  if (id.find('*') == std::string::npos) id = mask_id_number(id);
  return cells;
}

std::vector<std::string> report_cells(const ImportRow& r, const ResidentSheetLayout& layout) {
  std::vector<std::string> cells(layout.column_count());
  if (!r.structure_only) {
    cells[L::name] = r.person.name;
    cells[L::gender] = std::string(to_label(r.person.gender));
    cells[L::identity] = std::string(to_label(r.person.identity));
    cells[L::lease_end] = r.person.lease_end ? r.person.lease_end->iso() : "";
    cells[L::phone] = r.person.phone;
    cells[L::id_type] = std::string(to_label(r.masked_id.empty() ? r.person.id_type : r.masked_id_type));
    cells[L::id_number] = r.masked_id.empty() ? mask_id_number(r.person.id_number) : r.masked_id;
  }
  cells[L::community] = layout.community_name;
  for (std::size_t i = 0; i < r.path.size(); ++i) cells[L::first_level + i] = r.path[i];
  return cells;
}

class Rejected : public std::exception {
 public:
  explicit Rejected(std::vector<SheetIssue> issues) : issues(std::move(issues)) {}
  const char* what() const noexcept override { return "import rejected"; }
  std::vector<SheetIssue> issues;
};

// The structure a new room at `path` goes into: the one of that depth whose top-level node
// already has that name, else the first of that depth; 0 when none has that depth.
std::int64_t structure_for(store::Connection& c, const std::vector<StructureInfo>& structures,
                           const std::vector<std::string>& path) {
  std::int64_t first = 0;
  for (const auto& s : structures) {
    if (s.levels.size() != path.size()) continue;
    if (!first) first = s.id;
    auto& q = c.cached("SELECT 1 FROM structure_nodes WHERE structure_id = ?1 AND parent_id IS NULL AND name = ?2");
    q.bind(1, s.id).bind(2, path[0]);
    bool has = q.step();
    q.reset();
    if (has) return s.id;
  }
  return first;
}

// Finds (and, when `create`, makes) the room of every row. Issues name the first building
// column. Returns the room of each row, 0 for rows whose room is missing.
std::vector<std::int64_t> resolve_rooms(store::Connection& c, std::int64_t community_id, const ResidentSheet& sheet,
                                        const ResidentSheetLayout& layout, const ColumnMap& cols, bool allow,
                                        bool create, std::vector<SheetIssue>& issues, std::int64_t* created) {
  auto structures = structures_of(c, community_id);
  // Every existing room by its path, from one scan of the community's nodes: a large import
  // names tens of thousands of rooms, and walking the tree per room would cost a query per level.
  std::unordered_map<std::string, std::int64_t> rooms;
  {
    struct Node {
      std::int64_t parent;
      int depth;
      std::string name;
    };
    std::unordered_map<std::int64_t, Node> nodes;
    std::unordered_map<std::int64_t, std::size_t> depth_of;  // structure id -> level count
    for (const auto& st : structures) depth_of[st.id] = st.levels.size();
    std::vector<std::pair<std::int64_t, std::int64_t>> leaves;  // (structure, node) in id order
    store::Statement s(c,
                       "SELECT id, structure_id, IFNULL(parent_id, 0), depth, name FROM structure_nodes "
                       "WHERE community_id = ?1 ORDER BY structure_id, id");
    s.bind(1, community_id);
    while (s.step()) {
      std::int64_t id = s.integer(0), structure = s.integer(1);
      nodes.emplace(id, Node{s.integer(2), static_cast<int>(s.integer(3)), s.text(4)});
      if (static_cast<std::size_t>(s.integer(3)) == depth_of[structure]) leaves.emplace_back(structure, id);
    }
    for (const auto& [structure, leaf] : leaves) {
      std::vector<std::string> path;
      for (std::int64_t at = leaf; at != 0;) {
        auto it = nodes.find(at);
        if (it == nodes.end()) break;
        path.insert(path.begin(), it->second.name);
        at = it->second.parent;
      }
      rooms.emplace(path_key(path), leaf);  // the first structure wins, as find_room decides
    }
  }
  std::vector<std::int64_t> out;
  out.reserve(sheet.rows.size());
  for (const auto& r : sheet.rows) {
    std::string key = path_key(r.path);
    auto it = rooms.find(key);
    if (it == rooms.end()) {
      std::int64_t id = 0;
      std::int64_t structure = structure_for(c, structures, r.path);
      std::string where = column_name(cols, layout, L::first_level);
      if (!structure) {
        issues.push_back({r.number, where,
                          "楼栋信息“" + join_path(r.path) + "”有" + std::to_string(r.path.size()) +
                              "级，本小区没有这样层级数的楼栋结构"});
      } else if (!allow) {
        issues.push_back({r.number, where, "房间“" + join_path(r.path) + "”不存在（本小区不允许通过导入创建房间）"});
      } else if (create) {
        id = ensure_room(c, community_id, structure, r.path);
        ++*created;
      } else {
        id = -1;  // will be created at commit
      }
      it = rooms.emplace(std::move(key), id).first;
    } else if (it->second == 0) {
      issues.push_back({r.number, column_name(cols, layout, L::first_level), "房间“" + join_path(r.path) + "”不存在"});
    }
    out.push_back(it->second);
  }
  return out;
}

struct Existing {
  std::int64_t id = 0;
  std::string name, gender, identity, lease_end, phone, id_type, hash, masked;
};

struct Counts {
  std::int64_t added = 0, updated = 0, unchanged = 0, rooms_created = 0;
};

// The write job: rooms, then each resident inserted, updated or left as it is.
Counts commit(store::Connection& c, const PersonalData& pd, std::int64_t community_id, const Community& community,
              const ResidentSheet& sheet, const ResidentSheetLayout& layout, const ColumnMap& cols,
              const ImportSettings& st, std::int64_t* report_id) {
  Counts n;
  std::vector<SheetIssue> issues;
  auto rooms = resolve_rooms(c, community_id, sheet, layout, cols, community.allow_structure_import, true, issues,
                             &n.rooms_created);
  if (!issues.empty()) throw Rejected(std::move(issues));

  // Every resident of the community, keyed both ways, so each row costs no look-up query.
  std::vector<Existing> existing;
  std::unordered_map<std::string, std::size_t> by_phone, by_name;
  {
    store::Statement s(c,
                       "SELECT id, room_id, name, name_key, gender, identity, IFNULL(lease_end, ''), phone, id_type, "
                       "id_number_hash, id_number_masked FROM residents WHERE community_id = ?1");
    s.bind(1, community_id);
    while (s.step()) {
      std::string room = std::to_string(s.integer(1)) + "|";
      by_phone.emplace(room + s.text(7), existing.size());
      by_name.emplace(room + s.text(3), existing.size());
      existing.push_back({s.integer(0), s.text(2), s.text(4), s.text(5), s.text(6), s.text(7), s.text(8), s.text(9),
                          s.text(10)});
    }
  }

  auto& insert = c.cached(
      "INSERT INTO residents (community_id, room_id, name, name_key, gender, identity, lease_end, phone, phone_last4, "
      "id_type, id_number_enc, id_number_hash, id_number_masked, status, source, created_at, updated_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, 'imported', 'import', ?14, ?14)");
  auto& update = c.cached(
      "UPDATE residents SET name = ?2, name_key = ?3, gender = ?4, identity = ?5, lease_end = ?6, phone = ?7, "
      "phone_last4 = ?8, updated_at = ?9 WHERE id = ?1");
  auto& update_id = c.cached(
      "UPDATE residents SET id_type = ?2, id_number_enc = ?3, id_number_hash = ?4, id_number_masked = ?5 WHERE id = ?1");

  for (std::size_t i = 0; i < sheet.rows.size(); ++i) {
    const ImportRow& r = sheet.rows[i];
    if (r.structure_only) continue;
    const CleanResident& p = r.person;
    std::string room = std::to_string(rooms[i]) + "|";
    const Existing* old = nullptr;
    if (auto it = by_phone.find(room + p.phone); it != by_phone.end()) old = &existing[it->second];
    else if (auto it2 = by_name.find(room + p.name_key); it2 != by_name.end()) old = &existing[it2->second];

    std::string lease = p.lease_end ? p.lease_end->iso() : "";
    // A blank ID number keeps the stored one; a masked one must be the stored one.
    bool new_id = !p.id_number.empty();
    std::string hash = new_id ? pd.lookup_hash(p.id_number) : std::string();
    if (!r.masked_id.empty() && (!old || old->masked != r.masked_id)) {
      issues.push_back({r.number, column_name(cols, layout, L::id_number),
                        "证件号码“" + r.masked_id + "”是导出的遮蔽值，与该住户登记的证件号码不符，请填写完整号码"});
      continue;
    }
    if (old && new_id && old->hash == hash && old->id_type == to_code(p.id_type)) new_id = false;

    if (old) {
      bool same = old->name == p.name && old->gender == to_code(p.gender) && old->identity == to_code(p.identity) &&
                  old->lease_end == lease && old->phone == p.phone;
      if (same && !new_id) {
        ++n.unchanged;
        continue;
      }
      update.bind(1, old->id).bind(2, p.name).bind(3, p.name_key).bind(4, to_code(p.gender));
      update.bind(5, to_code(p.identity));
      if (p.lease_end) update.bind(6, lease);
      else update.bind_null(6);
      update.bind(7, p.phone).bind(8, p.phone.substr(p.phone.size() - 4)).bind(9, st.now);
      update.run();
      update.reset();
      if (new_id) {
        update_id.bind(1, old->id).bind(2, to_code(p.id_type)).bind_blob(3, pd.seal(p.id_number));
        update_id.bind(4, hash).bind(5, mask_id_number(p.id_number));
        update_id.run();
        update_id.reset();
      }
      ++n.updated;
      continue;
    }
    insert.bind(1, community_id).bind(2, rooms[i]).bind(3, p.name).bind(4, p.name_key).bind(5, to_code(p.gender));
    insert.bind(6, to_code(p.identity));
    if (p.lease_end) insert.bind(7, lease);
    else insert.bind_null(7);
    insert.bind(8, p.phone).bind(9, p.phone.substr(p.phone.size() - 4)).bind(10, to_code(p.id_type));
    if (new_id) insert.bind_blob(11, pd.seal(p.id_number)).bind(12, hash).bind(13, mask_id_number(p.id_number));
    else insert.bind_null(11).bind(12, "").bind(13, "");
    insert.bind(14, st.now);
    insert.run();
    insert.reset();
    std::size_t idx = existing.size();
    existing.push_back({c.last_insert_id(), p.name, std::string(to_code(p.gender)), std::string(to_code(p.identity)),
                        lease, p.phone, std::string(to_code(p.id_type)), hash,
                        new_id ? mask_id_number(p.id_number) : std::string()});
    by_phone.emplace(room + p.phone, idx);
    by_name.emplace(room + p.name_key, idx);
    ++n.added;
  }
  if (!issues.empty()) throw Rejected(std::move(issues));

  *report_id = record_committed_import(c, {community_id, st.admin_id, "residents", st.file_name, st.now}, n.added, n.updated,
                                       n.unchanged);
  audit(c,
        {st.actor, "import.commit", "import_report", *report_id, community_id, nullptr,
         nlohmann::json{{"kind", "residents"},
                        {"file_name", st.file_name},
                        {"rows", sheet.rows.size()},
                        {"added", n.added},
                        {"updated", n.updated},
                        {"unchanged", n.unchanged},
                        {"rooms_created", n.rooms_created}}},
        st.now);
  return n;
}

std::string report_xlsx(const ResidentSheetLayout& layout,
                        const std::vector<std::pair<std::uint32_t, std::vector<std::string>>>& rows,
                        const std::vector<SheetIssue>& issues) {
  std::map<std::uint32_t, std::string> reasons;
  for (const auto& i : issues) {
    auto& r = reasons[i.row];
    if (!r.empty()) r += "；";
    r += (i.column.empty() ? "" : i.column + "：") + i.reason;
  }
  ResidentSheetWriter w(layout, "错误报告", true);
  for (const auto& [number, cells] : rows) w.report_row(number, cells, reasons[number]);
  return w.finish();
}

std::int64_t record_rejection(store::Database& db, std::int64_t community_id, const ImportSettings& st,
                              const std::vector<SheetIssue>& issues, const std::optional<std::string>& xlsx) {
  std::int64_t id = 0;
  db.write([&](store::Connection& c) {
    id = record_rejected_import(c, {community_id, st.admin_id, "residents", st.file_name, st.now},
                                static_cast<std::int64_t>(issues.size()), to_json(issues, kReportedErrors).dump(),
                                xlsx ? &*xlsx : nullptr);
  });
  return id;
}

}  // namespace

bool check_resident_row(const spreadsheet::Row& row, const ColumnMap& cols, const ResidentSheetLayout& layout,
                        bool allow_structure_import, const Date& today, ImportRow& out,
                        std::vector<SheetIssue>& issues) {
  out = ImportRow{};
  out.number = row.number;
  std::size_t before = issues.size();
  auto issue = [&](std::size_t layout_col, std::string reason) {
    issues.push_back({row.number, column_name(cols, layout, layout_col), std::move(reason)});
  };

  std::string community = cell_text(row, cols.at[L::community]);
  if (!community.empty() && community != layout.community_name)
    throw RecordError(Kind::invalid,
                      "此模板属于小区“" + community + "”，不能导入到“" + layout.community_name + "”（第" +
                          std::to_string(row.number) + "行）",
                      "file");

  ResidentDraft d{cell_text(row, cols.at[L::name]),      cell_text(row, cols.at[L::gender]),
                  cell_text(row, cols.at[L::identity]),  date_cell_text(row, cols.at[L::lease_end]),
                  cell_text(row, cols.at[L::phone]),     cell_text(row, cols.at[L::id_type]),
                  cell_text(row, cols.at[L::id_number])};
  bool person = !(d.name.empty() && d.gender.empty() && d.identity.empty() && d.lease_end.empty() &&
                  d.phone.empty() && d.id_type.empty() && d.id_number.empty());

  // Building names from the top; a gap before a filled cell is a mistake, not a shorter path.
  std::size_t gap = 0;
  for (std::size_t i = 0; i < layout.levels.size(); ++i) {
    std::size_t col = L::first_level + i;
    std::string name = cell_text(row, cols.at[col]);
    if (name.empty()) {
      if (!gap) gap = col;
      continue;
    }
    if (gap) {
      issue(gap, "楼栋信息不连续：此列为空，但右侧的楼栋列有值");
      gap = 0;
      out.path.clear();
      break;
    }
    if (utf8_length(name) > kMaxNameChars) issue(col, "楼栋名称不能超过" + std::to_string(kMaxNameChars) + "个字");
    out.path.push_back(std::move(name));
  }

  if (!person) {
    if (out.path.empty()) return issues.size() == before;  // blank apart from the pre-filled 小区
    out.structure_only = true;
    if (!allow_structure_import)
      issue(L::name, "此行只有楼栋信息：本小区不允许通过住户导入创建房间，请补全住户信息或删除此行");
    return issues.size() == before;
  }
  if (out.path.empty() && issues.size() == before) issue(L::first_level, "缺少楼栋信息：必须填写住户所在的房间");

  // An exported file carries masked ID numbers; they stand for "keep the stored number".
  if (d.id_number.find('*') != std::string::npos) {
    out.masked_id = d.id_number;
    out.masked_id_type = id_type_from_text(d.id_type).value_or(IdType::resident_id);
    d.id_number.clear();
    d.id_type.clear();
  } else if (const auto* c = cell_at(row, cols.at[L::id_number]);
             c && c->kind == spreadsheet::Cell::Kind::number && d.id_number.size() >= 16) {
    issue(L::id_number, "证件号码被存成了数字，末尾几位已丢失；请把此列设为文本格式后重新填写");
    d.id_number.clear();
  }
  auto errors = validate_resident(d, today, out.person);
  for (auto& e : errors) issue(layout_column_of(e.field), std::move(e.message));
  return issues.size() == before;
}

ResidentSheet read_resident_sheet(std::string_view file, const spreadsheet::ReadLimits& limits,
                                  const ResidentSheetLayout& layout, bool allow_structure_import, const Date& today) {
  ResidentSheet sheet;
  const auto headers = layout.headers();
  ColumnMap cols;
  std::vector<spreadsheet::Row> head;
  std::uint32_t header_row = 0;
  bool located = false;
  std::exception_ptr failure;
  std::unordered_map<std::string, std::uint32_t> phones, names;

  auto process = [&](const spreadsheet::Row& row) {
    ImportRow r;
    std::size_t before = sheet.issues.size();
    bool ok = check_resident_row(row, cols, layout, allow_structure_import, today, r, sheet.issues);
    if (ok && !r.structure_only && r.path.empty()) return;  // blank row
    if (ok && !r.structure_only) {
      std::string room = path_key(r.path);
      auto [p, fresh_phone] = phones.emplace(room + r.person.phone, row.number);
      auto [n, fresh_name] = names.emplace(room + r.person.name_key, row.number);
      if (!fresh_phone)
        sheet.issues.push_back({row.number, column_name(cols, layout, L::phone),
                                "与第" + std::to_string(p->second) + "行重复：同一房间的同一手机号"});
      else if (!fresh_name)
        sheet.issues.push_back({row.number, column_name(cols, layout, L::name),
                                "与第" + std::to_string(n->second) + "行重复：同一房间的同名住户"});
      ok = fresh_phone && fresh_name;
    }
    if (ok) sheet.rows.push_back(std::move(r));
    else if (sheet.issues.size() > before) sheet.bad_rows.emplace_back(row.number, report_cells(row, cols));
  };

  auto locate = [&] {
    std::vector<spreadsheet::Row> candidates(head.begin(), head.begin() + static_cast<std::ptrdiff_t>(
                                                                           std::min(head.size(), kHeadRows)));
    try {
      cols.at = locate_header(candidates, headers, &header_row);
    } catch (const RecordError&) {
      // A template of another community has other building columns: say whose it is.
      for (const auto& h : head)
        for (std::size_t i = 0; i < h.cells.size(); ++i)
          if (trim_text(h.cells[i].text) == "小区")
            for (const auto& r : head) {
              std::string name = r.number > h.number ? cell_text(r, i) : std::string();
              if (!name.empty() && name != layout.community_name)
                throw RecordError(Kind::invalid,
                                  "此模板属于小区“" + name + "”，不能导入到“" + layout.community_name + "”", "file");
            }
      throw;
    }
    located = true;
    for (const auto& r : head)
      if (r.number > header_row) process(r);
    head.clear();
  };

  spreadsheet::read_rows(file, limits, [&](const spreadsheet::Row& row) {
    // Refusals are carried out of the reader rather than thrown through it.
    try {
      if (!located) {
        head.push_back(row);
        if (head.size() >= kLookAheadRows) locate();
        return true;
      }
      process(row);
      return true;
    } catch (...) {
      failure = std::current_exception();
      return false;
    }
  });
  if (failure) std::rethrow_exception(failure);
  if (!located) locate();
  sheet.columns = cols;
  return sheet;
}

ResidentImportResult import_residents(store::Database& db, const PersonalData& pd, std::int64_t community_id,
                                      std::string_view file, const ImportSettings& st) {
  ResidentImportResult result;
  Community community = get_community(db.reader(), community_id);
  ResidentSheetLayout layout = resident_sheet_layout(db.reader(), community);
  ResidentSheet sheet;
  try {
    sheet = read_resident_sheet(file, st.limits, layout, community.allow_structure_import,
                                Date::today_in_china(st.now));
  } catch (const spreadsheet::SheetError& e) {
    result.issues.push_back({0, "", e.what()});
  } catch (const RecordError& e) {
    if (e.kind() != Kind::invalid) throw;
    result.issues.push_back({0, "", e.what()});
  }
  if (!result.issues.empty()) {
    result.report_id = record_rejection(db, community_id, st, result.issues, std::nullopt);
    return result;
  }
  // Issues name columns as the file has them.
  const ColumnMap& cols = sheet.columns;

  if (!sheet.issues.empty()) {
    // Complete the report with the rooms that do not exist, without creating any.
    std::int64_t none = 0;
    std::vector<SheetIssue> room_issues;
    resolve_rooms(db.reader(), community_id, sheet, layout, cols, community.allow_structure_import, false, room_issues,
                  &none);
    result.issues = std::move(sheet.issues);
    for (auto& i : room_issues) result.issues.push_back(std::move(i));
    std::map<std::uint32_t, std::vector<std::string>> rows(sheet.bad_rows.begin(), sheet.bad_rows.end());
    for (const auto& r : sheet.rows)
      if (!rows.count(r.number))
        for (const auto& i : result.issues)
          if (i.row == r.number) {
            rows.emplace(r.number, report_cells(r, layout));
            break;
          }
    std::stable_sort(result.issues.begin(), result.issues.end(),
                     [](const SheetIssue& a, const SheetIssue& b) { return a.row < b.row; });
    std::vector<std::pair<std::uint32_t, std::vector<std::string>>> ordered(rows.begin(), rows.end());
    result.report_id = record_rejection(db, community_id, st, result.issues, report_xlsx(layout, ordered, result.issues));
    return result;
  }

  try {
    Counts n;
    db.write([&](store::Connection& c) {
      n = commit(c, pd, community_id, community, sheet, layout, cols, st, &result.report_id);
    });
    result.committed = true;
    result.added = n.added;
    result.updated = n.updated;
    result.unchanged = n.unchanged;
    result.rooms_created = n.rooms_created;
  } catch (const Rejected& e) {
    result.issues = e.issues;
    std::vector<std::pair<std::uint32_t, std::vector<std::string>>> rows;
    for (const auto& r : sheet.rows)
      for (const auto& i : result.issues)
        if (i.row == r.number) {
          rows.emplace_back(r.number, report_cells(r, layout));
          break;
        }
    result.report_id = record_rejection(db, community_id, st, result.issues, report_xlsx(layout, rows, result.issues));
  }
  return result;
}

}  // namespace xiaoqu::community
