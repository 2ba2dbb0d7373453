#include "store/embedded/wal.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>
#include <vector>

namespace vigil {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/vigil-wal-test-XXXXXX";
    char* p = mkdtemp(tmpl);
    EXPECT_NE(p, nullptr);
    path_ = p ? p : "/tmp/vigil-wal-test-failed";
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string wal() const { return path_ + "/wal"; }

 private:
  std::string path_;
};

// Deterministic payload of varying size for record number i.
std::string Payload(uint64_t i) {
  std::string s = "record-" + std::to_string(i) + ":";
  s.append(i * 37 % 300, static_cast<char>('a' + i % 26));
  return s;
}

struct Replayed {
  Status status;
  WalReplayStats stats;
  std::vector<uint64_t> lsns;
  std::vector<std::string> payloads;
};

Replayed Replay(const std::string& dir, uint64_t from = 1) {
  Replayed r;
  r.status = ReplayWal(
      dir, from,
      [&](uint64_t lsn, std::string_view p) {
        r.lsns.push_back(lsn);
        r.payloads.emplace_back(p);
        return Status::OK();
      },
      &r.stats);
  return r;
}

std::unique_ptr<WalWriter> OpenWal(const std::string& dir, uint64_t next_lsn,
                                   uint64_t segment_bytes = 64ull << 20, bool sync = false) {
  WalOptions o;
  o.sync = sync;
  o.segment_bytes = segment_bytes;
  auto w = WalWriter::Open(dir, next_lsn, std::move(o));
  EXPECT_TRUE(w.ok()) << w.status().ToString();
  return w.ok() ? std::move(w).value() : nullptr;
}

// Writes records 1..n; returns the byte offset where each record starts.
std::vector<uint64_t> WriteRecords(const std::string& dir, uint64_t n) {
  auto w = OpenWal(dir, 1);
  std::vector<uint64_t> offsets;
  uint64_t off = 0;
  for (uint64_t i = 1; i <= n; ++i) {
    offsets.push_back(off);
    auto lsn = w->Append(Payload(i));
    EXPECT_TRUE(lsn.ok());
    EXPECT_EQ(lsn.value(), i);
    off += 16 + Payload(i).size();
  }
  return offsets;
}

std::vector<std::string> SegmentPaths(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

void WriteFile(const std::string& path, const std::string& data) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(data.data(), static_cast<std::streamsize>(data.size()));
}

void ExpectPrefix(const Replayed& r, uint64_t n) {
  ASSERT_EQ(r.lsns.size(), n);
  for (uint64_t i = 1; i <= n; ++i) {
    EXPECT_EQ(r.lsns[i - 1], i);
    EXPECT_EQ(r.payloads[i - 1], Payload(i));
  }
}

TEST(Wal, RoundTripManyRecords) {
  TempDir t;
  WriteRecords(t.wal(), 2000);
  Replayed r = Replay(t.wal());
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ExpectPrefix(r, 2000);
  EXPECT_FALSE(r.stats.truncated_tail);
  EXPECT_EQ(r.stats.records, 2000u);
  EXPECT_EQ(r.stats.segments, 1u);
}

TEST(Wal, EmptyAndHugePayloads) {
  TempDir t;
  std::string big(64u << 20, '\0');
  for (size_t i = 0; i < big.size(); i += 4096) big[i] = static_cast<char>(i / 4096);
  {
    auto w = OpenWal(t.wal(), 1);
    ASSERT_TRUE(w->Append("").ok());
    ASSERT_TRUE(w->Append(big).ok());
    ASSERT_TRUE(w->Append("after").ok());
  }
  Replayed r = Replay(t.wal());
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.payloads.size(), 3u);
  EXPECT_EQ(r.payloads[0], "");
  EXPECT_TRUE(r.payloads[1] == big);
  EXPECT_EQ(r.payloads[2], "after");
}

TEST(Wal, RotatesIntoSegmentsNamedByFirstLsn) {
  TempDir t;
  {
    auto w = OpenWal(t.wal(), 1, 4096);
    for (uint64_t i = 1; i <= 500; ++i) ASSERT_EQ(w->Append(Payload(i)).value(), i);
  }
  std::vector<std::string> files = SegmentPaths(t.wal());
  ASSERT_GT(files.size(), 5u);
  EXPECT_EQ(fs::path(files[0]).filename(), "wal-00000000000000000001.log");
  for (const auto& f : files) {
    std::string name = fs::path(f).filename();
    ASSERT_EQ(name.size(), 28u) << name;
    // A segment only rotates after passing the limit, so none is much bigger.
    EXPECT_LT(fs::file_size(f), 4096u + 16 + 300 + 32) << name;
  }
  Replayed r = Replay(t.wal());
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ExpectPrefix(r, 500);
  EXPECT_EQ(r.stats.segments, files.size());
  Replayed from = Replay(t.wal(), 321);
  ASSERT_TRUE(from.status.ok());
  ASSERT_EQ(from.lsns.size(), 180u);
  EXPECT_EQ(from.lsns.front(), 321u);
}

