#include "health/posthog_capture.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include "core/value.h"

namespace vigil::health {
namespace {

constexpr int64_t kMs = 1'000'000;
constexpr int64_t kNow = 1767225600000 * kMs;  // 2026-01-01T00:00:00Z

std::string Gzip(const std::string& in) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&z, in.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::string Base64(const std::string& in) {
  static const char* k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out.push_back(k[(v >> s) & 63]);
  }
  if (i + 1 == in.size()) {
    uint32_t v = uint8_t(in[i]) << 16;
    out += std::string{k[(v >> 18) & 63], k[(v >> 12) & 63], '=', '='};
  } else if (i + 2 == in.size()) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += std::string{k[(v >> 18) & 63], k[(v >> 12) & 63], k[(v >> 6) & 63], '='};
  }
  return out;
}

std::string UrlEncode(const std::string& in) {
  std::string out;
  for (unsigned char c : in) {
    if (isalnum(c) || c == '-' || c == '_' || c == '.') {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[4];
      snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

Value Cell(const Batch& b, const std::string& name, size_t row) {
  for (const Column& c : b.columns) {
    if (c.name == name && c.IsValid(row)) return CellValue(c, row);
  }
  return {};
}

CaptureBody MustParse(const std::string& json, const AnalyticsConfig& config = {}) {
  auto r = ParseCaptureJson(json, kNow, config);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r.value()) : CaptureBody{};
}

TEST(PostHogCaptureTest, SingleEventIsFlattenedLikeLogs) {
  CaptureBody b = MustParse(R"({"api_key":"phc_1","event":"$pageview","distinct_id":"u1",
      "properties":{"$current_url":"https://app/x","plan":{"tier":"pro"},"n":3,"tenant":"agency_a","token":"phc_1"},
      "timestamp":"2026-01-01T00:00:05Z"})");
  EXPECT_EQ(b.api_key, "phc_1");
  ASSERT_EQ(b.accepted, 1u);
  EXPECT_TRUE(b.rejected.empty());
  const Batch& e = b.batch;
  EXPECT_EQ(Cell(e, "event", 0), Value(std::string("$pageview")));
  EXPECT_EQ(Cell(e, "distinct_id", 0), Value(std::string("u1")));
  EXPECT_EQ(Cell(e, "properties.$current_url", 0), Value(std::string("https://app/x")));
  EXPECT_EQ(Cell(e, "properties.plan.tier", 0), Value(std::string("pro")));
  EXPECT_EQ(Cell(e, "properties.n", 0), Value(int64_t{3}));
  EXPECT_EQ(Cell(e, "@kind", 0), Value(std::string("analytics")));
  EXPECT_EQ(Cell(e, "@tenant", 0), Value(std::string("agency_a")));
  EXPECT_EQ(Cell(e, "@timestamp", 0), Value(kNow + 5000 * kMs));
  EXPECT_TRUE(Cell(e, "properties.token", 0).is_null());  // keys are never stored
  EXPECT_TRUE(Cell(e, "api_key", 0).is_null());
}

TEST(PostHogCaptureTest, BatchRejectsBadEventsAlone) {
  CaptureBody b = MustParse(R"({"api_key":"k","batch":[
      {"event":"a","distinct_id":"u1"},
      {"distinct_id":"u2"},
      {"event":"b"},
      {"event":"c","distinct_id":7,"properties":[1]},
      "junk",
      {"event":"d","properties":{"distinct_id":42}},
      {"event":"e","distinct_id":"u3","timestamp":"yesterday"},
      {"event":"f","distinct_id":"u4","api_key":"other"},
      {"event":"g","distinct_id":"u5","offset":1500}]})");
  EXPECT_EQ(b.accepted, 3u);
  ASSERT_EQ(b.rejected.size(), 6u);
  EXPECT_EQ(b.rejected[0].index, 1u);
  EXPECT_NE(b.rejected[0].reason.find("\"event\""), std::string::npos);
  EXPECT_EQ(b.rejected[1].index, 2u);
  EXPECT_NE(b.rejected[1].reason.find("distinct_id"), std::string::npos);
  EXPECT_EQ(b.rejected[2].index, 3u);
  EXPECT_NE(b.rejected[2].reason.find("properties"), std::string::npos);
  EXPECT_EQ(b.rejected[3].index, 4u);
  EXPECT_EQ(b.rejected[4].index, 6u);
  EXPECT_NE(b.rejected[4].reason.find("timestamp"), std::string::npos);
  EXPECT_EQ(b.rejected[5].index, 7u);
  EXPECT_EQ(Cell(b.batch, "event", 0), Value(std::string("a")));
  EXPECT_EQ(Cell(b.batch, "distinct_id", 1), Value(std::string("42")));
  EXPECT_EQ(Cell(b.batch, "@timestamp", 2), Value(kNow - 1500 * kMs));
}

TEST(PostHogCaptureTest, SentAtCorrectsClockSkew) {
  // The client's clock is 10 s fast: an event it stamped 3 s before sending happened 3 s
  // before the server received it.
  CaptureBody b = MustParse(R"({"api_key":"k","sent_at":"2026-01-01T00:00:10Z",
      "batch":[{"event":"a","distinct_id":"u","timestamp":"2026-01-01T00:00:07Z"}]})");
  ASSERT_EQ(b.accepted, 1u);
  EXPECT_EQ(Cell(b.batch, "@timestamp", 0), Value(kNow - 3000 * kMs));
}

