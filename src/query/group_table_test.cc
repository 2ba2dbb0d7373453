// GroupTable: a single string key read from a dictionary (StringVec::codes) is looked up
// once per entry; the groups must be the ones the same values give as plain strings.
#include "query/group_table.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace vigil::query {
namespace {

TEST(GroupTableTest, DictionaryKeysGroupLikePlainStrings) {
  const std::vector<std::string> dict = {"/a", "/b", "", "/c"};
  std::mt19937 rng(5);
  GroupTable coded_table(1), plain_table(1);
  for (int batch = 0; batch < 4; ++batch) {
    // Every batch has its own dictionary order, as blocks do.
    std::vector<uint32_t> order = {0, 1, 2, 3};
    std::shuffle(order.begin(), order.end(), rng);
    Column coded, plain;
    coded.type = plain.type = Type::kString;
    coded.strs.BeginDict(dict.size(), 8);
    for (uint32_t k : order) coded.strs.AddDictEntry(dict[k]);
    std::vector<uint32_t> codes;
    for (int i = 0; i < 500; ++i) {
      const bool valid = rng() % 7 != 0;
      const uint32_t code = valid ? rng() % 4 : StringVec::kNoCode;
      codes.push_back(code);
      coded.valid.push_back(valid);
      plain.valid.push_back(valid);
      plain.strs.push_back(valid ? dict[order[code]] : "");
    }
    coded.strs.PushEntries(codes.data(), codes.size());
    ASSERT_NE(coded.strs.codes(), nullptr);
    Sel sel;
    for (uint32_t i = 0; i < 500; i += 1 + rng() % 2) sel.push_back(i);
    Vector kc, kp;
    kc.columns = {&coded};
    kp.columns = {&plain};
    std::vector<uint32_t> gc, gp;
    coded_table.Assign({kc}, sel, &gc);
    plain_table.Assign({kp}, sel, &gp);
    ASSERT_EQ(gc, gp) << "batch " << batch;
  }
  ASSERT_EQ(coded_table.size(), plain_table.size());
  EXPECT_EQ(coded_table.size(), 5u);  // four values and the missing key
  for (size_t g = 0; g < coded_table.size(); ++g) EXPECT_EQ(coded_table.Key(g, 0), plain_table.Key(g, 0));
}

}  // namespace
}  // namespace vigil::query