TEST(Wal, ReopenContinuesInAFreshSegment) {
  TempDir t;
  WriteRecords(t.wal(), 10);
  Replayed first = Replay(t.wal());
  ASSERT_TRUE(first.status.ok());
  {
    auto w = OpenWal(t.wal(), first.lsns.back() + 1);
    for (uint64_t i = 11; i <= 20; ++i) ASSERT_EQ(w->Append(Payload(i)).value(), i);
  }
  Replayed r = Replay(t.wal());
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ExpectPrefix(r, 20);
  EXPECT_EQ(r.stats.segments, 2u);
  EXPECT_EQ(fs::path(SegmentPaths(t.wal())[1]).filename(), "wal-00000000000000000011.log");
}

TEST(Wal, ReopenWithoutAppendsReusesTheEmptySegment) {
  TempDir t;
  WriteRecords(t.wal(), 3);
  { auto w = OpenWal(t.wal(), 4); }
  { auto w = OpenWal(t.wal(), 4); }
  EXPECT_EQ(SegmentPaths(t.wal()).size(), 2u);
  Replayed r = Replay(t.wal());
  ASSERT_TRUE(r.status.ok());
  ExpectPrefix(r, 3);
}

TEST(Wal, OpenRejectsBadNextLsn) {
  TempDir t;
  WriteRecords(t.wal(), 5);
  EXPECT_EQ(WalWriter::Open(t.wal(), 0, {}).status().code(), Code::kInvalidArgument);
  // Reusing LSN 1 would overwrite the segment that holds it.
  EXPECT_EQ(WalWriter::Open(t.wal(), 1, {}).status().code(), Code::kInvalidArgument);
  { auto w = OpenWal(t.wal(), 100); }
  EXPECT_EQ(WalWriter::Open(t.wal(), 50, {}).status().code(), Code::kInvalidArgument);
}

TEST(Wal, MissingDirectoryReplaysNothingAndOpenCreatesIt) {
  TempDir t;
  std::string dir = t.path() + "/a/b/wal";
  Replayed r = Replay(dir);
  EXPECT_TRUE(r.status.ok());
  EXPECT_TRUE(r.lsns.empty());
  auto w = OpenWal(dir, 1);
  ASSERT_NE(w, nullptr);
  EXPECT_TRUE(fs::is_directory(dir));
}

TEST(Wal, ReplayStopsWithCallbackError) {
  TempDir t;
  WriteRecords(t.wal(), 10);
  int calls = 0;
  Status s = ReplayWal(
      t.wal(), 1,
      [&](uint64_t lsn, std::string_view) {
        ++calls;
        return lsn == 4 ? Status::InvalidArgument("stop") : Status::OK();
      },
      nullptr);
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(calls, 4);
}

// Applies `damage` to a copy of a 20-record log and checks that replay keeps exactly
// the first `keep` records and reports a truncated tail.
void CheckDamagedTail(const std::function<void(std::string&, const std::vector<uint64_t>&)>& damage,
                      uint64_t keep, const std::string& label) {
  TempDir t;
  std::vector<uint64_t> offsets = WriteRecords(t.wal(), 20);
  std::string path = SegmentPaths(t.wal())[0];
  std::string data = ReadFile(path);
  damage(data, offsets);
  WriteFile(path, data);
  Replayed r = Replay(t.wal());
  ASSERT_TRUE(r.status.ok()) << label << ": " << r.status.ToString();
  ExpectPrefix(r, keep);
  EXPECT_TRUE(r.stats.truncated_tail) << label;
  EXPECT_NE(r.stats.tail_reason.find(path), std::string::npos) << r.stats.tail_reason;
}

