// user/list_id, get, simplelist, list, create, update and delete against the sandbox, and
// the input rules checked before any call.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "wecom/api/department.hpp"
#include "wecom/api/user.hpp"
#include "tests/wecom/api/wecom_sandbox.hpp"

using namespace xiaoqu::testing;
namespace api = xiaoqu::wecom::api;

namespace {
bool in(const std::vector<std::int64_t>& v, std::int64_t x) { return std::find(v.begin(), v.end(), x) != v.end(); }

// Expects std::invalid_argument whose message starts with `field`.
template <class F>
void expect_refused(F&& call, const std::string& field) {
  try {
    call();
    ADD_FAILURE() << "accepted, expected a refusal naming " << field;
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()).rfind(field + ":", 0), 0u) << e.what();
  }
}
}  // namespace

TEST(WecomUsers, ListIdsWalksEveryCursorPage) {
  WecomSandbox w;
  auto key = w.corp();
  auto rows = api::list_user_ids(w.api(), key, 7);
  // One row per (member, department): the sum of the per-department lists.
  std::size_t expected = 0;
  for (const auto& d : api::list_departments(w.api(), key)) expected += api::list_users_brief(w.api(), key, d.id).size();
  EXPECT_EQ(rows.size(), expected);
  std::set<std::string> users;
  for (const auto& r : rows) {
    EXPECT_FALSE(r.userid.empty());
    EXPECT_TRUE(r.open_userid.empty());
    EXPECT_GT(r.department, 0);
    users.insert(r.userid);
  }
  EXPECT_EQ(users.size(), 36u);
  EXPECT_GT(rows.size(), users.size());  // some staff serve in two departments
  EXPECT_EQ(w.calls("/cgi-bin/user/list_id"), (rows.size() + 6) / 7);
  EXPECT_EQ(api::list_user_ids(w.api(), key).size(), rows.size());
}

TEST(WecomUsers, ListIdsRefusesALimitOutsideOneTo10000) {
  WecomSandbox w;
  auto key = w.corp();
  expect_refused([&] { api::list_user_ids(w.api(), key, 0); }, "limit");
  expect_refused([&] { api::list_user_ids(w.api(), key, 10001); }, "limit");
  EXPECT_EQ(w.calls("/cgi-bin/user/list_id"), 0u);
}

TEST(WecomUsers, GetReturnsTheFullRecordToASelfBuiltApp) {
  WecomSandbox w;
  auto key = w.corp();
  auto repairs = api::list_users_brief(w.api(), key, 3);
  ASSERT_FALSE(repairs.empty());
  auto m = api::get_user(w.api(), key, repairs[0].userid);
  EXPECT_EQ(m.userid, repairs[0].userid);
  EXPECT_EQ(m.name, repairs[0].name);
  EXPECT_NE(m.name, m.userid);
  EXPECT_TRUE(in(m.departments, 3));
  ASSERT_TRUE(m.mobile);
  EXPECT_EQ(m.mobile->size(), 11u);
  EXPECT_EQ(m.position, "维修工");
  EXPECT_EQ(m.status, 1);
  EXPECT_TRUE(m.open_userid.empty());
}

TEST(WecomUsers, UnknownUserIs60111) {
  WecomSandbox w;
  auto key = w.corp();
  EXPECT_EQ(platform_error([&] { api::get_user(w.api(), key, "nobody"); }).errcode(), 60111);
}

TEST(WecomUsers, DepartmentListsDoNotDescendIntoSubDepartments) {
  WecomSandbox w;
  auto key = w.corp();
  auto engineering = api::list_users(w.api(), key, 2);
  auto repairs = api::list_users_brief(w.api(), key, 3);
  ASSERT_FALSE(engineering.empty());
  ASSERT_FALSE(repairs.empty());
  for (const auto& m : engineering) EXPECT_TRUE(in(m.departments, 2)) << m.userid;
  for (const auto& r : repairs)
    EXPECT_TRUE(std::none_of(engineering.begin(), engineering.end(), [&](const api::Member& m) { return m.userid == r.userid; }));
}

