#include "query/sketch.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace vigil::query {
namespace {

// Magnitudes below this count as zero (no bucket index for them).
constexpr double kMinMagnitude = 1e-9;

// Ertl's sigma and tau series (arXiv:1702.01284, algorithm 6).
double Sigma(double x) {
  if (x == 1) return std::numeric_limits<double>::infinity();
  double y = 1, z = x;
  for (;;) {
    x *= x;
    const double prev = z;
    z += x * y;
    y += y;
    if (z == prev) return z;
  }
}

double Tau(double x) {
  if (x == 0 || x == 1) return 0;
  double y = 1, z = 1 - x;
  for (;;) {
    x = std::sqrt(x);
    const double prev = z;
    y *= 0.5;
    z -= (1 - x) * (1 - x) * y;
    if (z == prev) return z / 3;
  }
}

}  // namespace

QuantileSketch::QuantileSketch(double relative_accuracy)
    : gamma_((1 + relative_accuracy) / (1 - relative_accuracy)), log_gamma_(std::log(gamma_)) {}

void QuantileSketch::Buckets::Add(int index, uint64_t n) {
  if (counts.empty()) {
    offset = index;
    counts.assign(1, 0);
  } else if (index < offset) {
    counts.insert(counts.begin(), static_cast<size_t>(offset - index), 0);
    offset = index;
  } else if (index >= offset + static_cast<int>(counts.size())) {
    counts.resize(static_cast<size_t>(index - offset + 1), 0);
  }
  counts[static_cast<size_t>(index - offset)] += n;
}

int QuantileSketch::Index(double magnitude) const {
  return static_cast<int>(std::ceil(std::log(magnitude) / log_gamma_));
}

double QuantileSketch::Representative(int index) const {
  return 2 * std::pow(gamma_, index) / (gamma_ + 1);
}

void QuantileSketch::Add(double v) {
  if (!std::isfinite(v)) return;
  min_ = count_ == 0 ? v : std::min(min_, v);
  max_ = count_ == 0 ? v : std::max(max_, v);
  ++count_;
  const double magnitude = std::fabs(v);
  if (magnitude < kMinMagnitude) {
    ++zeros_;
  } else if (v > 0) {
    positive_.Add(Index(magnitude), 1);
  } else {
    negative_.Add(Index(magnitude), 1);
  }
}

void QuantileSketch::Merge(const QuantileSketch& other) {
  if (other.count_ == 0) return;
  for (size_t i = 0; i < other.positive_.counts.size(); ++i) {
    if (other.positive_.counts[i] != 0)
      positive_.Add(other.positive_.offset + static_cast<int>(i), other.positive_.counts[i]);
  }
  for (size_t i = 0; i < other.negative_.counts.size(); ++i) {
    if (other.negative_.counts[i] != 0)
      negative_.Add(other.negative_.offset + static_cast<int>(i), other.negative_.counts[i]);
  }
  min_ = count_ == 0 ? other.min_ : std::min(min_, other.min_);
  max_ = count_ == 0 ? other.max_ : std::max(max_, other.max_);
  zeros_ += other.zeros_;
  count_ += other.count_;
}

double QuantileSketch::Quantile(double q) const {
  const uint64_t rank = std::max<uint64_t>(1, static_cast<uint64_t>(std::ceil(q * count_)));
  if (rank == 1) return min_;  // the extremes are known exactly
  if (rank >= count_) return max_;
  uint64_t seen = 0;
  double out = max_;
  bool found = false;
  // Ascending order: most negative first, then zeros, then positives.
  for (size_t i = negative_.counts.size(); i-- > 0 && !found;) {
    seen += negative_.counts[i];
    if (seen >= rank) {
      out = -Representative(negative_.offset + static_cast<int>(i));
      found = true;
    }
  }
  if (!found && (seen += zeros_) >= rank) {
    out = 0;
    found = true;
  }
  for (size_t i = 0; i < positive_.counts.size() && !found; ++i) {
    seen += positive_.counts[i];
    if (seen >= rank) {
      out = Representative(positive_.offset + static_cast<int>(i));
      found = true;
    }
  }
  return std::clamp(out, min_, max_);
}

size_t QuantileSketch::MemoryBytes() const {
  return sizeof(*this) + (positive_.counts.capacity() + negative_.counts.capacity()) * 8;
}

DistinctCounter::DistinctCounter(size_t exact_limit) : exact_limit_(exact_limit) {}

bool DistinctCounter::InsertExact(uint64_t hash) {
  if (hash == 0) hash = 1;
  if (slots_.empty()) slots_.assign(16, 0);
  if ((exact_size_ + 1) * 2 > slots_.size()) {  // keep the load under 1/2
    std::vector<uint64_t> old = std::move(slots_);
    slots_.assign(old.size() * 2, 0);
    exact_size_ = 0;
    for (uint64_t h : old)
      if (h != 0) InsertExact(h);
  }
  const size_t mask = slots_.size() - 1;
  for (size_t i = (hash ^ (hash >> 29)) & mask;; i = (i + 1) & mask) {
    if (slots_[i] == hash) return false;
    if (slots_[i] == 0) {
      slots_[i] = hash;
      ++exact_size_;
      return true;
    }
  }
}

void DistinctCounter::AddToRegisters(uint64_t hash) {
  const size_t index = hash >> (64 - kPrecision);
  const uint64_t rest = hash << kPrecision;
  constexpr int kMaxRank = 64 - kPrecision + 1;
  const int rank = rest == 0 ? kMaxRank : std::min(kMaxRank, __builtin_clzll(rest) + 1);
  registers_[index] = std::max<uint8_t>(registers_[index], static_cast<uint8_t>(rank));
}

void DistinctCounter::SwitchToRegisters() {
  registers_.assign(size_t{1} << kPrecision, 0);
  for (uint64_t h : slots_)
    if (h != 0) AddToRegisters(h);
  slots_.clear();
  slots_.shrink_to_fit();
  exact_size_ = 0;
}

void DistinctCounter::Add(uint64_t hash) {
  if (!registers_.empty()) return AddToRegisters(hash);
  if (InsertExact(hash) && exact_size_ > exact_limit_) SwitchToRegisters();
}

void DistinctCounter::Merge(const DistinctCounter& other) {
  if (other.registers_.empty()) {
    for (uint64_t h : other.slots_)
      if (h != 0) Add(h);
    return;
  }
  if (registers_.empty()) SwitchToRegisters();
  for (size_t i = 0; i < registers_.size(); ++i)
    registers_[i] = std::max(registers_[i], other.registers_[i]);
}

uint64_t DistinctCounter::Estimate() const {
  if (registers_.empty()) return exact_size_;
  constexpr int q = 64 - kPrecision;
  const double m = static_cast<double>(registers_.size());
  std::vector<double> histogram(q + 2, 0);
  for (uint8_t r : registers_) histogram[r] += 1;
  double z = m * Tau(1 - histogram[q + 1] / m);
  for (int k = q; k >= 1; --k) z = 0.5 * (z + histogram[k]);
  z += m * Sigma(histogram[0] / m);
  const double alpha_inf = 1 / (2 * std::log(2.0));
  return static_cast<uint64_t>(std::llround(alpha_inf * m * m / z));
}

size_t DistinctCounter::MemoryBytes() const {
  return sizeof(*this) + slots_.capacity() * 8 + registers_.capacity();
}

}  // namespace vigil::query
