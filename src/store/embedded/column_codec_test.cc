#include "store/embedded/column_codec.h"

#include "core/json_render.h"
#include "core/value.h"

#include <gtest/gtest.h>
#include <lz4.h>
#include <lz4hc.h>
#include <xxhash.h>
#include <zstd.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace vigil {
namespace {

// Encodings from the chunk's first byte (docs/formats/column_chunk.md).
enum Enc {
  kAllNull = 0,
  kIntDelta = 1,
  kFloatScaled = 2,
  kFloatRaw = 3,
  kDict = 4,
  kUuid = 5,
  kPlain = 6,
  kIntScaled = 7,
  kIntDict = 8
};
int EncodingOf(const std::string& chunk) { return static_cast<uint8_t>(chunk[0]) & 0x0f; }
bool HasBitmap(const std::string& chunk) { return static_cast<uint8_t>(chunk[0]) & 0x10; }
bool IsCompressed(const std::string& chunk) { return static_cast<uint8_t>(chunk[0]) & 0x20; }

Column MakeColumn(Type type) {
  Column c;
  c.name = "c";
  c.type = type;
  return c;
}

std::string Encode(const Column& c, size_t begin, size_t end, int level = 3) {
  std::string out = "prefix";  // the encoder appends
  EncodeColumnChunk(c, begin, end, level, &out);
  EXPECT_EQ(out.substr(0, 6), "prefix");
  return out.substr(6);
}
std::string Encode(const Column& c) { return Encode(c, 0, c.size()); }

bool SameDouble(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

void ExpectRowsEqual(const Column& src, size_t begin, size_t end, const Column& got,
                     size_t offset) {
  ASSERT_EQ(got.valid.size(), offset + (end - begin));
  for (size_t i = begin; i < end; ++i) {
    size_t j = offset + i - begin;
    ASSERT_EQ(got.valid[j] != 0, src.valid[i] != 0) << "row " << i;
    switch (src.type) {
      case Type::kBool:
      case Type::kInt:
        ASSERT_EQ(got.ints.size(), got.valid.size());
        ASSERT_EQ(got.ints[j], src.valid[i] ? src.ints[i] : 0) << "row " << i;
        break;
      case Type::kFloat:
        ASSERT_EQ(got.floats.size(), got.valid.size());
        ASSERT_TRUE(SameDouble(got.floats[j], src.valid[i] ? src.floats[i] : 0.0))
            << "row " << i << ": " << got.floats[j] << " vs " << src.floats[i];
        break;
      case Type::kString:
        ASSERT_EQ(got.strs.size(), got.valid.size());
        ASSERT_EQ(got.strs[j], src.valid[i] ? src.strs[i] : "") << "row " << i;
        break;
      case Type::kNull:
        FAIL();
    }
  }
}

// Encodes [begin, end), decodes it after two existing rows and checks every row.
std::string RoundTrip(const Column& c, size_t begin, size_t end) {
  std::string chunk = Encode(c, begin, end);
  Column got = MakeColumn(c.type);
  if (c.size() > 0) {
    got.AppendFrom(c, 0);
    got.AppendNull();
  }
  size_t offset = got.size();
  Status s = DecodeColumnChunk(chunk, c.type, end - begin, &got);
  EXPECT_TRUE(s.ok()) << s.ToString();
  ExpectRowsEqual(c, begin, end, got, offset);
  return chunk;
}
std::string RoundTrip(const Column& c) { return RoundTrip(c, 0, c.size()); }

Column Ints(const std::vector<int64_t>& v, Type type = Type::kInt) {
  Column c = MakeColumn(type);
  for (int64_t x : v) c.AppendInt(x);
  return c;
}

Column Floats(const std::vector<double>& v) {
  Column c = MakeColumn(Type::kFloat);
  for (double x : v) c.AppendFloat(x);
  return c;
}

Column Strings(const std::vector<std::string>& v) {
  Column c = MakeColumn(Type::kString);
  for (const auto& x : v) c.AppendString(x);
  return c;
}

// Nulls out roughly one row in `every`.
void PunchNulls(Column& c, int every, uint64_t seed) {
  std::mt19937_64 rng(seed);
  for (size_t i = 0; i < c.size(); ++i) {
    if (rng() % every != 0) continue;
    c.valid[i] = 0;
    if (c.type == Type::kFloat)
      c.floats[i] = 0;
    else if (c.type != Type::kString)
      c.ints[i] = 0;
  }
}

std::string RandomUuid(std::mt19937_64& rng, bool upper) {
  const char* d = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string s;
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) s += '-';
    s += d[rng() % 16];
  }
  return s;
}

TEST(ColumnCodecInt, SortedTimestamps) {
  Column c = MakeColumn(Type::kInt);
  std::mt19937_64 rng(1);
  int64_t ts = 1'700'000'000'000'000'000;
  for (int i = 0; i < 8192; ++i) c.AppendInt(ts += static_cast<int64_t>(rng() % 2'000'000));
  std::string chunk = RoundTrip(c);
  EXPECT_EQ(EncodingOf(chunk), kIntDelta);
  EXPECT_FALSE(HasBitmap(chunk));
  EXPECT_LT(chunk.size(), 8192u * 4);  // deltas < 2^21 fit 3-byte varints before zstd
}

TEST(ColumnCodecInt, MillisecondTimestampsInNanosecondsAreScaled) {
  Column c = MakeColumn(Type::kInt);
  std::mt19937_64 rng(3);
  int64_t ms = 1'767'225'600'000;
  for (int i = 0; i < 8192; ++i) {
    if (i % 5 == 0) {
      c.AppendNull();
      continue;
    }
    c.AppendInt((ms += static_cast<int64_t>(rng() % 3000)) * 1'000'000);
  }
  std::string chunk = RoundTrip(c);
  EXPECT_EQ(EncodingOf(chunk), kIntScaled);
  Column unscaled = MakeColumn(Type::kInt);
  for (size_t i = 0; i < c.size(); ++i) {
    if (c.valid[i]) {
      unscaled.AppendInt(c.ints[i] + 1);
    } else {
      unscaled.AppendNull();
    }
  }
  EXPECT_EQ(EncodingOf(RoundTrip(unscaled)), kIntDelta);
  EXPECT_LT(chunk.size() * 10, Encode(unscaled, 0, unscaled.size()).size() * 7);
  // Negative multiples and the largest scale round-trip too.
  Column neg = MakeColumn(Type::kInt);
  for (int64_t v : {-3'000'000'000'000'000'000LL, 9'000'000'000'000'000'000LL, 0LL,
                    -1'000'000'000'000'000'000LL})
    neg.AppendInt(v);
  EXPECT_EQ(EncodingOf(RoundTrip(neg)), kIntScaled);
}

