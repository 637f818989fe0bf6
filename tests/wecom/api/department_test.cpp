// department/list and department/simplelist against the sandbox's seeded tree.
#include <gtest/gtest.h>

#include <algorithm>

#include "wecom/api/department.hpp"
#include "tests/wecom/api/wecom_sandbox.hpp"

using namespace xiaoqu::testing;
namespace api = xiaoqu::wecom::api;

namespace {
const api::Department* named(const std::vector<api::Department>& deps, const std::string& name) {
  auto it = std::find_if(deps.begin(), deps.end(), [&](const api::Department& d) { return d.name == name; });
  return it == deps.end() ? nullptr : &*it;
}
}  // namespace

TEST(WecomDepartments, ListReturnsTheWholeTreeWithNames) {
  WecomSandbox w;
  auto deps = api::list_departments(w.api(), w.corp());
  ASSERT_EQ(deps.size(), 6u);
  EXPECT_EQ(deps[0].id, 1);
  EXPECT_EQ(deps[0].parent_id, 0);
  const auto* engineering = named(deps, "工程部");
  const auto* repairs = named(deps, "维修组");
  const auto* service = named(deps, "客服部");
  ASSERT_TRUE(engineering && repairs && service);
  EXPECT_EQ(engineering->parent_id, 1);
  EXPECT_EQ(repairs->parent_id, engineering->id);
  EXPECT_EQ(service->parent_id, 1);
  EXPECT_EQ(engineering->name_en, "Engineering");
  EXPECT_EQ(engineering->leaders.size(), 1u);
}

TEST(WecomDepartments, ListWithAnIdReturnsThatSubtree) {
  WecomSandbox w;
  auto key = w.corp();
  const auto* engineering = named(api::list_departments(w.api(), key), "工程部");
  ASSERT_TRUE(engineering);
  auto sub = api::list_departments(w.api(), key, engineering->id);
  ASSERT_EQ(sub.size(), 2u);
  EXPECT_EQ(sub[0].name, "工程部");
  EXPECT_EQ(sub[1].name, "维修组");
}

TEST(WecomDepartments, SimpleListHoldsTheIdsOfTheSameDepartments) {
  WecomSandbox w;
  auto key = w.corp();
  auto full = api::list_departments(w.api(), key);
  auto ids = api::list_department_ids(w.api(), key);
  ASSERT_EQ(ids.size(), full.size());
  for (std::size_t i = 0; i < ids.size(); ++i) {
    EXPECT_EQ(ids[i].id, full[i].id);
    EXPECT_EQ(ids[i].parent_id, full[i].parent_id);
    EXPECT_EQ(ids[i].order, full[i].order);
  }
  EXPECT_EQ(api::list_department_ids(w.api(), key, 2).size(), 2u);
}

TEST(WecomDepartments, UnknownDepartmentIs60003) {
  WecomSandbox w;
  auto key = w.corp();
  EXPECT_EQ(platform_error([&] { api::list_departments(w.api(), key, 9999); }).errcode(), 60003);
  EXPECT_EQ(platform_error([&] { api::list_department_ids(w.api(), key, 9999); }).errcode(), 60003);
}
