#include "query/sketch.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace vigil::query {
namespace {

// Nearest rank, the definition QuantileSketch approximates.
double ExactQuantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  size_t rank = std::max<size_t>(1, static_cast<size_t>(std::ceil(q * v.size())));
  return v[rank - 1];
}

void ExpectWithinRelative(const std::vector<double>& values, double accuracy) {
  QuantileSketch s(accuracy);
  for (double v : values) s.Add(v);
  for (double q : {0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1.0}) {
    const double exact = ExactQuantile(values, q);
    const double got = s.Quantile(q);
    EXPECT_LE(std::fabs(got - exact), accuracy * std::fabs(exact) + 1e-12)
        << "q=" << q << " exact=" << exact << " got=" << got;
  }
}

TEST(QuantileSketchTest, RelativeErrorBoundHoldsOnSkewedData) {
  std::mt19937_64 rng(42);
  std::lognormal_distribution<double> lognormal(3, 1.5);
  std::exponential_distribution<double> expo(0.01);
  std::uniform_real_distribution<double> uniform(-1000, 1000);
  std::vector<double> a, b, c;
  for (int i = 0; i < 200000; ++i) {
    a.push_back(lognormal(rng));
    b.push_back(expo(rng));
    c.push_back(uniform(rng));
  }
  ExpectWithinRelative(a, 0.005);
  ExpectWithinRelative(b, 0.005);
  ExpectWithinRelative(c, 0.005);
}

TEST(QuantileSketchTest, MergeEqualsOneSketch) {
  QuantileSketch all(0.005), left(0.005), right(0.005);
  for (int i = 1; i <= 10000; ++i) {
    all.Add(i);
    (i % 3 == 0 ? left : right).Add(i);
  }
  left.Merge(right);
  EXPECT_EQ(left.count(), all.count());
  for (double q : {0.1, 0.5, 0.95}) EXPECT_EQ(left.Quantile(q), all.Quantile(q));
}

TEST(QuantileSketchTest, ZerosNegativesAndExtremes) {
  QuantileSketch s(0.01);
  for (double v : {-5.0, 0.0, 0.0, 3.0}) s.Add(v);
  EXPECT_EQ(s.Quantile(0), -5.0);  // clamped to the exact minimum
  EXPECT_EQ(s.Quantile(0.5), 0.0);
  EXPECT_EQ(s.Quantile(1), 3.0);
}

uint64_t Mix(uint64_t x) {  // splitmix64: stands in for the value hash
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

TEST(DistinctCounterTest, ExactBelowTheLimit) {
  DistinctCounter d(1001);
  for (int rep = 0; rep < 3; ++rep)
    for (uint64_t i = 0; i < 1000; ++i) d.Add(Mix(i));
  EXPECT_TRUE(d.exact());
  EXPECT_EQ(d.Estimate(), 1000u);
  d.Add(0);  // hash 0 is a value like any other
  d.Add(0);
  EXPECT_EQ(d.Estimate(), 1001u);
  EXPECT_TRUE(d.exact());
  d.Add(Mix(5000));  // one past the limit: approximate from now on
  EXPECT_FALSE(d.exact());
  EXPECT_NEAR(static_cast<double>(d.Estimate()), 1002, 1002 * 0.025);
}

TEST(DistinctCounterTest, HyperLogLogWithinThreeStandardErrors) {
  for (uint64_t n : {20000u, 60000u, 150000u, 1000000u}) {
    DistinctCounter d(10000);
    for (uint64_t i = 0; i < n; ++i) d.Add(Mix(i * 7919 + n));
    EXPECT_FALSE(d.exact());
    const double err = std::fabs(static_cast<double>(d.Estimate()) - n) / n;
    EXPECT_LE(err, 0.025) << "n=" << n << " estimate=" << d.Estimate();
  }
}

TEST(DistinctCounterTest, MergeExactAndApproximate) {
  DistinctCounter a(100), b(100);
  for (uint64_t i = 0; i < 50; ++i) a.Add(Mix(i));
  for (uint64_t i = 25; i < 75; ++i) b.Add(Mix(i));
  a.Merge(b);
  EXPECT_EQ(a.Estimate(), 75u);
  DistinctCounter big(100);
  for (uint64_t i = 0; i < 5000; ++i) big.Add(Mix(i));
  a.Merge(big);
  EXPECT_FALSE(a.exact());
  EXPECT_NEAR(static_cast<double>(a.Estimate()), 5000, 5000 * 0.025);
}

}  // namespace
}  // namespace vigil::query
