#include "server/api.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include "core/timestamp.h"
#include "server/server_test_util.h"

namespace vigil {
namespace {

using testing::HasSubstr;
using testing_util::FakeStore;

constexpr int64_t kNow = 1767225600LL * kNanosPerSecond;  // 2026-01-01T00:00:00Z

simdjson::dom::element ParseJson(simdjson::dom::parser& p, const std::string& text) {
  simdjson::dom::element e;
  EXPECT_EQ(p.parse(text).get(e), simdjson::SUCCESS) << text;
  return e;
}

HttpRequest Request(std::string method, std::string path, std::string body = "",
                    std::vector<std::pair<std::string, std::string>> headers = {}) {
  HttpRequest r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.body = std::move(body);
  for (auto& [k, v] : headers) r.headers.Add(k, v);
  return r;
}

class ApiTest : public testing::Test {
 protected:
  explicit ApiTest(std::vector<ApiKey> keys = {}, bool metrics_public = true)
      : auth_(std::move(keys)), metrics_(registry_) {
    config_.tenant_fields = {"agency_db"};
    api_ = std::make_unique<Api>(
        ApiDeps{store_, config_, auth_, registry_, metrics_, [] { return kNow; }, metrics_public});
    api_->Register(router_);
  }

  HttpResponse Call(HttpRequest r) { return router_.Dispatch(r); }

  HttpResponse Query(const std::string& q) {
    return Call(
        Request("POST", "/api/v1/query", R"({"query": ")" + q + R"(", "start": 0, "end": "now"})"));
  }

