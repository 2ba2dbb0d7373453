#include "core/json_render.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace vigil {
namespace {

std::string Str(std::string_view s) {
  std::string out;
  AppendJsonString(s, &out);
  return out;
}

std::string Dbl(double v) {
  std::string out;
  AppendJsonDouble(v, &out);
  return out;
}

std::string RenderOnly(BatchBuilder& b, size_t row = 0) {
  Batch batch = b.Finish();
  std::string out;
  RenderRowJson(batch, row, &out);
  return out;
}

TEST(AppendJsonStringTest, EscapesWhatJsonRequires) {
  EXPECT_EQ(Str(""), R"("")");
  EXPECT_EQ(Str("plain text"), R"("plain text")");
  EXPECT_EQ(Str("say \"hi\""), R"("say \"hi\"")");
  EXPECT_EQ(Str("C:\\dir"), R"("C:\\dir")");
  EXPECT_EQ(Str("a\nb\tc\rd\be\ff"), R"("a\nb\tc\rd\be\ff")");
  EXPECT_EQ(Str(std::string_view("\x00\x01\x1f", 3)), R"("\u0000\u0001\u001f")");
  EXPECT_EQ(Str("\x7f/"), "\"\x7f/\"");  // DEL and '/' need no escape
}

TEST(AppendJsonStringTest, PassesValidUtf8Through) {
  EXPECT_EQ(Str("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"),
            "\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\"");
  EXPECT_EQ(Str("\xF4\x8F\xBF\xBF"), "\"\xF4\x8F\xBF\xBF\"");  // U+10FFFF
}

TEST(AppendJsonStringTest, ReplacesInvalidUtf8) {
  const std::string kFffd = "\xEF\xBF\xBD";
  EXPECT_EQ(Str("a\xFFz"), "\"a" + kFffd + "z\"");
  EXPECT_EQ(Str("\xE2\x82"), "\"" + kFffd + kFffd + "\"");               // truncated
  EXPECT_EQ(Str("\xC0\xAF"), "\"" + kFffd + kFffd + "\"");               // overlong
  EXPECT_EQ(Str("\xED\xA0\x80"), "\"" + kFffd + kFffd + kFffd + "\"");   // surrogate
  EXPECT_EQ(Str("\xF4\x90\x80\x80"), "\"" + kFffd + kFffd + kFffd + kFffd + "\"");  // > U+10FFFF
}

TEST(AppendJsonDoubleTest, ShortestRoundTripAndStaysAFloat) {
  EXPECT_EQ(Dbl(0.1), "0.1");
  EXPECT_EQ(Dbl(63.5), "63.5");
  EXPECT_EQ(Dbl(20.0), "20.0");
  EXPECT_EQ(Dbl(0.0), "0.0");
  EXPECT_EQ(Dbl(-0.0), "-0.0");
  EXPECT_EQ(Dbl(1e21), "1e+21");
  EXPECT_EQ(Dbl(5e-324), "5e-324");
  EXPECT_EQ(Dbl(1.0 / 3), "0.3333333333333333");
  EXPECT_EQ(Dbl(std::nan("")), "null");
  EXPECT_EQ(Dbl(std::numeric_limits<double>::infinity()), "null");
}

TEST(IsJsonArrayTextTest, AcceptsArrays) {
  for (const char* s : {"[]", " [ ] ", "[1,2,3]", " [1, -2.5e-3 ,\"a\"] ", "[true,false,null]",
                        R"([{"a":[1,{"b":"c"}]},[]])", R"(["\u00e9\n\"\\\/"])", "[0,-0,0.5,1E9]",
                        "[\"caf\xC3\xA9\"]"})
    EXPECT_TRUE(IsJsonArrayText(s)) << s;
}

TEST(IsJsonArrayTextTest, RejectsEverythingElse) {
  for (const char* s : {"", "[", "]", "[1,]", "[,1]", "[1 2]", "[1] x", "{}", "\"[1]\"", "[01]",
                        "[1.]", "[-]", "[.5]", R"(["\x"])", R"(["\u12"])", "[\"a]", "[tru]",
                        R"([{"a"}])", R"([{1:2}])", "[\"\x01\"]", "[\"\xFF\"]", "[INFO] started"})
    EXPECT_FALSE(IsJsonArrayText(s)) << s;
  EXPECT_FALSE(IsJsonArrayText(std::string(1000, '[') + std::string(1000, ']')));  // too deep
}

