#include "server/body_decoder.h"

#include <gtest/gtest.h>

#include "server/server_test_util.h"

namespace vigil {
namespace {

using testing_util::Deflate;
using testing_util::Gzip;
using testing_util::Zstd;

const std::string kText = [] {
  std::string s;
  for (int i = 0; i < 5000; ++i)
    s += R"({"n":)" + std::to_string(i) +
         R"(,"msg":"hello"})"
         "\n";
  return s;
}();

TEST(BodyDecoderTest, Identity) {
  for (const char* enc : {"", "identity", " IDENTITY "}) {
    Result<std::string> r = DecodeBody(enc, std::string("abc"), 10);
    ASSERT_TRUE(r.ok()) << enc;
    EXPECT_EQ(r.value(), "abc");
  }
}

TEST(BodyDecoderTest, GzipRoundTrip) {
  for (const char* enc : {"gzip", "GZIP", "x-gzip"}) {
    Result<std::string> r = DecodeBody(enc, Gzip(kText), 1 << 20);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r.value(), kText);
  }
}

TEST(BodyDecoderTest, GzipConcatenatedMembers) {
  Result<std::string> r = DecodeBody("gzip", Gzip("first\n") + Gzip("second\n"), 1 << 20);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r.value(), "first\nsecond\n");
}

TEST(BodyDecoderTest, DeflateRoundTrip) {
  Result<std::string> r = DecodeBody("deflate", Deflate(kText, false), 1 << 20);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r.value(), kText);
}

TEST(BodyDecoderTest, ZstdRoundTrip) {
  Result<std::string> r = DecodeBody("zstd", Zstd(kText), 1 << 20);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r.value(), kText);
}

TEST(BodyDecoderTest, ZstdConcatenatedFrames) {
  Result<std::string> r = DecodeBody("zstd", Zstd("a") + Zstd("b"), 100);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r.value(), "ab");
}

TEST(BodyDecoderTest, ExactlyAtTheLimitIsAccepted) {
  const std::string s(1000, 'x');
  EXPECT_TRUE(DecodeBody("gzip", Gzip(s), 1000).ok());
  EXPECT_TRUE(DecodeBody("zstd", Zstd(s), 1000).ok());
  EXPECT_EQ(DecodeBody("gzip", Gzip(s), 999).status().code(), Code::kResourceExhausted);
  EXPECT_EQ(DecodeBody("zstd", Zstd(s), 999).status().code(), Code::kResourceExhausted);
}

TEST(BodyDecoderTest, DecompressionBombIsCapped) {
  const std::string zeros(64 << 20, '\0');  // 64 MiB compresses to ~64 KiB (gzip)
  const std::string gz = Gzip(zeros);
  const std::string zs = Zstd(zeros);
  ASSERT_LT(gz.size(), 1u << 20);
  for (auto [enc, body] : {std::pair{"gzip", gz}, std::pair{"zstd", zs}}) {
    Result<std::string> r = DecodeBody(enc, std::string(body), 1 << 20);
    ASSERT_EQ(r.status().code(), Code::kResourceExhausted) << enc;
    EXPECT_NE(r.status().message().find("limit of 1048576 bytes"), std::string::npos);
  }
}

TEST(BodyDecoderTest, TruncatedStreams) {
  std::string gz = Gzip(kText);
  gz.resize(gz.size() / 2);
  Result<std::string> g = DecodeBody("gzip", std::move(gz), 1 << 20);
  ASSERT_EQ(g.status().code(), Code::kInvalidArgument);
  EXPECT_NE(g.status().message().find("truncated gzip body"), std::string::npos)
      << g.status().message();

  // Missing only the 8-byte trailer (CRC and length).
  std::string trailer_cut = Gzip(kText);
  trailer_cut.resize(trailer_cut.size() - 4);
  EXPECT_EQ(DecodeBody("gzip", std::move(trailer_cut), 1 << 20).status().code(),
            Code::kInvalidArgument);

  std::string zs = Zstd(kText);
  zs.resize(zs.size() - 3);
  Result<std::string> z = DecodeBody("zstd", std::move(zs), 1 << 20);
  ASSERT_EQ(z.status().code(), Code::kInvalidArgument);
  EXPECT_NE(z.status().message().find("truncated zstd body"), std::string::npos)
      << z.status().message();
}

TEST(BodyDecoderTest, CorruptStreams) {
  Result<std::string> g = DecodeBody("gzip", std::string("this is not gzip"), 1 << 20);
  ASSERT_EQ(g.status().code(), Code::kInvalidArgument);
  EXPECT_NE(g.status().message().find("corrupt gzip body"), std::string::npos)
      << g.status().message();

  std::string flipped = Gzip(kText);
  flipped[flipped.size() - 6] ^= 0x55;  // inside the CRC32 trailer
  Result<std::string> crc = DecodeBody("gzip", std::move(flipped), 1 << 20);
  ASSERT_EQ(crc.status().code(), Code::kInvalidArgument);
  EXPECT_NE(crc.status().message().find("corrupt gzip body"), std::string::npos);

  Result<std::string> z = DecodeBody("zstd", std::string("not zstd at all"), 1 << 20);
  ASSERT_EQ(z.status().code(), Code::kInvalidArgument);
  EXPECT_NE(z.status().message().find("corrupt zstd body"), std::string::npos)
      << z.status().message();

  Result<std::string> trailing = DecodeBody("zstd", Zstd("ok") + "junk", 1 << 20);
  EXPECT_EQ(trailing.status().code(), Code::kInvalidArgument);
}

TEST(BodyDecoderTest, UnsupportedEncoding) {
  EXPECT_EQ(CheckEncoding("br").code(), Code::kUnsupported);
  EXPECT_EQ(CheckEncoding("gzip, zstd").code(), Code::kUnsupported);
  EXPECT_TRUE(CheckEncoding("zstd").ok());
  EXPECT_TRUE(CheckEncoding("").ok());
  Result<std::string> r = DecodeBody("br", std::string("x"), 10);
  ASSERT_EQ(r.status().code(), Code::kUnsupported);
  EXPECT_NE(r.status().message().find("\"br\""), std::string::npos);
}

}  // namespace
}  // namespace vigil
