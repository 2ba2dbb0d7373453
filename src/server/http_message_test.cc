#include "server/http_message.h"

#include <gtest/gtest.h>

namespace vigil {
namespace {

TEST(HttpStatusForTest, EveryCode) {
  EXPECT_EQ(HttpStatusFor(Code::kOk), 200);
  EXPECT_EQ(HttpStatusFor(Code::kInvalidArgument), 400);
  EXPECT_EQ(HttpStatusFor(Code::kUnauthenticated), 401);
  EXPECT_EQ(HttpStatusFor(Code::kPermissionDenied), 403);
  EXPECT_EQ(HttpStatusFor(Code::kNotFound), 404);
  EXPECT_EQ(HttpStatusFor(Code::kAlreadyExists), 409);
  EXPECT_EQ(HttpStatusFor(Code::kResourceExhausted), 413);
  EXPECT_EQ(HttpStatusFor(Code::kUnsupported), 415);
  EXPECT_EQ(HttpStatusFor(Code::kUnavailable), 503);
  EXPECT_EQ(HttpStatusFor(Code::kCorruption), 500);
  EXPECT_EQ(HttpStatusFor(Code::kIOError), 500);
}

TEST(HttpResponseTest, ErrorBody) {
  HttpResponse r = HttpResponse::Error(Status::InvalidArgument("line 1, column 8: \"x\"\n"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body,
            R"({"error":{"code":"InvalidArgument","message":"line 1, column 8: \"x\"\n"}})");
  HttpResponse u = HttpResponse::Error(Status::Unavailable("closing"));
  EXPECT_EQ(u.status, 503);
  EXPECT_EQ(u.body, R"({"error":{"code":"Unavailable","message":"closing"}})");
}

TEST(HttpHeadersTest, CaseInsensitive) {
  HttpHeaders h;
  h.Add("Content-Type", "a");
  h.Add("content-type", "b");
  h.Add("X-Other", "c");
  EXPECT_EQ(h.Get("CONTENT-TYPE"), "a");
  EXPECT_EQ(h.Get("x-other"), "c");
  EXPECT_FALSE(h.Get("x-othe").has_value());
  EXPECT_FALSE(h.Get("missing").has_value());
}

TEST(ParseTargetTest, DecodesPathAndQuery) {
  std::string path;
  std::vector<std::pair<std::string, std::string>> q;
  ASSERT_TRUE(ParseTarget("/api/v1/logs?group=my%20app&stream=a+b&flag&=v&x=%2B1", &path, &q).ok());
  EXPECT_EQ(path, "/api/v1/logs");
  ASSERT_EQ(q.size(), 5u);
  EXPECT_EQ(q[0], std::make_pair(std::string("group"), std::string("my app")));
  EXPECT_EQ(q[1], std::make_pair(std::string("stream"), std::string("a b")));
  EXPECT_EQ(q[2], std::make_pair(std::string("flag"), std::string("")));
  EXPECT_EQ(q[3], std::make_pair(std::string(""), std::string("v")));
  EXPECT_EQ(q[4], std::make_pair(std::string("x"), std::string("+1")));
  HttpRequest r;
  r.query = q;
  EXPECT_EQ(r.Query("stream"), "a b");
  EXPECT_FALSE(r.Query("nope").has_value());

  ASSERT_TRUE(ParseTarget("/a%2Fb+c", &path, &q).ok());
  EXPECT_EQ(path, "/a/b+c");  // '+' is only a space in the query
  EXPECT_TRUE(q.empty());
}

TEST(ParseTargetTest, RejectsBadEscapes) {
  std::string path;
  std::vector<std::pair<std::string, std::string>> q;
  EXPECT_EQ(ParseTarget("/a%zz", &path, &q).code(), Code::kInvalidArgument);
  EXPECT_EQ(ParseTarget("/a?x=%4", &path, &q).code(), Code::kInvalidArgument);
  EXPECT_EQ(ParseTarget("/a%", &path, &q).code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace vigil
