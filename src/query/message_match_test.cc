// SelectMessageLiteral must agree exactly with rendering each event and searching it.
#include <gtest/gtest.h>

#include <random>

#include "core/batch.h"
#include "core/json_render.h"
#include "query/evaluator.h"
#include "query/match.h"

namespace vigil::query {
namespace {

Batch RandomEvents(std::mt19937_64& rng, int n) {
  const std::vector<std::string> keys = {"msg", "user", "Timeout after", "a.b", "@@odd", "tags[]",
                                         "@group", "err\nkey", "n"};
  const std::vector<std::string> strs = {"Timeout after 3s", "timeout after", "x\nTimeout after",
                                         "a\"b", "nb", "a\nb", "Tim\"eout after", "[\"Timeout after\"]",
                                         "[1,2]", "plain", "", "é Timeout after"};
  BatchBuilder b;
  for (int i = 0; i < n; ++i) {
    b.BeginRow();
    b.AddInt(field::kTimestamp, i);
    if (rng() % 5 == 0) b.AddString(field::kMessage, strs[rng() % strs.size()]);
    for (int f = 0; f < 3; ++f) {
      const std::string& k = keys[rng() % keys.size()];
      switch (rng() % 4) {
        case 0:
          b.AddInt(k, static_cast<int64_t>(rng() % 1000));
          break;
        case 1:
          b.AddFloat(k, 1.5);
          break;
        case 2:
          b.AddBool(k, true);
          break;
        default:
          b.AddString(k, strs[rng() % strs.size()]);
      }
    }
    b.EndRow();
  }
  return b.Finish();
}

TEST(MessageMatchTest, AgreesWithRendering) {
  std::mt19937_64 rng(99);
  for (int round = 0; round < 50; ++round) {
    Frame frame = Frame::Of(RandomEvents(rng, 40));
    for (std::string lit : {"Timeout after", "nb", "Tim", "ut af", "plain", "x Y", "after 3"}) {
      Sel fast;
      const bool used = SelectMessageLiteral(frame, lit, frame.sel, &fast);
      Evaluator ev(frame);
      Sel slow;
      Expr pattern;
      pattern.kind = ExprKind::kLiteral;
      pattern.literal = Value(lit);
      SelectMatch(ev.Field(field::kMessage, frame.sel), pattern, frame.sel, &slow);
      ASSERT_TRUE(used) << lit;
      EXPECT_EQ(fast, slow) << "literal '" << lit << "' round " << round;
    }
  }
  Sel unused;
  Frame frame = Frame::Of(RandomEvents(rng, 5));
  EXPECT_FALSE(SelectMessageLiteral(frame, "a:b", frame.sel, &unused));  // may span tokens
  EXPECT_FALSE(SelectMessageLiteral(frame, "true", frame.sel, &unused));  // may be a bool
  EXPECT_FALSE(SelectMessageLiteral(frame, "", frame.sel, &unused));
  EXPECT_FALSE(SelectMessageLiteral(frame, "\xC3\xA9", frame.sel, &unused));  // non-ASCII
}

}  // namespace
}  // namespace vigil::query
