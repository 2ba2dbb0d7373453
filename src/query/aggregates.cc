// The aggregate table and the exact numeric aggregates: count, sum, avg, min, max,
// stddev. Order-based ones are in agg_order.cc, sketch-based ones in agg_sketch.cc.
#include "query/aggregates.h"

#include <array>
#include <cmath>

#include "query/agg_states.h"
#include "query/agg_util.h"

namespace vigil::query {

Cell CellOf(const Value& v) {
  Cell c;
  c.type = v.type();
  switch (c.type) {
    case Type::kBool:
      c.i = std::get<bool>(v.v) ? 1 : 0;
      break;
    case Type::kInt:
      c.i = std::get<int64_t>(v.v);
      break;
    case Type::kFloat:
      c.d = std::get<double>(v.v);
      break;
    case Type::kString:
      c.s = std::get<std::string>(v.v);
      break;
    case Type::kNull:
      break;
  }
  return c;
}

Cell CellAt(const Vector& v, uint32_t row) {
  if (v.is_scalar) return CellOf(v.scalar);
  for (const Column* col : v.columns) {
    if (!col->valid[row]) continue;
    Cell c;
    c.type = col->type;
    if (c.type == Type::kString) {
      c.s = col->strs[row];
    } else if (c.type == Type::kFloat) {
      c.d = col->floats[row];
    } else {
      c.i = col->ints[row];
    }
    return c;
  }
  return {};
}

Value ValueOf(const Cell& c) {
  switch (c.type) {
    case Type::kBool:
      return Value(c.i != 0);
    case Type::kInt:
      return Value(c.i);
    case Type::kFloat:
      return Value(c.d);
    case Type::kString:
      return Value(std::string(c.s));
    case Type::kNull:
      break;
  }
  return Value();
}

int CompareCells(const Cell& a, const Cell& b) {
  const bool as = a.type == Type::kString, bs = b.type == Type::kString;
  if (as != bs) return as ? 1 : -1;
  if (as) return a.s.compare(b.s) < 0 ? -1 : (a.s == b.s ? 0 : 1);
  const bool ai = a.type != Type::kFloat, bi = b.type != Type::kFloat;
  if (ai && bi) return a.i < b.i ? -1 : (a.i == b.i ? 0 : 1);
  // long double holds every int64 exactly.
  const long double x = ai ? static_cast<long double>(a.i) : a.d;
  const long double y = bi ? static_cast<long double>(b.i) : b.d;
  return x < y ? -1 : (x == y ? 0 : 1);
}

namespace {

// count(*) (the operator passes a constant present on every row) and count(field).
class CountState final : public AggState {
 public:
  void Resize(size_t groups) override { counts_.resize(groups, 0); }
  void Update(const Vector& arg, const Vector&, const Sel& sel, const uint32_t* gids) override {
    if (arg.is_scalar && !arg.scalar.is_null()) {
      // count(*): add each run of equal group ids at once (rows of one time bin come
      // together), instead of one dependent increment per row.
      for (size_t i = 0; i < sel.size();) {
        const uint32_t g = gids[i];
        size_t j = i + 1;
        while (j < sel.size() && gids[j] == g) ++j;
        counts_[g] += static_cast<int64_t>(j - i);
        i = j;
      }
      return;
    }
    ForEachCell(arg, sel, gids, [&](size_t, uint32_t g, const Cell&) { ++counts_[g]; });
  }
  Value Result(size_t g) const override { return Value(counts_[g]); }
  size_t MemoryBytes() const override { return counts_.capacity() * sizeof(int64_t); }

 private:
  std::vector<int64_t> counts_;
};

// sum: Int while every value is an Int (or Bool) and the total fits, else Float.
class SumState final : public AggState {
 public:
  void Resize(size_t groups) override { sums_.resize(groups); }
  void Update(const Vector& arg, const Vector&, const Sel& sel, const uint32_t* gids) override {
    ForEachNumber(arg, sel, gids, [&](size_t, uint32_t g, auto x) { Add(sums_[g], x); });
  }
  Value Result(size_t g) const override {
    const Sum& s = sums_[g];
    if (!s.has) return Value();
    return s.is_float ? Value(s.f) : Value(s.i);
  }
  size_t MemoryBytes() const override { return sums_.capacity() * sizeof(Sum); }

 private:
  struct Sum {
    int64_t i = 0;
    double f = 0;
    bool has = false;
    bool is_float = false;
  };
  static void Add(Sum& s, int64_t x) {
    s.has = true;
    if (s.is_float) {
      s.f += static_cast<double>(x);
      return;
    }
    const int64_t before = s.i;
    if (__builtin_add_overflow(before, x, &s.i)) {
      s.is_float = true;
      s.f = static_cast<double>(before) + static_cast<double>(x);
    }
  }
  static void Add(Sum& s, double x) {
    if (!s.is_float) s.f = static_cast<double>(s.i);
    s.has = s.is_float = true;
    s.f += x;
  }
  std::vector<Sum> sums_;
};

class AvgState final : public AggState {
 public:
  void Resize(size_t groups) override {
    sums_.resize(groups, 0);
    counts_.resize(groups, 0);
  }
  void Update(const Vector& arg, const Vector&, const Sel& sel, const uint32_t* gids) override {
    ForEachNumber(arg, sel, gids, [&](size_t, uint32_t g, auto x) {
      sums_[g] += static_cast<double>(x);
      ++counts_[g];
    });
  }
  Value Result(size_t g) const override {
    if (counts_[g] == 0) return Value();
    return Value(sums_[g] / static_cast<double>(counts_[g]));
  }
  size_t MemoryBytes() const override { return sums_.capacity() * 16; }