  FakeStore store_;
  Config config_;
  Authenticator auth_;
  MetricsRegistry registry_;
  ServerMetrics metrics_;
  std::unique_ptr<Api> api_;
  Router router_;
};

TEST_F(ApiTest, IngestThenQuery) {
  const std::string body = R"({"timestamp": 1767225500000, "msg": "first", "agency_db": "acme"})"
                           "\n"
                           R"({"msg": )"
                           "\n"
                           R"({"timestamp": 1767225510000, "msg": "second"})"
                           "\n";
  HttpResponse r = Call(Request("POST", "/api/v1/logs", body));
  ASSERT_EQ(r.status, 200) << r.body;
  simdjson::dom::parser p;
  simdjson::dom::element j = ParseJson(p, r.body);
  EXPECT_EQ(int64_t(j["accepted"]), 2);
  EXPECT_EQ(int64_t(j["rejected_count"]), 1);
  EXPECT_EQ(int64_t(j["rejected"].at(0)["index"]), 1);
  EXPECT_THAT(std::string(std::string_view(j["rejected"].at(0)["reason"])), HasSubstr("JSON"));
  ASSERT_EQ(store_.rows(), 2u);
  // The pipeline ran: @tenant comes from the configured tenant field.
  const Batch stored = store_.batches()[0];
  const Column* tenant = stored.Find("@tenant", Type::kString);
  ASSERT_NE(tenant, nullptr);
  EXPECT_EQ((*tenant).strs[0], "acme");

  HttpResponse q = Query("fields @timestamp, msg | sort @timestamp asc");
  ASSERT_EQ(q.status, 200) << q.body;
  simdjson::dom::parser p2;
  simdjson::dom::element res = ParseJson(p2, q.body);
  EXPECT_EQ(std::string_view(res["columns"].at(0)), "@timestamp");
  EXPECT_EQ(std::string_view(res["columns"].at(1)), "msg");
  EXPECT_EQ(std::string_view(res["rows"].at(0).at(0)), "2025-12-31T23:58:20.000Z");
  EXPECT_EQ(std::string_view(res["rows"].at(0).at(1)), "first");
  EXPECT_EQ(std::string_view(res["rows"].at(1).at(1)), "second");
  EXPECT_EQ(uint64_t(res["stats"]["records_matched"]), 2u);
  EXPECT_EQ(std::string_view(res["stats"]["start"]), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(std::string_view(res["stats"]["end"]), "2026-01-01T00:00:00.000Z");

  const std::string metrics = Call(Request("GET", "/metrics")).body;
  EXPECT_THAT(metrics, HasSubstr("vigil_ingested_lines_total 2\n"));
  EXPECT_THAT(metrics, HasSubstr("vigil_rejected_lines_total 1\n"));
  EXPECT_THAT(metrics, HasSubstr("vigil_ingested_bytes_total " + std::to_string(body.size())));
  EXPECT_THAT(metrics, HasSubstr("vigil_query_total 1\n"));
  EXPECT_THAT(metrics, HasSubstr("vigil_query_duration_seconds_count 1\n"));
}

TEST_F(ApiTest, GroupAndStreamFromQueryOrHeaders) {
  HttpRequest a = Request("POST", "/api/v1/logs", R"({"m": 1})",
                          {{"X-Vigil-Group", "hdr-group"}, {"X-Vigil-Stream", "hdr-stream"}});
  a.query = {{"group", "param-group"}};
  ASSERT_EQ(Call(a).status, 200);
  const Batch b = store_.batches()[0];
  EXPECT_EQ(b.Find("@group", Type::kString)->strs[0], "param-group");
  EXPECT_EQ(b.Find("@stream", Type::kString)->strs[0], "hdr-stream");
}

TEST_F(ApiTest, ContentTypeAndEmptyBodies) {
  HttpResponse html =
      Call(Request("POST", "/api/v1/logs", R"({"m": 1})", {{"Content-Type", "text/html"}}));
  EXPECT_EQ(html.status, 415);
  EXPECT_THAT(html.body, HasSubstr("text/html"));
  EXPECT_THAT(html.body, HasSubstr("application/x-ndjson"));

  HttpResponse empty = Call(Request("POST", "/api/v1/logs", ""));
  EXPECT_EQ(empty.status, 400);
  EXPECT_THAT(empty.body, HasSubstr("empty body"));

  EXPECT_EQ(Call(Request("POST", "/api/v1/logs", "\n \n")).status, 400);
  EXPECT_EQ(store_.rows(), 0u);
}

TEST_F(ApiTest, AllLinesRejectedIs400WithTheSameShape) {
  HttpResponse r = Call(Request("POST", "/api/v1/logs", "42\nnot json\n"));
  ASSERT_EQ(r.status, 400);
  simdjson::dom::parser p;
  simdjson::dom::element j = ParseJson(p, r.body);
  EXPECT_EQ(int64_t(j["accepted"]), 0);
  EXPECT_EQ(int64_t(j["rejected_count"]), 2);
  EXPECT_EQ(store_.rows(), 0u);
}

TEST_F(ApiTest, FailedAppendReportsNothingAccepted) {
  store_.FailAppends(Status::Unavailable("store is closing"));
  HttpResponse r = Call(Request("POST", "/api/v1/logs", R"({"m": 1})"));
  EXPECT_EQ(r.status, 503);
  EXPECT_THAT(r.body, HasSubstr(R"("code":"Unavailable")"));
  EXPECT_THAT(r.body, HasSubstr("store is closing"));
  EXPECT_THAT(r.body, testing::Not(HasSubstr("accepted")));
  EXPECT_EQ(r.headers, (std::vector<std::pair<std::string, std::string>>{{"Retry-After", "1"}}));

  store_.FailAppends(Status::IOError("disk on fire"));
  r = Call(Request("POST", "/api/v1/logs", R"({"m": 1})"));
  EXPECT_EQ(r.status, 500);
  EXPECT_THAT(r.body, HasSubstr("disk on fire"));
  EXPECT_EQ(metrics_.ingested_lines.value(), 0u);
}

TEST_F(ApiTest, QueryErrors) {
  HttpResponse bad = Query("fields | sort");
  ASSERT_EQ(bad.status, 400);
  EXPECT_THAT(bad.body,
              HasSubstr(R"({"error":{"code":"InvalidArgument","message":"line 1, column)"));

  HttpResponse body = Call(Request("POST", "/api/v1/query", "{nope"));
  EXPECT_EQ(body.status, 400);
  EXPECT_THAT(body.body, HasSubstr("not valid JSON"));
}

class ApiAuthTest : public ApiTest {
 protected:
  ApiAuthTest()
      : ApiTest({{"ik", Role::kIngest, "shipper"},
                 {"rk", Role::kRead, "grafana"},
                 {"ak", Role::kAdmin, "ops"}},
                /*metrics_public=*/false) {}

  int Status(const std::string& method, const std::string& path, const std::string& key,
             const std::string& body = "") {
    std::vector<std::pair<std::string, std::string>> h;
    if (!key.empty()) h.emplace_back("Authorization", "Bearer " + key);
    return Call(Request(method, path, body, h)).status;
  }
};

TEST_F(ApiAuthTest, RoutesEnforceRoles) {
  const std::string line = R"({"m": 1})";
  const std::string query = R"({"query": "fields m"})";
  EXPECT_EQ(Status("POST", "/api/v1/logs", "", line), 401);
  EXPECT_EQ(Status("POST", "/api/v1/logs", "wrong", line), 401);
  EXPECT_EQ(Status("POST", "/api/v1/logs", "rk", line), 403);
  EXPECT_EQ(Status("POST", "/api/v1/logs", "ik", line), 200);
  EXPECT_EQ(Status("POST", "/api/v1/logs", "ak", line), 200);
  EXPECT_EQ(Status("POST", "/api/v1/query", "", query), 401);
  EXPECT_EQ(Status("POST", "/api/v1/query", "ik", query), 403);
  EXPECT_EQ(Status("POST", "/api/v1/query", "rk", query), 200);
  EXPECT_EQ(Status("POST", "/api/v1/query", "ak", query), 200);
  EXPECT_EQ(Status("GET", "/metrics", ""), 401);
  EXPECT_EQ(Status("GET", "/metrics", "ik"), 403);
  EXPECT_EQ(Status("GET", "/metrics", "rk"), 200);
  EXPECT_EQ(Status("GET", "/healthz", ""), 200);
  EXPECT_EQ(store_.rows(), 2u);

  HttpResponse r = Call(Request("POST", "/api/v1/logs", line));
  EXPECT_EQ(r.headers, (std::vector<std::pair<std::string, std::string>>{
                           {"WWW-Authenticate", "Bearer realm=\"vigil\""}}));
  EXPECT_THAT(r.body, HasSubstr(R"("code":"Unauthenticated")"));
}

}  // namespace
}  // namespace vigil
