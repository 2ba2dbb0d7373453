// pct / quantile / median and count_distinct: exact for small groups, sketches above
// (sketch.h; accuracy stated in aggregates.h and docs/query.md).
#include <xxhash.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "query/agg_states.h"
#include "query/agg_util.h"
#include "query/sketch.h"

namespace vigil::query {
namespace {

constexpr double kRelativeAccuracy = 0.005;

// Exact values until a group exceeds kExactPctValues, then a QuantileSketch.
class PercentileState final : public AggState {
 public:
  explicit PercentileState(double fraction) : fraction_(fraction) {}
  void Resize(size_t groups) override { groups_.resize(groups); }
  void Update(const Vector& arg, const Vector&, const Sel& sel, const uint32_t* gids) override {
    ForEachNumber(arg, sel, gids,
                  [&](size_t, uint32_t g, auto x) { Add(groups_[g], static_cast<double>(x)); });
  }
  Value Result(size_t g) const override {
    const Group& group = groups_[g];
    if (group.sketch != nullptr) return Value(group.sketch->Quantile(fraction_));
    std::vector<double>& v = group.exact;
    if (v.empty()) return Value();
    size_t rank = static_cast<size_t>(std::ceil(fraction_ * static_cast<double>(v.size())));
    rank = std::clamp<size_t>(rank, 1, v.size());
    std::nth_element(v.begin(), v.begin() + static_cast<ptrdiff_t>(rank - 1), v.end());
    return Value(v[rank - 1]);
  }
  size_t MemoryBytes() const override { return bytes_ + groups_.capacity() * sizeof(Group); }

 private:
  struct Group {
    mutable std::vector<double> exact;  // reordered by Result (nth_element)
    std::unique_ptr<QuantileSketch> sketch;
  };
  void Add(Group& g, double v) {
    if (g.sketch != nullptr) return g.sketch->Add(v);
    if (g.exact.size() == g.exact.capacity()) bytes_ += std::max<size_t>(g.exact.size(), 1) * 8;
    g.exact.push_back(v);
    if (g.exact.size() <= kExactPctValues) return;
    g.sketch = std::make_unique<QuantileSketch>(kRelativeAccuracy);
    for (double x : g.exact) g.sketch->Add(x);
    bytes_ -= std::min(bytes_, g.exact.capacity() * 8);
    bytes_ += 64 * 1024;  // a generous bound on a sketch's buckets
    g.exact = {};
  }
  double fraction_;
  std::vector<Group> groups_;
  size_t bytes_ = 0;
};

// Distinct typed values: 500, 500.0, true and "500" are four different values.
uint64_t HashCell(const Cell& c) {
  const auto seed = static_cast<XXH64_hash_t>(c.type);
  if (c.type == Type::kString) return XXH3_64bits_withSeed(c.s.data(), c.s.size(), seed);
  if (c.type == Type::kFloat) {
    const double d = c.d == 0 ? 0.0 : c.d;  // -0.0 == 0.0
    return XXH3_64bits_withSeed(&d, sizeof d, seed);
  }
  return XXH3_64bits_withSeed(&c.i, sizeof c.i, seed);
}

class DistinctState final : public AggState {
 public:
  void Resize(size_t groups) override {
    while (groups_.size() < groups) groups_.emplace_back(kExactDistinct);
  }
  void Update(const Vector& arg, const Vector&, const Sel& sel, const uint32_t* gids) override {
    ForEachCell(arg, sel, gids, [&](size_t, uint32_t g, const Cell& c) {
      DistinctCounter& d = groups_[g];
      const size_t before = d.MemoryBytes();
      d.Add(HashCell(c));
      bytes_ += d.MemoryBytes() - std::min(before, d.MemoryBytes());
    });
  }
  Value Result(size_t g) const override {
    return Value(static_cast<int64_t>(groups_[g].Estimate()));
  }
  size_t MemoryBytes() const override { return bytes_ + groups_.size() * sizeof(DistinctCounter); }

 private:
  std::vector<DistinctCounter> groups_;
  size_t bytes_ = 0;
};

}  // namespace

std::unique_ptr<AggState> MakeCountDistinct(double) { return std::make_unique<DistinctState>(); }
std::unique_ptr<AggState> MakePercentile(double fraction) {
  return std::make_unique<PercentileState>(fraction);
}

}  // namespace vigil::query
