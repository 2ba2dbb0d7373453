#include "ship/spool.h"

#include <gtest/gtest.h>

#include "ship/test_util.h"

namespace vigil {
namespace {

using ship_test::TempDir;

std::string Lines(int first, int n) {
  std::string s;
  for (int i = first; i < first + n; ++i) s += "line " + std::to_string(i) + "\n";
  return s;
}

std::string Drain(Spool& s, size_t max = 1 << 20) {
  std::string all;
  while (!s.empty()) {
    std::string out;
    SpoolPos next;
    uint64_t lines = 0;
    EXPECT_TRUE(s.Peek(max, &out, &next, &lines).ok());
    EXPECT_GT(lines, 0u);
    all += out;
    EXPECT_TRUE(s.Consume(next).ok());
  }
  return all;
}

TEST(Spool, FifoAcrossSegmentsAndReopen) {
  TempDir d;
  SpoolPos head, tail;
  {
    auto s = Spool::Open(d.path(), 1 << 20, {}, {});
    ASSERT_TRUE(s.ok());
    for (int i = 0; i < 300; ++i) ASSERT_TRUE((*s)->Append(Lines(i * 100, 100), nullptr).ok());
    ASSERT_TRUE((*s)->Sync().ok());
    EXPECT_GT((*s)->tail().segment, 1u) << "128 KiB segments for a 1 MiB bound";
    head = (*s)->head();
    tail = (*s)->tail();
  }
  auto s = Spool::Open(d.path(), 1 << 20, head, tail);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(Drain(**s, 1000), Lines(0, 30000));
  EXPECT_EQ((*s)->bytes(), 0u);
}

TEST(Spool, OpenCutsBytesPastTheCheckpointedTail) {
  TempDir d;
  SpoolPos tail;
  {
    auto s = Spool::Open(d.path(), 1 << 20, {}, {});
    ASSERT_TRUE((*s)->Append(Lines(0, 3), nullptr).ok());
    tail = (*s)->tail();
    ASSERT_TRUE((*s)->Append(Lines(3, 3), nullptr).ok());  // never checkpointed
  }
  auto s = Spool::Open(d.path(), 1 << 20, {}, tail);
  EXPECT_EQ(Drain(**s), Lines(0, 3));
}

TEST(Spool, DropsOldestSegmentsWhenFullAndCountsTheLines) {
  TempDir d;
  auto s = Spool::Open(d.path(), 256 * 1024, {}, {});  // 64 KiB segments
  ASSERT_TRUE(s.ok());
  uint64_t dropped = 0;
  int n = 0;
  for (; n < 40000; n += 100) {
    uint64_t now = 0;
    ASSERT_TRUE((*s)->Append(Lines(n, 100), &now).ok());
    dropped += now;
  }
  EXPECT_GT(dropped, 0u);
  EXPECT_LE((*s)->bytes(), 256u * 1024 + 64 * 1024 + 2000);
  std::string rest = Drain(**s);
  // What is left is the newest lines, in order, and with the dropped ones makes all.
  uint64_t left = static_cast<uint64_t>(std::count(rest.begin(), rest.end(), '\n'));
  EXPECT_EQ(left + dropped, 40000u);
  EXPECT_EQ(rest, Lines(static_cast<int>(dropped), static_cast<int>(left)));
}

TEST(Spool, PeekReturnsALineLongerThanTheBudget) {
  TempDir d;
  auto s = Spool::Open(d.path(), 1 << 20, {}, {});
  std::string big(5000, 'b');
  ASSERT_TRUE((*s)->Append(big + "\nsmall\n", nullptr).ok());
  std::string out;
  SpoolPos next;
  uint64_t lines = 0;
  ASSERT_TRUE((*s)->Peek(10, &out, &next, &lines).ok());
  EXPECT_EQ(out, big + "\n");
  EXPECT_EQ(lines, 1u);
}

}  // namespace
}  // namespace vigil
