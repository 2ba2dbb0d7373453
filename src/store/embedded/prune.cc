#include "store/embedded/prune.h"

#include <string>

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
    case Op::kToken: return true;
  }
  return true;
}

bool Satisfies(double x, Op op, double lit) { return RangeMaySatisfy(x, x, op, lit); }

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

bool RowMatches(const Column& c, size_t row, const PrunePredicate& p) {
  if (!c.valid[row]) return false;
  if (c.type == Type::kString) {
    if (p.literal.type() != Type::kString) return false;
    const std::string& lit = std::get<std::string>(p.literal.v);
    return p.op == Op::kEq ? c.strs[row] == lit : true;
  }
  double lit;
  if (!NumericLiteral(p.literal, &lit) || p.op == Op::kToken) return false;
  double x = c.type == Type::kFloat ? c.floats[row] : static_cast<double>(c.ints[row]);
  return Satisfies(x, p.op, lit);
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

std::vector<uint32_t> MatchingRows(const Batch& batch, const ScanSpec& spec) {
  std::vector<uint8_t> keep(batch.rows, 1);
  if (const Column* ts = batch.Find("@timestamp", Type::kInt))
    for (size_t i = 0; i < batch.rows; ++i)
      keep[i] = ts->ints[i] >= spec.min_ts && ts->ints[i] <= spec.max_ts;
  for (const PrunePredicate& p : spec.predicates) {
    if (p.op == Op::kToken) continue;
    std::vector<uint8_t> any(batch.rows, 0);
    for (const Column* c : batch.FindAll(p.column))
      for (size_t i = 0; i < batch.rows; ++i)
        if (keep[i] && !any[i]) any[i] = RowMatches(*c, i, p);
    for (size_t i = 0; i < batch.rows; ++i) keep[i] &= any[i];
  }
  std::vector<uint32_t> rows;
  for (size_t i = 0; i < batch.rows; ++i)
    if (keep[i]) rows.push_back(static_cast<uint32_t>(i));
  return rows;
}

}  // namespace vigil
