#include "community/staff/staff_sheet.hpp"

#include <algorithm>
#include <map>

#include "community/shared/audit.hpp"
#include "community/staff/departments.hpp"
#include "community/shared/masking.hpp"
#include "spreadsheet/workbook_writer.hpp"

namespace xiaoqu::community {
namespace {

using Kind = RecordError::Kind;

enum Column : std::size_t { kName, kGender, kPhone, kWechat, kAddress, kDepartments, kPosition, kRank, kCommunities };

// The template's group headers: first column and last column of each group.
struct Group {
  const char* name;
  std::uint16_t first, last;
};
constexpr Group kGroups[] = {{"基本信息", kName, kAddress}, {"工作信息", kDepartments, kRank}, {"服务小区", kCommunities, kCommunities}};

constexpr std::uint32_t kTemplateRows = 1000;  // rows the dropdown and pre-filled community cover

std::size_t column_of_field(const std::string& field) {
  static const std::map<std::string, std::size_t> m = {
      {"name", kName},       {"gender", kGender},   {"phone", kPhone},
      {"wechat_id", kWechat}, {"address", kAddress}, {"departments", kDepartments},
      {"position", kPosition}, {"rank", kRank},    {"communities", kCommunities}};
  auto it = m.find(field);
  return it == m.end() ? kName : it->second;
}

std::string join_names(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : "、") + i;
  return out;
}

}  // namespace

const std::vector<std::string>& staff_columns() {
  static const std::vector<std::string> columns = {"姓名", "性别", "手机号码", "微信号", "地址",
                                                   "部门", "职位", "职级",     "服务小区"};
  return columns;
}

std::string staff_template_xlsx(const Community& community) {
  spreadsheet::WorkbookWriter w("员工信息");
  const auto& cols = staff_columns();
  for (const auto& g : kGroups) {
    if (g.first == g.last)
      w.text(0, g.first, g.name, spreadsheet::Style::group_header);
    else
      w.merge(0, g.first, 0, g.last, g.name);
  }
  for (std::size_t i = 0; i < cols.size(); ++i) {
    auto col = static_cast<std::uint16_t>(i);
    w.text(1, col, cols[i], spreadsheet::Style::header);
    bool wide = i == kAddress || i == kDepartments || i == kCommunities;
    w.column(col, wide ? 24 : 14, true);
  }
  w.dropdown(2, kTemplateRows, kGender, {"男", "女"});
  w.note(1, kName,
         "姓名、手机号码必填；手机号码为 11 位大陆手机号，同一手机号只保留一位员工（再次导入即更新）。"
         "部门可填多个，用“、”分隔；上下级用“—”或“/”分隔，如 工程部—维修组。"
         "服务小区须包含“" + community.name + "”，多个小区用“、”分隔。");
  for (std::uint32_t r = 2; r < 2 + 20; ++r) w.text(r, kCommunities, community.name);
  w.freeze_rows(2);
  return w.finish();
}

