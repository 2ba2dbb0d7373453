#include "query/ast.h"

#include <algorithm>
#include <cstdio>

namespace vigil::query {

bool IsComparison(ExprOp op) {
  switch (op) {
    case ExprOp::kEq:
    case ExprOp::kNe:
    case ExprOp::kLt:
    case ExprOp::kLe:
    case ExprOp::kGt:
    case ExprOp::kGe:
      return true;
    default:
      return false;
  }
}

bool IsArithmetic(ExprOp op) {
  switch (op) {
    case ExprOp::kNeg:
    case ExprOp::kAdd:
    case ExprOp::kSub:
    case ExprOp::kMul:
    case ExprOp::kDiv:
    case ExprOp::kMod:
    case ExprOp::kPow:
      return true;
    default:
      return false;
  }
}

bool IsPredicate(const Expr& e) {
  if (e.kind != ExprKind::kUnary && e.kind != ExprKind::kBinary) return false;
  switch (e.op) {
    case ExprOp::kAnd:
    case ExprOp::kOr:
    case ExprOp::kNot:
    case ExprOp::kIn:
    case ExprOp::kLike:
    case ExprOp::kMatch:
      return true;
    default:
      return IsComparison(e.op);
  }
}

ExprOp FlipComparison(ExprOp op) {
  switch (op) {
    case ExprOp::kLt:
      return ExprOp::kGt;
    case ExprOp::kLe:
      return ExprOp::kGe;
    case ExprOp::kGt:
      return ExprOp::kLt;
    case ExprOp::kGe:
      return ExprOp::kLe;
    default:
      return op;
  }
}

const char* OpText(ExprOp op) {
  switch (op) {
    case ExprOp::kNone:
      return "";
    case ExprOp::kEq:
      return "=";
    case ExprOp::kNe:
      return "!=";
    case ExprOp::kLt:
      return "<";
    case ExprOp::kLe:
      return "<=";
    case ExprOp::kGt:
      return ">";
    case ExprOp::kGe:
      return ">=";
    case ExprOp::kAnd:
      return "and";
    case ExprOp::kOr:
      return "or";
    case ExprOp::kNot:
      return "not";
    case ExprOp::kIn:
      return "in";
    case ExprOp::kLike:
      return "like";
    case ExprOp::kMatch:
      return "=~";
    case ExprOp::kNeg:
      return "-";
    case ExprOp::kAdd:
      return "+";
    case ExprOp::kSub:
      return "-";
    case ExprOp::kMul:
      return "*";
    case ExprOp::kDiv:
      return "/";
    case ExprOp::kMod:
      return "%";
    case ExprOp::kPow:
      return "^";
  }
  return "?";
}

namespace {

ExprPtr WithHeight(ExprPtr e) {
  for (const ExprPtr& a : e->args) e->height = std::max(e->height, a->height + 1);
  return e;
}

}  // namespace

ExprPtr MakeLiteral(Value v, SourcePos pos) {
  auto e = std::make_unique<Expr>();
  e->kind = ExprKind::kLiteral;
  e->literal = std::move(v);
  e->pos = pos;
  return e;
}

ExprPtr MakeField(std::string name, SourcePos pos) {
  auto e = std::make_unique<Expr>();
  e->kind = ExprKind::kField;
  e->name = std::move(name);
  e->pos = pos;
  return e;
}

ExprPtr MakeUnary(ExprOp op, ExprPtr arg, SourcePos pos) {
  auto e = std::make_unique<Expr>();
  e->kind = ExprKind::kUnary;
  e->op = op;
  e->pos = pos;
  e->args.push_back(std::move(arg));
  return WithHeight(std::move(e));
}

ExprPtr MakeBinary(ExprOp op, ExprPtr lhs, ExprPtr rhs, SourcePos pos) {
  auto e = std::make_unique<Expr>();
  e->kind = ExprKind::kBinary;
  e->op = op;
  e->pos = pos;
  e->args.push_back(std::move(lhs));
  e->args.push_back(std::move(rhs));
  return WithHeight(std::move(e));
}

ExprPtr MakeCall(std::string name, std::vector<ExprPtr> args, SourcePos pos) {
  auto e = std::make_unique<Expr>();
  e->kind = ExprKind::kCall;
  e->name = std::move(name);
  e->args = std::move(args);
  e->pos = pos;
  return WithHeight(std::move(e));
}

ExprPtr MakeList(std::vector<ExprPtr> items, SourcePos pos) {
  auto e = std::make_unique<Expr>();
  e->kind = ExprKind::kList;
  e->args = std::move(items);
  e->pos = pos;
  return WithHeight(std::move(e));
}

ExprPtr MakeRegex(std::string pattern, SourcePos pos) {
  auto e = std::make_unique<Expr>();
  e->kind = ExprKind::kRegex;
  e->name = std::move(pattern);
  e->pos = pos;
  return e;
}

ExprPtr CloneExpr(const Expr& e) {
  auto c = std::make_unique<Expr>();
  c->kind = e.kind;
  c->op = e.op;
  c->literal = e.literal;
  c->is_duration = e.is_duration;
  c->name = e.name;
  c->pos = e.pos;
  c->begin = e.begin;
  c->end = e.end;
  c->regex = e.regex;
  c->height = e.height;
  for (const auto& a : e.args) c->args.push_back(CloneExpr(*a));
  return c;
}

std::string QuoteName(std::string_view name) {
  bool plain = !name.empty() && !(name[0] >= '0' && name[0] <= '9') && name[0] != '.';
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '@' || c == '.' || static_cast<unsigned char>(c) >= 0x80;
    plain = plain && ok;
  }
  std::string lower;
  for (char c : name) lower.push_back((c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c);
  if (plain && !IsKeyword(lower)) return std::string(name);
  std::string out = "`";
  for (char c : name) {
    if (c == '`') out.push_back('`');
    out.push_back(c);
  }
  out.push_back('`');
  return out;
}

std::string LiteralToString(const Value& v) {
  switch (v.type()) {
    case Type::kNull:
      return "null";
    case Type::kBool:
      return std::get<bool>(v.v) ? "true" : "false";
    case Type::kInt:
      return std::to_string(std::get<int64_t>(v.v));
    case Type::kFloat: {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.17g", std::get<double>(v.v));
      return buf;
    }
    case Type::kString: {
      std::string out = "\"";
      for (char c : std::get<std::string>(v.v)) {
        if (c == '"' || c == '\\') out.push_back('\\');
        if (c == '\n') {
          out.append("\\n");
          continue;
        }
        out.push_back(c);
      }
      out.push_back('"');
      return out;
    }
  }
  return "?";
}

namespace {

void AppendExpr(const Expr& e, std::string* out);

void AppendList(const Expr& e, std::string* out) {
  for (size_t i = 0; i < e.args.size(); ++i) {
    if (i > 0) out->append(", ");
    AppendExpr(*e.args[i], out);
  }
}

// Appends (rather than `a + b + c`, which trips GCC 12's -Wrestrict false positive).
void AppendExpr(const Expr& e, std::string* out) {
  switch (e.kind) {
    case ExprKind::kLiteral:
      out->append(LiteralToString(e.literal));
      return;
    case ExprKind::kField:
      out->append(QuoteName(e.name));
      return;
    case ExprKind::kUnary:
      out->append("(").append(OpText(e.op));
      if (e.op == ExprOp::kNot) out->push_back(' ');
      AppendExpr(*e.args[0], out);
      out->push_back(')');
      return;
    case ExprKind::kBinary:
      out->push_back('(');
      AppendExpr(*e.args[0], out);
      out->append(" ").append(OpText(e.op)).append(" ");
      AppendExpr(*e.args[1], out);
      out->push_back(')');
      return;
    case ExprKind::kCall:
      out->append(e.name).push_back('(');
      AppendList(e, out);
      out->push_back(')');
      return;
    case ExprKind::kList:
      out->push_back('[');
      AppendList(e, out);
      out->push_back(']');
      return;
    case ExprKind::kRegex:
      out->push_back('/');
      for (char c : e.name) {
        if (c == '/') out->push_back('\\');
        out->push_back(c);
      }
      out->push_back('/');
      return;
  }
}

}  // namespace

std::string ExprToString(const Expr& e) {
  std::string out;
  AppendExpr(e, &out);
  return out;
}

void SplitConjuncts(const Expr& e, std::vector<const Expr*>* out) {
  if (e.kind == ExprKind::kBinary && e.op == ExprOp::kAnd) {
    SplitConjuncts(*e.args[0], out);
    SplitConjuncts(*e.args[1], out);
  } else {
    out->push_back(&e);
  }
}

void CollectFields(const Expr& e, std::vector<std::string>* out) {
  if (e.IsField()) out->push_back(e.name);
  for (const ExprPtr& a : e.args) CollectFields(*a, out);
}

}  // namespace vigil::query
