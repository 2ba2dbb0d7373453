#include "query/operators.h"

#include <algorithm>

namespace vigil::query {
namespace {

class FilterOp final : public Operator {
 public:
  FilterOp(const Expr& predicate, OperatorPtr next)
      : predicate_(predicate), next_(std::move(next)) {}

  bool Push(Frame&& frame) override {
    Sel kept;
    Evaluator(frame).Select(predicate_, frame.sel, &kept);
    if (kept.empty()) return true;
    frame.sel = std::move(kept);
    return next_->Push(std::move(frame));
  }
  void Finish() override { next_->Finish(); }

 private:
  const Expr& predicate_;
  OperatorPtr next_;
};

// Copies the value of an expression into standalone columns named `name`, `rows` long.
std::vector<Column> Materialize(const Vector& v, const std::string& name, const Frame& frame) {
  std::vector<Column> out;
  if (!v.is_scalar) {
    for (const Column* c : v.columns) {
      out.push_back(*c);
      out.back().name = name;
    }
    return out;
  }
  if (v.scalar.is_null()) return out;
  Column& c = out.emplace_back();
  c.name = name;
  c.type = v.scalar.type();
  size_t next = 0;
  for (uint32_t row = 0; row < frame.rows(); ++row) {
    const bool selected = next < frame.sel.size() && frame.sel[next] == row;
    if (!selected) {
      c.AppendNull();
      continue;
    }
    ++next;
    switch (c.type) {
      case Type::kBool:
        c.AppendInt(std::get<bool>(v.scalar.v));
        break;
      case Type::kInt:
        c.AppendInt(std::get<int64_t>(v.scalar.v));
        break;
      case Type::kFloat:
        c.AppendFloat(std::get<double>(v.scalar.v));
        break;
      case Type::kString:
        c.AppendString(std::get<std::string>(v.scalar.v));
        break;
      case Type::kNull:
        break;
    }
  }
  return out;
}

class ProjectOp final : public Operator {
 public:
  ProjectOp(const std::vector<ProjectItem>& items, OperatorPtr next)
      : items_(items), next_(std::move(next)) {}

  bool Push(Frame&& frame) override {
    for (const ProjectItem& item : items_) {
      std::vector<Column> cols;
      {
        Evaluator ev(frame);
        cols = Materialize(ev.Eval(*item.expr, frame.sel), item.name, frame);
      }
      auto& computed = frame.computed.columns;
      std::erase_if(computed, [&](const Column& c) { return c.name == item.name; });
      for (Column& c : cols) computed.push_back(std::move(c));
    }
    return next_->Push(std::move(frame));
  }
  void Finish() override { next_->Finish(); }

 private:
  const std::vector<ProjectItem>& items_;
  OperatorPtr next_;
};

class LimitOp final : public Operator {
 public:
  LimitOp(uint64_t n, OperatorPtr next) : remaining_(n), next_(std::move(next)) {}

  bool Push(Frame&& frame) override {
    if (remaining_ == 0) return false;
    if (frame.sel.size() > remaining_) frame.sel.resize(remaining_);
    remaining_ -= frame.sel.size();
    const bool more = next_->Push(std::move(frame));
    return more && remaining_ > 0;
  }
  void Finish() override { next_->Finish(); }

 private:
  uint64_t remaining_;
  OperatorPtr next_;
};

class CountOp final : public Operator {
 public:
  CountOp(uint64_t* counter, OperatorPtr next) : counter_(counter), next_(std::move(next)) {}
  bool Push(Frame&& frame) override {
    *counter_ += frame.sel.size();
    return next_->Push(std::move(frame));
  }
  void Finish() override { next_->Finish(); }

 private:
  uint64_t* counter_;
  OperatorPtr next_;
};

class CollectOp final : public Operator {
 public:
  CollectOp(std::vector<ResultColumn> columns, std::vector<std::vector<Value>>* rows)
      : columns_(std::move(columns)), rows_(rows) {}

  bool Push(Frame&& frame) override {
    Evaluator ev(frame);
    std::vector<Vector> values;
    for (const ResultColumn& c : columns_) values.push_back(ev.Field(c.name, frame.sel));
    for (uint32_t row : frame.sel) {
      std::vector<Value>& out = rows_->emplace_back();
      out.reserve(values.size());
      for (const Vector& v : values) out.push_back(VectorCell(v, row));
    }
    return true;
  }
  void Finish() override {}

 private:
  std::vector<ResultColumn> columns_;
  std::vector<std::vector<Value>>* rows_;
};

}  // namespace

OperatorPtr MakeFilter(const Expr& predicate, OperatorPtr next) {
  return std::make_unique<FilterOp>(predicate, std::move(next));
}
OperatorPtr MakeProject(const std::vector<ProjectItem>& items, OperatorPtr next) {
  return std::make_unique<ProjectOp>(items, std::move(next));
}
OperatorPtr MakeLimit(uint64_t n, OperatorPtr next) {
  return std::make_unique<LimitOp>(n, std::move(next));
}
OperatorPtr MakeCount(uint64_t* counter, OperatorPtr next) {
  return std::make_unique<CountOp>(counter, std::move(next));
}
OperatorPtr MakeCollect(std::vector<ResultColumn> columns, std::vector<std::vector<Value>>* rows) {
  return std::make_unique<CollectOp>(std::move(columns), rows);
}

}  // namespace vigil::query
