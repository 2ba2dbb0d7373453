// SelectMatch with a plain literal (searched through a column's string buffer) must agree
// with a row-by-row substring test; GroupTable's single-int-key path must give the same
// groups as an independent first-seen numbering of typed keys.
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "core/batch.h"
#include "query/evaluator.h"
#include "query/group_table.h"
#include "query/match.h"

namespace vigil::query {
namespace {

Batch RandomMessages(std::mt19937_64& rng, int n) {
  const std::vector<std::string> strs = {"Timeout after 3s", "Timeout", " after", "xTimeout aft",
                                         "", "er Timeout after", "Timeout afterTimeout after", "T"};
  BatchBuilder b;
  for (int i = 0; i < n; ++i) {
    b.BeginRow();
    b.AddInt(field::kTimestamp, i);
    switch (rng() % 4) {
      case 0: b.AddInt("m", static_cast<int64_t>(rng() % 3)); break;
      case 1: break;  // missing
      default: b.AddString("m", strs[rng() % strs.size()]);
    }
    b.EndRow();
  }
  return b.Finish();
}

TEST(SelectMatchTest, LiteralAgreesWithRowByRowSearch) {
  std::mt19937_64 rng(17);
  for (int round = 0; round < 300; ++round) {
    const int n = round % 25 == 0 ? 0 : static_cast<int>(rng() % 50) + 1;
    Frame frame = Frame::Of(RandomMessages(rng, n));
    Sel sel;  // all rows, most rows, or a few
    const unsigned keep = round % 3 == 0 ? 1 : round % 3 == 1 ? 8 : 2;
    for (uint32_t r = 0; r < frame.rows(); ++r)
      if (keep == 1 || rng() % keep == 0) sel.push_back(r);
    const Column* col = frame.raw.Find("m", Type::kString);
    for (std::string lit : {"Timeout after", "after", "T", "rT", "er T", "Timeout afterTimeout"}) {
      Sel want;
      for (uint32_t r : sel)
        if (col && col->valid[r] && col->strs[r].find(lit) != std::string_view::npos) want.push_back(r);
      Expr pattern;
      pattern.kind = ExprKind::kLiteral;
      pattern.literal = Value(lit);
      Evaluator ev(frame);
      Sel got;
      SelectMatch(ev.Field("m", sel), pattern, sel, &got);
      EXPECT_EQ(got, want) << "literal '" << lit << "' round " << round;
    }
  }
}

// Typed key of row `r`: (type, value) or absent.
std::string TypedKey(const Batch& b, uint32_t r) {
  for (const Column& c : b.columns) {
    if (c.name != "k" || !c.valid[r]) continue;
    if (c.type == Type::kString) return "s" + std::string(c.strs[r]);
    return (c.type == Type::kInt ? "i" : "f") +
           std::to_string(c.type == Type::kInt ? static_cast<double>(c.ints[r]) : c.floats[r]);
  }
  return "null";
}

TEST(GroupTableTest, SingleIntKeyWithNullsAndOtherTypes) {
  std::mt19937_64 rng(3);
  for (int mixed = 0; mixed < 3; ++mixed) {
    GroupTable table(1);
    std::map<std::string, uint32_t> first_seen;
    for (int batch = 0; batch < 20; ++batch) {
      BatchBuilder bb;
      const int n = batch % 7 == 0 ? 0 : static_cast<int>(rng() % 40);
      for (int i = 0; i < n; ++i) {
        bb.BeginRow();
        bb.AddInt(field::kTimestamp, i);
        const uint64_t x = rng() % 10;
        if (mixed >= 1 && x == 0) {
          // missing key
        } else if (mixed == 2 && x == 1) {
          bb.AddString("k", "3");
        } else if (mixed == 2 && x == 2) {
          bb.AddFloat("k", 3.0);
        } else {
          bb.AddInt("k", static_cast<int64_t>(rng() % 2 ? rng() % 4 : 3));  // runs of 3
        }
        bb.EndRow();
      }
      Frame frame = Frame::Of(bb.Finish());
      Evaluator ev(frame);
      std::vector<Vector> keys = {ev.Field("k", frame.sel)};
      std::vector<uint32_t> gids;
      table.Assign(keys, frame.sel, &gids);
      ASSERT_EQ(gids.size(), frame.sel.size());
      for (size_t i = 0; i < gids.size(); ++i) {
        const std::string key = TypedKey(frame.raw, frame.sel[i]);
        auto [it, added] = first_seen.emplace(key, static_cast<uint32_t>(first_seen.size()));
        EXPECT_EQ(gids[i], it->second) << "key " << key << " batch " << batch;
      }
    }
    EXPECT_EQ(table.size(), first_seen.size());
  }
}

}  // namespace
}  // namespace vigil::query