TEST(PostHogCaptureTest, AbsurdTimesAreRejectedNotWrapped) {
  CaptureBody b = MustParse(R"({"sent_at":"1700-01-01T00:00:00Z","batch":[
      {"event":"a","distinct_id":"u","timestamp":"2260-01-01T00:00:00Z"},
      {"event":"b","distinct_id":"u","offset":1e300},
      {"event":"c","distinct_id":"u","offset":-5}]})");
  EXPECT_EQ(b.accepted, 0u);
  ASSERT_EQ(b.rejected.size(), 3u);
  EXPECT_NE(b.rejected[0].reason.find("too far apart"), std::string::npos);
  EXPECT_NE(b.rejected[1].reason.find("offset"), std::string::npos);
}

TEST(PostHogCaptureTest, ArrayFormAndKeyFromEvents) {
  CaptureBody b = MustParse(R"([{"event":"a","distinct_id":"u","properties":{"token":"phc_t"}},
                                {"event":"b","distinct_id":"u"}])");
  EXPECT_EQ(b.api_key, "phc_t");
  EXPECT_EQ(b.accepted, 2u);
}

TEST(PostHogCaptureTest, WholeBodyErrors) {
  EXPECT_EQ(ParseCaptureJson("{nope", kNow, {}).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(ParseCaptureJson("42", kNow, {}).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(ParseCaptureJson("[]", kNow, {}).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(ParseCaptureJson(R"({"batch":{}})", kNow, {}).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(ParseCaptureJson(R"({"api_key":5,"event":"a","distinct_id":"u"})", kNow, {}).status().code(),
            Code::kInvalidArgument);
}

TEST(PostHogCaptureTest, TenantPropertyIsConfigurable) {
  AnalyticsConfig c;
  c.tenant_properties = {"org"};
  CaptureBody b = MustParse(R"({"event":"a","distinct_id":"u","properties":{"tenant":"x","org":"acme"}})", c);
  EXPECT_EQ(Cell(b.batch, "@tenant", 0), Value(std::string("acme")));
}

const char* kJson = R"({"api_key":"k","event":"a","distinct_id":"u"})";

TEST(PostHogCaptureTest, DecodesGzipJsAndMagic) {
  auto r = DecodeCaptureBody(Gzip(kJson), "text/plain", "gzip-js", 1 << 20);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r.value(), kJson);
  r = DecodeCaptureBody(Gzip(kJson), "application/json", "", 1 << 20);  // no flag, gzip magic
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), kJson);
  r = DecodeCaptureBody("not gzip", "text/plain", "gzip", 1 << 20);
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  r = DecodeCaptureBody(Gzip(std::string(5000, 'x')), "text/plain", "gzip", 100);
  EXPECT_EQ(r.status().code(), Code::kResourceExhausted);
}

TEST(PostHogCaptureTest, DecodesFormEncodedBase64) {
  std::string form = "data=" + UrlEncode(Base64(kJson)) + "&ver=1";
  auto r = DecodeCaptureBody(std::string(form), "application/x-www-form-urlencoded", "", 1 << 20);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r.value(), kJson);
  r = DecodeCaptureBody("data=" + UrlEncode(kJson), "application/x-www-form-urlencoded; charset=utf-8", "", 1 << 20);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), kJson);
  r = DecodeCaptureBody("data=" + UrlEncode(Base64(kJson)) + "&compression=base64",
                        "application/x-www-form-urlencoded", "", 1 << 20);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), kJson);
  r = DecodeCaptureBody(std::string(kJson), "application/x-www-form-urlencoded", "", 1 << 20);  // curl -d
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), kJson);
  EXPECT_EQ(DecodeCaptureBody("ver=1", "application/x-www-form-urlencoded", "", 1 << 20).status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(DecodeCaptureBody("data=%%%", "application/x-www-form-urlencoded", "", 1 << 20).status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(DecodeCaptureBody("data=***", "application/x-www-form-urlencoded", "", 1 << 20).status().code(),
            Code::kInvalidArgument);
}

TEST(PostHogCaptureTest, UnsupportedCompressions) {
  EXPECT_EQ(DecodeCaptureBody("x", "text/plain", "lz64", 1 << 20).status().code(), Code::kUnsupported);
  EXPECT_EQ(DecodeCaptureBody("x", "text/plain", "brotli", 1 << 20).status().code(), Code::kUnsupported);
  auto r = DecodeCaptureBody(std::string(kJson), "application/json", "none", 1 << 20);
  ASSERT_TRUE(r.ok());
}

TEST(PostHogCaptureTest, Base64Variants) {
  EXPECT_EQ(DecodeBase64("aGVsbG8=").value(), "hello");
  EXPECT_EQ(DecodeBase64("aGVsbG8").value(), "hello");
  EXPECT_EQ(DecodeBase64("aGVs\nbG8=").value(), "hello");
  EXPECT_EQ(DecodeBase64("-_8").value(), DecodeBase64("+/8").value());
  EXPECT_FALSE(DecodeBase64("a$b").ok());
}

}  // namespace
}  // namespace vigil::health
