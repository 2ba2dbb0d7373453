// A small metrics registry rendering the Prometheus text exposition format 0.0.4.
//
// Counters, gauges and fixed-bucket histograms are updated lock-free (std::atomic) on hot
// paths. Labelled counters and gauges live in families; a child is created on first use
// under a mutex and its address is stable for the registry's lifetime, so callers may
// cache the reference. Metrics computed on demand (e.g. from Store::Stats()) are written
// by collectors at scrape time.
//
// Thread-safety: register metrics and collectors before concurrent use; after that,
// every update and Render() is thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/thread_annotations.h"

namespace vigil {

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

// Writes exposition text: a metric's `# HELP` and `# TYPE` lines, then its samples.
class PrometheusWriter {
 public:
  // `type` is counter, gauge or histogram.
  void Header(std::string_view name, std::string_view help, std::string_view type);
  void Sample(std::string_view name, const MetricLabels& labels, double value);
  void Sample(std::string_view name, const MetricLabels& labels, uint64_t value);
  // `buckets` are (upper bound, cumulative count) in increasing bound order, without
  // +Inf: the `_bucket{le="+Inf"}` sample is `count`.
  void Histogram(std::string_view name, const MetricLabels& labels,
                 const std::vector<std::pair<double, uint64_t>>& buckets, double sum,
                 uint64_t count);
  const std::string& str() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  void Name(std::string_view name, const MetricLabels& labels,
            const std::pair<std::string, std::string>* extra);
  std::string out_;
};

// Prometheus number formatting: shortest round-trip decimal, +Inf, -Inf, NaN.
std::string FormatMetricValue(double v);

class Counter {
 public:
  void Inc(uint64_t n = 1) { v_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> v_{0};
};

class Gauge {
 public:
  void Set(double v) { v_.store(v, std::memory_order_relaxed); }
  void Add(double d) { v_.fetch_add(d, std::memory_order_relaxed); }
  double value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> v_{0};
};

class Histogram {
 public:
  // REQUIRES: `bounds` strictly increasing and finite.
  explicit Histogram(std::vector<double> bounds);
  void Observe(double v);
  // (upper bound, cumulative count) pairs, as PrometheusWriter::Histogram wants them.
  std::vector<std::pair<double, uint64_t>> CumulativeBuckets() const;
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  double sum() const { return sum_.load(std::memory_order_relaxed); }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;  // per bucket, not cumulative
  std::atomic<uint64_t> count_{0};
  std::atomic<double> sum_{0};
};

// Children of one labelled metric, keyed by their label values.
template <typename M>
class MetricFamily {
 public:
  explicit MetricFamily(std::vector<std::string> label_names) : names_(std::move(label_names)) {}

  // The child with these label values (one per label name), created on first use.
  M& With(const std::vector<std::string>& values) EXCLUDES(mu_) {
    std::lock_guard<std::mutex> lock(mu_);
    std::unique_ptr<M>& child = children_[values];
    if (!child) child = std::make_unique<M>();
    return *child;
  }

  // Calls fn(labels, child) for every child, in label order.
  template <typename Fn>
  void ForEach(Fn fn) const EXCLUDES(mu_) {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [values, child] : children_) {
      MetricLabels labels;
      for (size_t i = 0; i < names_.size() && i < values.size(); ++i) {
        labels.emplace_back(names_[i], values[i]);
      }
      fn(labels, *child);
    }
  }

 private:
  const std::vector<std::string> names_;
  mutable std::mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<M>> children_ GUARDED_BY(mu_);
};

using CounterFamily = MetricFamily<Counter>;
using GaugeFamily = MetricFamily<Gauge>;

class MetricsRegistry {
 public:
  using Collector = std::function<void(PrometheusWriter&)>;

  MetricsRegistry();
  ~MetricsRegistry();

  // Each returns a reference valid for the registry's lifetime. `name` must be a valid
  // Prometheus metric name and unique in the registry.
  Counter& AddCounter(std::string name, std::string help);
  Gauge& AddGauge(std::string name, std::string help);
  Histogram& AddHistogram(std::string name, std::string help, std::vector<double> bounds);
  CounterFamily& AddCounterFamily(std::string name, std::string help,
                                  std::vector<std::string> label_names);
  GaugeFamily& AddGaugeFamily(std::string name, std::string help,
                              std::vector<std::string> label_names);
  // `collect` runs on every Render(), after the registered metrics, on the scraping
  // thread; it must be thread-safe.
  void AddCollector(Collector collect);

  // The exposition text of every metric, in registration order.
  std::string Render() const;

 private:
  struct Entry;
  std::vector<std::unique_ptr<Entry>> entries_;
  std::vector<Collector> collectors_;
};

}  // namespace vigil
