// MatchingRows must agree with a row-by-row reading of the predicates on batches with
// mixed types, nulls and duplicate field names.
#include "store/embedded/prune.h"

#include <gtest/gtest.h>

#include <random>

namespace vigil {
namespace {

using Op = PrunePredicate::Op;

// Row-by-row reference: some value of the field, of a comparable type, satisfies it.
bool Holds(const Batch& b, size_t row, const PrunePredicate& p) {
  if (p.op == Op::kToken) return true;
  for (const Column& c : b.columns) {
    if (c.name != p.column || !c.valid[row]) continue;
    const Value& lit = p.literal;
    if (c.type == Type::kString) {
      if (lit.type() != Type::kString) continue;
      if (p.op == Op::kContains) {
        if (c.strs[row].find(std::get<std::string>(lit.v)) != std::string_view::npos) return true;
        continue;
      }
      if (p.op != Op::kEq || c.strs[row] == std::get<std::string>(lit.v)) return true;
      continue;
    }
    if (lit.type() == Type::kString || lit.type() == Type::kNull || p.op == Op::kContains) continue;
    const double x = c.type == Type::kFloat ? c.floats[row] : static_cast<double>(c.ints[row]);
    const double l = lit.type() == Type::kFloat  ? std::get<double>(lit.v)
                     : lit.type() == Type::kBool ? (std::get<bool>(lit.v) ? 1.0 : 0.0)
                                                 : static_cast<double>(std::get<int64_t>(lit.v));
    const bool ok = p.op == Op::kEq ? x == l : p.op == Op::kLt ? x < l : p.op == Op::kLe ? x <= l
                                    : p.op == Op::kGt   ? x > l
                                                        : x >= l;
    if (ok) return true;
  }
  return false;
}

Batch RandomBatch(std::mt19937_64& rng, int n) {
  BatchBuilder b;
  for (int i = 0; i < n; ++i) {
    b.BeginRow();
    if (rng() % 10 != 0) b.AddInt("@timestamp", static_cast<int64_t>(rng() % 100));
    switch (rng() % 5) {  // status: int, float, string, bool or missing
      case 0: b.AddInt("status", static_cast<int64_t>(rng() % 600)); break;
      case 1: b.AddFloat("status", static_cast<double>(rng() % 6000) / 10); break;
      case 2: b.AddString("status", rng() % 2 ? "failure" : "500"); break;
      case 3: b.AddBool("status", rng() % 2 == 0); break;
      default: break;
    }
    if (rng() % 3 != 0) b.AddString("db", rng() % 2 ? "a" : "b");
    b.EndRow();
  }
  return b.Finish();
}

TEST(MatchingRowsTest, AgreesWithRowByRowEvaluation) {
  std::mt19937_64 rng(5);
  const std::vector<PrunePredicate> preds = {
      {"status", Op::kGe, Value(int64_t{500})},      {"status", Op::kLt, Value(250.5)},
      {"status", Op::kEq, Value(std::string("500"))}, {"status", Op::kGt, Value(std::string("a"))},
      {"status", Op::kEq, Value(true)},               {"status", Op::kLe, Value(int64_t{0})},
      {"db", Op::kEq, Value(std::string("a"))},       {"db", Op::kGt, Value(int64_t{1})},
      {"missing", Op::kEq, Value(int64_t{1})},        {"status", Op::kToken, Value(std::string("x"))},
      {"status", Op::kContains, Value(std::string("ail"))}, {"status", Op::kContains, Value(std::string("0"))},
      {"db", Op::kContains, Value(std::string(""))},  {"status", Op::kContains, Value(int64_t{5})},
  };
  for (int round = 0; round < 200; ++round) {
    const int n = round % 20 == 0 ? 0 : static_cast<int>(rng() % 64) + 1;
    Batch b = RandomBatch(rng, n);
    ScanSpec spec;
    spec.min_ts = 20;
    spec.max_ts = 80;
    for (size_t k = rng() % 3; k > 0; --k) spec.predicates.push_back(preds[rng() % preds.size()]);
    std::vector<uint32_t> want;
    const Column* ts = b.Find("@timestamp", Type::kInt);
    for (size_t r = 0; r < b.rows; ++r) {
      bool ok = ts == nullptr || (ts->ints[r] >= 20 && ts->ints[r] <= 80);
      for (const auto& p : spec.predicates) ok = ok && Holds(b, r, p);
      if (ok) want.push_back(static_cast<uint32_t>(r));
    }
    EXPECT_EQ(MatchingRows(b, spec), want) << "round " << round;
  }
}

TEST(MatchingRowsTest, PredicateTypes) {
  const PrunePredicate num{"s", Op::kGe, Value(int64_t{500})};
  const PrunePredicate str{"s", Op::kEq, Value(std::string("failure"))};
  const PrunePredicate tok{"s", Op::kToken, Value(std::string("failure"))};
  EXPECT_TRUE(PredicateMayMatchType(num, Type::kInt));
  EXPECT_TRUE(PredicateMayMatchType(num, Type::kFloat));
  EXPECT_TRUE(PredicateMayMatchType(num, Type::kBool));
  EXPECT_FALSE(PredicateMayMatchType(num, Type::kString));
  EXPECT_FALSE(PredicateMayMatchType(num, Type::kNull));
  EXPECT_TRUE(PredicateMayMatchType(str, Type::kString));
  EXPECT_FALSE(PredicateMayMatchType(str, Type::kInt));
  EXPECT_TRUE(PredicateMayMatchType(tok, Type::kString));
  EXPECT_FALSE(PredicateMayMatchType(tok, Type::kFloat));
  const PrunePredicate sub{"s", Op::kContains, Value(std::string("fail"))};
  EXPECT_TRUE(PredicateMayMatchType(sub, Type::kString));
  EXPECT_FALSE(PredicateMayMatchType(sub, Type::kInt));
}

}  // namespace
}  // namespace vigil