TEST(ColumnCodecInt, RandomAndExtremes) {
  std::mt19937_64 rng(2);
  std::vector<int64_t> v;
  for (int i = 0; i < 5000; ++i) v.push_back(static_cast<int64_t>(rng()));
  RoundTrip(Ints(v));
  const int64_t kMin = std::numeric_limits<int64_t>::min();
  const int64_t kMax = std::numeric_limits<int64_t>::max();
  RoundTrip(Ints({kMin, kMax, kMin, 0, -1, kMax, kMax, kMin, 1, kMin + 1, kMax - 1}));
  RoundTrip(Ints({kMax}));
  RoundTrip(Ints({kMin}));
  RoundTrip(Ints({0, 0, 0, 0}));
}

// Few distinct ints (status codes, counts) become a dictionary of at most 256 sorted
// values and one index byte per value; more distinct values, too few rows or bools do not.
TEST(ColumnCodecInt, LowCardinalityIsADictionary) {
  std::mt19937_64 rng(3);
  const std::vector<int64_t> statuses = {200, 201, 302, 404, 500, 503, -7, 0};
  std::vector<int64_t> v;
  for (int i = 0; i < 8192; ++i) v.push_back(statuses[rng() % statuses.size()]);
  Column c = Ints(v);
  EXPECT_EQ(EncodingOf(RoundTrip(c)), kIntDict);
  PunchNulls(c, 3, 5);
  EXPECT_EQ(EncodingOf(RoundTrip(c)), kIntDict);
  RoundTrip(c, 13, 5000);  // a sub-range after existing rows
  const int64_t kMin = std::numeric_limits<int64_t>::min();
  const int64_t kMax = std::numeric_limits<int64_t>::max();
  std::vector<int64_t> ext;
  for (int i = 0; i < 300; ++i) ext.push_back(i % 3 == 0 ? kMin : i % 3 == 1 ? kMax : -1);
  EXPECT_EQ(EncodingOf(RoundTrip(Ints(ext))), kIntDict);
  for (size_t distinct : {256u, 257u}) {
    std::vector<int64_t> w;
    for (size_t i = 0; i < 4 * distinct; ++i) w.push_back(static_cast<int64_t>((i * 7919) % distinct) * 1000 - 5);
    EXPECT_EQ(EncodingOf(RoundTrip(Ints(w))) == kIntDict, distinct == 256) << distinct;
  }
  EXPECT_NE(EncodingOf(RoundTrip(Ints(std::vector<int64_t>(40, 5)))), kIntDict);  // < 64 rows
  std::vector<int64_t> bools;
  for (int i = 0; i < 500; ++i) bools.push_back(i % 2);
  EXPECT_NE(EncodingOf(RoundTrip(Ints(bools, Type::kBool))), kIntDict);
}

// Deltas of every varint length (1 to 10 bytes) in random order, so the decoder's short
// and long paths alternate, including near the end of the body.
TEST(ColumnCodecInt, DeltasOfEveryVarintLength) {
  std::mt19937_64 rng(21);
  for (int round = 0; round < 20; ++round) {
    std::vector<int64_t> v;
    int64_t x = 0;
    const int n = round < 10 ? round + 1 : 3000;
    for (int i = 0; i < n; ++i) {
      const int bits = static_cast<int>(rng() % 64);
      const uint64_t d = rng() >> (63 - bits);  // below 2^(bits+1)
      x = static_cast<int64_t>(static_cast<uint64_t>(x) + (rng() % 2 ? d : 0 - d));
      v.push_back(x);
    }
    RoundTrip(Ints(v));
  }
}

// Mostly one-byte deltas (sorted timestamps), some longer, at every alignment: the
// decoder's eight-at-once path and its single-value paths interleave.
TEST(ColumnCodecInt, MostlySmallDeltas) {
  std::mt19937_64 rng(23);
  for (int n : {1, 7, 8, 9, 15, 16, 17, 1000, 8192}) {
    for (int every : {2, 9, 50, 1000000}) {
      std::vector<int64_t> v;
      int64_t x = 1'700'000'000'000'000'000;
      for (int i = 0; i < n; ++i) {
        x += static_cast<int64_t>(rng() % 64) - (i % every == every - 1 ? 100000 : 0);
        v.push_back(x);
      }
      Column c = Ints(v);
      RoundTrip(c);
      PunchNulls(c, 5, static_cast<uint64_t>(n));
      RoundTrip(c);
    }
  }
}

// Runs of present and missing values of every length, so whole bitmap bytes of ones and
// of zeros and mixed bytes all occur, at offsets that are not multiples of eight.
TEST(ColumnCodecInt, PresenceRunsOfEveryLength) {
  std::mt19937_64 rng(41);
  for (Type type : {Type::kInt, Type::kFloat}) {
    Column c = MakeColumn(type);
    while (c.size() < 3000) {
      for (uint64_t k = rng() % 20; k > 0; --k) {
        if (type == Type::kInt) {
          c.AppendInt(static_cast<int64_t>(rng() % 1000) - 300);
        } else {
          c.AppendFloat(static_cast<double>(rng() % 1000) / 4);
        }
      }
      for (uint64_t k = rng() % 20; k > 0; --k) c.AppendNull();
    }
    RoundTrip(c);
    RoundTrip(c, 3, 2001);
    RoundTrip(c, 5, 6);
    RoundTrip(c, 8, 24);
  }
}

TEST(ColumnCodecInt, Bools) {
  std::mt19937_64 rng(3);
  std::vector<int64_t> v;
  for (int i = 0; i < 3000; ++i) v.push_back(static_cast<int64_t>(rng() % 2));
  Column c = Ints(v, Type::kBool);
  PunchNulls(c, 5, 4);
  std::string chunk = RoundTrip(c);
  EXPECT_TRUE(HasBitmap(chunk));
}

TEST(ColumnCodecInt, SomeNullsAndSubRanges) {
  std::mt19937_64 rng(5);
  Column c = MakeColumn(Type::kInt);
  for (int i = 0; i < 1001; ++i) c.AppendInt(static_cast<int64_t>(rng() % 1000) - 500);
  PunchNulls(c, 3, 6);
  for (auto [b, e] : std::vector<std::pair<size_t, size_t>>{
           {0, 1001}, {0, 0}, {500, 500}, {1, 2}, {3, 11}, {7, 1000}, {992, 1001}, {0, 8}}) {
    RoundTrip(c, b, e);
  }
}