TEST(RenderRowJsonTest, ScalarsOfEveryType) {
  BatchBuilder b;
  b.AddString("message", "GET /x \"quoted\"");
  b.AddInt("status", 500);
  b.AddFloat("duration_ms", 63.5);
  b.AddBool("ok", false);
  b.AddFloat("retries", 2.0);
  b.EndRow();
  EXPECT_EQ(RenderOnly(b),
            R"({"message":"GET /x \"quoted\"","status":500,"duration_ms":63.5,"ok":false,)"
            R"("retries":2.0})");
}

TEST(RenderRowJsonTest, SkipsVigilFieldsAndUnescapesUserAtKeys) {
  BatchBuilder b;
  b.AddInt("@timestamp", 1);
  b.AddString("@level", "INFO");
  b.AddString("@", "lonely at");
  b.AddString("@@timestamp", "2026-01-01");
  b.AddString("@@version", "1");
  b.AddString("msg", "x");
  b.EndRow();
  EXPECT_EQ(RenderOnly(b), R"({"@timestamp":"2026-01-01","@version":"1","msg":"x"})");
}

TEST(RenderRowJsonTest, NestsDottedNames) {
  BatchBuilder b;
  b.AddInt("http.status", 200);
  b.AddString("level", "INFO");
  b.AddString("http.method", "GET");
  b.AddString("http.req.id", "r1");
  b.AddString("@@meta.x", "y");
  b.EndRow();
  EXPECT_EQ(RenderOnly(b),
            R"({"http":{"status":200,"method":"GET","req":{"id":"r1"}},"level":"INFO",)"
            R"("@meta":{"x":"y"}})");
}

TEST(RenderRowJsonTest, DottedNameCollidingWithScalarStaysFlat) {
  BatchBuilder b;
  b.AddString("user.id.kind", "uuid");
  b.AddInt("user", 7);
  b.AddString("user.id", "u1");
  b.AddString("db.name", "main");
  b.EndRow();
  EXPECT_EQ(RenderOnly(b), R"({"user.id.kind":"uuid","user":7,"user.id":"u1","db":{"name":"main"}})");
}

TEST(RenderRowJsonTest, EmptySegmentsStayFlat) {
  BatchBuilder b;
  b.AddInt("a..b", 1);
  b.AddInt(".a", 2);
  b.AddInt("a.", 3);
  b.EndRow();
  EXPECT_EQ(RenderOnly(b), R"({"a..b":1,".a":2,"a.":3})");
}

TEST(RenderRowJsonTest, ArrayColumnsRenderAsArrays) {
  BatchBuilder b;
  b.AddString("tags[]", R"(["a","b"])");
  b.AddString("req.ids[]", "[1,2]");
  b.AddString("note[]", "[oops");  // not array text: stays a string under its full name
  b.AddString("msg", "[1,2]");     // a string that looks like an array stays a string
  b.EndRow();
  EXPECT_EQ(RenderOnly(b),
            R"({"tags":["a","b"],"req":{"ids":[1,2]},"note[]":"[oops","msg":"[1,2]"})");
}

TEST(RenderRowJsonTest, OnlyFieldsValidOnThatRow) {
  BatchBuilder b;
  b.AddInt("status", 200);
  b.AddString("path", "/a");
  b.EndRow();
  b.AddString("status", "failure");
  b.AddString("job", "sync");
  b.EndRow();
  b.EndRow();
  Batch batch = b.Finish();
  std::string out;
  RenderRowJson(batch, 0, &out);
  EXPECT_EQ(out, R"({"status":200,"path":"/a"})");
  out.clear();
  RenderRowJson(batch, 1, &out);
  EXPECT_EQ(out, R"({"status":"failure","job":"sync"})");
  out = "prefix ";
  RenderRowJson(batch, 2, &out);
  EXPECT_EQ(out, "prefix {}");
}

TEST(RenderRowJsonTest, EscapesKeys) {
  BatchBuilder b;
  b.AddInt("we\"ird\n", 1);
  b.EndRow();
  EXPECT_EQ(RenderOnly(b), R"({"we\"ird\n":1})");
}

}  // namespace
}  // namespace vigil
