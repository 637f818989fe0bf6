// The resident import benchmark: writes a 100,000-resident template for a community with
// 50,000 rooms, then imports it through the domain function (validate + commit, no HTTP).
//
//   resident_import_gen generate residents.xlsx [residents]
//   /usr/bin/time -v resident_import_gen import residents.xlsx work.db
//
// `import` seeds a fresh store (community 腾讯小区, structure 楼栋/单元/房间, the rooms) outside
// the timed part, then prints the read+validate and the whole import time; peak RSS comes
// from /usr/bin/time -v.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "community/structure/communities.hpp"
#include "community/shared/personal_data.hpp"
#include "community/residents/resident_import.hpp"
#include "community/residents/resident_template.hpp"
#include "community/structure/structure.hpp"
#include "store/database.hpp"
#include "store/secret_box.hpp"

using namespace xiaoqu;
using namespace xiaoqu::community;

namespace {

constexpr int kBuildings = 50, kUnits = 5, kRoomsPerUnit = 200;  // 50,000 rooms

std::vector<std::string> room_of(int i) {
  int room = (i / 2) % (kBuildings * kUnits * kRoomsPerUnit);
  int b = room / (kUnits * kRoomsPerUnit), u = room / kRoomsPerUnit % kUnits, r = room % kRoomsPerUnit;
  return {std::to_string(b + 1) + "栋", std::to_string(u + 1), std::to_string(100 * (r / 10 + 1) + r % 10 + 1)};
}

ResidentSheetLayout layout() {
  ResidentSheetLayout l;
  l.community_name = "腾讯小区";
  l.levels = {"楼栋", "单元", "房间"};
  return l;
}

int generate(const char* path, int n) {
  auto l = layout();
  ResidentSheetWriter w(l, "住户信息");
  static const char* kIdentities[] = {"业主", "家属", "长期租客", "限期租客"};
  for (int i = 0; i < n; ++i) {
    char phone[16];
    std::snprintf(phone, sizeof phone, "1%d%09d", 3 + i % 7, i);
    const char* identity = kIdentities[i % 4];
    auto room = room_of(i);
    std::vector<std::string> cells = {"住户" + std::to_string(i), i % 2 ? "男" : "女", identity,
                                      i % 4 == 3 ? "2030-06-30" : "", phone, "", "", "腾讯小区", room[0], room[1], room[2]};
    if (i % 10 == 0) {  // one in ten with a resident ID number
      std::string id = "4403051990" + std::string(i % 2 ? "03" : "07") + "15" + std::to_string(100 + i % 900);
      id.push_back(resident_id_check_char(id));
      cells[5] = "身份证";
      cells[6] = id;
    }
    w.row(cells);
  }
  std::ofstream(path, std::ios::binary) << w.finish();
  std::printf("wrote %s: %d residents\n", path, n);
  return 0;
}

int import(const char* xlsx_path, const char* db_path) {
  std::filesystem::remove(db_path);
  std::filesystem::remove(std::string(db_path) + "-wal");
  std::filesystem::remove(std::string(db_path) + "-shm");
  std::array<unsigned char, 32> key{};
  for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<unsigned char>(i * 7 + 1);
  store::SecretBox box(key);
  PersonalData pd(box, key);
  store::Database db(db_path);
  std::int64_t community = 0;
  auto t0 = std::chrono::steady_clock::now();
  db.write([&](store::Connection& c) {
    CommunityFields f;
    f.name = "腾讯小区";
    community = create_community(c, f, "system", 1);
    auto s = create_structure(c, community, "高层区", {"楼栋", "单元", "房间"}, "system", 1);
    for (int i = 0; i < kBuildings * kUnits * kRoomsPerUnit; ++i) ensure_room(c, community, s, room_of(2 * i));
  });
  auto t1 = std::chrono::steady_clock::now();
  std::ifstream in(xlsx_path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string bytes = ss.str();

  // Validation alone, as the import runs it first.
  auto t2 = std::chrono::steady_clock::now();
  auto sheet = read_resident_sheet(bytes, {}, layout(), false, Date{2026, 1, 1});
  auto t3 = std::chrono::steady_clock::now();
  sheet = {};

  ImportSettings st;
  st.admin_id = 1;
  st.actor = "admin:1";
  st.file_name = "bench.xlsx";
  st.now = 1'764'000'000;
  auto t4 = std::chrono::steady_clock::now();
  auto r = import_residents(db, pd, community, bytes, st);
  auto t5 = std::chrono::steady_clock::now();
  auto secs = [](auto a, auto b) { return std::chrono::duration<double>(b - a).count(); };
  std::printf("seed rooms: %.2f s (not part of the import)\n", secs(t0, t1));
  std::printf("file: %.1f MiB\n", bytes.size() / 1048576.0);
  std::printf("read + validate only: %.2f s\n", secs(t2, t3));
  std::printf("import (read + validate + commit): %.2f s, committed=%d added=%lld updated=%lld unchanged=%lld errors=%zu\n",
              secs(t4, t5), r.committed ? 1 : 0, static_cast<long long>(r.added), static_cast<long long>(r.updated),
              static_cast<long long>(r.unchanged), r.issues.size());
  for (std::size_t i = 0; i < r.issues.size() && i < 5; ++i)
    std::printf("  row %u %s %s\n", r.issues[i].row, r.issues[i].column.c_str(), r.issues[i].reason.c_str());
  return r.committed ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 3 && std::strcmp(argv[1], "generate") == 0) return generate(argv[2], argc >= 4 ? std::atoi(argv[3]) : 100'000);
  if (argc >= 4 && std::strcmp(argv[1], "import") == 0) return import(argv[2], argv[3]);
  std::fprintf(stderr, "usage: %s generate out.xlsx [residents] | import in.xlsx work.db\n", argv[0]);
  return 2;
}
