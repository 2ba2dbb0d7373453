#include "store/embedded/prune.h"

#include <string>

#include "core/json_render.h"
#include "core/string_search.h"
#include "store/embedded/bloom_filter.h"

namespace vigil {

namespace {

using Op = PrunePredicate::Op;

bool NumericLiteral(const Value& v, double* out) {
  switch (v.type()) {
    case Type::kInt: *out = static_cast<double>(std::get<int64_t>(v.v)); return true;
    case Type::kFloat: *out = std::get<double>(v.v); return true;
    case Type::kBool: *out = std::get<bool>(v.v) ? 1 : 0; return true;
    default: return false;
  }
}

// Whether any value in [lo, hi] can satisfy `x op lit`.
bool RangeMaySatisfy(double lo, double hi, Op op, double lit) {
  switch (op) {
    case Op::kEq: return lo <= lit && lit <= hi;
    case Op::kLt: return lo < lit;
    case Op::kLe: return lo <= lit;
    case Op::kGt: return hi > lit;
    case Op::kGe: return hi >= lit;
    case Op::kToken:
    case Op::kContains: return true;
  }
  return true;
}

// Whether a String chunk may hold `lit` (kEq: as a whole value; kToken: as a word).
bool MayContainString(const ChunkMeta& c, const std::string& lit, Op op) {
  if (c.bloom.empty()) return true;
  if (!c.bloom_has_tokens) return op == Op::kToken || BloomMayContain(c.bloom, BloomHash(lit));
  // A word filter: every word of the literal must be present.
  bool all = true;
  ForEachToken(lit, [&](std::string_view t) { all = all && BloomMayContain(c.bloom, BloomHash(t)); });
  return all;
}

BlockVerdict CheckPredicate(const PartMeta& m, const BlockMeta& b, const PrunePredicate& p) {
  double num = 0;
  bool numeric = NumericLiteral(p.literal, &num);
  bool is_string = p.literal.type() == Type::kString;
  if (!numeric && !is_string) return BlockVerdict::kRead;
  if (is_string && p.op != Op::kEq && p.op != Op::kToken) return BlockVerdict::kRead;
  bool any_chunk = false;
  for (const ChunkMeta& c : b.chunks) {
    const PartColumn& col = m.columns[c.column];
    if (col.name != p.column) continue;
    if (is_string && col.type == Type::kString) {
      any_chunk = true;
      if (MayContainString(c, std::get<std::string>(p.literal.v), p.op)) return BlockVerdict::kRead;
    } else if (numeric && col.type != Type::kString) {
      any_chunk = true;
      if (!c.has_minmax || RangeMaySatisfy(c.min, c.max, p.op, num)) return BlockVerdict::kRead;
    }
  }
  if (!any_chunk) return BlockVerdict::kSkipMinMax;  // no value of a comparable type
  return is_string ? BlockVerdict::kSkipBloom : BlockVerdict::kSkipMinMax;
}

// Sets any[i] for the rows of `c` whose value satisfies `x op lit`, one typed loop per
// column type and operator (the per-row work is a load and a compare).
template <typename T, typename Cmp>
void MarkWhere(const T* x, const uint8_t* valid, size_t rows, Cmp cmp, uint8_t* any) {
  for (size_t i = 0; i < rows; ++i) any[i] |= static_cast<uint8_t>(valid[i] & cmp(x[i]));
}

template <typename T>
void MarkNumeric(const T* x, const uint8_t* valid, size_t rows, Op op, double lit, uint8_t* any) {
  auto d = [](T v) { return static_cast<double>(v); };
  switch (op) {
    case Op::kEq: return MarkWhere(x, valid, rows, [&](T v) { return d(v) == lit; }, any);
    case Op::kLt: return MarkWhere(x, valid, rows, [&](T v) { return d(v) < lit; }, any);
    case Op::kLe: return MarkWhere(x, valid, rows, [&](T v) { return d(v) <= lit; }, any);
    case Op::kGt: return MarkWhere(x, valid, rows, [&](T v) { return d(v) > lit; }, any);
    case Op::kGe: return MarkWhere(x, valid, rows, [&](T v) { return d(v) >= lit; }, any);
    case Op::kToken:
    case Op::kContains: return;
  }
}

// Marks in `any` the rows where `c` satisfies `p` (a value of another type never does).
void MarkMatches(const Column& c, const PrunePredicate& p, size_t rows, uint8_t* any) {
  const uint8_t* valid = c.valid.data();
  if (c.type == Type::kString) {
    if (p.literal.type() != Type::kString) return;
    if (p.op == Op::kContains) {
      std::vector<uint32_t> all(rows), hits;
      for (size_t i = 0; i < rows; ++i) all[i] = static_cast<uint32_t>(i);
      SelectContaining(c, all, std::get<std::string>(p.literal.v), &hits);
      for (uint32_t r : hits) any[r] = 1;
      return;
    }
    if (p.op != Op::kEq) {  // only equality and containment are checked exactly on strings
      for (size_t i = 0; i < rows; ++i) any[i] |= valid[i];
      return;
    }
    const std::string& lit = std::get<std::string>(p.literal.v);
    for (size_t i = 0; i < rows; ++i) any[i] |= static_cast<uint8_t>(valid[i] && c.strs[i] == lit);
    return;
  }
  double lit;
  if (!PredicateMayMatchType(p, c.type) || !NumericLiteral(p.literal, &lit)) return;
  if (c.type == Type::kFloat) return MarkNumeric(c.floats.data(), valid, rows, p.op, lit, any);
  MarkNumeric(c.ints.data(), valid, rows, p.op, lit, any);
}

// Marks the rows where column `c` may put the text of event search `p` into the rendered
// event: a name holding the text, a String value holding it, or one whose escaped form
// might (MayMatchInsideEscapes).
void MarkEventSearch(const Column& c, const PrunePredicate& p, size_t rows, uint8_t* any) {
  const std::string& lit = std::get<std::string>(p.literal.v);
  if (EventSearchNameMatches(p, c.name)) {
    for (size_t i = 0; i < rows; ++i) any[i] |= c.valid[i];
    return;
  }
  if (c.type != Type::kString) return;
  std::vector<uint32_t> all(rows), hits;
  for (size_t i = 0; i < rows; ++i) all[i] = static_cast<uint32_t>(i);
  SelectContaining(c, all, lit, &hits);
  for (uint32_t r : hits) any[r] = 1;
  if (MayMatchInsideEscapes(lit))
    for (size_t i = 0; i < rows; ++i) any[i] |= c.valid[i] && NeedsJsonEscape(c.strs[i]);
}

}  // namespace

BlockVerdict CheckBlock(const PartMeta& m, const BlockMeta& b, const ScanSpec& spec) {
  if (b.max_ts < spec.min_ts || b.min_ts > spec.max_ts) return BlockVerdict::kSkipTime;
  for (const PrunePredicate& p : spec.predicates) {
    BlockVerdict v = CheckPredicate(m, b, p);
    if (v != BlockVerdict::kRead) return v;
  }
  return BlockVerdict::kRead;
}

bool PredicateMayMatchType(const PrunePredicate& p, Type type) {
  double lit;
  switch (type) {
    case Type::kString:
      return p.literal.type() == Type::kString;
    case Type::kInt:
    case Type::kFloat:
    case Type::kBool:
      return p.op != Op::kToken && p.op != Op::kContains && NumericLiteral(p.literal, &lit);
    case Type::kNull:
      return false;
  }
  return false;
}

bool IsEventSearch(const PrunePredicate& p) {
  return p.op == Op::kContains && p.column == "@message" && p.literal.type() == Type::kString;
}

bool EventSearchNameMatches(const PrunePredicate& p, std::string_view name) {
  if (IsVigilField(name)) return false;
  std::string rendered;
  AppendJsonString(name, &rendered);
  const std::string& lit = std::get<std::string>(p.literal.v);
  return rendered.find(lit) != std::string::npos;
}

bool PredicateReads(const PrunePredicate& p, std::string_view name, Type type) {
  if (!IsEventSearch(p)) return name == p.column;
  if (name == "@message") return type == Type::kString;
  if (IsVigilField(name)) return false;
  return type == Type::kString || EventSearchNameMatches(p, name);
}

std::vector<uint32_t> MatchingRows(const Batch& batch, const ScanSpec& spec) {
  const size_t n = batch.rows;
  std::vector<uint8_t> keep(n, 1);
  if (const Column* ts = batch.Find("@timestamp", Type::kInt)) {
    const int64_t* t = ts->ints.data();
    for (size_t i = 0; i < n; ++i) keep[i] = t[i] >= spec.min_ts && t[i] <= spec.max_ts;
  }
  std::vector<uint8_t> any(n);
  for (const PrunePredicate& p : spec.predicates) {
    if (p.op == Op::kToken) continue;
    std::fill(any.begin(), any.end(), 0);
    const bool search = IsEventSearch(p);
    for (const Column& c : batch.columns) {
      if (search) {
        if (PredicateReads(p, c.name, c.type)) MarkEventSearch(c, p, n, any.data());
      } else if (c.name == p.column) {
        MarkMatches(c, p, n, any.data());
      }
    }
    for (size_t i = 0; i < n; ++i) keep[i] &= any[i];
  }
  std::vector<uint32_t> rows;
  for (size_t i = 0; i < n; ++i)
    if (keep[i]) rows.push_back(static_cast<uint32_t>(i));
  return rows;
}

}  // namespace vigil
