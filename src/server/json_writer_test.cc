#include "server/json_writer.h"

#include <gtest/gtest.h>
#include <simdjson.h>

namespace vigil {
namespace {

bool IsValidJson(const std::string& s) {
  simdjson::dom::parser p;
  simdjson::dom::element e;
  return p.parse(s).get(e) == simdjson::SUCCESS;
}

TEST(JsonWriterTest, NestedStructure) {
  JsonWriter w;
  w.BeginObject();
  w.Key("a");
  w.Int(-1);
  w.Key("b");
  w.BeginArray();
  w.Uint(1);
  w.Bool(true);
  w.Null();
  w.BeginObject();
  w.EndObject();
  w.BeginArray();
  w.EndArray();
  w.EndArray();
  w.Key("c");
  w.String("x");
  w.EndObject();
  EXPECT_EQ(w.str(), R"({"a":-1,"b":[1,true,null,{},[]],"c":"x"})");
}

TEST(JsonWriterTest, Scalars) {
  JsonWriter w;
  w.BeginArray();
  w.Scalar(Value());
  w.Scalar(Value(false));
  w.Scalar(Value(int64_t{42}));
  w.Scalar(Value(0.5));
  w.Scalar(Value(std::string("s")));
  w.Double(1.0 / 0.0);
  w.EndArray();
  EXPECT_EQ(w.str(), R"([null,false,42,0.5,"s",null])");
  EXPECT_TRUE(IsValidJson(w.str()));
}

TEST(JsonWriterTest, InvalidUtf8StillGivesValidJson) {
  const std::string bad = "ok \xff\xfe mid \xc3 end \xed\xa0\x80 \xe2\x82\xac";
  JsonWriter w;
  w.BeginObject();
  w.Key("k\x80");
  w.String(bad);
  w.EndObject();
  EXPECT_TRUE(IsValidJson(w.str())) << w.str();
  EXPECT_NE(w.str().find("\xEF\xBF\xBD"), std::string::npos);
  EXPECT_NE(w.str().find("\xe2\x82\xac"), std::string::npos);  // valid euro sign kept
}

TEST(JsonWriterTest, ControlCharactersEscaped) {
  JsonWriter w;
  w.String(std::string("a\"b\\c\n\t\x01", 8));
  EXPECT_EQ(w.str(), R"("a\"b\\c\n\t\u0001")");
}

}  // namespace
}  // namespace vigil