TEST(ColumnCodecNull, AllNullAndEmpty) {
  for (Type t : {Type::kBool, Type::kInt, Type::kFloat, Type::kString}) {
    Column c = MakeColumn(t);
    for (int i = 0; i < 77; ++i) c.AppendNull();
    std::string chunk = RoundTrip(c);
    EXPECT_EQ(EncodingOf(chunk), kAllNull);
    EXPECT_LE(chunk.size(), 2u);
    RoundTrip(c, 5, 5);
    Column empty = MakeColumn(t);
    std::string e = Encode(empty, 0, 0);
    Column got = MakeColumn(t);
    ASSERT_TRUE(DecodeColumnChunk(e, t, 0, &got).ok());
    EXPECT_EQ(got.size(), 0u);
  }
}

TEST(ColumnCodecFloat, ScaledDecimals) {
  std::mt19937_64 rng(7);
  for (int k = 0; k <= 4; ++k) {
    std::vector<double> v;
    const double scale = std::pow(10.0, k);
    for (int i = 0; i < 2000; ++i) {
      v.push_back(static_cast<double>(static_cast<int64_t>(rng() % 2000000) - 1000000) / scale);
    }
    std::string chunk = RoundTrip(Floats(v));
    EXPECT_EQ(EncodingOf(chunk), kFloatScaled) << "k=" << k;
  }
  std::string chunk = RoundTrip(Floats({0.1, 0.2, 0.3, 12.5, -7.25}));
  EXPECT_EQ(EncodingOf(chunk), kFloatScaled);
  // Integers up to 2^53 scale at k = 0.
  RoundTrip(Floats({9007199254740991.0, -9007199254740991.0, 0.0, 1.0}));
}

TEST(ColumnCodecFloat, SpecialValuesForceRaw) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<std::vector<double>> cases = {
      {1.5, -0.0, 2.5},
      {1.5, nan, 2.5},
      {inf, 1.0},
      {-inf},
      {1e300, -1e300},
      {9007199254740992.0, 1.0},  // 2^53 is outside the scaled range
      {0.1 + 0.2},                // 0.30000000000000004 needs 17 digits
      {1.0 / 3},
      {std::numeric_limits<double>::denorm_min(), 1.0},
      {std::numeric_limits<double>::max(), std::numeric_limits<double>::lowest()},
      {0.00001},  // 5 decimals
  };
  for (const auto& v : cases) {
    std::string chunk = RoundTrip(Floats(v));
    EXPECT_EQ(EncodingOf(chunk), kFloatRaw) << v[0];
  }
  // A NaN payload survives bit for bit.
  double odd_nan;
  uint64_t bits = 0x7ff8dead0000beefull;
  std::memcpy(&odd_nan, &bits, 8);
  RoundTrip(Floats({odd_nan, -nan}));
}

TEST(ColumnCodecFloat, RandomDoublesWithNulls) {
  std::mt19937_64 rng(8);
  Column c = MakeColumn(Type::kFloat);
  for (int i = 0; i < 4000; ++i) {
    uint64_t b = rng();
    double d;
    std::memcpy(&d, &b, 8);
    c.AppendFloat(d);
  }
  PunchNulls(c, 4, 9);
  RoundTrip(c);
  RoundTrip(c, 13, 3000);
}

TEST(ColumnCodecString, DictionaryForLowCardinality) {
  std::mt19937_64 rng(10);
  std::vector<std::string> levels = {"info", "warn", "error", "debug", ""};
  Column c = MakeColumn(Type::kString);
  for (int i = 0; i < 5000; ++i) c.AppendString(levels[rng() % levels.size()]);
  PunchNulls(c, 7, 11);
  std::string chunk = RoundTrip(c);
  EXPECT_EQ(EncodingOf(chunk), kDict);
  EXPECT_LT(chunk.size(), 5000u);
}

// Decoded into an empty column, dictionary rows keep their entry numbers (codes), also
// when only picked rows are decoded; each code names the row's value.
TEST(ColumnCodecString, DictionaryRowsKeepTheirCodes) {
  std::mt19937_64 rng(12);
  std::vector<std::string> levels = {"info", "warn", "error", "debug"};
  Column c = MakeColumn(Type::kString);
  for (int i = 0; i < 3000; ++i) c.AppendString(levels[rng() % levels.size()]);
  PunchNulls(c, 7, 11);
  std::string chunk = Encode(c);
  ASSERT_EQ(EncodingOf(chunk), kDict);
  std::vector<uint32_t> pick;
  for (uint32_t i = 0; i < 3000; i += 1 + rng() % 5) pick.push_back(i);
  for (bool picked : {false, true}) {
    Column got = MakeColumn(Type::kString);
    Status s = picked ? DecodeColumnChunkRows(chunk, Type::kString, 3000, pick, &got)
                      : DecodeColumnChunk(chunk, Type::kString, 3000, &got);
    ASSERT_TRUE(s.ok()) << s.ToString();
    const uint32_t* codes = got.strs.codes();
    ASSERT_NE(codes, nullptr);
    ASSERT_LE(got.strs.dict_size(), levels.size());
    for (size_t j = 0; j < got.size(); ++j) {
      const size_t i = picked ? pick[j] : j;
      ASSERT_EQ(got.valid[j] != 0, c.valid[i] != 0) << i;
      if (!c.valid[i]) {
        EXPECT_EQ(codes[j], StringVec::kNoCode) << i;
        continue;
      }
      ASSERT_LT(codes[j], got.strs.dict_size());
      EXPECT_EQ(got.strs.dict_entry(codes[j]), c.strs[i]) << i;
      EXPECT_EQ(got.strs[j], c.strs[i]) << i;
    }
  }
}

TEST(ColumnCodecString, DictionaryIndexWidths) {
  for (size_t distinct : {256u, 257u, 65536u, 65537u}) {
    Column c = MakeColumn(Type::kString);
    for (size_t i = 0; i < distinct * 2; ++i) c.AppendString("v" + std::to_string(i % distinct));
    std::string chunk = RoundTrip(c);
    EXPECT_EQ(EncodingOf(chunk), kDict) << distinct;
  }
  Column high = MakeColumn(Type::kString);
  for (int i = 0; i < 100; ++i) high.AppendString("v" + std::to_string(i % 51));
  EXPECT_EQ(EncodingOf(RoundTrip(high)), kPlain);  // 51 distinct > 100 / 2
}

