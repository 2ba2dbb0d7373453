#include "alert/series_reader.h"

#include <gtest/gtest.h>

namespace vigil::alert {
namespace {

QueryResult Result3(std::vector<ResultColumn> cols, std::vector<std::vector<Value>> rows) {
  QueryResult r;
  r.columns = std::move(cols);
  r.rows = std::move(rows);
  return r;
}

TEST(ReadSeries, ValueColumnBinAndGroupKeys) {
  QueryResult r = Result3({{"endpoint", false}, {"status", false}, {"bin(1m)", true}, {"value", false}, {"n", false}},
                          {{Value(std::string("/a")), Value(int64_t{500}), Value(int64_t{60}), Value(2.5), Value(int64_t{1})},
                           {Value(std::string("/b")), Value(), Value(int64_t{120}), Value(int64_t{3}), Value(int64_t{1})},
                           {Value(std::string("/c")), Value(true), Value(int64_t{120}), Value(), Value(int64_t{1})}});
  Result<SeriesTable> t = ReadSeries(r, true);
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_TRUE(t->grouped);
  ASSERT_EQ(t->rows.size(), 2u);  // the row without a number is missing data
  EXPECT_EQ(t->rows[0].bin, 60);
  EXPECT_EQ(t->rows[0].value, 2.5);
  // Every non-time column but the value is a key, `n` included.
  EXPECT_EQ(t->rows[0].labels, (std::map<std::string, std::string>{{"endpoint", "/a"}, {"n", "1"}, {"status", "500"}}));
  EXPECT_EQ(t->rows[0].instance, "endpoint=/a,n=1,status=500");
  EXPECT_EQ(t->rows[1].labels.at("status"), "");  // null key
  EXPECT_EQ(t->rows[1].value, 3);
}

TEST(ReadSeries, WithoutAValueColumnTheLastColumnIsTheValue) {
  QueryResult r = Result3({{"bin(5m)", true}, {"count(*)", false}}, {{Value(int64_t{300}), Value(int64_t{7})}});
  Result<SeriesTable> t = ReadSeries(r, true);
  ASSERT_TRUE(t.ok());
  EXPECT_FALSE(t->grouped);
  ASSERT_EQ(t->rows.size(), 1u);
  EXPECT_EQ(t->rows[0].value, 7);
  EXPECT_EQ(t->rows[0].instance, "");
}

TEST(ReadSeries, Errors) {
  QueryResult nobin = Result3({{"value", false}}, {{Value(1.0)}});
  EXPECT_FALSE(ReadSeries(nobin, true).ok());
  EXPECT_TRUE(ReadSeries(nobin, false).ok());
  QueryResult timevalue = Result3({{"x", false}, {"max(@timestamp)", true}}, {});
  EXPECT_FALSE(ReadSeries(timevalue, true).ok());
  EXPECT_FALSE(ReadSeries(QueryResult{}, false).ok());
}

TEST(InstanceId, EscapesSeparators) {
  EXPECT_EQ(InstanceId({}), "");
  EXPECT_EQ(InstanceId({{"a", "x,y=z\\"}, {"b", ""}}), "a=x\\,y\\=z\\\\,b=");
  EXPECT_NE(InstanceId({{"a", "1,b=2"}}), InstanceId({{"a", "1"}, {"b", "2"}}));
}

}  // namespace
}  // namespace vigil::alert
