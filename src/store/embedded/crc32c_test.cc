#include "store/embedded/crc32c.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>

namespace vigil::crc32c {
namespace {

// Vectors from RFC 3720 (iSCSI) appendix B.4 and the usual "123456789" check value.
TEST(Crc32c, KnownVectors) {
  EXPECT_EQ(Value("123456789", 9), 0xE3069283u);
  char buf[32];
  std::memset(buf, 0, sizeof buf);
  EXPECT_EQ(Value(buf, sizeof buf), 0x8A9136AAu);
  std::memset(buf, 0xff, sizeof buf);
  EXPECT_EQ(Value(buf, sizeof buf), 0x62A8AB43u);
  for (int i = 0; i < 32; ++i) buf[i] = static_cast<char>(i);
  EXPECT_EQ(Value(buf, sizeof buf), 0x46DD794Eu);
  for (int i = 0; i < 32; ++i) buf[i] = static_cast<char>(31 - i);
  EXPECT_EQ(Value(buf, sizeof buf), 0x113FDB5Cu);
  EXPECT_EQ(Value(buf, 0), 0u);
}

TEST(Crc32c, PortableMatchesDispatchedAtEveryLengthAndAlignment) {
  std::mt19937_64 rng(7);
  std::string data(4096 + 16, '\0');
  for (char& c : data) c = static_cast<char>(rng());
  for (size_t off = 0; off < 9; ++off) {
    for (size_t n : {0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 1000, 4096}) {
      EXPECT_EQ(Value(data.data() + off, n),
                internal::ExtendPortableForTest(0, data.data() + off, n))
          << "off=" << off << " n=" << n;
    }
  }
  EXPECT_EQ(internal::ExtendPortableForTest(0, "123456789", 9), 0xE3069283u);
}

TEST(Crc32c, ExtendEqualsWholeValue) {
  std::string s = "hello write-ahead log, this is a longer string to cross 8-byte words";
  for (size_t split = 0; split <= s.size(); ++split) {
    uint32_t a = Value(s.data(), split);
    EXPECT_EQ(Extend(a, s.data() + split, s.size() - split), Value(s.data(), s.size()));
  }
}

TEST(Crc32c, MaskRoundTripsAndDiffers) {
  uint32_t crc = Value("foo", 3);
  EXPECT_NE(Mask(crc), crc);
  EXPECT_NE(Mask(Mask(crc)), crc);
  EXPECT_EQ(Unmask(Mask(crc)), crc);
  EXPECT_EQ(Unmask(Unmask(Mask(Mask(crc)))), crc);
}

}  // namespace
}  // namespace vigil::crc32c
