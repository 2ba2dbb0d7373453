#include "pipeline/normalize.h"

#include <gtest/gtest.h>

#include <functional>

#include "core/value.h"
#include "pipeline/error_signature.h"

namespace vigil {
namespace {

using RowFn = std::function<void(BatchBuilder&)>;

Batch Build(const std::vector<RowFn>& rows) {
  BatchBuilder b;
  for (const RowFn& row : rows) {
    b.BeginRow();
    row(b);
    b.EndRow();
  }
  return b.Finish();
}

Value Cell(const Batch& b, std::string_view name, size_t row, Type type = Type::kString) {
  const Column* c = b.Find(name, type);
  return c == nullptr ? Value() : CellValue(*c, row);
}

Value S(const char* s) { return Value(std::string(s)); }

// @level of a one-row batch built by `row`.
Value LevelOf(const RowFn& row) {
  Batch b = Build({row});
  NormalizeBatch(b, {});
  return Cell(b, field::kLevel, 0);
}

Value LevelOfString(const char* field, const char* value) {
  return LevelOf([&](BatchBuilder& b) { b.AddString(field, value); });
}

Value LevelOfInt(const char* field, int64_t value) {
  return LevelOf([&](BatchBuilder& b) { b.AddInt(field, value); });
}

TEST(NormalizeLevelTest, NamesCaseInsensitively) {
  const std::pair<const char*, const char*> cases[] = {
      {"trace", "TRACE"},     {"TRACE", "TRACE"},   {"debug", "DEBUG"},   {"Debug", "DEBUG"},
      {"info", "INFO"},       {"INFO", "INFO"},     {"information", "INFO"}, {"Notice", "INFO"},
      {"warn", "WARN"},       {"WARNING", "WARN"},  {"Warning", "WARN"},  {"error", "ERROR"},
      {"ERR", "ERROR"},       {"eRrOr", "ERROR"},   {"fatal", "FATAL"},   {"CRITICAL", "FATAL"},
      {"crit", "FATAL"},      {"emergency", "FATAL"}, {"EMERG", "FATAL"}, {"alert", "FATAL"},
      {"panic", "FATAL"},
  };
  for (const auto& [in, want] : cases) EXPECT_EQ(LevelOfString("level", in), S(want)) << in;
}

TEST(NormalizeLevelTest, UnknownNamesGiveNoLevel) {
  for (const char* in : {"", "verbose", "infoo", "warnings", " info", "a-very-long-level-name"})
    EXPECT_TRUE(LevelOfString("level", in).is_null()) << in;
}

TEST(NormalizeLevelTest, FieldsInOrderFirstPresentDecides) {
  EXPECT_EQ(LevelOfString("severity", "warning"), S("WARN"));
  EXPECT_EQ(LevelOfString("levelname", "CRITICAL"), S("FATAL"));
  EXPECT_EQ(LevelOf([](BatchBuilder& b) {
              b.AddString("levelname", "DEBUG");
              b.AddString("severity", "ERROR");
              b.AddString("level", "info");
            }),
            S("INFO"));
  EXPECT_EQ(LevelOf([](BatchBuilder& b) {
              b.AddString("levelname", "DEBUG");
              b.AddString("severity", "ERROR");
            }),
            S("ERROR"));
  EXPECT_TRUE(LevelOf([](BatchBuilder& b) {
                b.AddString("level", "verbose");
                b.AddString("severity", "ERROR");
              }).is_null());
  EXPECT_TRUE(LevelOf([](BatchBuilder& b) { b.AddBool("level", true); }).is_null());
  EXPECT_TRUE(LevelOfString("lvl", "ERROR").is_null());
  EXPECT_TRUE(LevelOfString("@@level", "ERROR").is_null());
}

TEST(NormalizeLevelTest, OtelSeverityNumbers) {
  const std::pair<int64_t, const char*> cases[] = {
      {1, "TRACE"},  {4, "TRACE"},  {5, "DEBUG"},  {8, "DEBUG"},  {9, "INFO"},   {12, "INFO"},
      {13, "WARN"},  {16, "WARN"},  {17, "ERROR"}, {20, "ERROR"}, {21, "FATAL"}, {24, "FATAL"},
  };
  for (const auto& [in, want] : cases) {
    EXPECT_EQ(LevelOfInt("level", in), S(want)) << in;
    EXPECT_EQ(LevelOfInt("levelname", in), S(want)) << in;
  }
  for (int64_t in : {int64_t{0}, int64_t{25}, int64_t{-3}, int64_t{1} << 40})
    EXPECT_TRUE(LevelOfInt("level", in).is_null()) << in;
  EXPECT_EQ(LevelOf([](BatchBuilder& b) { b.AddFloat("level", 17.0); }), S("ERROR"));
  EXPECT_TRUE(LevelOf([](BatchBuilder& b) { b.AddFloat("level", 17.5); }).is_null());
}

TEST(NormalizeLevelTest, SyslogSeverityNumbers) {
  const char* want[] = {"FATAL", "FATAL", "FATAL", "ERROR", "WARN", "INFO", "INFO", "DEBUG"};
  for (int64_t i = 0; i < 8; ++i) EXPECT_EQ(LevelOfInt("severity", i), S(want[i])) << i;
  EXPECT_EQ(LevelOfInt("severity", 9), S("INFO"));     // above syslog: OTel
  EXPECT_EQ(LevelOfInt("level", 3), S("TRACE"));       // only `severity` is syslog
}

TEST(NormalizeLevelTest, ColumnWiseAcrossRowsAndExistingLevelKept) {
  Batch b = Build({
      [](BatchBuilder& r) { r.AddString("level", "INFO"); },
      [](BatchBuilder& r) { r.AddString("level", "error"); },
      [](BatchBuilder& r) { r.AddInt("severity", 3); },
      [](BatchBuilder& r) { r.AddString("msg", "no level"); },
      [](BatchBuilder& r) {
        r.AddString("level", "INFO");
        r.AddString("@level", "WARN");  // an adapter's own @level wins
      },
      [](BatchBuilder& r) { r.AddString("level", "INFO"); },
  });
  NormalizeBatch(b, {});
  EXPECT_EQ(Cell(b, "@level", 0), S("INFO"));
  EXPECT_EQ(Cell(b, "@level", 1), S("ERROR"));
  EXPECT_EQ(Cell(b, "@level", 2), S("ERROR"));
  EXPECT_TRUE(Cell(b, "@level", 3).is_null());
  EXPECT_EQ(Cell(b, "@level", 4), S("WARN"));
  EXPECT_EQ(Cell(b, "@level", 5), S("INFO"));
  EXPECT_EQ(Cell(b, "level", 1), S("error"));  // the user's field is untouched
  EXPECT_EQ(b.FindAll("@level").size(), 1u);
}

TEST(NormalizeTenantTest, FirstPresentStringField) {
  Batch b = Build({
      [](BatchBuilder& r) { r.AddString("agency_db", "agency_a_db"); },
      [](BatchBuilder& r) { r.AddString("db_name", "agency_b_db"); },
      [](BatchBuilder& r) {
        r.AddString("db_name", "agency_b_db");
        r.AddString("agency_db", "agency_c_db");
      },
      [](BatchBuilder& r) { r.AddInt("agency_db", 7); },  // not a string: not a tenant
      [](BatchBuilder& r) { r.AddString("other", "x"); },
  });
  NormalizeBatch(b, {});
  EXPECT_EQ(Cell(b, "@tenant", 0), S("agency_a_db"));
  EXPECT_EQ(Cell(b, "@tenant", 1), S("agency_b_db"));
  EXPECT_EQ(Cell(b, "@tenant", 2), S("agency_c_db"));
  EXPECT_TRUE(Cell(b, "@tenant", 3).is_null());
  EXPECT_TRUE(Cell(b, "@tenant", 4).is_null());
  EXPECT_EQ(Cell(b, "agency_db", 0), S("agency_a_db"));
}

TEST(NormalizeTenantTest, ConfiguredFieldsAndExistingTenant) {
  Batch b = Build({
      [](BatchBuilder& r) { r.AddString("org", "acme"); },
      [](BatchBuilder& r) {
        r.AddString("org", "acme");
        r.AddString("@tenant", "preset");
      },
      [](BatchBuilder& r) { r.AddString("agency_db", "ignored"); },
  });
  PipelineOptions o;
  o.tenant_fields = {"org"};
  NormalizeBatch(b, o);
  EXPECT_EQ(Cell(b, "@tenant", 0), S("acme"));
  EXPECT_EQ(Cell(b, "@tenant", 1), S("preset"));
  EXPECT_TRUE(Cell(b, "@tenant", 2).is_null());
}

TEST(NormalizeKindTest, LogUnlessSet) {
  Batch b = Build({
      [](BatchBuilder& r) { r.AddString("msg", "a"); },
      [](BatchBuilder& r) { r.AddString("@kind", "span"); },
      [](BatchBuilder& r) { r.AddInt("@kind", 3); },  // not a valid kind
  });
  NormalizeBatch(b, {});
  EXPECT_EQ(Cell(b, "@kind", 0), S("log"));
  EXPECT_EQ(Cell(b, "@kind", 1), S("span"));
  EXPECT_EQ(Cell(b, "@kind", 2), S("log"));
}

TEST(NormalizeTest, AddsNoEmptyColumnsAndIsIdempotent) {
  Batch empty;
  NormalizeBatch(empty, {});
  EXPECT_TRUE(empty.columns.empty());

  Batch b = Build({[](BatchBuilder& r) { r.AddString("msg", "x"); }});
  NormalizeBatch(b, {});
  EXPECT_TRUE(b.FindAll("@level").empty());
  EXPECT_TRUE(b.FindAll("@tenant").empty());
  size_t columns = b.columns.size();
  NormalizeBatch(b, {});
  EXPECT_EQ(b.columns.size(), columns);
  for (const Column& c : b.columns) EXPECT_EQ(c.size(), b.rows) << c.name;
}

TEST(NormalizeKindTest, CronAndExternalFromTheirFields) {
  Batch b = Build({
      [](BatchBuilder& r) { r.AddString("job_name", "sync_email"); },
      [](BatchBuilder& r) { r.AddString("external_api", "stripe"); },
      [](BatchBuilder& r) {
        r.AddString("job_name", "x");
        r.AddString("@kind", "status");
      },
  });
  NormalizeBatch(b, {});
  EXPECT_EQ(Cell(b, "@kind", 0), S("cron"));
  EXPECT_EQ(Cell(b, "@kind", 1), S("external"));
  EXPECT_EQ(Cell(b, "@kind", 2), S("status"));
}

TEST(NormalizeErrorsTest, ClassesAndFingerprints) {
  Batch b = Build({
      // 0, 1: explicit class, same template and tenant -> same group
      [](BatchBuilder& r) {
        r.AddString("level", "ERROR");
        r.AddString("message", "Case 12 not found");
        r.AddString("error_class", "ErrAPI");
        r.AddString("agency_db", "agency_a_db");
      },
      [](BatchBuilder& r) {
        r.AddString("level", "WARNING");
        r.AddString("message", "Case 99 not found");
        r.AddString("error_class", "ErrAPI");
        r.AddString("agency_db", "agency_a_db");
      },
      // 2: same message, other tenant -> other group
      [](BatchBuilder& r) {
        r.AddString("level", "ERROR");
        r.AddString("message", "Case 12 not found");
        r.AddString("error_class", "ErrAPI");
        r.AddString("agency_db", "agency_b_db");
      },
      // 3: derived Err400
      [](BatchBuilder& r) {
        r.AddString("level", "error");
        r.AddInt("status", 404);
        r.AddString("message", "no such page");
      },
      // 4: derived ErrAPI (external call)
      [](BatchBuilder& r) {
        r.AddString("level", "ERROR");
        r.AddString("external_api", "stripe");
        r.AddInt("status", 429);
        r.AddString("message", "external call stripe failed");
      },
      // 5: derived Errors; error_message wins over message
      [](BatchBuilder& r) {
        r.AddString("level", "FATAL");
        r.AddString("message", "cron x failed");
        r.AddString("error_message", "Timeout after 1200ms calling s3");
      },
      // 6: not error-like
      [](BatchBuilder& r) {
        r.AddString("level", "WARNING");
        r.AddInt("status", 404);
      },
  });
  NormalizeBatch(b, {});
  EXPECT_EQ(Cell(b, "@error_class", 0), S("ErrAPI"));
  EXPECT_EQ(Cell(b, "@error_class", 3), S("Err400"));
  EXPECT_EQ(Cell(b, "@error_class", 4), S("ErrAPI"));
  EXPECT_EQ(Cell(b, "@error_class", 5), S("Errors"));
  EXPECT_TRUE(Cell(b, "@error_class", 6).is_null());
  EXPECT_TRUE(Cell(b, "@fingerprint", 6).is_null());
  EXPECT_EQ(Cell(b, "@fingerprint", 0), Cell(b, "@fingerprint", 1));
  EXPECT_NE(Cell(b, "@fingerprint", 0), Cell(b, "@fingerprint", 2));
  EXPECT_EQ(Cell(b, "@fingerprint", 0), Value(Fingerprint("agency_a_db", "ErrAPI", "Case {n} not found")));
  EXPECT_EQ(Cell(b, "@fingerprint", 5),
            Value(Fingerprint("", "Errors", "Timeout after {duration} calling s3")));

  ErrorClassifier c(b, PipelineOptions{});
  auto sig = c.SignatureOf(1);
  ASSERT_TRUE(sig.has_value());
  EXPECT_EQ(sig->template_text, "Case {n} not found");
  EXPECT_EQ(sig->sample, "Case 99 not found");
  EXPECT_EQ(sig->tenant, "agency_a_db");
  EXPECT_FALSE(c.SignatureOf(6).has_value());
}

TEST(NormalizeErrorsTest, StackTraceAndRulesDecideTheGroup) {
  const char* tb1 =
      "Traceback (most recent call last):\n  File \"/app/views.py\", line 3, in f\nKeyError: 'a'";
  const char* tb2 =
      "Traceback (most recent call last):\n  File \"/app/views.py\", line 9, in f\nKeyError: 'zzz'";
  Batch b = Build({
      [&](BatchBuilder& r) {
        r.AddString("level", "ERROR");
        r.AddString("message", "boom 1");
        r.AddString("exc_info", tb1);
      },
      [&](BatchBuilder& r) {
        r.AddString("level", "ERROR");
        r.AddString("message", "totally different text");
        r.AddString("exc_info", tb2);
      },
      [&](BatchBuilder& r) {
        r.AddString("level", "ERROR");
        r.AddString("message", "Timeout after 100ms calling stripe");
      },
      [&](BatchBuilder& r) {
        r.AddString("level", "ERROR");
        r.AddString("message", "Timeout after 5ms calling twilio");
      },
  });
  PipelineOptions o;
  o.errors.rules = {{"^Timeout after", "timeouts", nullptr}};
  ASSERT_TRUE(CompileFingerprintRules(o.errors.rules).ok());
  NormalizeBatch(b, o);
  EXPECT_EQ(Cell(b, "@fingerprint", 0), Cell(b, "@fingerprint", 1));
  EXPECT_EQ(Cell(b, "@fingerprint", 2), Cell(b, "@fingerprint", 3));
  EXPECT_EQ(Cell(b, "@fingerprint", 2), Value(Fingerprint("", "Errors", "timeouts")));

  std::vector<FingerprintRule> bad = {{"(unclosed", "x", nullptr}};
  EXPECT_EQ(CompileFingerprintRules(bad).code(), Code::kInvalidArgument);

  o.errors.enabled = false;
  Batch off = Build({[](BatchBuilder& r) { r.AddString("level", "ERROR"); }});
  NormalizeBatch(off, o);
  EXPECT_TRUE(off.FindAll("@fingerprint").empty());
}

TEST(NormalizeDiagnosisTest, RunbookRules) {
  struct Case {
    double duration, queries, query_ms;
    const char* want;
  };
  const Case cases[] = {
      {300, 120, 200, "n_plus_one"},   {2000, 40, 1500, "n_plus_one"},
      {1800, 9, 1500, "slow_queries"}, {600, 10, 500, "slow_queries"},
      {3000, 8, 40, "python_bound"},   {1000, 5, 400, "python_bound"},
      {1000, 5, 600, "slow_queries"},  {900, 5, 20, "ok"},
      {120, 39, 60, "ok"},
  };
  std::vector<RowFn> rows;
  for (const Case& c : cases) {
    rows.push_back([c](BatchBuilder& r) {
      r.AddFloat("duration_ms", c.duration);
      r.AddInt("query_count", static_cast<int64_t>(c.queries));
      r.AddFloat("query_total_ms", c.query_ms);
    });
  }
  rows.push_back([](BatchBuilder& r) { r.AddFloat("duration_ms", 5000); });  // not a request
  Batch b = Build(rows);
  NormalizeBatch(b, {});
  for (size_t i = 0; i < std::size(cases); ++i) EXPECT_EQ(Cell(b, "@diagnosis", i), S(cases[i].want)) << i;
  EXPECT_TRUE(Cell(b, "@diagnosis", std::size(cases)).is_null());
}

}  // namespace
}  // namespace vigil
