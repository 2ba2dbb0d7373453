// The Aggregate operator (MakeAggregate in operators.h): hash aggregation, a batch at a
// time. Per batch it evaluates the keys and assigns every row its group id once
// (GroupTable), then hands each aggregate its argument column and the group ids, so the
// per-aggregate loops run over typed arrays.
#include "core/batch.h"
#include "query/aggregates.h"
#include "query/group_table.h"
#include "query/operators.h"

namespace vigil::query {
namespace {

void AddValue(BatchBuilder& b, const std::string& name, const Value& v) {
  switch (v.type()) {
    case Type::kBool:
      return b.AddBool(name, std::get<bool>(v.v));
    case Type::kInt:
      return b.AddInt(name, std::get<int64_t>(v.v));
    case Type::kFloat:
      return b.AddFloat(name, std::get<double>(v.v));
    case Type::kString:
      return b.AddString(name, std::get<std::string>(v.v));
    case Type::kNull:
      return;
  }
}

class AggregateOp final : public Operator {
 public:
  AggregateOp(const PlanOp& op, ExecContext* ctx, OperatorPtr next)
      : op_(op), ctx_(ctx), next_(std::move(next)), table_(op.items.size()) {
    for (const AggregateItem& a : op.aggs) {
      const AggregateDef* def = FindAggregate(a.func);
      needs_ts_.push_back(def->needs_timestamp);
      states_.push_back(def->make(a.fraction));
    }
  }

  bool Push(Frame&& frame) override {
    Evaluator ev(frame);
    std::vector<Vector> keys;
    for (const ProjectItem& k : op_.items) keys.push_back(ev.Eval(*k.expr, frame.sel));
    table_.Assign(keys, frame.sel, &gids_);
    Vector ts;
    for (size_t i = 0; i < states_.size(); ++i) {
      const AggregateItem& a = op_.aggs[i];
      if (needs_ts_[i] && ts.columns.empty()) ts = ev.Field(field::kTimestamp, frame.sel);
      const Vector arg = a.arg ? ev.Eval(*a.arg, frame.sel) : Vector::Scalar(Value(true));
      states_[i]->Resize(table_.size());
      states_[i]->Update(arg, needs_ts_[i] ? ts : Vector{}, frame.sel, gids_.data());
    }
    return WithinBudget();
  }

  void Finish() override {
    if (ctx_->status.ok()) {
      if (op_.items.empty()) table_.Assign({}, {}, &gids_);  // one row even without input
      Frame out = Output();
      if (out.rows() > 0) next_->Push(std::move(out));
    }
    next_->Finish();
  }

 private:
  bool WithinBudget() {
    size_t bytes = table_.MemoryBytes();
    for (const auto& s : states_) bytes += s->MemoryBytes();
    if (bytes <= ctx_->memory_budget_bytes) return true;
    ctx_->status = Status::ResourceExhausted(
        "line " + std::to_string(op_.pos.line) + ", column " + std::to_string(op_.pos.column) +
        ": 'stats' needs more than the query memory budget (" +
        std::to_string(ctx_->memory_budget_bytes >> 20) + " MiB) for " +
        std::to_string(table_.size()) +
        " groups; group by fewer distinct values or narrow the time range");
    return false;
  }

  Frame Output() {
    BatchBuilder b;
    for (size_t g = 0; g < table_.size(); ++g) {
      b.BeginRow();
      for (size_t k = 0; k < op_.items.size(); ++k) AddValue(b, op_.items[k].name, table_.Key(g, k));
      for (size_t i = 0; i < states_.size(); ++i) {
        states_[i]->Resize(table_.size());
        AddValue(b, op_.aggs[i].name, states_[i]->Result(g));
      }
      b.EndRow();
    }
    Frame out;
    out.computed = b.Finish();
    out.computed.rows = table_.size();
    out.raw.rows = table_.size();
    out.sel = SelAll(table_.size());
    return out;
  }

  const PlanOp& op_;
  ExecContext* ctx_;
  OperatorPtr next_;
  GroupTable table_;
  std::vector<bool> needs_ts_;
  std::vector<std::unique_ptr<AggState>> states_;
  std::vector<uint32_t> gids_;
};

}  // namespace

OperatorPtr MakeAggregate(const PlanOp& op, ExecContext* ctx, OperatorPtr next) {
  return std::make_unique<AggregateOp>(op, ctx, std::move(next));
}

}  // namespace vigil::query
