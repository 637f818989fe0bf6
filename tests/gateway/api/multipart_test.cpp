// multipart/form-data: the parser's edge cases, and an upload over a real socket.
#include <gtest/gtest.h>

#include "tests/gateway/api/admin_fixture.hpp"
#include "gateway/admin_api.hpp"
#include "gateway/forms/multipart.hpp"

namespace xiaoqu::testing {
namespace {
using forms::MultipartError;
using forms::parse_multipart;

const std::string kType = "multipart/form-data; boundary=XyZ";

std::string error_of(std::string_view body, std::string_view type = kType) {
  try {
    parse_multipart(body, type);
  } catch (const MultipartError& e) {
    return e.what();
  }
  return "(accepted)";
}

TEST(Multipart, FieldsAndAFile) {
  std::string body =
      "--XyZ\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nresidents\r\n"
      "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"住户.xlsx\"\r\n"
      "Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\nPK\x03\x04\r\n\r\ndata\r\n"
      "--XyZ--\r\n";
  auto parts = parse_multipart(body, kType);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0].name, "kind");
  EXPECT_FALSE(parts[0].is_file);
  EXPECT_EQ(parts[0].body, "residents");
  EXPECT_EQ(parts[0].content_type, "text/plain");
  EXPECT_EQ(parts[1].name, "file");
  EXPECT_TRUE(parts[1].is_file);
  EXPECT_EQ(parts[1].file_name, "住户.xlsx");
  EXPECT_EQ(parts[1].body, std::string("PK\x03\x04\r\n\r\ndata"));  // CRLFs inside the data stay
  EXPECT_EQ(parts[1].content_type, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
}

TEST(Multipart, QuotedBoundaryPreambleEpilogueAndHeaderCase) {
  std::string body =
      "this preamble is ignored\r\n--a b:c\r\ncontent-disposition: FORM-DATA; NAME=f; filename=plain.xls\r\n\r\nx\r\n--a b:c--\r\nepilogue";
  auto parts = parse_multipart(body, "Multipart/Form-Data; charset=utf-8; boundary=\"a b:c\"");
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0].name, "f");
  EXPECT_EQ(parts[0].file_name, "plain.xls");
  EXPECT_EQ(parts[0].content_type, "application/octet-stream");
  EXPECT_EQ(parts[0].body, "x");
}

TEST(Multipart, ExtendedFileNameWinsAndPathsAreStripped) {
  std::string body =
      "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"fallback.xlsx\"; "
      "filename*=UTF-8''%E4%BD%8F%E6%88%B7%20%E6%A8%A1%E6%9D%BF.xlsx\r\n\r\n1\r\n"
      "--XyZ\r\nContent-Disposition: form-data; name=\"old\"; filename=\"C:\\\\Users\\\\wang\\\\a.xls\"\r\n\r\n2\r\n--XyZ--";
  auto parts = parse_multipart(body, kType);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0].file_name, "住户 模板.xlsx");
  EXPECT_EQ(parts[1].file_name, "a.xls");
}

TEST(Multipart, BareLineFeedsThroughout) {
  std::string body = "--XyZ\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\n\nline1\r\nline2\n--XyZ--\n";
  auto parts = parse_multipart(body, kType);
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0].body, "line1\r\nline2");
}

TEST(Multipart, EmptyPartBody) {
  auto parts = parse_multipart("--XyZ\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\n\r\n--XyZ--", kType);
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_TRUE(parts[0].body.empty());
}

TEST(Multipart, MalformedBodiesAreRefusedWithTheReason) {
  EXPECT_NE(error_of("", "application/json").find("multipart/form-data"), std::string::npos);
  EXPECT_NE(error_of("", "multipart/form-data").find("boundary"), std::string::npos);
  EXPECT_NE(error_of("", "multipart/form-data; boundary=").find("boundary"), std::string::npos);
  EXPECT_NE(error_of("", "multipart/form-data; boundary=" + std::string(71, 'a')).find("boundary"), std::string::npos);
  EXPECT_NE(error_of("no delimiter at all").find("boundary"), std::string::npos);
  EXPECT_NE(error_of("--XyZ--\r\n").find("没有任何部分"), std::string::npos);
  // Truncated upload: no closing delimiter.
  EXPECT_NE(error_of("--XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a\"\r\n\r\nPK...").find("结束"), std::string::npos);
  // Headers never end.
  EXPECT_NE(error_of("--XyZ\r\nContent-Disposition: form-data; name=\"f\"").find("空行"), std::string::npos);
  EXPECT_NE(error_of("--XyZ\r\nno colon here\r\n\r\nx\r\n--XyZ--").find("冒号"), std::string::npos);
  EXPECT_NE(error_of("--XyZ\r\nContent-Type: text/plain\r\n\r\nx\r\n--XyZ--").find("Content-Disposition"), std::string::npos);
  EXPECT_NE(error_of("--XyZ\r\nContent-Disposition: attachment; name=\"f\"\r\n\r\nx\r\n--XyZ--").find("form-data"), std::string::npos);
  EXPECT_NE(error_of("--XyZ\r\nContent-Disposition: form-data; filename=\"a\"\r\n\r\nx\r\n--XyZ--").find("name"), std::string::npos);
  EXPECT_NE(error_of("--XyZ\r\nContent-Disposition: form-data; name=\"f\r\n\r\nx\r\n--XyZ--").find("引号"), std::string::npos);
  EXPECT_NE(error_of("--XyZ\r\nContent-Disposition: form-data; name=f; filename*=latin1''a\r\n\r\nx\r\n--XyZ--").find("UTF-8"), std::string::npos);
  EXPECT_NE(error_of("--XyZ\r\nContent-Disposition: form-data; name=f; filename*=UTF-8''%E4%B\r\n\r\nx\r\n--XyZ--").find("百分号"), std::string::npos);
  // The boundary inside data followed by something else is not a delimiter line.
  EXPECT_NE(error_of("--XyZ\r\nContent-Disposition: form-data; name=f\r\n\r\nx\r\n--XyZjunk\r\n--XyZ--").find("多余"), std::string::npos);
}