 private:
  std::vector<double> sums_;
  std::vector<int64_t> counts_;
};

// min / max over numbers; the result keeps the winning value's type.
class ExtremeState final : public AggState {
 public:
  explicit ExtremeState(bool max) : max_(max) {}
  void Resize(size_t groups) override { best_.resize(groups); }
  void Update(const Vector& arg, const Vector&, const Sel& sel, const uint32_t* gids) override {
    ForEachNumber(arg, sel, gids, [&](size_t, uint32_t g, auto x) {
      Cell c;
      if constexpr (std::is_same_v<decltype(x), double>) {
        c.type = Type::kFloat;
        c.d = x;
      } else {
        c.type = Type::kInt;
        c.i = x;
      }
      Cell& b = best_[g];
      if (b.type == Type::kNull) {
        b = c;
        return;
      }
      const int cmp = CompareCells(c, b);
      if (max_ ? cmp > 0 : cmp < 0) b = c;
    });
  }
  Value Result(size_t g) const override { return ValueOf(best_[g]); }
  size_t MemoryBytes() const override { return best_.capacity() * sizeof(Cell); }

 private:
  bool max_;
  std::vector<Cell> best_;  // numbers only: no borrowed strings
};

// Sample standard deviation (n - 1), by Welford's method; null below two values.
class StddevState final : public AggState {
 public:
  void Resize(size_t groups) override { acc_.resize(groups); }
  void Update(const Vector& arg, const Vector&, const Sel& sel, const uint32_t* gids) override {
    ForEachNumber(arg, sel, gids, [&](size_t, uint32_t g, auto x) {
      Acc& a = acc_[g];
      const double v = static_cast<double>(x);
      ++a.n;
      const double delta = v - a.mean;
      a.mean += delta / static_cast<double>(a.n);
      a.m2 += delta * (v - a.mean);
    });
  }
  Value Result(size_t g) const override {
    const Acc& a = acc_[g];
    if (a.n < 2) return Value();
    return Value(std::sqrt(a.m2 / static_cast<double>(a.n - 1)));
  }
  size_t MemoryBytes() const override { return acc_.capacity() * sizeof(Acc); }

 private:
  struct Acc {
    int64_t n = 0;
    double mean = 0, m2 = 0;
  };
  std::vector<Acc> acc_;
};

std::unique_ptr<AggState> MakeCount(double) { return std::make_unique<CountState>(); }
std::unique_ptr<AggState> MakeSum(double) { return std::make_unique<SumState>(); }
std::unique_ptr<AggState> MakeAvg(double) { return std::make_unique<AvgState>(); }
std::unique_ptr<AggState> MakeMin(double) { return std::make_unique<ExtremeState>(false); }
std::unique_ptr<AggState> MakeMax(double) { return std::make_unique<ExtremeState>(true); }
std::unique_ptr<AggState> MakeStddev(double) { return std::make_unique<StddevState>(); }

using P = AggregateDef::Param;
constexpr std::array<AggregateDef, 14> kAggregates = {{
    {"count", 0, 1, P::kNone, false, false, &MakeCount},
    {"count_distinct", 1, 1, P::kNone, false, false, &MakeCountDistinct},
    {"sum", 1, 1, P::kNone, false, false, &MakeSum},
    {"avg", 1, 1, P::kNone, false, false, &MakeAvg},
    {"min", 1, 1, P::kNone, false, true, &MakeMin},
    {"max", 1, 1, P::kNone, false, true, &MakeMax},
    {"stddev", 1, 1, P::kNone, false, false, &MakeStddev},
    {"pct", 2, 2, P::kPercent, false, false, &MakePercentile},
    {"quantile", 2, 2, P::kFraction, false, false, &MakePercentile},
    {"median", 1, 1, P::kHalf, false, false, &MakePercentile},
    {"earliest", 1, 1, P::kNone, true, true, &MakeEarliest},
    {"latest", 1, 1, P::kNone, true, true, &MakeLatest},
    {"sortsfirst", 1, 1, P::kNone, false, true, &MakeSortsFirst},
    {"sortslast", 1, 1, P::kNone, false, true, &MakeSortsLast},
}};

}  // namespace

const AggregateDef* FindAggregate(std::string_view name) {
  for (const AggregateDef& a : kAggregates)
    if (a.name == name && a.make != nullptr) return &a;
  return nullptr;
}

}  // namespace vigil::query