StaffSheet read_staff_sheet(std::string_view file, const spreadsheet::ReadLimits& limits, store::Connection& reader,
                            const Community& community, const std::vector<std::int64_t>* visible) {
  StaffSheet out;
  const auto& names = staff_columns();
  std::vector<spreadsheet::Row> head;
  std::vector<std::size_t> at;
  bool located = false;
  std::map<std::string, std::uint32_t> phones;  // first row of each phone
  std::map<std::string, std::int64_t> community_ids;
  {
    store::Statement s(reader, "SELECT id, name FROM communities");
    while (s.step()) {
      auto id = s.integer(0);
      if (!visible || std::find(visible->begin(), visible->end(), id) != visible->end()) community_ids[s.text(1)] = id;
    }
  }
  auto cell = [&](const spreadsheet::Row& r, std::size_t field) {
    auto i = at[field];
    return i < r.cells.size() ? r.cells[i].text : std::string();
  };
  auto column = [&](std::size_t field) { return spreadsheet::column_letter(at[field]) + "（" + names[field] + "）"; };

  auto take = [&](const spreadsheet::Row& r) {
    bool any = false;
    for (std::size_t f = 0; f < names.size(); ++f)
      if (f != kCommunities && !trimmed(cell(r, f)).empty()) any = true;
    if (!any) return;  // the pre-filled community alone is not a person
    std::size_t before = out.issues.size();
    auto issue = [&](std::size_t field, std::string reason) { out.issues.push_back({r.number, column(field), std::move(reason)}); };
    StaffInput in;
    in.name = cell(r, kName);
    in.gender = cell(r, kGender);
    in.phone = cell(r, kPhone);
    in.wechat_id = cell(r, kWechat);
    in.address = cell(r, kAddress);
    in.position = cell(r, kPosition);
    in.rank = cell(r, kRank);
    in.departments = split_department_list(cell(r, kDepartments));
    auto listed = split_department_list(cell(r, kCommunities));
    if (listed.empty()) listed.push_back(community.name);
    bool has_this = false;
    for (const auto& n : listed) {
      auto it = community_ids.find(n);
      if (it == community_ids.end()) {
        issue(kCommunities, "小区“" + n + "”不存在或无权访问");
        continue;
      }
      has_this |= it->second == community.id;
      in.communities.push_back(it->second);
    }
    if (!has_this && out.issues.size() == before)
      issue(kCommunities, "服务小区须包含本小区“" + community.name + "”（是否用了其他小区的模板？）");
    // Each field checked alone against a good baseline, so one row reports all of its problems.
    StaffInput valid;
    valid.name = "x";
    valid.phone = "13800138000";
    valid.communities = {community.id};
    auto probe_field = [&](auto setter) {
      StaffInput p = valid;
      setter(p);
      try {
        checked_staff(p);
      } catch (const RecordError& e) {
        issue(column_of_field(e.field()), e.what());
      }
    };
    probe_field([&](StaffInput& p) { p.name = in.name; });
    probe_field([&](StaffInput& p) { p.gender = in.gender; });
    probe_field([&](StaffInput& p) { p.phone = in.phone; });
    probe_field([&](StaffInput& p) { p.wechat_id = in.wechat_id; });
    probe_field([&](StaffInput& p) { p.address = in.address; });
    probe_field([&](StaffInput& p) { p.position = in.position; });
    probe_field([&](StaffInput& p) { p.rank = in.rank; });
    probe_field([&](StaffInput& p) { p.departments = in.departments; });
    if (out.issues.size() == before) {
      auto checked = checked_staff(in);
      auto [it, first] = phones.emplace(checked.phone, r.number);
      if (!first) issue(kPhone, "与第 " + std::to_string(it->second) + " 行的手机号码重复");
      in = std::move(checked);
    }
    if (out.issues.size() != before) {
      std::vector<std::string> texts;
      for (std::size_t f = 0; f < names.size(); ++f) texts.push_back(cell(r, f));
      out.bad_rows.emplace_back(r.number, std::move(texts));
      return;
    }
    out.people.push_back(std::move(in));
    out.rows.push_back(r.number);
  };
  auto locate = [&] {
    std::uint32_t header_row = 0;
    at = locate_header(head, names, &header_row);
    located = true;
    out.header = names;
    for (const auto& r : head)
      if (r.number > header_row) take(r);
    head.clear();
  };
  spreadsheet::read_rows(file, limits, [&](const spreadsheet::Row& row) {
    if (located) {
      take(row);
      return true;
    }
    head.push_back(row);
    if (head.size() == 3) locate();
    return true;
  });
  if (!located) locate();
  return out;
}

StaffImportCounts import_staff(store::Connection& c, std::int64_t community_id, const StaffSheet& sheet,
                               const std::string& actor, std::int64_t now) {
  StaffImportCounts counts;
  std::vector<SheetIssue> refused;
  for (std::size_t i = 0; i < sheet.people.size(); ++i) {
    try {
      switch (upsert_staff(c, sheet.people[i], actor, now).outcome) {
        case UpsertOutcome::added: ++counts.added; break;
        case UpsertOutcome::updated: ++counts.updated; break;
        case UpsertOutcome::unchanged: ++counts.unchanged; break;
      }
    } catch (const RecordError& e) {
      refused.push_back({sheet.rows[i], staff_columns()[column_of_field(e.field())], e.what()});
    }
  }
  if (!refused.empty()) throw ImportRejected(std::move(refused));
  audit(c, {actor, "import.commit", "staff", 0, community_id, nullptr,
            {{"kind", "staff"}, {"added", counts.added}, {"updated", counts.updated}, {"unchanged", counts.unchanged}}},
        now);
  return counts;
}

std::string staff_export_xlsx(store::Connection& c, const Community& community, StaffQuery q) {
  spreadsheet::WorkbookWriter w("员工信息");
  const auto& cols = staff_columns();
  for (const auto& g : kGroups) {
    if (g.first == g.last)
      w.text(0, g.first, g.name, spreadsheet::Style::group_header);
    else
      w.merge(0, g.first, 0, g.last, g.name);
  }
  for (std::size_t i = 0; i < cols.size(); ++i) {
    w.text(1, static_cast<std::uint16_t>(i), cols[i], spreadsheet::Style::header);
    w.column(static_cast<std::uint16_t>(i), i == kDepartments || i == kAddress ? 24 : 14, true);
  }
  std::map<std::int64_t, std::string> community_names;
  {
    store::Statement s(c, "SELECT id, name FROM communities");
    while (s.step()) community_names[s.integer(0)] = s.text(1);
  }
  std::uint32_t row = 2;
  q.page_size = 500;
  for (q.page = 1;; ++q.page) {
    auto page = list_staff(c, community.id, q);
    for (const auto& st : page.items) {
      // Only this community is named: the others may belong to customers this admin cannot see.
      std::vector<std::string> cells = {st.name,  gender_label(st.gender), mask_phone(st.phone),
                                        st.wechat_id, st.address, join_names(st.departments),
                                        st.position, st.rank, community.name};
      for (std::size_t i = 0; i < cells.size(); ++i) w.text(row, static_cast<std::uint16_t>(i), cells[i]);
      ++row;
    }
    if (page.items.size() < static_cast<std::size_t>(q.page_size)) break;
  }
  w.freeze_rows(2);
  return w.finish();
}

}  // namespace xiaoqu::community
