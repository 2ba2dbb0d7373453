#include "health/status_reports.h"

#include <gtest/gtest.h>

#include "core/value.h"
#include "pipeline/normalize.h"

namespace vigil::health {
namespace {

constexpr int64_t kSec = 1'000'000'000;
constexpr int64_t kNow = 1767225600 * kSec;

Value Cell(const Batch& b, const std::string& name, size_t row) {
  for (const Column& c : b.columns) {
    if (c.name == name && c.IsValid(row)) return CellValue(c, row);
  }
  return {};
}

TEST(StatusReportsTest, ObjectAndArrayBodies) {
  auto one = ParseStatusBody(R"({"check":"email_sync","entity":"mb1","tenant":"agency_a","status":"ERROR",
                                  "reason":"token expired","at":"2026-01-01T00:00:05Z","details":{"code":401}})",
                             kNow);
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  ASSERT_EQ(one.value().accepted, 1u);
  const Batch& b = one.value().batch;
  EXPECT_EQ(Cell(b, "check", 0), Value(std::string("email_sync")));
  EXPECT_EQ(Cell(b, "status", 0), Value(std::string("error")));
  EXPECT_EQ(Cell(b, "details.code", 0), Value(int64_t{401}));
  EXPECT_EQ(Cell(b, "@kind", 0), Value(std::string("status")));
  EXPECT_EQ(Cell(b, "@tenant", 0), Value(std::string("agency_a")));
  EXPECT_EQ(Cell(b, "@timestamp", 0), Value(kNow + 5 * kSec));
  EXPECT_TRUE(Cell(b, "at", 0).is_null());

  auto many = ParseStatusBody(R"([{"check":"a","status":"ok","at":1767225601},
                                   {"check":"","status":"ok"},
                                   {"check":"b"},
                                   {"check":"c","status":"ok","entity":5},
                                   {"check":"d","status":"ok","at":"soon"},
                                   [],
                                   {"check":"e","status":"ok"}])",
                              kNow);
  ASSERT_TRUE(many.ok());
  EXPECT_EQ(many.value().accepted, 2u);
  std::vector<size_t> idx;
  for (const LineRejection& r : many.value().rejected) idx.push_back(r.index);
  EXPECT_EQ(idx, (std::vector<size_t>{1, 2, 3, 4, 5}));
  EXPECT_NE(many.value().rejected[0].reason.find("\"check\" is required"), std::string::npos);
  EXPECT_NE(many.value().rejected[1].reason.find("\"status\""), std::string::npos);
  EXPECT_NE(many.value().rejected[2].reason.find("\"entity\" must be a string"), std::string::npos);
  EXPECT_NE(many.value().rejected[3].reason.find("\"at\""), std::string::npos);
  EXPECT_EQ(Cell(many.value().batch, "@timestamp", 0), Value(kNow + kSec));
  EXPECT_EQ(Cell(many.value().batch, "@timestamp", 1), Value(kNow));
  EXPECT_TRUE(Cell(many.value().batch, "@tenant", 1).is_null());
}

TEST(StatusReportsTest, WholeBodyErrors) {
  EXPECT_EQ(ParseStatusBody("{", kNow).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(ParseStatusBody("\"ok\"", kNow).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(ParseStatusBody("[]", kNow).status().code(), Code::kInvalidArgument);
}

TEST(StatusReportsTest, ReportsInBatchFromPostsAndLogs) {
  auto posted = ParseStatusBody(R"({"check":"email_sync","entity":"mb1","status":"ok"})", kNow);
  ASSERT_TRUE(posted.ok());
  Batch b = std::move(posted.value().batch);
  NormalizeBatch(b, {});
  StatusConfig config;
  auto reports = ReportsInBatch(b, config);
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].check, "email_sync");
  EXPECT_EQ(reports[0].entity, "mb1");
  EXPECT_EQ(reports[0].at_ns, kNow);

  // Log events with configured field names; events without the fields are not reports.
  BatchBuilder logs;
  logs.BeginRow();
  logs.AddInt("@timestamp", kNow + kSec);
  logs.AddString("integration", "crm_sync");
  logs.AddString("state", "Disconnected");
  logs.AddString("why", "revoked");
  logs.EndRow();
  logs.BeginRow();
  logs.AddInt("@timestamp", kNow + kSec);
  logs.AddString("job_name", "x");
  logs.AddString("state", "failure");
  logs.EndRow();
  Batch lb = logs.Finish();
  NormalizeBatch(lb, {});
  config.fields.check = "integration";
  config.fields.status = "state";
  config.fields.reason = "why";
  reports = ReportsInBatch(lb, config);
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].check, "crm_sync");
  EXPECT_EQ(reports[0].status, "disconnected");
  EXPECT_EQ(reports[0].reason, "revoked");
  config.from_logs = false;
  EXPECT_TRUE(ReportsInBatch(lb, config).empty());
}

}  // namespace
}  // namespace vigil::health