// Sparse strings: runs of nulls of every length (whole zero bitmap bytes and partial
// ones), dictionary and plain, over sub-ranges that do not start on a byte boundary.
TEST(ColumnCodecString, SparseValuesWithLongNullRuns) {
  std::mt19937_64 rng(31);
  for (bool dict : {true, false}) {
    Column c = MakeColumn(Type::kString);
    while (c.size() < 3000) {
      for (uint64_t k = rng() % 40; k > 0; --k) c.AppendNull();
      c.AppendString(dict ? (rng() % 2 ? "failure" : "success") : "v" + std::to_string(rng()));
    }
    RoundTrip(c);
    RoundTrip(c, 3, 2001);
    RoundTrip(c, 17, 18);
  }
}

TEST(ColumnCodecString, Uuids) {
  std::mt19937_64 rng(12);
  for (bool upper : {false, true}) {
    Column c = MakeColumn(Type::kString);
    for (int i = 0; i < 3000; ++i) c.AppendString(RandomUuid(rng, upper));
    PunchNulls(c, 10, 13);
    std::string chunk = RoundTrip(c);
    EXPECT_EQ(EncodingOf(chunk), kUuid);
    RoundTrip(c, 100, 117);
  }
  // Digits-only UUIDs are canonical in either case.
  EXPECT_EQ(EncodingOf(RoundTrip(Strings({"12345678-1234-1234-1234-123456789012",
                                          "00000000-0000-0000-0000-000000000000",
                                          "deadbeef-0000-4000-8000-00000000abcd"}))),
            kUuid);
  EXPECT_EQ(EncodingOf(RoundTrip(Strings(
                {"12345678-1234-1234-1234-123456789012", "DEADBEEF-0000-4000-8000-00000000ABCD"}))),
            kUuid);
}

TEST(ColumnCodecString, MixedCaseAndNearUuidsFallBackToPlain) {
  std::vector<std::vector<std::string>> cases = {
      {"deadbeef-0000-4000-8000-00000000abcd", "DEADBEEF-0000-4000-8000-00000000ABCD"},
      {"deadbeef-0000-4000-8000-00000000ABCD"},
      {"deadbeef-0000-4000-8000-00000000abcg"},
      {"deadbeef00000-4000-8000-00000000abcd"},
      {"deadbeef-0000-4000-8000-00000000abc"},
      {"deadbeef-0000-4000-8000-00000000abcde"},
      {"{deadbeef-0000-4000-8000-00000000abc}"},
  };
  for (const auto& v : cases) EXPECT_EQ(EncodingOf(RoundTrip(Strings(v))), kPlain) << v[0];
}

TEST(ColumnCodecString, PlainRandomBytes) {
  std::mt19937_64 rng(14);
  Column c = MakeColumn(Type::kString);
  for (int i = 0; i < 3000; ++i) {
    std::string s(rng() % (i % 100 == 0 ? 5000 : 40), '\0');
    for (char& ch : s) ch = static_cast<char>(rng());
    c.AppendString(s);
  }
  c.AppendString("");
  c.AppendString(std::string("a\0b", 3));
  PunchNulls(c, 6, 15);
  EXPECT_EQ(EncodingOf(RoundTrip(c)), kPlain);
  RoundTrip(c, 1, 2);
  RoundTrip(c, 2999, 3002);
}

TEST(ColumnCodec, SmallAndIncompressibleBodiesAreStoredRaw) {
  EXPECT_FALSE(IsCompressed(RoundTrip(Ints({1, 2, 3}))));
  std::mt19937_64 rng(16);
  Column c = MakeColumn(Type::kFloat);
  for (int i = 0; i < 1000; ++i) {
    uint64_t b = rng();
    double d;
    std::memcpy(&d, &b, 8);
    c.AppendFloat(d);
  }
  EXPECT_FALSE(IsCompressed(RoundTrip(c)));
  Column z = Ints(std::vector<int64_t>(5000, 42));
  EXPECT_TRUE(IsCompressed(RoundTrip(z)));
}

TEST(ColumnCodec, TypeMismatchIsInvalidArgument) {
  std::string chunk = Encode(Ints({1, 2, 3}));
  Column f = MakeColumn(Type::kFloat);
  EXPECT_EQ(DecodeColumnChunk(chunk, Type::kInt, 3, &f).code(), Code::kInvalidArgument);
  Column n = MakeColumn(Type::kNull);
  EXPECT_EQ(DecodeColumnChunk(chunk, Type::kNull, 3, &n).code(), Code::kInvalidArgument);
  // The chunk's own encoding must fit the requested type as well.
  EXPECT_EQ(DecodeColumnChunk(chunk, Type::kFloat, 3, &f).code(), Code::kCorruption);
  Column i = MakeColumn(Type::kInt);
  EXPECT_EQ(DecodeColumnChunk(chunk, Type::kInt, 4, &i).code(), Code::kCorruption);
  EXPECT_EQ(DecodeColumnChunk(chunk, Type::kInt, 2, &i).code(), Code::kCorruption);
  EXPECT_EQ(DecodeColumnChunk(chunk, Type::kInt, kMaxChunkRows + 1, &i).code(), Code::kCorruption);
  EXPECT_EQ(i.size(), 0u);
}

// Re-frames a compressed chunk with its body stored raw, so mutations reach the value
// decoders instead of being caught by zstd.
std::string Uncompressed(const std::string& chunk) {
  if (!IsCompressed(chunk)) return chunk;
  size_t pos = 1;
  uint64_t raw = 0;
  for (int shift = 0;; shift += 7) {
    uint8_t b = static_cast<uint8_t>(chunk[pos++]);
    raw |= uint64_t{b & 0x7fu} << shift;
    if (b < 0x80) break;
  }
  std::string body(raw, '\0');
  size_t n = ZSTD_decompress(body.data(), raw, chunk.data() + pos, chunk.size() - pos);
  EXPECT_EQ(n, raw);
  return std::string(1, static_cast<char>(chunk[0] & ~0x20)) + chunk.substr(1, pos - 1) + body;
}

struct Sample {
  Type type;
  size_t rows;
  std::string chunk;
};

