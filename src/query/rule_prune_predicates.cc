#include "core/json_render.h"
#include "query/binder.h"
#include "query/match.h"
#include "query/planner_rules.h"

namespace vigil::query {
namespace {

std::optional<PrunePredicate::Op> PruneOp(ExprOp op) {
  switch (op) {
    case ExprOp::kEq:
      return PrunePredicate::Op::kEq;
    case ExprOp::kLt:
      return PrunePredicate::Op::kLt;
    case ExprOp::kLe:
      return PrunePredicate::Op::kLe;
    case ExprOp::kGt:
      return PrunePredicate::Op::kGt;
    case ExprOp::kGe:
      return PrunePredicate::Op::kGe;
    default:
      return std::nullopt;  // `!=` never rules a block out
  }
}

// Stores compare numbers as doubles, which round integers beyond 2^53: a strict `<` or
// `>` could then rule out a row that matches exactly. `<=` / `>=` survive rounding
// (it is monotonic), so strict ops against such literals are relaxed.
PrunePredicate::Op RelaxForDoubles(PrunePredicate::Op op, const Value& lit) {
  constexpr int64_t kExact = int64_t{1} << 53;
  if (lit.type() != Type::kInt) return op;
  const int64_t v = std::get<int64_t>(lit.v);
  if (v >= -kExact && v <= kExact) return op;
  if (op == PrunePredicate::Op::kLt) return PrunePredicate::Op::kLe;
  if (op == PrunePredicate::Op::kGt) return PrunePredicate::Op::kGe;
  return op;
}

}  // namespace

// Every hint must hold for every row the query can return, and the binder's type rules
// make that so: `status = 500` only matches numeric values equal to 500, so a block whose
// numeric `status` values all differ from 500 holds no match, whatever strings it has.
std::vector<PrunePredicate> ExtractPrunePredicates(const std::vector<const Expr*>& conjuncts) {
  std::vector<PrunePredicate> out;
  for (const Expr* c : conjuncts) {
    if (c->kind != ExprKind::kBinary || !c->args[0]->IsField()) continue;
    const std::string& name = c->args[0]->name;
    if (c->op == ExprOp::kLike || c->op == ExprOp::kMatch) {
      // `field like "text"` / `like /text/` without regex syntax: a substring the store
      // checks exactly, so it decodes the other columns only for rows that hold it.
      // `@message` (rendered from the whole event) only for text that can match only
      // inside one key or string value: the store then searches every String field.
      // Not for other @-fields.
      const Expr& pat = *c->args[1];
      const bool text = pat.kind == ExprKind::kRegex ||
                        (pat.IsLiteral() && pat.literal.type() == Type::kString);
      const std::string* lit = text ? PlainLiteral(pat) : nullptr;
      const bool field_ok = name == field::kMessage ? lit != nullptr && MatchesOnlyInsideStrings(*lit)
                                                    : !name.starts_with("@");
      if (lit != nullptr && !lit->empty() && field_ok)
        out.push_back(PrunePredicate{name, PrunePredicate::Op::kContains, Value(*lit)});
      continue;
    }
    if (!c->args[1]->IsLiteral()) continue;
    const Value& lit = c->args[1]->literal;
    std::optional<PrunePredicate::Op> op = PruneOp(c->op);
    if (!op || IsTimeField(name)) continue;
    const bool number = lit.type() == Type::kInt || lit.type() == Type::kFloat;
    const bool string_eq = lit.type() == Type::kString && c->op == ExprOp::kEq;
    if (!number && !string_eq) continue;
    out.push_back(PrunePredicate{name, RelaxForDoubles(*op, lit), lit});
  }
  return out;
}

}  // namespace vigil::query