TEST(WalDamage, TornTailAtManyOffsets) {
  // Cut inside the last record: in its header, right after it, and inside the payload.
  for (uint64_t cut : {1, 4, 8, 15, 16, 17, 30, 100}) {
    CheckDamagedTail(
        [cut](std::string& d, const std::vector<uint64_t>& off) {
          uint64_t len = d.size() - off[19];
          d.resize(off[19] + std::min(cut, len - 1));
        },
        19, "cut " + std::to_string(cut));
  }
  // Cutting inside an earlier record loses it and everything after it.
  CheckDamagedTail([](std::string& d, const std::vector<uint64_t>& off) { d.resize(off[7] + 20); },
                   7, "cut in record 8");
}

TEST(WalDamage, CutAtRecordBoundaryIsClean) {
  TempDir t;
  std::vector<uint64_t> offsets = WriteRecords(t.wal(), 20);
  std::string path = SegmentPaths(t.wal())[0];
  std::string data = ReadFile(path);
  WriteFile(path, data.substr(0, offsets[15]));
  Replayed r = Replay(t.wal());
  ASSERT_TRUE(r.status.ok());
  ExpectPrefix(r, 15);
  EXPECT_FALSE(r.stats.truncated_tail);
}

TEST(WalDamage, BadChecksumLosesOnlyFromTheDamagedRecord) {
  CheckDamagedTail([](std::string& d, const std::vector<uint64_t>& off) { d[off[19] + 20] ^= 1; },
                   19, "payload flip in last");
  CheckDamagedTail(
      [](std::string& d, const std::vector<uint64_t>& off) { d[off[12] + 16] ^= 0x40; }, 12,
      "payload flip in 13th");
  CheckDamagedTail([](std::string& d, const std::vector<uint64_t>& off) { d[off[19] + 5] ^= 1; },
                   19, "crc flip");
  CheckDamagedTail([](std::string& d, const std::vector<uint64_t>& off) { d[off[19] + 9] ^= 1; },
                   19, "lsn flip");
}

TEST(WalDamage, BadLengthField) {
  auto set_len = [](uint32_t len, size_t rec) {
    return [len, rec](std::string& d, const std::vector<uint64_t>& off) {
      std::memcpy(&d[off[rec]], &len, 4);
    };
  };
  CheckDamagedTail(set_len(0xFFFFFFF0u, 19), 19, "absurd length");
  CheckDamagedTail(set_len(300u << 20, 19), 19, "over the maximum");
  CheckDamagedTail(set_len(100000, 19), 19, "past end of file");
  CheckDamagedTail(set_len(3, 10), 10, "short length, checksum fails");
  CheckDamagedTail(set_len(0, 19), 19, "zero length");
}

TEST(WalDamage, ZeroFilledTail) {
  CheckDamagedTail([](std::string& d, const std::vector<uint64_t>&) { d.append(4096, '\0'); }, 20,
                   "4 KiB of zeros");
  CheckDamagedTail([](std::string& d, const std::vector<uint64_t>&) { d.append(7, '\0'); }, 20,
                   "7 zero bytes");
  CheckDamagedTail(
      [](std::string& d, const std::vector<uint64_t>& off) {
        std::fill(d.begin() + static_cast<ptrdiff_t>(off[18]), d.end(), '\0');
        d.append(4096, '\0');
      },
      18, "zeros over the last two records");
}

TEST(WalDamage, RenamedSegmentHasUnexpectedLsn) {
  TempDir t;
  WriteRecords(t.wal(), 5);
  fs::rename(t.wal() + "/wal-00000000000000000001.log", t.wal() + "/wal-00000000000000000002.log");
  Replayed r = Replay(t.wal());
  ASSERT_TRUE(r.status.ok());
  EXPECT_TRUE(r.lsns.empty());
  EXPECT_TRUE(r.stats.truncated_tail);
  EXPECT_NE(r.stats.tail_reason.find("LSN"), std::string::npos);
}

// Three segments of records 1..30; returns their paths.
std::vector<std::string> ThreeSegments(const std::string& dir) {
  for (uint64_t start : {1, 11, 21}) {
    auto w = OpenWal(dir, start);
    for (uint64_t i = start; i < start + 10; ++i) EXPECT_EQ(w->Append(Payload(i)).value(), i);
  }
  std::vector<std::string> paths = SegmentPaths(dir);
  EXPECT_EQ(paths.size(), 3u);
  return paths;
}

TEST(WalDamage, CorruptionInAMiddleSegmentIsAnError) {
  TempDir t;
  std::vector<std::string> paths = ThreeSegments(t.wal());
  std::string data = ReadFile(paths[1]);
  data[16 + 3] ^= 1;  // payload of the middle segment's first record
  WriteFile(paths[1], data);
  Replayed r = Replay(t.wal());
  EXPECT_EQ(r.status.code(), Code::kCorruption);
  EXPECT_NE(r.status.message().find(paths[1] + " at offset 0"), std::string::npos)
      << r.status.message();
}

