#include <gtest/gtest.h>

#include "core/batch.h"
#include "core/value.h"

namespace vigil {
namespace {

Value Cell(const Batch& b, std::string_view name, Type type, size_t row) {
  const Column* c = b.Find(name, type);
  return c == nullptr ? Value() : CellValue(*c, row);
}

void ExpectConsistent(const Batch& b) {
  for (const Column& c : b.columns) {
    EXPECT_EQ(c.size(), b.rows) << c.name;
    size_t values = c.type == Type::kString  ? c.strs.size()
                    : c.type == Type::kFloat ? c.floats.size()
                                             : c.ints.size();
    EXPECT_EQ(values, b.rows) << c.name;
  }
}

TEST(BatchBuilderTest, ColumnsPerNameAndTypePaddedWithNulls) {
  BatchBuilder b;
  b.AddInt("status", 500);
  b.AddString("path", "/x");
  b.EndRow();
  b.AddString("status", "failure");
  b.AddFloat("ms", 1.5);
  b.AddBool("ok", true);
  b.EndRow();
  Batch batch = b.Finish();
  ASSERT_EQ(batch.rows, 2u);
  EXPECT_EQ(batch.columns.size(), 5u);
  ExpectConsistent(batch);
  EXPECT_EQ(Cell(batch, "status", Type::kInt, 0), Value(int64_t{500}));
  EXPECT_TRUE(Cell(batch, "status", Type::kInt, 1).is_null());
  EXPECT_EQ(Cell(batch, "status", Type::kString, 1), Value(std::string("failure")));
  EXPECT_TRUE(Cell(batch, "ms", Type::kFloat, 0).is_null());
  EXPECT_EQ(Cell(batch, "ok", Type::kBool, 1), Value(true));
}

TEST(BatchBuilderTest, SecondWriteInARowWins) {
  BatchBuilder b;
  b.AddString("s", "a");
  b.EndRow();
  b.AddString("s", "first");
  b.AddInt("n", 1);
  b.AddString("s", "second");
  b.AddInt("n", 2);
  b.EndRow();
  Batch batch = b.Finish();
  ExpectConsistent(batch);
  EXPECT_EQ(Cell(batch, "s", Type::kString, 0), Value(std::string("a")));
  EXPECT_EQ(Cell(batch, "s", Type::kString, 1), Value(std::string("second")));
  EXPECT_EQ(Cell(batch, "n", Type::kInt, 1), Value(int64_t{2}));
  EXPECT_EQ(batch.Find("s", Type::kString)->strs.bytes(), 7u);
}

TEST(BatchBuilderTest, AbortRowLeavesNoTrace) {
  BatchBuilder b;
  b.AddInt("a", 1);
  b.AddString("s", "keep");
  b.EndRow();
  b.AddInt("a", 2);
  b.AddString("s", "drop");
  b.AddString("a", "new type");
  b.AddFloat("fresh", 1.0);
  b.AbortRow();
  b.AddInt("a", 3);
  b.EndRow();
  b.AddString("only_in_aborted", "x");
  b.AbortRow();
  Batch batch = b.Finish();
  ASSERT_EQ(batch.rows, 2u);
  ExpectConsistent(batch);
  EXPECT_EQ(batch.columns.size(), 2u);
  EXPECT_EQ(batch.Find("a", Type::kString), nullptr);
  EXPECT_EQ(batch.Find("fresh", Type::kFloat), nullptr);
  EXPECT_EQ(batch.Find("only_in_aborted", Type::kString), nullptr);
  EXPECT_EQ(Cell(batch, "a", Type::kInt, 1), Value(int64_t{3}));
  EXPECT_EQ(batch.Find("s", Type::kString)->strs.bytes(), 4u);
}

TEST(BatchBuilderTest, AbortedColumnCanBeRecreated) {
  BatchBuilder b;
  b.AddInt("a", 1);
  b.EndRow();
  b.AddString("x", "dropped");
  b.AbortRow();
  b.AddInt("a", 2);
  b.AddString("x", "kept");
  b.EndRow();
  Batch batch = b.Finish();
  ExpectConsistent(batch);
  EXPECT_TRUE(Cell(batch, "x", Type::kString, 0).is_null());
  EXPECT_EQ(Cell(batch, "x", Type::kString, 1), Value(std::string("kept")));
}

TEST(BatchBuilderTest, FieldOrderChangesBetweenRows) {
  BatchBuilder b;
  for (int i = 0; i < 100; ++i) {
    if (i % 2) {
      b.AddInt("x", i);
      b.AddInt("y", -i);
    } else {
      b.AddInt("y", -i);
      b.AddInt("z", i);
      b.AddInt("x", i);
    }
    b.EndRow();
  }
  Batch batch = b.Finish();
  ExpectConsistent(batch);
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(Cell(batch, "x", Type::kInt, i), Value(int64_t{i}));
    EXPECT_EQ(Cell(batch, "y", Type::kInt, i), Value(int64_t{-i}));
    EXPECT_EQ(Cell(batch, "z", Type::kInt, i).is_null(), i % 2 == 1);
  }
}

TEST(BatchBuilderTest, FinishResets) {
  BatchBuilder b;
  b.AddInt("a", 1);
  b.EndRow();
  Batch first = b.Finish();
  b.AddString("b", "x");
  b.EndRow();
  Batch second = b.Finish();
  EXPECT_EQ(first.rows, 1u);
  ASSERT_EQ(second.rows, 1u);
  EXPECT_EQ(second.columns.size(), 1u);
  EXPECT_EQ(second.columns[0].name, "b");
}

}  // namespace
}  // namespace vigil