TEST(Multipart, TooManyPartsAreRefused) {
  std::string body;
  for (int i = 0; i < 3; ++i) body += "--XyZ\r\nContent-Disposition: form-data; name=\"f" + std::to_string(i) + "\"\r\n\r\nx\r\n";
  body += "--XyZ--";
  EXPECT_EQ(parse_multipart(body, kType, 3).size(), 3u);
  EXPECT_THROW(parse_multipart(body, kType, 2), MultipartError);
}

// An upload through the server: header-first reading lets it exceed max_body_bytes, up to
// server.max_upload_bytes; ApiRequest::file() finds the file part.
struct AdminUpload : ::testing::Test {
  AdminUpload() : server([] {
    auto p = admin_patch();
    p["server"] = {{"max_upload_bytes", 3 * 1024 * 1024}};
    return p;
  }()) {
    admin = add_admin(server, "root", "operator", {}, kOperatorPassword);
    server.app().admin_api().router().add("POST", "/api/v1/probe/upload", gateway::api::Access::signed_in, [](gateway::api::ApiRequest& q) {
      auto f = q.file();
      return gateway::api::ApiResponse::json({{"field", f.field}, {"file_name", f.file_name}, {"size", f.bytes.size()}, {"first", f.bytes.substr(0, 2)}});
    });
  }
  TestServer server;
  std::int64_t admin = 0;
};

TEST_F(AdminUpload, AFileLargerThanOtherBodiesIsReceivedWhole) {
  Session s = open_session(server, admin);
  std::string bytes = "PK" + std::string(2 * 1024 * 1024, 'z');
  httplib::MultipartFormDataItems items{{"file", bytes, "住户导入.xlsx", "application/octet-stream"}, {"note", "hello", "", ""}};
  auto c = server.client();
  auto r = c.Post("/api/v1/probe/upload", s.headers(), items);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto j = nlohmann::json::parse(r->body);
  EXPECT_EQ(j["file_name"], "住户导入.xlsx");
  EXPECT_EQ(j["size"], bytes.size());
  EXPECT_EQ(j["first"], "PK");
}

TEST_F(AdminUpload, OverTheUploadLimitIs413) {
  Session s = open_session(server, admin);
  httplib::MultipartFormDataItems items{{"file", std::string(3 * 1024 * 1024 + 10, 'z'), "big.xlsx", ""}};
  auto r = server.client().Post("/api/v1/probe/upload", s.headers(), items);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
}

TEST_F(AdminUpload, NoFileOrAMalformedBodyIs400NamingTheProblem) {
  Session s = open_session(server, admin);
  auto c = server.client();
  auto no_file = c.Post("/api/v1/probe/upload", s.headers(), httplib::MultipartFormDataItems{{"note", "x", "", ""}});
  ASSERT_TRUE(no_file);
  EXPECT_EQ(no_file->status, 400);
  EXPECT_EQ(error_code(no_file), "invalid_upload");
  EXPECT_NE(no_file->body.find("请选择要上传的文件"), std::string::npos);
  auto json_body = c.Post("/api/v1/probe/upload", s.headers(), "{}", "application/json");
  ASSERT_TRUE(json_body);
  EXPECT_EQ(json_body->status, 400);
  EXPECT_NE(json_body->body.find("multipart/form-data"), std::string::npos);
  auto truncated = c.Post("/api/v1/probe/upload", s.headers(),
                          "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.xlsx\"\r\n\r\nPK", "multipart/form-data; boundary=b");
  ASSERT_TRUE(truncated);
  EXPECT_EQ(truncated->status, 400);
  EXPECT_NE(truncated->body.find("上传可能不完整"), std::string::npos);
}

}  // namespace
}  // namespace xiaoqu::testing
