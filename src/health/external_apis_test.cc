#include "health/external_apis.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "core/value.h"
#include "ingest/json_lines.h"
#include "pipeline/normalize.h"

namespace vigil::health {
namespace {

Value Cell(const Batch& b, const std::string& name, size_t row) {
  for (const Column& c : b.columns) {
    if (c.name == name && c.IsValid(row)) return CellValue(c, row);
  }
  return {};
}

TEST(ExternalApisTest, CallsTableFromEvents) {
  auto dir = std::filesystem::path(::testing::TempDir()) / "external_apis_store";
  std::filesystem::remove_all(dir);
  EmbeddedOptions opts;
  opts.dir = dir.string();
  opts.background = false;
  auto store = OpenEmbeddedStore(opts);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  JsonLinesOptions jl;
  jl.ingest_time_ns = 1;
  auto parsed = ParseJsonLines(
      R"({"timestamp":1000,"external_api":"stripe","latency_ms":100,"status":200,"url":"https://api.stripe.com/v1/charges/123","agency_db":"a"}
{"timestamp":2000,"external_api":"stripe","latency_ms":250.5,"status":503,"message":"upstream down","request_id":"r1"}
{"timestamp":3000,"host":"graph.microsoft.com","latency_ms":80,"status":429,"path":"/v1.0/users/bob@example.com/sendMail","method":"POST"}
{"timestamp":4000,"host":"example.org","status":200}
{"timestamp":5000,"external_api":"gmail","error":"connection reset"}
{"timestamp":6000,"endpoint":"admin.case_list","status":500,"duration_ms":3}
{"timestamp":7000,"kind":"external","service":"twilio","operation":"send_sms","duration_ms":12.5,"success":false,"status_code":null,"error_message":"timeout"}
{"timestamp":8000,"kind":"external","service":"twilio","operation":"send_sms","duration_ms":40,"success":true,"status_code":201}
{"timestamp":9000,"host":"web-1","duration_ms":5,"status":200}
)",
      jl);
  ASSERT_TRUE(parsed.ok());
  Batch events = std::move(parsed.value().batch);
  NormalizeBatch(events, {});
  ASSERT_TRUE(store.value()->Append(std::move(events)).ok());

  query::TableRequest req{0, INT64_MAX, true, 0};
  auto calls = ExternalApiCalls(*store.value(), ExternalApiConfig{}, req);
  ASSERT_TRUE(calls.ok()) << calls.status().ToString();
  const Batch& b = calls.value();
  ASSERT_EQ(b.rows, 6u);
  // Scan order is by (tenant, time): find rows by timestamp.
  auto row_at = [&](int64_t ms) {
    for (size_t r = 0; r < b.rows; ++r) {
      if (Cell(b, "@timestamp", r) == Value(ms * 1'000'000'000)) return r;
    }
    ADD_FAILURE() << "no row at " << ms;
    return size_t{0};
  };
  size_t r = row_at(1000);
  EXPECT_EQ(Cell(b, "external_api", r), Value(std::string("stripe")));
  EXPECT_EQ(Cell(b, "endpoint", r), Value(std::string("/v1/charges/{id}")));
  EXPECT_EQ(Cell(b, "host", r), Value(std::string("api.stripe.com")));
  EXPECT_EQ(Cell(b, "latency_ms", r), Value(100.0));
  EXPECT_EQ(Cell(b, "error", r), Value(false));
  EXPECT_EQ(Cell(b, "@tenant", r), Value(std::string("a")));
  r = row_at(2000);
  EXPECT_EQ(Cell(b, "error", r), Value(true));
  EXPECT_EQ(Cell(b, "http_5xx", r), Value(true));
  EXPECT_EQ(Cell(b, "error_message", r), Value(std::string("HTTP 503: upstream down")));
  EXPECT_EQ(Cell(b, "request_id", r), Value(std::string("r1")));
  EXPECT_TRUE(Cell(b, "endpoint", r).is_null());
  r = row_at(3000);
  EXPECT_EQ(Cell(b, "external_api", r), Value(std::string("graph.microsoft.com")));
  EXPECT_EQ(Cell(b, "endpoint", r), Value(std::string("/v1.0/users/{id}/sendMail")));
  EXPECT_EQ(Cell(b, "http_429", r), Value(true));
  EXPECT_EQ(Cell(b, "method", r), Value(std::string("POST")));
  r = row_at(5000);
  EXPECT_EQ(Cell(b, "error", r), Value(true));
  EXPECT_EQ(Cell(b, "error_message", r), Value(std::string("connection reset")));
  EXPECT_TRUE(Cell(b, "status", r).is_null());

  // The Python SDK's external_call records.
  r = row_at(7000);
  EXPECT_EQ(Cell(b, "external_api", r), Value(std::string("twilio")));
  EXPECT_EQ(Cell(b, "endpoint", r), Value(std::string("send_sms")));
  EXPECT_EQ(Cell(b, "latency_ms", r), Value(12.5));
  EXPECT_EQ(Cell(b, "error", r), Value(true));
  EXPECT_EQ(Cell(b, "error_message", r), Value(std::string("timeout")));
  r = row_at(8000);
  EXPECT_EQ(Cell(b, "status", r), Value(int64_t{201}));
  EXPECT_EQ(Cell(b, "error", r), Value(false));

  ExternalApiConfig small;
  small.max_rows = 2;
  EXPECT_EQ(ExternalApiCalls(*store.value(), small, req).status().code(), Code::kResourceExhausted);
  query::TableRequest early{0, 1'500'000'000'000, true, 0};
  auto few = ExternalApiCalls(*store.value(), ExternalApiConfig{}, early);
  ASSERT_TRUE(few.ok());
  EXPECT_EQ(few.value().rows, 1u);
  ASSERT_TRUE(store.value()->Close().ok());
}

}  // namespace
}  // namespace vigil::health
