#include "store/embedded/merge_policy.h"

#include <gtest/gtest.h>

namespace vigil {
namespace {

TEST(MergePolicy, WaitsForFourOfATier) {
  EXPECT_TRUE(PickMergeInputs({100, 100, 100}, false).empty());
  auto p = PickMergeInputs({100, 90, 110, 95}, false);
  EXPECT_EQ(p.size(), 4u);
}

TEST(MergePolicy, NeverDragsABigPartIntoASmallMerge) {
  // One merged part of 4 units and three fresh ones: no merge yet (that rewrote the big
  // part on every flush before).
  EXPECT_TRUE(PickMergeInputs({400, 100, 100, 100}, false).empty());
  auto p = PickMergeInputs({400, 100, 100, 100, 100}, false);
  ASSERT_EQ(p.size(), 4u);
  for (size_t i : p) EXPECT_NE(i, 0u);
}

TEST(MergePolicy, TiersCascade) {
  auto p = PickMergeInputs({400, 410, 380, 420, 100}, false);
  ASSERT_EQ(p.size(), 4u);
  for (size_t i : p) EXPECT_NE(i, 4u);
}

TEST(MergePolicy, CapsInputsAndPartCount) {
  std::vector<uint64_t> many(30);
  for (size_t i = 0; i < many.size(); ++i) many[i] = 1ull << i;  // no two in one tier
  auto p = PickMergeInputs(many, false);
  EXPECT_EQ(p.size(), 10u);
  EXPECT_EQ(PickMergeInputs(std::vector<uint64_t>(15, 7), false).size(), 10u);
}

TEST(MergePolicy, AllMergesEverythingFromTwo) {
  EXPECT_TRUE(PickMergeInputs({5}, true).empty());
  EXPECT_EQ(PickMergeInputs({5, 500000}, true).size(), 2u);
}

}  // namespace
}  // namespace vigil
