#include "cron/checkin.h"

#include <gtest/gtest.h>


namespace vigil::cron {
namespace {

HttpRequest Req(std::string path, std::vector<std::pair<std::string, std::string>> query = {},
                std::string body = "", std::string content_type = "") {
  HttpRequest r;
  r.method = "POST";
  r.path = std::move(path);
  r.query = std::move(query);
  r.body = std::move(body);
  if (!content_type.empty()) r.headers.Add("Content-Type", content_type);
  return r;
}

std::string Error(const HttpRequest& r) {
  Result<CheckIn> c = ParseCheckIn(r);
  EXPECT_FALSE(c.ok()) << r.path;
  return c.ok() ? "" : c.status().message();
}

TEST(CheckInTest, PathsAndParameters) {
  CheckIn c = ParseCheckIn(Req("/api/v1/cron/etl/start", {{"run_id", "r1"}, {"tenant", "acme"}})).value();
  EXPECT_EQ(c.job, "etl");
  EXPECT_EQ(c.kind, CheckInKind::kStart);
  EXPECT_EQ(c.run_id, "r1");
  EXPECT_EQ(c.tenant, "acme");
  c = ParseCheckIn(Req("/api/v1/cron/etl/fail", {}, R"({"duration_ms": 12.5, "error": "boom", "rid": 7})")).value();
  EXPECT_EQ(c.kind, CheckInKind::kFail);
  EXPECT_DOUBLE_EQ(*c.duration_ms, 12.5);
  EXPECT_EQ(c.error, "boom");
  EXPECT_EQ(c.run_id, "7");
  EXPECT_EQ(ParseCheckIn(Req("/ping/etl")).value().kind, CheckInKind::kSuccess);
  EXPECT_EQ(ParseCheckIn(Req("/ping/etl/0")).value().kind, CheckInKind::kSuccess);
  EXPECT_EQ(ParseCheckIn(Req("/ping/etl/1")).value().kind, CheckInKind::kFail);
  c = ParseCheckIn(Req("/ping/etl/fail", {}, "tail of the output")).value();
  EXPECT_EQ(c.error, "tail of the output");
  c = ParseCheckIn(Req("/ping/etl", {}, "all good")).value();
  EXPECT_EQ(c.output, "all good");
}

TEST(CheckInTest, Errors) {
  EXPECT_NE(Error(Req("/api/v1/cron/etl/explode")).find("unknown check-in 'explode'"), std::string::npos);
  EXPECT_NE(Error(Req("/api/v1/cron/etl")).find("say what happened"), std::string::npos);
  EXPECT_NE(Error(Req("/api/v1/cron/e t l/start")).find("may only hold"), std::string::npos);
  EXPECT_NE(Error(Req("/api/v1/cron//start")).find("1 to 200"), std::string::npos);
  EXPECT_NE(Error(Req("/ping/etl/success")).find("unknown ping"), std::string::npos);
  EXPECT_NE(Error(Req("/ping/etl/256")).find("unknown ping"), std::string::npos);
  EXPECT_NE(Error(Req("/api/v1/cron/etl/success", {{"duration_ms", "nan"}})).find("duration_ms"), std::string::npos);
  EXPECT_NE(Error(Req("/api/v1/cron/etl/success", {{"run_id", std::string(201, 'x')}})).find("longer than 200"),
            std::string::npos);
  EXPECT_NE(Error(Req("/api/v1/cron/etl/success", {}, "{\"a\":", "application/json")).find("not valid JSON"),
            std::string::npos);
  EXPECT_NE(Error(Req("/api/v1/cron/etl/success", {}, "[1]", "application/json")).find("JSON object"),
            std::string::npos);
  EXPECT_NE(Error(Req("/api/v1/cron/etl/success", {{"tenant", "a"}}, R"({"tenant": "b"})")).find("given twice"),
            std::string::npos);
  EXPECT_NE(Error(Req("/api/v1/cron/etl/success", {}, R"({"x": [1]})")).find("string or a number"),
            std::string::npos);
  EXPECT_NE(Error(Req("/api/v1/cron/monitors/start")).find("'monitors' is not a job name"), std::string::npos);
}

}  // namespace
}  // namespace vigil::cron
