#include "store/embedded/bloom_filter.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vigil {
namespace {

std::vector<uint64_t> KeyHashes(const std::string& prefix, int n) {
  std::vector<uint64_t> h;
  h.reserve(n);
  for (int i = 0; i < n; ++i) h.push_back(BloomHash(prefix + std::to_string(i)));
  return h;
}

TEST(BloomHash, IsXxh3Seed0) {
  // XXH3_64bits of the empty input is a published constant.
  EXPECT_EQ(BloomHash(""), 0x2D06800538D394C2ull);
  EXPECT_NE(BloomHash("a"), BloomHash("b"));
}

TEST(Bloom, EmptyInputGivesEmptyFilterThatMatchesEverything) {
  std::string f = BuildBloom({}, 10);
  EXPECT_TRUE(f.empty());
  EXPECT_TRUE(BloomMayContain(f, BloomHash("x")));
}

TEST(Bloom, NoFalseNegatives) {
  for (int n : {1, 2, 10, 100, 1000, 100000}) {
    std::vector<uint64_t> keys = KeyHashes("key-", n);
    std::string f = BuildBloom(keys, 10);
    for (uint64_t h : keys) ASSERT_TRUE(BloomMayContain(f, h)) << "n=" << n;
  }
}

TEST(Bloom, FalsePositiveRateAtTenBitsPerKey) {
  const int n = 100000;
  std::string f = BuildBloom(KeyHashes("present-", n), 10);
  EXPECT_LE(f.size(), 1 + (n * 10 / 8) + 64);
  std::vector<uint64_t> absent = KeyHashes("absent-", n);
  int fp = 0;
  for (uint64_t h : absent) fp += BloomMayContain(f, h);
  double rate = static_cast<double>(fp) / n;
  std::printf("bloom fp rate at 10 bits/key, 100k keys: %.4f%%\n", rate * 100);
  EXPECT_LT(rate, 0.02);
  EXPECT_GT(fp, 0);  // 0 would mean the filter is far bigger than asked for
}

TEST(Bloom, FewerBitsMeanMoreFalsePositives) {
  const int n = 20000;
  std::vector<uint64_t> keys = KeyHashes("k", n), absent = KeyHashes("a", n);
  auto rate = [&](int bpk) {
    std::string f = BuildBloom(keys, bpk);
    int fp = 0;
    for (uint64_t h : absent) fp += BloomMayContain(f, h);
    return fp;
  };
  EXPECT_GT(rate(4), rate(10));
  EXPECT_GT(rate(10), rate(20));
}

TEST(Bloom, DuplicatesAreHarmless) {
  std::vector<uint64_t> keys(1000, BloomHash("same"));
  std::string f = BuildBloom(keys, 10);
  EXPECT_TRUE(BloomMayContain(f, BloomHash("same")));
  int fp = 0;
  for (uint64_t h : KeyHashes("other", 1000)) fp += BloomMayContain(f, h);
  EXPECT_LT(fp, 5);
}

TEST(Bloom, MalformedFiltersMatchEverything) {
  std::string good = BuildBloom(KeyHashes("k", 100), 10);
  uint64_t absent_hash = 0;
  for (uint64_t h : KeyHashes("zz", 1000)) {
    if (!BloomMayContain(good, h)) {
      absent_hash = h;
      break;
    }
  }
  ASSERT_FALSE(BloomMayContain(good, absent_hash));
  std::string truncated = good.substr(0, good.size() - 1);
  EXPECT_TRUE(BloomMayContain(truncated, absent_hash));
  EXPECT_TRUE(BloomMayContain(good.substr(0, 1), absent_hash));
  std::string bad_k = good;
  bad_k[0] = 0;
  EXPECT_TRUE(BloomMayContain(bad_k, absent_hash));
  bad_k[0] = static_cast<char>(200);
  EXPECT_TRUE(BloomMayContain(bad_k, absent_hash));
}

TEST(ForEachToken, SplitsOnNonWordBytes) {
  std::vector<std::string> got;
  ForEachToken("GET /api/v1/users?id=42 HTTP/1.1 user_id=ab-CD 'quoted'  ",
               [&](std::string_view t) { got.emplace_back(t); });
  std::vector<std::string> want = {"GET", "api", "v1",      "users", "id", "42",    "HTTP",
                                   "1",   "1",   "user_id", "ab",    "CD", "quoted"};
  EXPECT_EQ(got, want);
}

TEST(ForEachToken, EdgeCases) {
  std::vector<std::string> got;
  auto collect = [&](std::string_view t) { got.emplace_back(t); };
  ForEachToken("", collect);
  ForEachToken("  ..--!! ", collect);
  EXPECT_TRUE(got.empty());
  ForEachToken("x", collect);
  ForEachToken("héllo wörld", collect);  // non-ASCII bytes stay inside words
  std::vector<std::string> want = {"x", "héllo", "wörld"};
  EXPECT_EQ(got, want);
}

}  // namespace
}  // namespace vigil