std::vector<Sample> Samples() {
  std::mt19937_64 rng(17);
  std::vector<Column> cols;
  Column ts = MakeColumn(Type::kInt);
  for (int i = 0; i < 300; ++i) ts.AppendInt(1'700'000'000'000'000'000 + i * 1'000'003);
  cols.push_back(ts);
  PunchNulls(ts, 4, 1);
  cols.push_back(ts);
  Column b = Ints({1, 0, 1, 1, 0, 0, 1, 0, 1, 1, 1, 1, 0}, Type::kBool);
  cols.push_back(b);
  Column st = MakeColumn(Type::kInt);
  for (int i = 0; i < 200; ++i) st.AppendInt(i % 7 == 0 ? 500 : i % 5 == 0 ? -3 : 200);
  PunchNulls(st, 6, 7);
  cols.push_back(st);  // an int dictionary
  Column f = Floats({1.25, 2.5, -3.75, 100, 0.01, 1e6});
  cols.push_back(f);
  PunchNulls(f, 2, 2);
  cols.push_back(f);
  cols.push_back(Floats({1.0 / 3, -0.0, 2.0, 7e-300}));
  Column d = MakeColumn(Type::kString);
  for (int i = 0; i < 200; ++i) d.AppendString(i % 3 ? "GET" : "POST");
  PunchNulls(d, 5, 3);
  cols.push_back(d);
  Column u = MakeColumn(Type::kString);
  for (int i = 0; i < 50; ++i) u.AppendString(RandomUuid(rng, false));
  cols.push_back(u);
  Column p = MakeColumn(Type::kString);
  for (int i = 0; i < 120; ++i) p.AppendString("path/" + std::to_string(rng() % 100000));
  PunchNulls(p, 9, 4);
  cols.push_back(p);
  Column n = MakeColumn(Type::kString);
  for (int i = 0; i < 9; ++i) n.AppendNull();
  cols.push_back(n);
  std::vector<Sample> out;
  for (const Column& c : cols) {
    std::string chunk = Encode(c);
    out.push_back({c.type, c.size(), chunk});
    if (IsCompressed(chunk)) out.push_back({c.type, c.size(), Uncompressed(chunk)});
  }
  return out;
}

std::string Mutate(std::string s, std::mt19937_64& rng) {
  int ops = 1 + static_cast<int>(rng() % 3);
  for (int op = 0; op < ops; ++op) {
    switch (rng() % 6) {
      case 0:  // bit flip
        if (!s.empty()) s[rng() % s.size()] ^= static_cast<char>(1u << (rng() % 8));
        break;
      case 1:  // random byte
        if (!s.empty()) s[rng() % s.size()] = static_cast<char>(rng());
        break;
      case 2:  // truncate
        s.resize(s.empty() ? 0 : rng() % s.size());
        break;
      case 3:  // extend
        for (int i = static_cast<int>(rng() % 16); i >= 0; --i)
          s.push_back(static_cast<char>(rng()));
        break;
      case 4:  // insert
        s.insert(s.begin() + static_cast<ptrdiff_t>(s.empty() ? 0 : rng() % s.size()),
                 static_cast<char>(rng()));
        break;
      case 5:  // erase
        if (!s.empty()) s.erase(s.begin() + static_cast<ptrdiff_t>(rng() % s.size()));
        break;
    }
  }
  return s;
}

TEST(ColumnCodecDamage, MutatedChunksNeverCrash) {
  std::vector<Sample> samples = Samples();
  ASSERT_GE(samples.size(), 12u);
  std::mt19937_64 rng(18);
  int ok = 0, errors = 0;
  for (int iter = 0; iter < 40000; ++iter) {
    const Sample& s = samples[iter % samples.size()];
    std::string bad = Mutate(s.chunk, rng);
    size_t rows = rng() % 8 == 0 ? rng() % (2 * s.rows + 2) : s.rows;
    Column out = MakeColumn(s.type);
    out.AppendNull();  // pre-existing row must survive untouched
    Status st = DecodeColumnChunk(bad, s.type, rows, &out);
    if (s.type == Type::kString) {  // the in-place search reads the same bytes
      std::vector<uint32_t> hits;
      Status fs = FindContainingRows(bad, rows, "a", iter % 2 == 0, &hits);
      if (!fs.ok()) {
        ASSERT_EQ(fs.code(), Code::kCorruption) << fs.ToString();
      }
      for (uint32_t r : hits) ASSERT_LT(r, rows);
    }
    size_t want = st.ok() ? 1 + rows : 1;
    ASSERT_EQ(out.valid.size(), want) << st.ToString();
    switch (s.type) {
      case Type::kBool:
      case Type::kInt:
        ASSERT_EQ(out.ints.size(), want);
        break;
      case Type::kFloat:
        ASSERT_EQ(out.floats.size(), want);
        break;
      case Type::kString:
        ASSERT_EQ(out.strs.size(), want);
        break;
      case Type::kNull:
        break;
    }
    if (st.ok()) {
      ++ok;
    } else {
      ASSERT_EQ(st.code(), Code::kCorruption) << st.ToString();
      ++errors;
    }
  }
  std::printf("mutated chunks: %d decoded, %d rejected\n", ok, errors);
  EXPECT_GT(errors, 20000);
}

// The zstd frame checksum means a flipped bit in a compressed chunk is either caught or
// lands somewhere that does not change the data; it never decodes to different values.
TEST(ColumnCodecDamage, BitFlipsInCompressedChunksAreNeverSilent) {
  Column ts = MakeColumn(Type::kInt);
  for (int i = 0; i < 2000; ++i) ts.AppendInt(1'700'000'000'000'000'000 + i * 1'000'003);
  Column words = MakeColumn(Type::kString);
  for (int i = 0; i < 2000; ++i) words.AppendString(i % 7 ? "alpha" : "beta");
  for (const Column* c : {&ts, &words}) {
    std::string chunk = Encode(*c);
    ASSERT_TRUE(IsCompressed(chunk));
    int caught = 0;
    for (size_t pos = 0; pos < chunk.size(); ++pos) {
      for (int bit = 0; bit < 8; ++bit) {
        std::string bad = chunk;
        bad[pos] ^= static_cast<char>(1 << bit);
        Column out = MakeColumn(c->type);
        Status st = DecodeColumnChunk(bad, c->type, c->size(), &out);
        if (!st.ok()) {
          ++caught;
          continue;
        }
        ExpectRowsEqual(*c, 0, c->size(), out, 0);
        if (HasFailure()) return;
      }
    }
    EXPECT_GT(caught, static_cast<int>(chunk.size() * 8 * 9 / 10));
  }
}

