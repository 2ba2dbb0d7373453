#include "ship/file_tailer.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ship/test_util.h"

namespace vigil {
namespace {

using ship_test::AppendFile;
using ship_test::TempDir;

std::string ReadAll(FileTailer& t, size_t max = 1 << 20) {
  std::string out;
  auto n = t.Read(&out, max);
  EXPECT_TRUE(n.ok()) << n.status().ToString();
  return out;
}

TEST(FileTailer, WaitsForAMissingFileAndHandsOutOnlyWholeLines) {
  TempDir d;
  FileTailer t({d / "app.log"});
  EXPECT_EQ(ReadAll(t), "");
  AppendFile(d / "app.log", "one\ntw");
  EXPECT_EQ(ReadAll(t), "one\n");
  EXPECT_EQ(t.position().offset, 4u);
  AppendFile(d / "app.log", "o\nthree\n");
  EXPECT_EQ(ReadAll(t), "two\nthree\n");
  EXPECT_EQ(t.Lag(), 0u);
}

TEST(FileTailer, RespectsTheBudgetButAlwaysGivesOneLine) {
  TempDir d;
  AppendFile(d / "a", "aaaa\nbbbb\ncccc\n");
  FileTailer t({d / "a"});
  EXPECT_EQ(ReadAll(t, 6), "aaaa\n");
  EXPECT_EQ(ReadAll(t, 2), "bbbb\n");
  EXPECT_EQ(ReadAll(t, 100), "cccc\n");
}

TEST(FileTailer, FollowsRenameRotationFinishingTheOldFile) {
  TempDir d;
  AppendFile(d / "app.log", "1\n2\n");
  FileTailer t({d / "app.log"});
  EXPECT_EQ(ReadAll(t), "1\n2\n");
  AppendFile(d / "app.log", "3\npartial");
  ASSERT_EQ(::rename((d / "app.log").c_str(), (d / "app.log.1").c_str()), 0);
  AppendFile(d / "app.log", "4\n");
  EXPECT_EQ(ReadAll(t), "3\npartial\n4\n");
  EXPECT_EQ(t.TakeNotes().size(), 1u);
}

TEST(FileTailer, FollowsCopyTruncate) {
  TempDir d;
  AppendFile(d / "app.log", "first line\nsecond line\n");
  FileTailer t({d / "app.log"});
  EXPECT_EQ(ReadAll(t), "first line\nsecond line\n");
  ASSERT_EQ(::truncate((d / "app.log").c_str(), 0), 0);
  AppendFile(d / "app.log", "x\n");
  EXPECT_EQ(ReadAll(t), "x\n");
}

TEST(FileTailer, ResumesFromAPositionAndFindsAFileRotatedWhileStopped) {
  TempDir d;
  AppendFile(d / "app.log", "1\n2\n");
  TailPosition pos;
  {
    FileTailer t({d / "app.log"});
    std::string out;
    ASSERT_TRUE(t.Read(&out, 2).ok());
    EXPECT_EQ(out, "1\n");
    pos = t.position();
  }
  {
    FileTailer t(pos);
    EXPECT_EQ(ReadAll(t), "2\n");
  }
  // Rotated while stopped: the rest of the old file, then the new one.
  AppendFile(d / "app.log", "3\n");
  ASSERT_EQ(::rename((d / "app.log").c_str(), (d / "app.log.1").c_str()), 0);
  AppendFile(d / "app.log", "4\n");
  pos.offset = 4;
  FileTailer t(pos);
  EXPECT_EQ(ReadAll(t), "3\n4\n");
}

TEST(FileTailer, StartsOverWhenTheCheckpointedFileIsGone) {
  TempDir d;
  AppendFile(d / "app.log", "new\n");
  FileTailer t({d / "app.log", 1, 999999999, 100});
  EXPECT_EQ(ReadAll(t), "new\n");
}

TEST(FileTailer, ALineLongerThanTheReadChunk) {
  TempDir d;
  std::string big(600 * 1024, 'x');
  AppendFile(d / "a", big + "\nshort\n");
  FileTailer t({d / "a"});
  EXPECT_EQ(ReadAll(t, 10), big + "\n");
  EXPECT_EQ(ReadAll(t, 10), "short\n");
}

TEST(FileTailer, FinishPartialLineOnlyAtTheEnd) {
  TempDir d;
  AppendFile(d / "a", "one\ntwo");
  FileTailer t({d / "a"});
  std::string out;
  EXPECT_EQ(t.FinishPartialLine(&out), 0u) << "nothing read yet";
  EXPECT_EQ(ReadAll(t), "one\n");
  EXPECT_EQ(t.FinishPartialLine(&out), 1u);
  EXPECT_EQ(out, "two\n");
  EXPECT_EQ(t.Lag(), 0u);
  EXPECT_EQ(t.FinishPartialLine(&out), 0u);
}

TEST(FileTailer, ReadsNoFurtherAheadThanOneChunk) {
  // A budget that ends mid-line must not make the tailer buffer the rest of the file
  // (quadratic copying, and stale lines after a truncation).
  TempDir d;
  std::string lines;
  for (int i = 0; i < 200000; ++i) lines += "line number " + std::to_string(i) + "\n";
  AppendFile(d / "a", lines);
  FileTailer t({d / "a"});
  std::string out;
  ASSERT_TRUE(t.Read(&out, 1000).ok());
  EXPECT_LE(out.size(), 1000u);
  ASSERT_EQ(::truncate((d / "a").c_str(), 0), 0);
  AppendFile(d / "a", "after\n");
  for (;;) {
    std::string more;
    auto n = t.Read(&more, 1 << 16);
    ASSERT_TRUE(n.ok());
    if (*n == 0) break;
    out += more;
  }
  EXPECT_LT(out.size(), 300u * 1024) << "buffered far beyond the budget";
  EXPECT_TRUE(out.ends_with("after\n"));
}

}  // namespace
}  // namespace vigil
