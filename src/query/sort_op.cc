// Sort and top-N (MakeSort in operators.h).
#include <algorithm>
#include <limits>
#include <string>

#include "query/operators.h"

namespace vigil::query {
namespace {

// One sort-key value of one row, read straight from the columns.
struct KeyCell {
  enum Class : uint8_t { kNumber = 0, kString = 1, kNull = 2 };  // order across classes
  Class cls = kNull;
  bool is_int = false;
  int64_t i = 0;
  double d = 0;
  std::string_view s;
};

KeyCell ReadCell(const Vector& v, uint32_t row) {
  KeyCell k;
  for (const Column* c : v.columns) {
    if (!c->IsValid(row)) continue;
    switch (c->type) {
      case Type::kBool:
      case Type::kInt:
        k.cls = KeyCell::kNumber;
        k.is_int = true;
        k.i = c->ints[row];
        break;
      case Type::kFloat:
        k.cls = KeyCell::kNumber;
        k.d = c->floats[row];
        break;
      case Type::kString:
        k.cls = KeyCell::kString;
        k.s = c->strs[row];
        break;
      case Type::kNull:
        continue;
    }
    break;
  }
  return k;
}

// Ascending order of two non-null cells: numbers (compared numerically, ints exactly)
// before strings (bytewise).
int CompareCells(const KeyCell& a, const KeyCell& b) {
  if (a.cls != b.cls) return a.cls < b.cls ? -1 : 1;
  if (a.cls == KeyCell::kString) return a.s.compare(b.s) < 0 ? -1 : (a.s == b.s ? 0 : 1);
  if (a.is_int && b.is_int) return a.i < b.i ? -1 : (a.i == b.i ? 0 : 1);
  // long double holds every int64 exactly.
  const long double x = a.is_int ? static_cast<long double>(a.i) : a.d;
  const long double y = b.is_int ? static_cast<long double>(b.i) : b.d;
  return x < y ? -1 : (x == y ? 0 : 1);
}

// Compares rows by several keys; nulls sort last whatever the direction.
int CompareRows(const std::vector<SortKey>& keys, const KeyCell* a, const KeyCell* b) {
  for (size_t k = 0; k < keys.size(); ++k) {
    const bool an = a[k].cls == KeyCell::kNull, bn = b[k].cls == KeyCell::kNull;
    if (an || bn) {
      if (an != bn) return an ? 1 : -1;
      continue;
    }
    int c = CompareCells(a[k], b[k]);
    if (c != 0) return keys[k].desc ? -c : c;
  }
  return 0;
}

class SortOp final : public Operator {
 public:
  SortOp(std::vector<SortKey> keys, std::optional<uint64_t> limit, ExecContext* ctx,
         OperatorPtr next)
      : keys_(std::move(keys)),
        limit_(limit.value_or(std::numeric_limits<uint64_t>::max())),
        ctx_(ctx),
        next_(std::move(next)) {}

  bool Push(Frame&& frame) override {
    if (has_bound_) DropRowsPastBound(&frame);
    if (frame.sel.empty()) return true;
    acc_.raw.AppendRows(frame.raw, frame.sel);
    acc_.computed.AppendRows(frame.computed, frame.sel);
    constexpr uint64_t kMinPrune = 4096;
    if (limit_ < std::numeric_limits<uint64_t>::max() / 2 &&
        acc_.rows() >= std::max(2 * limit_, kMinPrune)) {
      Prune();
    }
    return WithinBudget();
  }

  void Finish() override {
    if (!ctx_->status.ok()) return next_->Finish();
    Prune();
    if (acc_.rows() > 0) {
      acc_.sel = SelAll(acc_.rows());
      next_->Push(std::move(acc_));
    }
    next_->Finish();
  }

 private:
  // Sort keys of every selected row of `frame`, row-major (keys_.size() per row).
  std::vector<KeyCell> ReadKeys(const Frame& frame, Evaluator& ev) const {
    std::vector<Vector> vecs;
    for (const SortKey& k : keys_) vecs.push_back(ev.Field(k.name, frame.sel));
    std::vector<KeyCell> cells;
    cells.reserve(frame.sel.size() * keys_.size());
    for (uint32_t row : frame.sel)
      for (const Vector& v : vecs) cells.push_back(ReadCell(v, row));
    return cells;
  }

  // Sorts what is held and keeps the first limit_ rows; remembers the last kept row's
  // keys so later rows that sort after it are dropped on arrival.
  void Prune() {
    const size_t n = acc_.rows();
    acc_.sel = SelAll(n);
    Sel order = acc_.sel;
    {
      Evaluator ev(acc_);
      const std::vector<KeyCell> cells = ReadKeys(acc_, ev);
      const size_t width = keys_.size();
      auto less = [&](uint32_t a, uint32_t b) {
        int c = CompareRows(keys_, &cells[a * width], &cells[b * width]);
        return c != 0 ? c < 0 : a < b;  // ties: arrival order
      };
      const size_t keep = static_cast<size_t>(std::min<uint64_t>(limit_, n));
      if (keep == n) {
        std::sort(order.begin(), order.end(), less);
      } else {
        std::partial_sort(order.begin(), order.begin() + static_cast<ptrdiff_t>(keep), order.end(),
                          less);
      }
      order.resize(keep);
      has_bound_ = keep > 0 && keep == limit_;
      if (has_bound_) SetBound(&cells[order.back() * width]);
    }
    Frame sorted;
    sorted.raw.AppendRows(acc_.raw, order);
    sorted.computed.AppendRows(acc_.computed, order);
    acc_ = std::move(sorted);
  }

  void SetBound(const KeyCell* cells) {
    bound_.assign(cells, cells + keys_.size());
    bound_strs_.resize(keys_.size());
    for (size_t k = 0; k < keys_.size(); ++k) {
      bound_strs_[k] = std::string(bound_[k].s);  // own it: acc_ is rebuilt and grows
      bound_[k].s = bound_strs_[k];
    }
  }

  // Rows that sort after the current bound (or tie with it: they arrived later) can
  // never make the first limit_.
  void DropRowsPastBound(Frame* frame) const {
    Evaluator ev(*frame);
    const std::vector<KeyCell> cells = ReadKeys(*frame, ev);
    Sel kept;
    for (size_t i = 0; i < frame->sel.size(); ++i) {
      if (CompareRows(keys_, &cells[i * keys_.size()], bound_.data()) < 0) {
        kept.push_back(frame->sel[i]);
      }
    }
    frame->sel = std::move(kept);
  }

  bool WithinBudget() {
    const size_t bytes = acc_.raw.MemoryBytes() + acc_.computed.MemoryBytes();
    if (bytes <= ctx_->memory_budget_bytes) return true;
    if (ctx_->status.ok()) {
      ctx_->status = Status::ResourceExhausted(
          "sorting needs more than the query memory budget (" +
          std::to_string(ctx_->memory_budget_bytes >> 20) + " MiB) for " +
          std::to_string(acc_.rows()) + " rows; add a limit or narrow the query");
    }
    return false;
  }

  std::vector<SortKey> keys_;
  uint64_t limit_;
  ExecContext* ctx_;
  OperatorPtr next_;
  Frame acc_;  // rows held so far (sel unused until Finish)
  bool has_bound_ = false;
  std::vector<KeyCell> bound_;
  std::vector<std::string> bound_strs_;
};

}  // namespace

OperatorPtr MakeSort(std::vector<SortKey> keys, std::optional<uint64_t> limit, ExecContext* ctx,
                     OperatorPtr next) {
  return std::make_unique<SortOp>(std::move(keys), limit, ctx, std::move(next));
}

}  // namespace vigil::query