TEST(ColumnCodecDamage, RandomBytesNeverCrash) {
  std::mt19937_64 rng(19);
  for (int iter = 0; iter < 20000; ++iter) {
    std::string junk(rng() % 64, '\0');
    for (char& c : junk) c = static_cast<char>(rng());
    if (!junk.empty() && rng() % 2) junk[0] = static_cast<char>(junk[0] & 0x1f);  // valid flags
    Type t = static_cast<Type>(1 + rng() % 4);
    Column out = MakeColumn(t);
    Status st = DecodeColumnChunk(junk, t, rng() % 64, &out);
    ASSERT_EQ(out.size(), st.ok() ? out.size() : 0u);
    if (st.ok()) {
      ASSERT_EQ(out.size(), out.valid.size());
    }
  }
}

// Prints throughput; asserts only correctness so a busy machine cannot fail it.
TEST(ColumnCodecPerf, IntColumnThroughput) {
  const size_t kRows = 8192;
  Column c = MakeColumn(Type::kInt);
  std::mt19937_64 rng(20);
  int64_t ts = 1'700'000'000'000'000'000;
  for (size_t i = 0; i < kRows; ++i)
    c.AppendInt(ts += 500'000 + static_cast<int64_t>(rng() % 1'000'000));
  const int kIters = 500;
  using Clock = std::chrono::steady_clock;
  auto mbps = [&](Clock::duration d) {
    return kRows * 8.0 * kIters / std::chrono::duration<double>(d).count() / 1e6;
  };
  std::string chunk;
  auto t0 = Clock::now();
  for (int i = 0; i < kIters; ++i) {
    chunk.clear();
    EncodeColumnChunk(c, 0, kRows, 3, &chunk);
  }
  auto encode = Clock::now() - t0;
  std::string raw = Uncompressed(chunk);
  ASSERT_FALSE(IsCompressed(raw));
  Column out = MakeColumn(Type::kInt);
  auto decode_all = [&](const std::string& ch) {
    auto start = Clock::now();
    for (int i = 0; i < kIters; ++i) {
      out.valid.clear();
      out.ints.clear();
      Status s = DecodeColumnChunk(ch, Type::kInt, kRows, &out);
      EXPECT_TRUE(s.ok());
    }
    return Clock::now() - start;
  };
  auto decode_zstd = decode_all(chunk);
  auto decode_raw = decode_all(raw);
  ASSERT_EQ(out.ints, c.ints);
  std::printf(
      "int column, %zu rows: chunk %zu bytes (%.2f B/row), raw body %zu bytes\n"
      "  encode (zstd 3)      %8.0f MB/s\n"
      "  decode with zstd     %8.0f MB/s\n"
      "  decode before zstd   %8.0f MB/s (%.0f M values/s)\n",
      kRows, chunk.size(), double(chunk.size()) / kRows, raw.size(), mbps(encode),
      mbps(decode_zstd), mbps(decode_raw), mbps(decode_raw) / 8);
}

TEST(ColumnCodecPerf, StringAndFloatThroughput) {
  const size_t kRows = 8192;
  std::mt19937_64 rng(21);
  Column dict = MakeColumn(Type::kString), uuid = MakeColumn(Type::kString),
         plain = MakeColumn(Type::kString), fl = MakeColumn(Type::kFloat);
  std::vector<std::string> eps = {"/api/v1/users", "/api/v1/orders", "/health", "/login"};
  for (size_t i = 0; i < kRows; ++i) {
    dict.AppendString(eps[rng() % eps.size()]);
    uuid.AppendString(RandomUuid(rng, false));
    plain.AppendString("user " + std::to_string(rng() % 100000) + " logged in from 10.0.0." +
                       std::to_string(rng() % 256));
    fl.AppendFloat(static_cast<double>(rng() % 100000) / 100);
  }
  using Clock = std::chrono::steady_clock;
  for (const Column* c : {&dict, &uuid, &plain, &fl}) {
    std::string chunk = Encode(*c);
    size_t bytes = c->type == Type::kString ? c->strs.bytes() : kRows * 8;
    const int kIters = 100;
    Column out = MakeColumn(c->type);
    auto start = Clock::now();
    for (int i = 0; i < kIters; ++i) {
      out = MakeColumn(c->type);
      ASSERT_TRUE(DecodeColumnChunk(chunk, c->type, kRows, &out).ok());
    }
    double secs = std::chrono::duration<double>(Clock::now() - start).count();
    ExpectRowsEqual(*c, 0, kRows, out, 0);
    std::printf("encoding %d: %zu -> %zu bytes, decode %.0f MB/s\n", EncodingOf(chunk), bytes,
                chunk.size(), bytes * double(kIters) / secs / 1e6);
  }
}

}  // namespace
}  // namespace vigil

namespace vigil {
namespace {

// Every encoding path: picking rows must give exactly the full decode's rows.
TEST(ColumnCodecRows, PickedRowsEqualFullDecode) {
  std::mt19937_64 rng(11);
  std::vector<Column> cols;
  for (Type t : {Type::kInt, Type::kBool, Type::kFloat, Type::kString}) {
    for (int variant = 0; variant < 4; ++variant) {  // dense/sparse x low/high cardinality
      Column c;
      c.name = "c";
      c.type = t;
      for (int i = 0; i < 3000; ++i) {
        if (variant % 2 == 1 && rng() % 3 == 0) {
          c.AppendNull();
          continue;
        }
        uint64_t r = variant < 2 ? rng() % 5 : rng();
        switch (t) {
          case Type::kInt: c.AppendInt(static_cast<int64_t>(r) * 1000); break;
          case Type::kBool: c.AppendInt(static_cast<int64_t>(r & 1)); break;
          case Type::kFloat: c.AppendFloat(static_cast<double>(r % 100000) / 10); break;
          default: {
            char buf[40];
            if (variant == 2) {  // UUIDs
              std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-8%03x-%012llx", static_cast<unsigned>(r),
                            static_cast<unsigned>(r >> 32) & 0xffff, static_cast<unsigned>(r >> 48) & 0xfff,
                            static_cast<unsigned>(r >> 20) & 0xfff,
                            static_cast<unsigned long long>(r & 0xffffffffffffULL));
            } else {
              std::snprintf(buf, sizeof buf, "v-%llu", static_cast<unsigned long long>(r));
            }
            c.AppendString(buf);
          }
        }
      }
      cols.push_back(std::move(c));
    }
  }
  for (const Column& c : cols) {
    std::string chunk;
    EncodeColumnChunk(c, 0, c.size(), 3, &chunk);
    for (int trial = 0; trial < 20; ++trial) {
      std::vector<uint32_t> pick;
      for (uint32_t i = 0; i < c.size(); ++i)
        if (rng() % (trial < 10 ? 500 : 3) == 0) pick.push_back(i);
      Column got;
      got.name = "c";
      got.type = c.type;
      ASSERT_TRUE(DecodeColumnChunkRows(chunk, c.type, c.size(), pick, &got).ok());
      ASSERT_EQ(got.size(), pick.size());
      for (size_t k = 0; k < pick.size(); ++k) {
        size_t i = pick[k];
        ASSERT_EQ(got.valid[k], c.valid[i]) << TypeName(c.type) << " row " << i;
        if (!c.valid[i]) continue;
        if (c.type == Type::kString) {
          ASSERT_EQ(got.strs[k], c.strs[i]);
        } else if (c.type == Type::kFloat) {
          ASSERT_EQ(got.floats[k], c.floats[i]);
        } else {
          ASSERT_EQ(got.ints[k], c.ints[i]);
        }
      }
    }
    Column bad;
    bad.type = c.type;
    EXPECT_FALSE(DecodeColumnChunkRows(chunk, c.type, c.size(), {5, 3}, &bad).ok());
    std::string damaged = chunk;
    damaged[damaged.size() / 2] ^= 0x40;
    std::vector<uint32_t> all(c.size());
    for (uint32_t i = 0; i < c.size(); ++i) all[i] = i;
    (void)DecodeColumnChunkRows(damaged, c.type, c.size(), all, &bad);  // must not crash
  }
}

}  // namespace
}  // namespace vigil

