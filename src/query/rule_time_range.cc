#include <algorithm>
#include <limits>
#include <optional>

#include "core/batch.h"
#include "query/planner_rules.h"

namespace vigil::query {
namespace {

constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

struct Bounds {
  std::optional<int64_t> lo, hi;  // inclusive
  void Lower(int64_t v) { lo = std::max(lo.value_or(kMin), v); }
  void Upper(int64_t v) { hi = std::min(hi.value_or(kMax), v); }
  void Empty() {
    Lower(kMax);
    Upper(kMin);
  }
};

// `@timestamp op <Int ns>` (the binder turned time literals into Int ns).
void Narrow(const Expr& c, Bounds* b) {
  if (c.kind != ExprKind::kBinary || !c.args[0]->IsFieldNamed(field::kTimestamp) ||
      !c.args[1]->IsLiteral() || c.args[1]->literal.type() != Type::kInt) {
    return;
  }
  const int64_t v = std::get<int64_t>(c.args[1]->literal.v);
  switch (c.op) {
    case ExprOp::kEq:
      b->Lower(v);
      b->Upper(v);
      break;
    case ExprOp::kGe:
      b->Lower(v);
      break;
    case ExprOp::kLe:
      b->Upper(v);
      break;
    case ExprOp::kGt:
      v == kMax ? b->Empty() : b->Lower(v + 1);
      break;
    case ExprOp::kLt:
      v == kMin ? b->Empty() : b->Upper(v - 1);
      break;
    default:
      break;
  }
}

}  // namespace

bool IsIdLookup(const std::vector<const Expr*>& conjuncts, const std::vector<std::string>& ids) {
  for (const Expr* c : conjuncts) {
    if (c->kind != ExprKind::kBinary || c->op != ExprOp::kEq || !c->args[0]->IsField() ||
        !c->args[1]->IsLiteral() || c->args[1]->literal.type() != Type::kString) {
      continue;
    }
    if (std::find(ids.begin(), ids.end(), c->args[0]->name) != ids.end()) return true;
  }
  return false;
}

void ChooseTimeRange(const std::vector<const Expr*>& conjuncts, const QueryRequest& req,
                     int64_t now_ns, int64_t window_ns, bool id_lookup, ScanSpec* scan) {
  Bounds q;
  for (const Expr* c : conjuncts) Narrow(*c, &q);
  const bool scoped = id_lookup || q.lo || q.hi;
  int64_t end = req.end_ns ? *req.end_ns : (scoped ? kMax : now_ns);
  int64_t start = kMin;
  if (req.start_ns) {
    start = *req.start_ns;
  } else if (!scoped && __builtin_sub_overflow(end, window_ns, &start)) {
    start = kMin;
  }
  scan->min_ts = std::max(start, q.lo.value_or(kMin));
  scan->max_ts = std::min(end, q.hi.value_or(kMax));
}

}  // namespace vigil::query
