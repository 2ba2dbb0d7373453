// Parse (MakeParse in operators.h): one regex match per row fills all the parsed
// columns. The planner turned a glob into a regex and checked the group count.
#include <re2/re2.h>

#include "query/operators.h"

namespace vigil::query {
namespace {

class ParseOp final : public Operator {
 public:
  ParseOp(const PlanOp& op, OperatorPtr next) : op_(op), next_(std::move(next)) {}

  bool Push(Frame&& frame) override {
    std::vector<Column> out(op_.names.size());
    for (size_t i = 0; i < out.size(); ++i) {
      out[i].name = op_.names[i];
      out[i].type = Type::kString;
    }
    {
      Evaluator ev(frame);
      Fill(ev.Eval(*op_.items[0].expr, frame.sel), frame, &out);
    }
    auto& computed = frame.computed.columns;
    for (Column& c : out) {
      if (c.name.empty()) continue;  // an unnamed regex group
      std::erase_if(computed, [&](const Column& x) { return x.name == c.name; });
      computed.push_back(std::move(c));
    }
    return next_->Push(std::move(frame));
  }
  void Finish() override { next_->Finish(); }

 private:
  // Appends every row of the frame to `out` (null where not selected or not matched).
  void Fill(const Vector& input, const Frame& frame, std::vector<Column>* out) const {
    const RE2& re = *op_.regex->regex;
    const int n = static_cast<int>(out->size());
    std::vector<re2::StringPiece> groups(static_cast<size_t>(n) + 1);
    size_t next = 0;
    for (uint32_t row = 0; row < frame.rows(); ++row) {
      const bool selected = next < frame.sel.size() && frame.sel[next] == row;
      next += selected;
      const std::string_view s = selected ? StringAt(input, row) : std::string_view();
      const bool matched = s.data() != nullptr &&
                           re.Match(s, 0, s.size(), RE2::UNANCHORED, groups.data(), n + 1);
      for (int i = 0; i < n; ++i) {
        Column& c = (*out)[static_cast<size_t>(i)];
        const re2::StringPiece& g = groups[static_cast<size_t>(i) + 1];
        if (matched && g.data() != nullptr) {
          c.AppendString(std::string_view(g.data(), g.size()));
        } else {
          c.AppendNull();
        }
      }
    }
  }

  // The String value of `v` at `row`; a null data() when there is none.
  static std::string_view StringAt(const Vector& v, uint32_t row) {
    if (v.is_scalar) {
      return v.scalar.type() == Type::kString ? std::string_view(std::get<std::string>(v.scalar.v))
                                              : std::string_view();
    }
    for (const Column* c : v.columns)
      if (c->type == Type::kString && c->valid[row]) return c->strs[row];
    return {};
  }

  const PlanOp& op_;
  OperatorPtr next_;
};

}  // namespace

OperatorPtr MakeParse(const PlanOp& op, OperatorPtr next) {
  return std::make_unique<ParseOp>(op, std::move(next));
}

}  // namespace vigil::query
