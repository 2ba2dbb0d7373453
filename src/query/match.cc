#include "query/match.h"

#include <re2/re2.h>

#include <cstring>

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
  return memmem(s.data(), s.size(), needle.data(), needle.size()) != nullptr;
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

// Appends to `out` the rows of `in` (ascending) where `c` holds a string containing
// `needle` (non-empty). A column's strings lie back to back in one buffer, so the search
// runs over the buffer and maps each hit to its row: one memmem call per hit instead of
// one per row. A hit that straddles two strings is no match.
void SelectContainsBuffer(const Column& c, const Sel& in, const std::string& needle, Sel* out) {
  const char* base = c.strs.data().data();
  const char* end = base + c.strs.data().size();
  const char* from = base;
  size_t k = 0;
  while (k < in.size()) {
    const void* hit = memmem(from, static_cast<size_t>(end - from), needle.data(), needle.size());
    if (hit == nullptr) return;
    const char* h = static_cast<const char*>(hit);
    // Skip the selected rows that end before the hit.
    while (k < in.size()) {
      const std::string_view s = c.strs[in[k]];
      if (s.data() + s.size() >= h + needle.size() || s.data() > h) break;
      ++k;
    }
    if (k == in.size()) return;
    const std::string_view s = c.strs[in[k]];
    if (s.data() > h) {  // the hit is in a row not selected: search on from this row
      from = s.data();
      continue;
    }
    if (c.valid[in[k]] && h + needle.size() <= s.data() + s.size()) out->push_back(in[k]);
    // Either this row matched, or the hit starting in it runs past its end (then no
    // later hit fits in it either): go on with the next selected row.
    from = s.data() + s.size();
    ++k;
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
    // Over most of a column, one search through its buffer; over a few rows, row by row.
    if (!lit->empty() && !v.is_scalar) {
      for (const Column* c : v.columns) {
        if (c->type != Type::kString) continue;
        Sel part;
        if (in.size() * 4 >= c->strs.size()) {
          SelectContainsBuffer(*c, in, *lit, &part);
        } else {
          for (uint32_t row : in)
            if (c->valid[row] && Contains(c->strs[row], *lit)) part.push_back(row);
        }
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