TEST(WecomUsers, CreateUpdateDeleteRoundTrip) {
  WecomSandbox w;
  auto key = w.corp();
  api::NewMember n;
  n.userid = "wang.xiaoming";
  n.name = "王小明";
  n.mobile = "13912345678";
  n.departments = {3};
  n.position = "维修工";
  n.gender = 1;
  api::create_user(w.api(), key, n);
  auto m = api::get_user(w.api(), key, "wang.xiaoming");
  EXPECT_EQ(m.name, "王小明");
  EXPECT_EQ(m.mobile, "13912345678");
  EXPECT_EQ(m.departments, std::vector<std::int64_t>{3});
  EXPECT_EQ(m.gender, 1);

  api::MemberUpdate u;
  u.userid = "wang.xiaoming";
  u.name = "王晓明";
  u.mobile = "13912345679";
  u.departments = std::vector<std::int64_t>{3, 4};
  api::update_user(w.api(), key, u);
  m = api::get_user(w.api(), key, "wang.xiaoming");
  EXPECT_EQ(m.name, "王晓明");
  EXPECT_EQ(m.mobile, "13912345679");
  EXPECT_EQ(m.departments, (std::vector<std::int64_t>{3, 4}));
  auto service = api::list_users_brief(w.api(), key, 4);
  EXPECT_TRUE(std::any_of(service.begin(), service.end(), [](const api::MemberBrief& b) { return b.userid == "wang.xiaoming"; }));

  api::delete_user(w.api(), key, "wang.xiaoming");
  EXPECT_EQ(platform_error([&] { api::get_user(w.api(), key, "wang.xiaoming"); }).errcode(), 60111);
  EXPECT_EQ(platform_error([&] { api::delete_user(w.api(), key, "wang.xiaoming"); }).errcode(), 60111);
}

TEST(WecomUsers, CreateRefusesATakenUseridOrMobile) {
  WecomSandbox w;
  auto key = w.corp();
  auto existing = api::get_user(w.api(), key, "ZhangWei");
  api::NewMember n;
  n.userid = "zhangwei";  // userids are case-insensitive
  n.name = "张伟";
  n.mobile = "13900000000";
  EXPECT_EQ(platform_error([&] { api::create_user(w.api(), key, n); }).errcode(), 60102);
  n.userid = "zhang.wei2";
  n.mobile = existing.mobile.value();
  EXPECT_EQ(platform_error([&] { api::create_user(w.api(), key, n); }).errcode(), 60104);
  api::MemberUpdate u;
  u.userid = "WangJun";
  u.mobile = existing.mobile;
  EXPECT_EQ(platform_error([&] { api::update_user(w.api(), key, u); }).errcode(), 60104);
}

TEST(WecomUsers, InvalidInputIsRefusedBeforeAnyCall) {
  WecomSandbox w;
  auto key = w.corp();
  auto valid = [] {
    api::NewMember n;
    n.userid = "li.si";
    n.name = "李四";
    n.mobile = "13800000000";
    return n;
  };
  auto create = [&](api::NewMember n) { api::create_user(w.api(), key, n); };
  auto n = valid();
  n.userid = "_lisi";
  expect_refused([&] { create(n); }, "userid");
  n.userid = std::string(65, 'a');
  expect_refused([&] { create(n); }, "userid");
  n.userid = "li si";
  expect_refused([&] { create(n); }, "userid");
  n = valid();
  n.name = "";
  expect_refused([&] { create(n); }, "name");
  n.name = "";
  for (int i = 0; i < 65; ++i) n.name += "李";
  expect_refused([&] { create(n); }, "name");
  n = valid();
  n.mobile = "";
  expect_refused([&] { create(n); }, "mobile");
  n.mobile = "138-abc";
  expect_refused([&] { create(n); }, "mobile");
  n = valid();
  for (int i = 1; i <= 21; ++i) n.departments.push_back(i);
  expect_refused([&] { create(n); }, "department");
  api::MemberUpdate u;
  u.userid = "ZhangWei";
  u.name = std::string(65, 'x');
  expect_refused([&] { api::update_user(w.api(), key, u); }, "name");
  expect_refused([&] { api::delete_user(w.api(), key, "-x"); }, "userid");
  EXPECT_EQ(w.calls("/cgi-bin/user/create"), 0u);
  EXPECT_EQ(w.calls("/cgi-bin/user/update"), 0u);
  EXPECT_EQ(w.calls("/cgi-bin/user/delete"), 0u);

  // The limits themselves are allowed: 64 characters of Chinese, an email instead of a mobile.
  n = valid();
  n.name = "";
  for (int i = 0; i < 64; ++i) n.name += "李";
  n.mobile = "";
  n.email = "li.si@wy.example.com";
  EXPECT_NO_THROW(create(n));
  EXPECT_EQ(api::get_user(w.api(), key, "li.si").email, "li.si@wy.example.com");
}
