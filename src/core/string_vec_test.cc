// StringVec: rows that own their bytes, rows that point at dictionary entries, and the
// entry numbers (codes) kept while every row came from one dictionary.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "core/batch.h"
#include "core/string_search.h"

namespace vigil {
namespace {

// A vector of the given rows from the dictionary {"alpha", "", "gamma"}; kNoCode rows
// are empty.
StringVec Coded(const std::vector<uint32_t>& codes) {
  StringVec v;
  v.BeginDict(3, 10);
  for (const char* e : {"alpha", "", "gamma"}) v.AddDictEntry(e);
  v.PushEntries(codes.data(), codes.size());
  return v;
}

TEST(StringVecTest, PushedStringsAreContiguousAndUncoded) {
  StringVec v;
  v.push_back("ab");
  v.push_back_empty(2);
  v.push_back("cde");
  ASSERT_EQ(v.size(), 4u);
  EXPECT_EQ(v[0], "ab");
  EXPECT_EQ(v[1], "");
  EXPECT_EQ(v[3], "cde");
  EXPECT_TRUE(v.contiguous());
  EXPECT_EQ(v.ContiguousData(), "abcde");
  EXPECT_EQ(v.codes(), nullptr);
  v.truncate(1);
  EXPECT_EQ(v.size(), 1u);
  EXPECT_EQ(v.bytes(), 2u);  // the truncated rows' bytes are gone
}

TEST(StringVecTest, DictionaryRowsShareTheEntriesAndKeepTheirCodes) {
  const uint32_t no = StringVec::kNoCode;
  StringVec v = Coded({2, 0, no, 0, 1, 2});
  ASSERT_EQ(v.size(), 6u);
  const std::vector<std::string> want = {"gamma", "alpha", "", "alpha", "", "gamma"};
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(v[i], want[i]) << i;
  EXPECT_EQ(v.bytes(), 10u);  // each entry's bytes once
  EXPECT_FALSE(v.contiguous());
  ASSERT_NE(v.codes(), nullptr);
  EXPECT_EQ(std::vector<uint32_t>(v.codes(), v.codes() + 6), (std::vector<uint32_t>{2, 0, no, 0, 1, 2}));
  ASSERT_EQ(v.dict_size(), 3u);
  EXPECT_EQ(v.dict_entry(2), "gamma");
  v.push_back_empty(1);
  ASSERT_NE(v.codes(), nullptr);
  EXPECT_EQ(v.codes()[6], no);
  v.truncate(4);
  ASSERT_NE(v.codes(), nullptr);
  EXPECT_EQ(v[3], "alpha");
  v.push_back("own");  // a row of its own: the codes no longer describe every row
  EXPECT_EQ(v.codes(), nullptr);
  EXPECT_EQ(v[4], "own");
  EXPECT_EQ(v[0], "gamma");
}

TEST(StringVecTest, ADictionaryAfterOtherRowsHasNoCodes) {
  StringVec v;
  v.push_back("x");
  v.BeginDict(1, 1);
  v.AddDictEntry("y");
  const uint32_t zero = 0;
  v.PushEntries(&zero, 1);
  EXPECT_EQ(v.codes(), nullptr);
  EXPECT_EQ(v[0], "x");
  EXPECT_EQ(v[1], "y");
  v.clear();
  EXPECT_EQ(v.size(), 0u);
  EXPECT_TRUE(v.contiguous());
}

// The substring search gives the same rows whether a column is coded, contiguous or
// neither.
TEST(StringVecTest, SearchAgreesOnEveryLayout) {
  const uint32_t no = StringVec::kNoCode;
  const std::vector<uint32_t> codes = {0, 2, no, 1, 2, 0, 0, 2};
  Column coded, plain, mixed;
  for (Column* c : {&coded, &plain, &mixed}) c->type = Type::kString;
  coded.strs = Coded(codes);
  mixed.strs.push_back("zz");
  mixed.strs.BeginDict(3, 10);
  for (const char* e : {"alpha", "", "gamma"}) mixed.strs.AddDictEntry(e);
  mixed.strs.PushEntries(codes.data(), codes.size());
  for (size_t i = 0; i < codes.size(); ++i) {
    plain.strs.push_back(coded.strs[i]);
    for (Column* c : {&coded, &plain}) c->valid.push_back(codes[i] != no && i != 7);
  }
  mixed.valid.push_back(1);
  for (size_t i = 0; i < codes.size(); ++i) mixed.valid.push_back(coded.valid[i]);
  std::vector<uint32_t> all(codes.size()), all_mixed;
  for (uint32_t i = 0; i < all.size(); ++i) all[i] = i;
  for (uint32_t i = 1; i <= all.size(); ++i) all_mixed.push_back(i);
  // Values in place in an encoded section: in order, with length bytes between them.
  Column gapped;
  gapped.type = Type::kString;
  gapped.valid = plain.valid;
  std::string section;
  for (size_t i = 0; i < codes.size(); ++i) {
    section.push_back(static_cast<char>('0' + coded.strs[i].size()));
    section.append(coded.strs[i]);
  }
  const uint64_t base = gapped.strs.AppendBytes(section);
  for (size_t i = 0, at = 0; i < codes.size(); ++i) {
    gapped.strs.PushSpan(base + at + 1, static_cast<uint32_t>(coded.strs[i].size()));
    at += 1 + coded.strs[i].size();
  }
  EXPECT_TRUE(gapped.strs.ordered());
  EXPECT_FALSE(gapped.strs.contiguous());
  for (const char* needle : {"mm", "a", "alpha", "q", "a5g", "5"}) {
    std::vector<uint32_t> a, b, c, d;
    SelectContaining(coded, all, needle, &a);
    SelectContaining(plain, all, needle, &b);
    SelectContaining(mixed, all_mixed, needle, &c);
    SelectContaining(gapped, all, needle, &d);
    for (uint32_t& r : c) --r;
    EXPECT_EQ(a, b) << needle;
    EXPECT_EQ(c, b) << needle;
    EXPECT_EQ(d, b) << needle;  // "a5g" lies across a length byte: no row's value
  }
  std::vector<uint32_t> got;
  SelectContaining(coded, all, "mm", &got);
  EXPECT_EQ(got, (std::vector<uint32_t>{1, 4}));  // row 7 holds "gamma" but is not valid
}

// FindSubstring agrees with std::string_view::find at every length and alignment, with
// needles of one, two and more bytes, hits at both ends and none.
TEST(StringSearchTest, FindSubstringAgreesWithFind) {
  std::mt19937 rng(9);
  for (int iter = 0; iter < 3000; ++iter) {
    const size_t len = rng() % 200;
    std::string hay(len, 'a');
    for (char& ch : hay) ch = "abTt e"[rng() % 6];
    std::string needle(1 + rng() % 6, 'a');
    for (char& ch : needle) ch = "abTt e"[rng() % 6];
    if (iter % 5 == 0 && len >= needle.size()) hay.replace(len - needle.size(), needle.size(), needle);
    const std::string_view h(hay);
    const size_t want = h.find(needle);
    const char* got = FindSubstring(hay.data(), hay.data() + hay.size(), needle);
    ASSERT_EQ(got == nullptr ? std::string_view::npos : static_cast<size_t>(got - hay.data()), want)
        << "hay '" << hay << "' needle '" << needle << "'";
  }
  const std::string hay = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxTimeout after 30s";
  EXPECT_EQ(FindSubstring(hay.data(), hay.data() + hay.size(), "Timeout after") - hay.data(), 32);
  EXPECT_EQ(FindSubstring(hay.data(), hay.data() + hay.size(), ""), hay.data());
  EXPECT_EQ(FindSubstring(hay.data(), hay.data() + 3, "xxxx"), nullptr);
}

}  // namespace
}  // namespace vigil