TEST(WalDamage, TornTailInAMiddleSegmentLosingRecordsIsAnError) {
  TempDir t;
  std::vector<std::string> paths = ThreeSegments(t.wal());
  std::string data = ReadFile(paths[0]);
  WriteFile(paths[0], data.substr(0, data.size() - 5));
  Replayed r = Replay(t.wal());
  EXPECT_EQ(r.status.code(), Code::kCorruption);
  EXPECT_NE(r.status.message().find(paths[0]), std::string::npos);
}

TEST(WalDamage, TornTailThatARestartMovedPastIsHealed) {
  TempDir t;
  std::vector<uint64_t> offsets = WriteRecords(t.wal(), 20);
  std::string path = SegmentPaths(t.wal())[0];
  WriteFile(path, ReadFile(path).substr(0, offsets[19] + 10));  // crash mid-record 20
  Replayed before = Replay(t.wal());
  ASSERT_TRUE(before.status.ok());
  ASSERT_TRUE(before.stats.truncated_tail);
  ASSERT_EQ(before.lsns.back(), 19u);
  {
    auto w = OpenWal(t.wal(), 20);
    for (uint64_t i = 20; i <= 30; ++i) ASSERT_EQ(w->Append(Payload(i)).value(), i);
  }
  Replayed after = Replay(t.wal());
  ASSERT_TRUE(after.status.ok()) << after.status.ToString();
  ExpectPrefix(after, 30);
  EXPECT_FALSE(after.stats.truncated_tail);
  EXPECT_EQ(after.stats.healed_tails, 1u);
}

TEST(Wal, ConcurrentAppendsAreGroupCommitted) {
  TempDir t;
  constexpr int kThreads = 8, kPerThread = 250;
  std::atomic<int> syncs{0};
  WalOptions o;
  o.sync = true;
  o.segment_bytes = 64 << 10;
  o.on_fsync = [&](double seconds) {
    EXPECT_GE(seconds, 0.0);
    syncs.fetch_add(1);
  };
  auto w = WalWriter::Open(t.wal(), 1, std::move(o));
  ASSERT_TRUE(w.ok());
  std::vector<std::map<uint64_t, std::string>> got(kThreads);
  std::vector<std::thread> threads;
  for (int th = 0; th < kThreads; ++th) {
    threads.emplace_back([&, th] {
      for (int i = 0; i < kPerThread; ++i) {
        std::string p =
            "t" + std::to_string(th) + "-" + std::to_string(i) + std::string(i % 97, 'x');
        auto lsn = w.value()->Append(p);
        ASSERT_TRUE(lsn.ok()) << lsn.status().ToString();
        got[th][lsn.value()] = p;
      }
    });
  }
  for (auto& th : threads) th.join();
  std::map<uint64_t, std::string> all;
  for (const auto& m : got) {
    for (const auto& [lsn, p] : m) ASSERT_TRUE(all.emplace(lsn, p).second) << "duplicate " << lsn;
  }
  ASSERT_EQ(all.size(), size_t{kThreads * kPerThread});
  EXPECT_EQ(all.begin()->first, 1u);
  EXPECT_EQ(all.rbegin()->first, uint64_t{kThreads * kPerThread});
  std::printf("%d appends from %d threads used %d fsyncs\n", kThreads * kPerThread, kThreads,
              syncs.load());
  EXPECT_GE(syncs.load(), 1);
  EXPECT_LE(syncs.load(), kThreads * kPerThread);
  Replayed r = Replay(t.wal());
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.lsns.size(), all.size());
  for (size_t i = 0; i < r.lsns.size(); ++i) EXPECT_EQ(r.payloads[i], all[r.lsns[i]]);
  EXPECT_GT(r.stats.segments, 1u);
}

