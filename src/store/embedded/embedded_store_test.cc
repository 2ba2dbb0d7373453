#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <atomic>
#include <cstdio>
#include <map>
#include <set>
#include <thread>

#include "store/store.h"

namespace vigil {
namespace {

namespace fs = std::filesystem;
constexpr int64_t kDay = 86400LL * 1000000000LL;
constexpr int64_t kBase = 1767225600LL * 1000000000LL;  // 2026-01-01T00:00:00Z

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/vigil-store-test-XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Rows numbered [first, first+n): tenant t<i%3>, request id r<i/2>, status 200 or 500.
Batch MakeBatch(int first, int n, int64_t base = kBase) {
  BatchBuilder b;
  for (int i = first; i < first + n; ++i) {
    b.BeginRow();
    b.AddInt("@timestamp", base + static_cast<int64_t>(i) * 1000000);
    b.AddString("@tenant", "t" + std::to_string(i % 3));
    b.AddString("request_id", "r" + std::to_string(i / 2));
    b.AddInt("seq", i);
    if (i % 7 == 0) {
      b.AddString("status", "failure");
    } else {
      b.AddInt("status", i % 10 == 0 ? 500 : 200);
    }
    b.AddString("message", "GET /x/" + std::to_string(i) + " done");
    b.EndRow();
  }
  return b.Finish();
}

EmbeddedOptions Opts(const std::string& dir) {
  EmbeddedOptions o;
  o.dir = dir;
  o.background = false;
  return o;
}

std::unique_ptr<Store> MustOpen(const EmbeddedOptions& o) {
  auto s = OpenEmbeddedStore(o);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(s).value() : nullptr;
}

// seq values returned by a scan, with their multiplicity.
std::map<int64_t, int> ScanSeqs(Store& s, const ScanSpec& spec = {}, ScanStats* st = nullptr) {
  std::map<int64_t, int> seen;
  Status status = s.Scan(
      spec,
      [&](Batch&& b) {
        const Column* c = b.Find("seq", Type::kInt);
        EXPECT_NE(c, nullptr);
        if (c) {
          for (size_t i = 0; i < b.rows; ++i) {
            if (c->valid[i]) seen[c->ints[i]]++;
          }
        }
        return true;
      },
      st);
  EXPECT_TRUE(status.ok()) << status.ToString();
  return seen;
}

void ExpectExactlyOnce(const std::map<int64_t, int>& seen, int n) {
  ASSERT_EQ(seen.size(), static_cast<size_t>(n));
  for (auto& [seq, count] : seen) ASSERT_EQ(count, 1) << "seq " << seq;
}

TEST(EmbeddedStore, AppendScanFlushReopen) {
  TempDir d;
  {
    auto s = MustOpen(Opts(d.path()));
    ASSERT_TRUE(s->Append(MakeBatch(0, 1000)).ok());
    ExpectExactlyOnce(ScanSeqs(*s), 1000);
    ASSERT_TRUE(s->Flush().ok());
    ASSERT_TRUE(s->Append(MakeBatch(1000, 500)).ok());
    ExpectExactlyOnce(ScanSeqs(*s), 1500);
  }
  auto s = MustOpen(Opts(d.path()));
  ExpectExactlyOnce(ScanSeqs(*s), 1500);
}

TEST(EmbeddedStore, CrashImageAtAnyPointLosesNothing) {
  TempDir d, crash;
  auto s = MustOpen(Opts(d.path()));
  int n = 0;
  for (int round = 0; round < 6; ++round) {
    ASSERT_TRUE(s->Append(MakeBatch(n, 300)).ok());
    n += 300;
    if (round % 2 == 1) {
      ASSERT_TRUE(s->Flush().ok());
    }
    if (round == 4) {
      ASSERT_TRUE(s->CompactAll().ok());
    }
    // Every acknowledged write was fsynced: a copy of the directory is a crash image.
    fs::remove_all(crash.path());
    fs::copy(d.path(), crash.path(), fs::copy_options::recursive);
    auto recovered = MustOpen(Opts(crash.path()));
    ExpectExactlyOnce(ScanSeqs(*recovered), n);
  }
}

TEST(EmbeddedStore, UnfinishedFlushAndMergeLeftoversAreIgnored) {
  TempDir d, saved;
  {
    auto s = MustOpen(Opts(d.path()));
    for (int i = 0; i < 5; ++i) {
      ASSERT_TRUE(s->Append(MakeBatch(i * 100, 100)).ok());
      ASSERT_TRUE(s->Flush().ok());
    }
    fs::copy(d.path() + "/parts", saved.path(), fs::copy_options::recursive);
    ASSERT_TRUE(s->CompactAll().ok());
    ASSERT_TRUE(s->Append(MakeBatch(500, 100)).ok());
  }
  // Put the merged-away inputs back, as if the crash came between the merged part's
  // rename and the deletion of its inputs; add a temp dir of an unfinished write.
  fs::copy(saved.path(), d.path() + "/parts",
           fs::copy_options::recursive | fs::copy_options::skip_existing);
  fs::create_directories(d.path() + "/parts/2026-01-01/tmp-00000000000000ff");
  auto s = MustOpen(Opts(d.path()));
  ExpectExactlyOnce(ScanSeqs(*s), 600);
  EXPECT_FALSE(fs::exists(d.path() + "/parts/2026-01-01/tmp-00000000000000ff"));
}

TEST(EmbeddedStore, PartBeyondFlushedMarkIsDiscarded) {
  TempDir d, image;
  auto s = MustOpen(Opts(d.path()));
  ASSERT_TRUE(s->Append(MakeBatch(0, 100)).ok());
  ASSERT_TRUE(s->Flush().ok());
  ASSERT_TRUE(s->Append(MakeBatch(100, 100)).ok());
  fs::remove_all(image.path());
  fs::copy(d.path(), image.path(), fs::copy_options::recursive);  // rows 100.. only in WAL
  ASSERT_TRUE(s->Flush().ok());
  // Crash image of a flush that renamed its part into place but never committed
  // FLUSHED: the part must be dropped and its rows come back once, from the WAL.
  fs::copy(d.path() + "/parts", image.path() + "/parts",
           fs::copy_options::recursive | fs::copy_options::skip_existing);
  auto recovered = MustOpen(Opts(image.path()));
  ExpectExactlyOnce(ScanSeqs(*recovered), 200);
}

TEST(EmbeddedStore, DayPartitionsAndTimeRange) {
  TempDir d;
  auto s = MustOpen(Opts(d.path()));
  ASSERT_TRUE(s->Append(MakeBatch(0, 100, kBase)).ok());
  ASSERT_TRUE(s->Append(MakeBatch(100, 100, kBase + kDay)).ok());
  ASSERT_TRUE(s->Flush().ok());
  StoreStats st = s->Stats();
  ASSERT_EQ(st.partitions.size(), 2u);
  EXPECT_EQ(st.partitions[0].partition, "2026-01-01");
  EXPECT_EQ(st.partitions[1].partition, "2026-01-02");
  ScanSpec spec;
  spec.min_ts = kBase + kDay;
  ScanStats stats;
  auto seen = ScanSeqs(*s, spec, &stats);
  EXPECT_EQ(seen.size(), 100u);
  EXPECT_EQ(seen.begin()->first, 100);
  EXPECT_GE(stats.parts_skipped, 1u);
}

TEST(EmbeddedStore, BloomSkipsBlocksForIdLookup) {
  TempDir d;
  auto s = MustOpen(Opts(d.path()));
  ASSERT_TRUE(s->Append(MakeBatch(0, 50000)).ok());
  ASSERT_TRUE(s->Flush().ok());
  ScanSpec spec;
  spec.predicates.push_back({"request_id", PrunePredicate::Op::kEq, Value(std::string("r12345"))});
  ScanStats st;
  auto seen = ScanSeqs(*s, spec, &st);
  EXPECT_EQ(seen.size(), 2u);
  EXPECT_TRUE(seen.count(24690) && seen.count(24691));
  EXPECT_GE(st.blocks_total, 6u);
  EXPECT_GE(st.blocks_skipped_bloom, st.blocks_total - 2);
}

TEST(EmbeddedStore, MinMaxSkipsAndTypesStaySeparate) {
  TempDir d;
  auto s = MustOpen(Opts(d.path()));
  ASSERT_TRUE(s->Append(MakeBatch(0, 40000)).ok());
  ASSERT_TRUE(s->Flush().ok());
  ScanSpec spec;
  spec.predicates.push_back({"seq", PrunePredicate::Op::kGe, Value(int64_t{39000})});
  ScanStats st;
  auto seen = ScanSeqs(*s, spec, &st);
  EXPECT_EQ(seen.size(), 1000u);
  EXPECT_GE(st.blocks_skipped_minmax, 1u);
  EXPECT_LT(st.rows_scanned, 40000u);
  // A string literal never matches the Int rows of a mixed-type field.
  ScanSpec fail;
  fail.predicates.push_back({"status", PrunePredicate::Op::kEq, Value(std::string("failure"))});
  auto failures = ScanSeqs(*s, fail);
  for (auto& [seq, c] : failures) EXPECT_EQ(seq % 7, 0);
  EXPECT_EQ(failures.size(), 40000u / 7 + 1);
}

// Predicates on the scan: an id lookup with a numeric condition decodes the other columns
// only for the rows passing both, and a column of a type no predicate can match (the
// String rows of a numeric `status` filter) is left out; the rows are the same.
TEST(EmbeddedStore, LookupWithConditionReturnsWholeMatchingRows) {
  TempDir d;
  auto s = MustOpen(Opts(d.path()));
  ASSERT_TRUE(s->Append(MakeBatch(0, 30000)).ok());
  ASSERT_TRUE(s->Flush().ok());
  // The field order of an unfiltered scan (the events' own order, which @message renders).
  std::vector<std::string> order;
  ASSERT_TRUE(s->Scan({}, [&](Batch&& b) {
    for (const Column& c : b.columns) order.push_back(c.name + "/" + std::to_string(int(c.type)));
    return false;
  }, nullptr).ok());
  for (bool lookup : {true, false}) {
    ScanSpec spec;
    if (lookup) spec.predicates.push_back({"@tenant", PrunePredicate::Op::kEq, Value(std::string("t1"))});
    spec.predicates.push_back({"status", PrunePredicate::Op::kGe, Value(int64_t{500})});
    std::map<int64_t, std::string> got;
    Status st = s->Scan(spec, [&](Batch&& b) {
      EXPECT_EQ(b.Find("status", Type::kString), nullptr);
      size_t at = 0;  // the columns come in the unfiltered order
      for (const Column& c : b.columns) {
        auto it = std::find(order.begin() + at, order.end(), c.name + "/" + std::to_string(int(c.type)));
        EXPECT_NE(it, order.end()) << c.name << " out of order";
        if (it != order.end()) at = static_cast<size_t>(it - order.begin()) + 1;
      }
      const Column* seq = b.Find("seq", Type::kInt);
      const Column* status = b.Find("status", Type::kInt);
      const Column* msg = b.Find("message", Type::kString);
      EXPECT_TRUE(seq && status && msg);
      if (!seq || !status || !msg) return false;
      for (size_t i = 0; i < b.rows; ++i) {
        EXPECT_EQ(status->ints[i], 500);
        got[seq->ints[i]] = std::string(msg->strs[i]);
      }
      return true;
    }, nullptr);
    ASSERT_TRUE(st.ok()) << st.ToString();
    std::map<int64_t, std::string> want;
    for (int i = 0; i < 30000; ++i)
      if (i % 7 != 0 && i % 10 == 0 && (!lookup || i % 3 == 1))
        want[i] = "GET /x/" + std::to_string(i) + " done";
    EXPECT_EQ(got, want) << "lookup " << lookup;
  }
}

TEST(EmbeddedStore, MergeKeepsEveryRowSorted) {
  TempDir d;
  auto s = MustOpen(Opts(d.path()));
  // Interleaved timestamps across flushes so the merge really interleaves inputs.
  for (int k = 0; k < 6; ++k) {
    BatchBuilder b;
    for (int i = 0; i < 5000; ++i) {
      int seq = i * 6 + k;
      b.BeginRow();
      b.AddInt("@timestamp", kBase + seq);
      b.AddString("@tenant", "t" + std::to_string(seq % 4));
      b.AddInt("seq", seq);
      if (k == 3) b.AddFloat("only_in_one", 1.5);
      b.EndRow();
    }
    ASSERT_TRUE(s->Append(b.Finish()).ok());
    ASSERT_TRUE(s->Flush().ok());
  }
  ASSERT_TRUE(s->CompactAll().ok());
  StoreStats st = s->Stats();
  ASSERT_EQ(st.partitions.size(), 1u);
  EXPECT_EQ(st.partitions[0].parts, 1u);
  EXPECT_EQ(st.partitions[0].rows, 30000u);
  std::string prev_tenant;
  int64_t prev_ts = INT64_MIN;
  size_t floats = 0;
  ASSERT_TRUE(s->Scan({}, [&](Batch&& b) {
                 const Column* t = b.Find("@tenant", Type::kString);
                 const Column* ts = b.Find("@timestamp", Type::kInt);
                 const Column* f = b.Find("only_in_one", Type::kFloat);
                 for (size_t i = 0; i < b.rows; ++i) {
                   std::string tenant(t->strs[i]);
                   if (tenant == prev_tenant) {
                     EXPECT_GT(ts->ints[i], prev_ts);
                   }
                   EXPECT_GE(tenant, prev_tenant);
                   prev_tenant = tenant;
                   prev_ts = ts->ints[i];
                   if (f && f->valid[i]) floats++;
                 }
                 return true;
               }, nullptr).ok());
  EXPECT_EQ(floats, 5000u);
  ExpectExactlyOnce(ScanSeqs(*s), 30000);
}

TEST(EmbeddedStore, ReadOnlyOpenSeesPartsAndWalWithoutWriting) {
  TempDir d;
  auto writer = MustOpen(Opts(d.path()));
  ASSERT_TRUE(writer->Append(MakeBatch(0, 300)).ok());
  ASSERT_TRUE(writer->Flush().ok());
  ASSERT_TRUE(writer->Append(MakeBatch(300, 200)).ok());  // only in the WAL
  EmbeddedOptions ro = Opts(d.path());
  ro.read_only = true;
  auto reader = MustOpen(ro);
  ExpectExactlyOnce(ScanSeqs(*reader), 500);
  EXPECT_FALSE(reader->Append(MakeBatch(500, 1)).ok());
  ro.dir = d.path() + "/missing";
  EXPECT_FALSE(OpenEmbeddedStore(ro).ok());
}

TEST(EmbeddedStore, RetentionDropsOldDays) {
  TempDir d;
  {
    auto s = MustOpen(Opts(d.path()));
    ASSERT_TRUE(s->Append(MakeBatch(0, 100, kBase - 400 * kDay)).ok());
    ASSERT_TRUE(s->Flush().ok());
  }
  EmbeddedOptions o = Opts(d.path());
  o.retention_days = 30;
  auto s = MustOpen(o);
  EXPECT_TRUE(ScanSeqs(*s).empty());
  EXPECT_TRUE(s->Stats().partitions.empty());
}

TEST(EmbeddedStore, RejectsRowsWithoutTimestamp) {
  TempDir d;
  auto s = MustOpen(Opts(d.path()));
  BatchBuilder b;
  b.BeginRow();
  b.AddString("x", "y");
  b.EndRow();
  Status st = s->Append(b.Finish());
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace vigil

namespace vigil {
namespace {

TEST(EmbeddedStore, ConcurrentAppendsWithBackgroundFlushAndMerge) {
  TempDir d;
  EmbeddedOptions o = Opts(d.path());
  o.background = true;
  o.memtable_max_rows = 700;  // many rotations, flushes and merges while appending
  constexpr int kThreads = 4, kBatches = 40, kRows = 100;
  {
    auto s = MustOpen(o);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
      threads.emplace_back([&, t] {
        for (int b = 0; b < kBatches; ++b) {
          int first = (t * kBatches + b) * kRows;
          Status st = s->Append(MakeBatch(first, kRows));
          EXPECT_TRUE(st.ok()) << st.ToString();
        }
      });
    for (auto& th : threads) th.join();
    ExpectExactlyOnce(ScanSeqs(*s), kThreads * kBatches * kRows);
    EXPECT_TRUE(s->Close().ok());
  }
  auto s = MustOpen(Opts(d.path()));
  ExpectExactlyOnce(ScanSeqs(*s), kThreads * kBatches * kRows);
}

// --- Deduplication of retried batches (Append with AppendOptions).

AppendOptions Shipper(const std::string& id, uint64_t seq) {
  AppendOptions o;
  o.shipper_id = id;
  o.seq = seq;
  return o;
}

TEST(EmbeddedStoreDedup, IgnoresABatchAtOrBelowTheLastCommittedSeq) {
  TempDir d;
  auto s = MustOpen(Opts(d.path()));
  ASSERT_TRUE(s->Append(MakeBatch(0, 10), Shipper("a", 1)).ok());
  EXPECT_EQ(s->Append(MakeBatch(0, 10), Shipper("a", 1)).code(), Code::kAlreadyExists);
  ASSERT_TRUE(s->Append(MakeBatch(10, 10), Shipper("a", 2)).ok());
  EXPECT_EQ(s->Append(MakeBatch(0, 10), Shipper("a", 1)).code(), Code::kAlreadyExists);
  // Seqs of different shippers are independent; gaps (a refused batch) are fine.
  ASSERT_TRUE(s->Append(MakeBatch(20, 10), Shipper("b", 1)).ok());
  ASSERT_TRUE(s->Append(MakeBatch(30, 10), Shipper("a", 5)).ok());
  // Plain appends are never deduplicated.
  ASSERT_TRUE(s->Append(MakeBatch(40, 10)).ok());
  ExpectExactlyOnce(ScanSeqs(*s), 50);
}

TEST(EmbeddedStoreDedup, RejectsMalformedShipperIdsAndSeqZero) {
  TempDir d;
  auto s = MustOpen(Opts(d.path()));
  EXPECT_EQ(s->Append(MakeBatch(0, 1), Shipper("a b", 1)).code(), Code::kInvalidArgument);
  EXPECT_EQ(s->Append(MakeBatch(0, 1), Shipper("a\n7 b", 1)).code(), Code::kInvalidArgument);
  EXPECT_EQ(s->Append(MakeBatch(0, 1), Shipper(std::string(129, 'x'), 1)).code(),
            Code::kInvalidArgument);
  EXPECT_EQ(s->Append(MakeBatch(0, 1), Shipper("a", 0)).code(), Code::kInvalidArgument);
  EXPECT_TRUE(ScanSeqs(*s).empty());
}

TEST(EmbeddedStoreDedup, CommittedSeqsSurviveCrashesFlushesAndCleanCloses) {
  TempDir d, crash;
  auto s = MustOpen(Opts(d.path()));
  auto expect_recovered = [&](uint64_t committed, int rows) {
    // Every acknowledged write was fsynced: a copy of the directory is a crash image.
    fs::remove_all(crash.path());
    fs::copy(d.path(), crash.path(), fs::copy_options::recursive);
    auto r = MustOpen(Opts(crash.path()));
    EXPECT_EQ(r->Append(MakeBatch(0, 1), Shipper("s", committed)).code(), Code::kAlreadyExists)
        << "seq " << committed << " forgotten";
    ExpectExactlyOnce(ScanSeqs(*r), rows);
    EXPECT_TRUE(r->Append(MakeBatch(rows, 1), Shipper("s", committed + 1)).ok());
  };
  ASSERT_TRUE(s->Append(MakeBatch(0, 100), Shipper("s", 1)).ok());
  expect_recovered(1, 100);  // only in the WAL
  ASSERT_TRUE(s->Flush().ok());
  expect_recovered(1, 100);  // WAL deleted: only in SHIPPERS
  ASSERT_TRUE(s->Append(MakeBatch(100, 100), Shipper("s", 2)).ok());
  ASSERT_TRUE(s->Append(MakeBatch(200, 100)).ok());
  expect_recovered(2, 300);  // SHIPPERS says 1, the WAL tail 2
  ASSERT_TRUE(s->Flush().ok());
  ASSERT_TRUE(s->Close().ok());
  s = MustOpen(Opts(d.path()));
  EXPECT_EQ(s->Append(MakeBatch(0, 1), Shipper("s", 2)).code(), Code::kAlreadyExists);
  ExpectExactlyOnce(ScanSeqs(*s), 300);
}

TEST(EmbeddedStoreDedup, SeqsReplayedAtOpenAreWrittenByTheFlushThatDropsTheirWal) {
  TempDir d;
  {
    auto s = MustOpen(Opts(d.path()));
    ASSERT_TRUE(s->Append(MakeBatch(0, 10), Shipper("s", 7)).ok());
    fs::copy(d.path(), d.path() + "-crash", fs::copy_options::recursive);
  }
  fs::remove_all(d.path());
  fs::rename(d.path() + "-crash", d.path());
  {
    // Open replays seq 7 from the WAL; the flush at close deletes that WAL.
    auto s = MustOpen(Opts(d.path()));
    ASSERT_TRUE(s->Close().ok());
  }
  auto s = MustOpen(Opts(d.path()));
  EXPECT_EQ(s->Append(MakeBatch(0, 10), Shipper("s", 7)).code(), Code::kAlreadyExists);
  ExpectExactlyOnce(ScanSeqs(*s), 10);
}

TEST(EmbeddedStoreDedup, ConcurrentRetriesOfOneBatchStoreItOnce) {
  TempDir d;
  EmbeddedOptions o = Opts(d.path());
  o.background = true;
  auto s = MustOpen(o);
  constexpr int kThreads = 4, kBatches = 50;
  std::atomic<int> stored{0}, duplicates{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int b = 1; b <= kBatches; ++b) {
        Status st = s->Append(MakeBatch((b - 1) * 20, 20), Shipper("s", static_cast<uint64_t>(b)));
        if (st.ok()) {
          stored++;
        } else if (st.code() == Code::kAlreadyExists) {
          duplicates++;
        } else {
          ADD_FAILURE() << st.ToString();
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(stored.load(), kBatches);
  EXPECT_EQ(duplicates.load(), kBatches * (kThreads - 1));
  ExpectExactlyOnce(ScanSeqs(*s), kBatches * 20);
}

TEST(EmbeddedStoreDedup, ReadOnlyOpenReadsShipperRecords) {
  TempDir d;
  auto s = MustOpen(Opts(d.path()));
  ASSERT_TRUE(s->Append(MakeBatch(0, 10), Shipper("s", 1)).ok());
  EmbeddedOptions ro = Opts(d.path());
  ro.read_only = true;
  auto r = MustOpen(ro);
  ExpectExactlyOnce(ScanSeqs(*r), 10);
}

TEST(EmbeddedStoreDedup, DamagedShippersFileIsCorruption) {
  TempDir d;
  {
    auto s = MustOpen(Opts(d.path()));
    ASSERT_TRUE(s->Append(MakeBatch(0, 10), Shipper("s", 1)).ok());
  }
  for (const char* text : {"vigil-shippers 1\n1 s", "vigil-shippers 1\nx s\n",
                           "vigil-shippers 1\n1 bad id\n", "garbage\n"}) {
    FILE* f = std::fopen((d.path() + "/SHIPPERS").c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs(text, f);
    std::fclose(f);
    auto s = OpenEmbeddedStore(Opts(d.path()));
    ASSERT_FALSE(s.ok()) << text;
    EXPECT_EQ(s.status().code(), Code::kCorruption) << text;
  }
}

}  // namespace
}  // namespace vigil
