#include "pipeline/normalize.h"

#include <gtest/gtest.h>

#include <functional>

#include "core/value.h"

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

}  // namespace
}  // namespace vigil
