// Store: where events live. Everything above the store (server, query engine, alert
// evaluator) speaks only to this interface; the embedded engine (store/embedded) is the
// default implementation.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "core/batch.h"
#include "core/status.h"
#include "core/value.h"

namespace vigil {

// A condition the store may use to skip whole blocks (bloom filters, min/max). It is a
// hint: the store may return rows that fail it, so the query still filters every row.
struct PrunePredicate {
  enum class Op { kEq, kLt, kLe, kGt, kGe, kToken, kContains };
  std::string column;  // field name
  Op op = Op::kEq;
  Value literal;       // kToken: a string; the block must contain this word
                       // kContains: a string; a String value must contain it
};

struct ScanSpec {
  int64_t min_ts = std::numeric_limits<int64_t>::min();  // inclusive, ns
  int64_t max_ts = std::numeric_limits<int64_t>::max();  // inclusive, ns
  // Field names to return; empty means every column. `@timestamp` is always returned.
  std::vector<std::string> columns;
  // Fields of `columns` the query only compares with numbers (`status >= 500`): their
  // String values can never matter, so the store may leave those columns out.
  std::vector<std::string> numeric_only;
  // Conjunction of pruning hints.
  std::vector<PrunePredicate> predicates;
};

struct ScanStats {
  uint64_t parts_total = 0;
  uint64_t parts_skipped = 0;   // by time range or part-level index
  uint64_t blocks_total = 0;
  uint64_t blocks_skipped_minmax = 0;
  uint64_t blocks_skipped_bloom = 0;
  uint64_t rows_scanned = 0;
  uint64_t bytes_read = 0;      // compressed bytes decoded
};

// Receives scanned rows. Returns false to stop the scan early (e.g. a limit was reached).
using ScanSink = std::function<bool(Batch&& rows)>;

struct PartitionStats {
  std::string partition;  // YYYY-MM-DD
  uint64_t parts = 0;
  uint64_t rows = 0;
  uint64_t bytes = 0;
};

struct StoreStats {
  uint64_t memtable_rows = 0;
  uint64_t memtable_bytes = 0;
  uint64_t wal_bytes = 0;
  uint64_t merge_backlog = 0;  // partitions waiting for a merge
  std::vector<PartitionStats> partitions;
  // WAL fsync latency histogram (seconds): counts per upper bound, and the sum.
  std::vector<std::pair<double, uint64_t>> fsync_buckets;
  uint64_t fsync_count = 0;
  double fsync_sum_seconds = 0;
};

// Deduplication of a batch its sender may send again (a retry after a lost answer). A
// shipper (a `vigil ship` process, an SDK) numbers its batches with increasing seqs and
// sends the next one only after the previous one was committed (or refused), so "seq not
// above the last committed seq of this shipper" means "already committed".
struct AppendOptions {
  std::string shipper_id;  // empty: no deduplication; else 1..128 bytes of [A-Za-z0-9._:-]
  uint64_t seq = 0;        // REQUIRES: > 0 when shipper_id is set
};

class Store {
 public:
  virtual ~Store() = default;

  // Makes `batch` durable (in the WAL) and visible to later scans. Returns only after
  // the batch is durable; on error nothing of the batch is visible or replayed.
  // REQUIRES: every row has an Int `@timestamp` column value. Thread-safe.
  virtual Status Append(Batch&& batch) = 0;

  // Append with deduplication (AppendOptions). When a batch of options.shipper_id with a
  // seq >= options.seq was already committed, stores nothing and returns AlreadyExists.
  // Otherwise behaves as Append(batch) and commits (shipper_id, seq) atomically with the
  // batch: it survives crashes and restarts exactly when the batch does. Returns
  // InvalidArgument for a malformed shipper id or seq 0. Appends of one shipper run one
  // at a time. Thread-safe. This default does not deduplicate (at-least-once), for
  // stores that cannot.
  virtual Status Append(Batch&& batch, const AppendOptions& options) {
    (void)options;
    return Append(std::move(batch));
  }

  // Calls `sink` with batches of rows matching the time range (and possibly the
  // predicates), in no particular order. Sees every batch whose Append returned before
  // the scan began. Thread-safe; runs concurrently with Append. `stats` may be null.
  virtual Status Scan(const ScanSpec& spec, const ScanSink& sink, ScanStats* stats) = 0;

  // Writes the memtable to parts now (normally done in the background). Thread-safe.
  virtual Status Flush() = 0;
  // Runs merges until no partition needs one (normally done in the background).
  virtual Status CompactAll() = 0;

  virtual StoreStats Stats() = 0;

  // Flushes and stops background work. Further calls fail with Unavailable.
  virtual Status Close() = 0;
};

struct EmbeddedOptions {
  std::string dir;
  bool read_only = false;  // `vigil query --data`: never writes, tolerates a live server
  enum class Sync { kGroupCommit, kNone } sync = Sync::kGroupCommit;
  size_t memtable_max_bytes = 64u << 20;
  size_t memtable_max_rows = 256 * 1024;
  int retention_days = 0;  // 0 = keep forever
  bool background = true;  // run flush/merge/retention threads
  std::vector<std::string> id_fields = {"request_id", "trace_id"};
  // Flushed parts are short-lived (merges rewrite them): compress them fast; background
  // merges keep up with ingest; an explicit CompactAll compresses hardest.
  int zstd_level = 1;
  int merge_zstd_level = 3;
  int compact_zstd_level = 9;
};

// Opens (creating if needed, unless read_only) an embedded store in options.dir and
// recovers it: removes unfinished temp parts and replays the WAL tail.
Result<std::unique_ptr<Store>> OpenEmbeddedStore(const EmbeddedOptions& options);

}  // namespace vigil
