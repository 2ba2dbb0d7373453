#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <random>

#include "store/embedded/file_util.h"
#include "store/embedded/part.h"
#include "store/store.h"

namespace vigil {
namespace {

namespace fs = std::filesystem;

std::string TempDir() {
  char tmpl[] = "/tmp/vigil-part-test-XXXXXX";
  return mkdtemp(tmpl);
}

Batch Rows(int n) {
  BatchBuilder b;
  for (int i = 0; i < n; ++i) {
    b.BeginRow();
    b.AddInt("@timestamp", 1767225600000000000LL + i);
    b.AddString("@tenant", "t");
    b.AddString("request_id", "id-" + std::to_string(i));
    b.AddFloat("duration_ms", i * 0.5);
    if (i % 3 == 0) b.AddBool("ok", i % 2 == 0);
    b.EndRow();
  }
  return b.Finish();
}

TEST(Part, WriteReadRoundTrip) {
  std::string dir = TempDir();
  PartMeta h;
  h.id = 7;
  h.min_lsn = 3;
  h.max_lsn = 9;
  auto w = PartWriter::Create(dir, h, {});
  ASSERT_TRUE(w.ok());
  Batch rows = Rows(20000);
  for (size_t b = 0; b < rows.rows; b += 8192)
    ASSERT_TRUE((*w)->WriteBlock(rows, b, std::min(rows.rows, b + 8192)).ok());
  auto meta = (*w)->Finish();
  ASSERT_TRUE(meta.ok());
  EXPECT_FALSE(fs::exists(dir + "/" + TempPartDirName(7)));
  auto p = Part::Open(dir + "/" + PartDirName(7));
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  const PartMeta& m = (*p)->meta();
  EXPECT_EQ(m.rows, 20000u);
  EXPECT_EQ(m.blocks.size(), 3u);
  EXPECT_EQ(m.min_lsn, 3u);
  EXPECT_EQ(m.max_lsn, 9u);
  size_t row = 0;
  for (size_t b = 0; b < m.blocks.size(); ++b) {
    auto batch = (*p)->ReadBlock(b, nullptr, nullptr);
    ASSERT_TRUE(batch.ok());
    const Column* id = batch->Find("request_id", Type::kString);
    const Column* d = batch->Find("duration_ms", Type::kFloat);
    const Column* ok = batch->Find("ok", Type::kBool);
    ASSERT_TRUE(id && d && ok);
    for (size_t i = 0; i < batch->rows; ++i, ++row) {
      EXPECT_EQ(id->strs[i], "id-" + std::to_string(row));
      EXPECT_EQ(d->floats[i], row * 0.5);
      EXPECT_EQ(ok->valid[i] != 0, row % 3 == 0);
    }
  }
  EXPECT_EQ(row, 20000u);
  fs::remove_all(dir);
}

TEST(PartMeta, GarbageAndTruncationNeverCrash) {
  PartMeta m;
  m.id = 1;
  m.rows = 10;
  m.data_bytes = 100;
  m.columns = {{"a", Type::kInt}, {"b", Type::kString}};
  BlockMeta b;
  b.rows = 10;
  b.chunks = {{0, 0, 50, true, 1, 2, "", false}, {1, 50, 50, false, 0, 0, "xyz", true}};
  m.blocks = {b};
  std::string good = EncodePartMeta(m);
  ASSERT_TRUE(DecodePartMeta(good).ok());
  std::mt19937 rng(42);
  for (int i = 0; i < 20000; ++i) {
    std::string bad = good;
    if (i % 2) {
      bad.resize(rng() % bad.size());
    } else {
      bad[rng() % bad.size()] ^= static_cast<char>(1 + rng() % 255);
    }
    EXPECT_FALSE(DecodePartMeta(bad).ok());  // the CRC or a bound check must catch it
  }
}

TEST(Part, DamagedIndexIsQuarantinedNotLoaded) {
  std::string dir = TempDir();
  EmbeddedOptions o;
  o.dir = dir;
  o.background = false;
  {
    auto s = OpenEmbeddedStore(o);
    ASSERT_TRUE(s.ok());
    ASSERT_TRUE((*s)->Append(Rows(100)).ok());
    ASSERT_TRUE((*s)->Flush().ok());
    ASSERT_TRUE((*s)->Append(Rows(50)).ok());  // a second part, written at close
  }
  std::string index;
  for (const auto& e : fs::recursive_directory_iterator(dir + "/parts"))
    if (e.path().filename() == "index.bin") index = e.path().string();
  ASSERT_FALSE(index.empty());
  auto damaged = Part::Open(fs::path(index).parent_path().string());
  ASSERT_TRUE(damaged.ok());
  size_t damaged_rows = (*damaged)->meta().rows;
  auto bytes = ReadFileToString(index);
  ASSERT_TRUE(bytes.ok());
  (*bytes)[bytes->size() / 2] ^= 0x5a;
  ASSERT_TRUE(WriteFileSync(index, *bytes).ok());
  auto s = OpenEmbeddedStore(o);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  size_t rows = 0;
  ASSERT_TRUE((*s)->Scan({}, [&](Batch&& b) { rows += b.rows; return true; }, nullptr).ok());
  EXPECT_EQ(rows, 150u - damaged_rows);  // the damaged part is set aside; the rest serves
  EXPECT_TRUE(fs::exists(dir + "/quarantine"));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace vigil
