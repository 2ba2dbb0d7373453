#include "server/router.h"

#include <gtest/gtest.h>

namespace vigil {
namespace {

HttpHandler Says(std::string what) {
  return [what](const HttpRequest&) { return HttpResponse::Text(200, what); };
}

HttpRequest Req(std::string method, std::string path) {
  HttpRequest r;
  r.method = std::move(method);
  r.path = std::move(path);
  return r;
}

TEST(RouterTest, ExactPrefixAndMethod) {
  Router r;
  r.Add("GET", "/api/v1/alarms", Says("list"));
  r.AddPrefix("GET", "/api/v1/alarms/", Says("one"));
  r.AddPrefix("GET", "/api/", Says("api"));
  r.Add("POST", "/api/v1/logs", Says("logs"));
  EXPECT_EQ(r.Dispatch(Req("GET", "/api/v1/alarms")).body, "list");
  EXPECT_EQ(r.Dispatch(Req("GET", "/api/v1/alarms/disk")).body, "one");
  EXPECT_EQ(r.Dispatch(Req("GET", "/api/v2")).body, "api");
  EXPECT_EQ(r.Dispatch(Req("POST", "/api/v1/logs")).body, "logs");
  EXPECT_EQ(r.RouteLabel("/api/v1/alarms/disk"), "/api/v1/alarms/");
  EXPECT_EQ(r.RouteLabel("/nope"), "unmatched");
}

TEST(RouterTest, NotFoundAndMethodNotAllowed) {
  Router r;
  r.Add("POST", "/api/v1/logs", Says("logs"));
  r.Add("PUT", "/api/v1/logs", Says("put"));
  HttpResponse nf = r.Dispatch(Req("GET", "/missing"));
  EXPECT_EQ(nf.status, 404);
  EXPECT_NE(nf.body.find("\"code\":\"NotFound\""), std::string::npos);
  HttpResponse na = r.Dispatch(Req("GET", "/api/v1/logs"));
  EXPECT_EQ(na.status, 405);
  ASSERT_EQ(na.headers.size(), 1u);
  EXPECT_EQ(na.headers[0].first, "Allow");
  EXPECT_EQ(na.headers[0].second, "POST, PUT");
}

TEST(RouterTest, ExactRouteOnlyMatchesWholePath) {
  Router r;
  r.Add("GET", "/metrics", Says("m"));
  EXPECT_EQ(r.Dispatch(Req("GET", "/metricsX")).status, 404);
  EXPECT_EQ(r.Dispatch(Req("GET", "/metrics/")).status, 404);
}

}  // namespace
}  // namespace vigil