namespace vigil {
namespace {

TEST(ColumnCodecFind, EqualRowsMatchBruteForceOnEveryStringEncoding) {
  std::mt19937_64 rng(21);
  auto uuid = [&](bool upper) {
    char buf[40];
    uint64_t a = rng(), b = rng();
    std::snprintf(buf, sizeof buf, upper ? "%08X-%04X-4%03X-8%03X-%012llX" : "%08x-%04x-4%03x-8%03x-%012llx",
                  static_cast<unsigned>(a), static_cast<unsigned>(a >> 32) & 0xffff,
                  static_cast<unsigned>(a >> 48) & 0xfff, static_cast<unsigned>(b) & 0xfff,
                  static_cast<unsigned long long>(b >> 16));
    return std::string(buf);
  };
  for (int variant = 0; variant < 4; ++variant) {  // uuid lower, uuid upper, dict, plain
    Column c;
    c.name = "id";
    c.type = Type::kString;
    std::vector<std::string> pool;
    for (int i = 0; i < 50; ++i) pool.push_back(variant < 2 ? uuid(variant == 1) : "v" + std::to_string(i));
    for (int i = 0; i < 4000; ++i) {
      if (i % 9 == 0) {
        c.AppendNull();
      } else if (variant == 3) {
        c.AppendString("u" + std::to_string(rng() % 100000));  // high cardinality: plain
      } else {
        c.AppendString(pool[rng() % pool.size()]);
      }
    }
    std::string chunk;
    EncodeColumnChunk(c, 0, c.size(), 3, &chunk);
    std::vector<std::string> probes = {pool[3], pool[7], "no-such-value", "", std::string(c.strs[1])};
    if (variant < 2) {  // the same UUID in the other case never matches a case-exact compare
      std::string other = pool[3];
      for (char& ch : other) ch = variant == 0 ? static_cast<char>(toupper(ch)) : static_cast<char>(tolower(ch));
      probes.push_back(other);
    }
    for (const std::string& lit : probes) {
      std::vector<uint32_t> got, want;
      ASSERT_TRUE(FindEqualRows(chunk, c.size(), lit, &got).ok());
      for (uint32_t i = 0; i < c.size(); ++i)
        if (c.valid[i] && c.strs[i] == lit) want.push_back(i);
      EXPECT_EQ(got, want) << "variant " << variant << " literal " << lit;
    }
  }
}

// The in-place substring search gives exactly the rows whose value contains the text
// (or, asked to, holds a byte JSON escapes) on every string encoding.
TEST(ColumnCodecFind, ContainingRowsMatchBruteForceOnEveryStringEncoding) {
  std::mt19937_64 rng(22);
  const std::vector<std::string> words = {"alpha", "beta", "Timeout after", "x\ny", "q\"uote", "", "tab\tbed"};
  for (int variant = 0; variant < 4; ++variant) {  // dict, plain, uuid, all null
    Column c = MakeColumn(Type::kString);
    for (int i = 0; i < 5000; ++i) {
      if (variant == 3 || i % 7 == 0) {
        c.AppendNull();
      } else if (variant == 0) {
        c.AppendString(words[rng() % words.size()]);
      } else if (variant == 1) {  // unique values; words at the start, middle and end
        const std::string& w = words[rng() % words.size()];
        const std::string n = std::to_string(rng() % 100000);
        c.AppendString(i % 3 == 0 ? w + n : i % 3 == 1 ? n + w + n : n + w);
      } else {
        char buf[40];
        std::snprintf(buf, sizeof buf, "%08x-dead-4%03x-8abc-%012llx", static_cast<unsigned>(rng()),
                      static_cast<unsigned>(rng() % 4096), static_cast<unsigned long long>(rng() >> 20));
        c.AppendString(buf);
      }
    }
    std::string chunk = Encode(c);
    const int enc = EncodingOf(chunk);
    EXPECT_EQ(enc, variant == 0 ? kDict : variant == 1 ? kPlain : variant == 2 ? kUuid : kAllNull);
    for (const std::string needle : {"alpha", "a", "Timeout after", "3", "dead-4", "after1", "zzz", "y"}) {
      for (bool escaped : {false, true}) {
        std::vector<uint32_t> got, want;
        ASSERT_TRUE(FindContainingRows(chunk, c.size(), needle, escaped, &got).ok());
        for (uint32_t i = 0; i < c.size(); ++i) {
          const std::string_view v = c.strs[i];
          if (c.valid[i] && (v.find(needle) != std::string_view::npos || (escaped && NeedsJsonEscape(v))))
            want.push_back(i);
        }
        EXPECT_EQ(got, want) << "variant " << variant << " needle " << needle << " escaped " << escaped;
      }
    }
  }
}

// Inside a ChunkMemo scope a chunk decompressed before is reused; every decode must give
// what it gives outside one, for good chunks (more of them than the memo holds, in a
// repeating order, in nested scopes) and for damaged ones.
TEST(ColumnCodecMemo, DecodesAsWithoutTheMemo) {
  std::vector<Sample> samples = Samples();
  std::vector<Column> cols;
  std::vector<std::string> chunks;
  for (int i = 0; i < 60; ++i) {
    Column c = MakeColumn(Type::kString);
    for (int r = 0; r < 500; ++r) c.AppendString("chunk " + std::to_string(i) + " row " + std::to_string(r * 7 % 311));
    chunks.push_back(Encode(c));
    ASSERT_TRUE(IsCompressed(chunks.back()));
    cols.push_back(std::move(c));
  }
  {
    ChunkMemo outer;
    for (int round = 0; round < 3; ++round) {
      ChunkMemo inner;
      for (size_t k = 0; k < chunks.size(); ++k) {
        const size_t i = (k * 7 + static_cast<size_t>(round)) % chunks.size();
        Column got = MakeColumn(Type::kString);
        ASSERT_TRUE(DecodeColumnChunk(chunks[i], Type::kString, 500, &got).ok());
        ExpectRowsEqual(cols[i], 0, 500, got, 0);
        Column again = MakeColumn(Type::kString);  // the same chunk right away: a hit
        ASSERT_TRUE(DecodeColumnChunk(chunks[i], Type::kString, 500, &again).ok());
        ExpectRowsEqual(cols[i], 0, 500, again, 0);
      }
    }
  }
  std::mt19937_64 rng(31);
  for (int iter = 0; iter < 4000; ++iter) {
    const Sample& smp = samples[iter % samples.size()];
    const std::string bad = Mutate(smp.chunk, rng);
    Column plain = MakeColumn(smp.type), memoized = MakeColumn(smp.type);
    Status a = DecodeColumnChunk(bad, smp.type, smp.rows, &plain);
    Status b;
    {
      ChunkMemo memo;
      Column first = MakeColumn(smp.type);
      (void)DecodeColumnChunk(smp.chunk, smp.type, smp.rows, &first);  // the good one first
      b = DecodeColumnChunk(bad, smp.type, smp.rows, &memoized);
      if (b.ok()) b = DecodeColumnChunk(bad, smp.type, smp.rows, &memoized);
    }
    ASSERT_EQ(a.ok(), b.ok()) << a.ToString() << " / " << b.ToString();
    if (a.ok()) {
      ASSERT_EQ(memoized.size(), 2 * plain.size());
      for (size_t r = 0; r < plain.size(); ++r) ASSERT_EQ(CellValue(memoized, r), CellValue(plain, r));
    }
  }
}

// LZ4 chunks ([flags | 0x60][varint raw size][u64 XXH3-64 of the body][LZ4 block]), which
// vigil compact writes for plain string chunks that LZ4HC compresses nearly as well as
// zstd: they decode to the same values, and a flipped bit anywhere is reported, never
// decoded to other values. Below compaction level and for hex ids the encoder keeps zstd.
TEST(ColumnCodecLz4, ChunksDecodeAndDamageIsReported) {
  std::mt19937_64 rng(41);
  Column text = MakeColumn(Type::kString);
  for (int i = 0; i < 3000; ++i)
    text.AppendString("GET /admin/notes/" + std::to_string(rng() % 100000) + (i % 3 ? " 200" : " 404"));
  PunchNulls(text, 9, 6);
  // The body as encoding 6 (plain) writes it: validity bitmap, then (length, bytes) per value.
  std::string body;
  for (size_t i = 0; i < (text.size() + 7) / 8; ++i) {
    uint8_t byte = 0;
    for (size_t k = 0; k < 8 && 8 * i + k < text.size(); ++k) byte |= static_cast<uint8_t>(text.valid[8 * i + k] << k);
    body.push_back(static_cast<char>(byte));
  }
  for (size_t i = 0; i < text.size(); ++i) {
    if (!text.valid[i]) continue;
    body.push_back(static_cast<char>(text.strs[i].size()));  // all shorter than 128
    body.append(text.strs[i]);
  }
  std::string block(static_cast<size_t>(LZ4_compressBound(static_cast<int>(body.size()))), '\0');
  const int n = LZ4_compress_HC(body.data(), block.data(), static_cast<int>(body.size()),
                                static_cast<int>(block.size()), 9);
  ASSERT_GT(n, 0);
  const uint64_t sum = XXH3_64bits(body.data(), body.size());
  std::string chunk(1, static_cast<char>(kPlain | 0x10 | 0x20 | 0x40));
  for (uint64_t v = body.size(); ; v >>= 7) {  // varint raw size
    if (v < 0x80) {
      chunk.push_back(static_cast<char>(v));
      break;
    }
    chunk.push_back(static_cast<char>((v & 0x7f) | 0x80));
  }
  chunk.append(reinterpret_cast<const char*>(&sum), 8);
  chunk.append(block.data(), static_cast<size_t>(n));
  Column got = MakeColumn(Type::kString);
  Status st = DecodeColumnChunk(chunk, Type::kString, text.size(), &got);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ExpectRowsEqual(text, 0, text.size(), got, 0);
  int rejected = 0;
  for (size_t bit = 0; bit < chunk.size() * 8; bit += 13) {
    std::string bad = chunk;
    bad[bit / 8] = static_cast<char>(bad[bit / 8] ^ (1 << (bit % 8)));
    Column out = MakeColumn(Type::kString);
    st = DecodeColumnChunk(bad, Type::kString, text.size(), &out);
    if (!st.ok()) {
      ASSERT_EQ(st.code(), Code::kCorruption) << st.ToString();
      ++rejected;
      continue;
    }
    ExpectRowsEqual(text, 0, text.size(), out, 0);
  }
  EXPECT_GT(rejected, 0);
  // The encoder: level 3 (merges) never writes LZ4, nor does level 9 for hex ids; what
  // level 9 writes for text decodes to the same values whichever codec it chose.
  EXPECT_FALSE(static_cast<uint8_t>(Encode(text, 0, text.size(), 3)[0]) & 0x40);
  Column hex = MakeColumn(Type::kString);
  for (int i = 0; i < 4000; ++i) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "1-%08x-%016llx%08x", static_cast<unsigned>(rng()),
                  static_cast<unsigned long long>(rng()), static_cast<unsigned>(rng()));
    hex.AppendString(buf);
  }
  EXPECT_FALSE(static_cast<uint8_t>(Encode(hex, 0, hex.size(), 9)[0]) & 0x40);
  Column again = MakeColumn(Type::kString);
  ASSERT_TRUE(DecodeColumnChunk(Encode(text, 0, text.size(), 9), Type::kString, text.size(), &again).ok());
  ExpectRowsEqual(text, 0, text.size(), again, 0);
}

}  // namespace
}  // namespace vigil
