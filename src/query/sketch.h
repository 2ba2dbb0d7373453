// Mergeable sketches behind the approximate aggregates (aggregates.h).
//
// QuantileSketch is DDSketch (Masson, Rim, Lee, VLDB 2019): values fall into buckets
// whose bounds grow geometrically by gamma = (1 + a) / (1 - a), so every value in a
// bucket is within relative error `a` of the bucket's representative. A quantile is the
// representative of the bucket holding the value of that rank, hence within `a` of the
// exact (nearest-rank) answer, whatever the distribution. Sketches with the same `a`
// merge by adding bucket counts.
//
// DistinctCounter counts distinct 64-bit hashes exactly (a flat hash set) up to a
// threshold, then switches to HyperLogLog with 2^14 registers and Ertl's improved
// estimator (arXiv:1702.01284), which needs no empirical bias tables and has a
// standard error of about 1.04 / sqrt(2^14) = 0.81% at every cardinality.
//
// Thread-safety: none; each instance belongs to one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace vigil::query {

class QuantileSketch {
 public:
  // `relative_accuracy` in (0, 1).
  explicit QuantileSketch(double relative_accuracy);

  void Add(double v);
  // REQUIRES: `other` has the same relative accuracy.
  void Merge(const QuantileSketch& other);
  // The value of rank ceil(q * count) (1-based; at least 1), i.e. nearest rank, within
  // the relative accuracy. REQUIRES: count() > 0, 0 <= q <= 1.
  double Quantile(double q) const;
  uint64_t count() const { return count_; }
  size_t MemoryBytes() const;

 private:
  // Counts for a contiguous range of bucket indices, grown on demand.
  struct Buckets {
    int offset = 0;  // index of counts[0]
    std::vector<uint64_t> counts;
    void Add(int index, uint64_t n);
  };
  int Index(double magnitude) const;
  double Representative(int index) const;

  double gamma_;
  double log_gamma_;
  Buckets positive_, negative_;  // negative_ indexes |v|
  uint64_t zeros_ = 0;           // |v| below the smallest indexable magnitude
  uint64_t count_ = 0;
  double min_ = 0, max_ = 0;
};

class DistinctCounter {
 public:
  static constexpr int kPrecision = 14;

  // Counts exactly while at most `exact_limit` distinct hashes were seen.
  explicit DistinctCounter(size_t exact_limit);

  void Add(uint64_t hash);
  void Merge(const DistinctCounter& other);
  uint64_t Estimate() const;
  bool exact() const { return registers_.empty(); }
  size_t MemoryBytes() const;

 private:
  void AddToRegisters(uint64_t hash);
  void SwitchToRegisters();
  bool InsertExact(uint64_t hash);  // returns true when new

  size_t exact_limit_;
  std::vector<uint64_t> slots_;  // open addressing; 0 = empty (hash 0 is stored as 1)
  size_t exact_size_ = 0;
  std::vector<uint8_t> registers_;  // 2^kPrecision once approximate
};

}  // namespace vigil::query
