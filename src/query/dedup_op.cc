// Dedup (MakeDedup in operators.h): the first row of each combination of values, in
// arrival order (the planner puts a sort before it).
#include <unordered_set>

#include "query/group_table.h"
#include "query/operators.h"

namespace vigil::query {
namespace {

class DedupOp final : public Operator {
 public:
  DedupOp(std::vector<std::string> names, OperatorPtr next)
      : names_(std::move(names)), next_(std::move(next)) {}

  bool Push(Frame&& frame) override {
    Evaluator ev(frame);
    std::vector<Vector> keys;
    for (const std::string& n : names_) keys.push_back(ev.Field(n, frame.sel));
    Sel kept;
    std::string buf;
    for (uint32_t row : frame.sel) {
      buf.clear();
      bool complete = true;
      for (const Vector& k : keys) complete &= EncodeKey(k, row, &buf);
      if (!complete || seen_.insert(buf).second) kept.push_back(row);  // nulls never dedup
    }
    if (kept.empty()) return true;
    frame.sel = std::move(kept);
    return next_->Push(std::move(frame));
  }
  void Finish() override { next_->Finish(); }

 private:
  std::vector<std::string> names_;
  OperatorPtr next_;
  std::unordered_set<std::string> seen_;
};

}  // namespace

OperatorPtr MakeDedup(std::vector<std::string> names, OperatorPtr next) {
  return std::make_unique<DedupOp>(std::move(names), std::move(next));
}

}  // namespace vigil::query