TEST(Wal, ReplayWhileAWriterAppendsSeesAPrefix) {
  TempDir t;
  constexpr uint64_t kRecords = 3000;
  // Small segments so replays race with segment creation, not just with appends.
  auto w = OpenWal(t.wal(), 1, 4096);
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (uint64_t i = 1; i <= kRecords; ++i) EXPECT_EQ(w->Append(Payload(i)).value(), i);
    done = true;
  });
  struct Joiner {
    std::thread& t;
    ~Joiner() { t.join(); }
  } joiner{writer};
  uint64_t last_seen = 0;
  int rounds = 0;
  for (bool finished = false; !finished; ++rounds) {
    finished = done.load();
    Replayed r = Replay(t.wal());
    ASSERT_TRUE(r.status.ok()) << r.status.ToString();
    for (size_t i = 0; i < r.lsns.size(); ++i) {
      ASSERT_EQ(r.lsns[i], i + 1);
      ASSERT_EQ(r.payloads[i], Payload(i + 1));
    }
    ASSERT_GE(r.lsns.size(), last_seen);
    last_seen = r.lsns.size();
  }
  EXPECT_EQ(last_seen, kRecords);
  EXPECT_GE(rounds, 2);
}

TEST(Wal, FailedWriteIsStickyAndLeavesATornTail) {
  TempDir t;
  auto w = OpenWal(t.wal(), 1);
  for (uint64_t i = 1; i <= 5; ++i) ASSERT_TRUE(w->Append(Payload(i)).ok());
  // A file size limit makes the kernel cut the next write short and then fail it.
  struct rlimit old_limit;
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &old_limit), 0);
  auto old_handler = signal(SIGXFSZ, SIG_IGN);
  struct rlimit limit = old_limit;
  limit.rlim_cur = fs::file_size(SegmentPaths(t.wal())[0]) + 100;
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &limit), 0);
  auto failed = w->Append(std::string(1000, 'x'));
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &old_limit), 0);
  signal(SIGXFSZ, old_handler);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), Code::kIOError);
  auto after = w->Append("small");
  EXPECT_EQ(after.status().code(), Code::kIOError) << "a failed writer must stay failed";
  w.reset();
  Replayed r = Replay(t.wal());
  ASSERT_TRUE(r.status.ok());
  ExpectPrefix(r, 5);
  EXPECT_TRUE(r.stats.truncated_tail);
}

TEST(Wal, DeleteSegmentsBeforeKeepsNeededAndActiveSegments) {
  TempDir t;
  auto w = OpenWal(t.wal(), 1, 2048);
  for (uint64_t i = 1; i <= 200; ++i) ASSERT_TRUE(w->Append(Payload(i)).ok());
  auto total_on_disk = [&] {
    uint64_t n = 0;
    for (const auto& p : SegmentPaths(t.wal())) n += fs::file_size(p);
    return n;
  };
  EXPECT_EQ(w->TotalBytes(), total_on_disk());
  size_t before = SegmentPaths(t.wal()).size();
  ASSERT_GT(before, 4u);

  ASSERT_TRUE(w->DeleteSegmentsBefore(100).ok());
  EXPECT_LT(SegmentPaths(t.wal()).size(), before);
  EXPECT_EQ(w->TotalBytes(), total_on_disk());
  Replayed r = Replay(t.wal());
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  // Every record >= 100 survives; the first surviving segment may start earlier.
  ASSERT_FALSE(r.lsns.empty());
  EXPECT_LE(r.lsns.front(), 100u);
  EXPECT_EQ(r.lsns.back(), 200u);
  for (size_t i = 1; i < r.lsns.size(); ++i) EXPECT_EQ(r.lsns[i], r.lsns[i - 1] + 1);
  // The segment holding LSN 99 must stay when asked for "before 100".
  EXPECT_LE(r.lsns.front(), 99u);

  ASSERT_TRUE(w->DeleteSegmentsBefore(UINT64_MAX).ok());
  std::vector<std::string> left = SegmentPaths(t.wal());
  ASSERT_EQ(left.size(), 1u);  // the active segment
  EXPECT_EQ(w->TotalBytes(), total_on_disk());
  ASSERT_EQ(w->Append("more").value(), 201u);
  Replayed after = Replay(t.wal());
  ASSERT_TRUE(after.status.ok());
  EXPECT_EQ(after.lsns.back(), 201u);
}

TEST(Wal, DeleteSegmentsBeforeCoversSegmentsFromEarlierWriters) {
  TempDir t;
  ThreeSegments(t.wal());
  auto w = OpenWal(t.wal(), 31);
  ASSERT_TRUE(w->DeleteSegmentsBefore(20).ok());  // wal-1 goes; wal-11 holds 20 and stays
  EXPECT_EQ(SegmentPaths(t.wal()).size(), 3u);
  ASSERT_TRUE(w->DeleteSegmentsBefore(21).ok());
  EXPECT_EQ(SegmentPaths(t.wal()).size(), 2u);
  Replayed r = Replay(t.wal());
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.lsns.front(), 21u);
}

}  // namespace
}  // namespace vigil
