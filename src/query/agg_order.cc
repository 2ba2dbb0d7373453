// earliest / latest (the value at the smallest / largest @timestamp) and sortsFirst /
// sortsLast (the value that sorts first / last, in `sort` order: numbers before strings).
#include "query/agg_states.h"
#include "query/agg_util.h"

namespace vigil::query {
namespace {

// Keeps, per group, the value with the best key: `better(new_key, old_key)`.
class BestValueState : public AggState {
 public:
  void Resize(size_t groups) override { best_.resize(groups); }
  Value Result(size_t g) const override { return best_[g].value; }
  size_t MemoryBytes() const override { return string_bytes_ + best_.capacity() * sizeof(Best); }

 protected:
  struct Best {
    bool has = false;
    int64_t ts = 0;
    Value value;
  };
  void Set(Best& b, const Cell& c, int64_t ts) {
    b.has = true;
    b.ts = ts;
    b.value = ValueOf(c);
    string_bytes_ += c.s.size();  // replaced strings are not subtracted: an upper bound
  }
  std::vector<Best> best_;
  size_t string_bytes_ = 0;
};

class TimeOrderState final : public BestValueState {
 public:
  explicit TimeOrderState(bool latest) : latest_(latest) {}
  void Update(const Vector& arg, const Vector& ts, const Sel& sel, const uint32_t* gids) override {
    const Column* times = nullptr;
    for (const Column* c : ts.columns)
      if (c->type == Type::kInt) times = c;
    if (times == nullptr) return;
    ForEachCell(arg, sel, gids, [&](size_t i, uint32_t g, const Cell& c) {
      const uint32_t row = sel[i];
      if (!times->valid[row]) return;
      const int64_t t = times->ints[row];
      Best& b = best_[g];
      if (!b.has || (latest_ ? t > b.ts : t < b.ts)) Set(b, c, t);
    });
  }

 private:
  bool latest_;
};

class ValueOrderState final : public BestValueState {
 public:
  explicit ValueOrderState(bool last) : last_(last) {}
  void Update(const Vector& arg, const Vector&, const Sel& sel, const uint32_t* gids) override {
    ForEachCell(arg, sel, gids, [&](size_t, uint32_t g, const Cell& c) {
      Best& b = best_[g];
      if (!b.has) return Set(b, c, 0);
      const int cmp = CompareCells(c, CellOf(b.value));
      if (last_ ? cmp > 0 : cmp < 0) Set(b, c, 0);
    });
  }

 private:
  bool last_;
};

}  // namespace

std::unique_ptr<AggState> MakeEarliest(double) { return std::make_unique<TimeOrderState>(false); }
std::unique_ptr<AggState> MakeLatest(double) { return std::make_unique<TimeOrderState>(true); }
std::unique_ptr<AggState> MakeSortsFirst(double) {
  return std::make_unique<ValueOrderState>(false);
}
std::unique_ptr<AggState> MakeSortsLast(double) { return std::make_unique<ValueOrderState>(true); }

}  // namespace vigil::query
