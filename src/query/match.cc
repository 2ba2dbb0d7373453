#include "query/match.h"

#include <re2/re2.h>

#include <cstring>

#include "core/string_search.h"
#include "query/compare.h"

namespace vigil::query {
namespace {

}  // namespace

// A regex without special characters (`like /Timeout after/`) runs as a substring search.
const std::string* PlainLiteral(const Expr& pattern) {
  const std::string& p = pattern.kind == ExprKind::kRegex
                             ? pattern.name
                             : std::get<std::string>(pattern.literal.v);
  if (pattern.regex == nullptr) return &p;
  if (p.find_first_of("\\^$.|?*+()[]{}") != std::string::npos) return nullptr;
  return &p;
}

namespace {

bool Contains(std::string_view s, const std::string& needle) {
  if (needle.empty()) return true;
  return FindSubstring(s.data(), s.data() + s.size(), needle) != nullptr;
}

template <typename Pred>
void SelectStrings(const Vector& v, const Sel& in, Sel* out, Pred&& pred) {
  if (v.is_scalar) {
    if (v.scalar.type() == Type::kString && pred(std::get<std::string>(v.scalar.v))) *out = in;
    return;
  }
  for (const Column* c : v.columns) {
    if (c->type != Type::kString) continue;
    Sel part;
    for (uint32_t row : in)
      if (c->valid[row] && pred(c->strs[row])) part.push_back(row);
    *out = out->empty() ? std::move(part) : SelUnion(*out, part);
  }
}

}  // namespace

void SelectIn(const Vector& v, const Expr& list, const Sel& in, Sel* out) {
  out->clear();
  Sel part;
  for (const ExprPtr& item : list.args) {
    CompareVectors(ExprOp::kEq, v, Vector::Scalar(item->literal), in, &part);
    *out = out->empty() ? std::move(part) : SelUnion(*out, part);
  }
}

bool MatchesPattern(std::string_view s, const Expr& pattern) {
  if (const std::string* lit = PlainLiteral(pattern)) return Contains(s, *lit);
  return RE2::PartialMatch(s, *pattern.regex);
}

void SelectMatch(const Vector& v, const Expr& pattern, const Sel& in, Sel* out) {
  out->clear();
  if (const std::string* lit = PlainLiteral(pattern)) {
    if (!lit->empty() && !v.is_scalar) {
      for (const Column* c : v.columns) {
        if (c->type != Type::kString) continue;
        Sel part;
        SelectContaining(*c, in, *lit, &part);
        *out = out->empty() ? std::move(part) : SelUnion(*out, part);
      }
      return;
    }
    SelectStrings(v, in, out, [&](std::string_view s) { return Contains(s, *lit); });
    return;
  }
  const RE2& re = *pattern.regex;
  SelectStrings(v, in, out, [&](std::string_view s) { return RE2::PartialMatch(s, re); });
}

}  // namespace vigil::query
