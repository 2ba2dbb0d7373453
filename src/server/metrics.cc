#include "server/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <variant>

namespace vigil {

namespace {

void AppendEscaped(std::string_view s, bool quote, std::string* out) {
  for (char c : s) {
    if (c == '\\') {
      out->append("\\\\");
    } else if (c == '\n') {
      out->append("\\n");
    } else if (c == '"' && quote) {
      out->append("\\\"");
    } else {
      out->push_back(c);
    }
  }
}

}  // namespace

std::string FormatMetricValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  return ec == std::errc() ? std::string(buf, end) : "NaN";
}

void PrometheusWriter::Header(std::string_view name, std::string_view help, std::string_view type) {
  out_.append("# HELP ").append(name).push_back(' ');
  AppendEscaped(help, false, &out_);
  out_.append("\n# TYPE ").append(name).push_back(' ');
  out_.append(type).push_back('\n');
}

void PrometheusWriter::Name(std::string_view name, const MetricLabels& labels,
                            const std::pair<std::string, std::string>* extra) {
  out_.append(name);
  if (labels.empty() && extra == nullptr) return;
  out_.push_back('{');
  bool first = true;
  auto label = [&](const std::pair<std::string, std::string>& l) {
    if (!first) out_.push_back(',');
    first = false;
    out_.append(l.first).append("=\"");
    AppendEscaped(l.second, true, &out_);
    out_.push_back('"');
  };
  for (const auto& l : labels) label(l);
  if (extra != nullptr) label(*extra);
  out_.push_back('}');
}

void PrometheusWriter::Sample(std::string_view name, const MetricLabels& labels, double value) {
  Name(name, labels, nullptr);
  out_.append(" ").append(FormatMetricValue(value)).push_back('\n');
}

void PrometheusWriter::Sample(std::string_view name, const MetricLabels& labels, uint64_t value) {
  Name(name, labels, nullptr);
  out_.append(" ").append(std::to_string(value)).push_back('\n');
}

void PrometheusWriter::Histogram(std::string_view name, const MetricLabels& labels,
                                 const std::vector<std::pair<double, uint64_t>>& buckets,
                                 double sum, uint64_t count) {
  const std::string bucket = std::string(name) + "_bucket";
  for (const auto& [bound, n] : buckets) {
    std::pair<std::string, std::string> le("le", FormatMetricValue(bound));
    Name(bucket, labels, &le);
    out_.append(" ").append(std::to_string(n)).push_back('\n');
  }
  std::pair<std::string, std::string> inf("le", "+Inf");
  Name(bucket, labels, &inf);
  out_.append(" ").append(std::to_string(count)).push_back('\n');
  Sample(std::string(name) + "_sum", labels, sum);
  Sample(std::string(name) + "_count", labels, count);
}

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)),
      counts_(std::make_unique<std::atomic<uint64_t>[]>(bounds_.size() + 1)) {}

void Histogram::Observe(double v) {
  // Prometheus buckets are inclusive upper bounds (`le`); the last slot is +Inf.
  size_t i = std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin();
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
}

std::vector<std::pair<double, uint64_t>> Histogram::CumulativeBuckets() const {
  std::vector<std::pair<double, uint64_t>> out;
  uint64_t total = 0;
  for (size_t i = 0; i < bounds_.size(); ++i) {
    total += counts_[i].load(std::memory_order_relaxed);
    out.emplace_back(bounds_[i], total);
  }
  return out;
}

struct MetricsRegistry::Entry {
  std::string name;
  std::string help;
  std::variant<Counter, Gauge, CounterFamily, GaugeFamily, vigil::Histogram> metric;

  template <typename... Args>
  Entry(std::string n, std::string h, Args&&... args)
      : name(std::move(n)), help(std::move(h)), metric(std::forward<Args>(args)...) {}

  void Write(PrometheusWriter& w) const {
    if (auto* c = std::get_if<Counter>(&metric)) {
      w.Header(name, help, "counter");
      w.Sample(name, {}, c->value());
    } else if (auto* g = std::get_if<Gauge>(&metric)) {
      w.Header(name, help, "gauge");
      w.Sample(name, {}, g->value());
    } else if (auto* cf = std::get_if<CounterFamily>(&metric)) {
      w.Header(name, help, "counter");
      cf->ForEach([&](const MetricLabels& l, const Counter& c) { w.Sample(name, l, c.value()); });
    } else if (auto* gf = std::get_if<GaugeFamily>(&metric)) {
      w.Header(name, help, "gauge");
      gf->ForEach([&](const MetricLabels& l, const Gauge& g) { w.Sample(name, l, g.value()); });
    } else if (auto* h = std::get_if<vigil::Histogram>(&metric)) {
      w.Header(name, help, "histogram");
      w.Histogram(name, {}, h->CumulativeBuckets(), h->sum(), h->count());
    }
  }
};

MetricsRegistry::MetricsRegistry() = default;
MetricsRegistry::~MetricsRegistry() = default;

Counter& MetricsRegistry::AddCounter(std::string name, std::string help) {
  entries_.push_back(
      std::make_unique<Entry>(std::move(name), std::move(help), std::in_place_type<Counter>));
  return std::get<Counter>(entries_.back()->metric);
}

Gauge& MetricsRegistry::AddGauge(std::string name, std::string help) {
  entries_.push_back(
      std::make_unique<Entry>(std::move(name), std::move(help), std::in_place_type<Gauge>));
  return std::get<Gauge>(entries_.back()->metric);
}

Histogram& MetricsRegistry::AddHistogram(std::string name, std::string help,
                                         std::vector<double> bounds) {
  entries_.push_back(std::make_unique<Entry>(
      std::move(name), std::move(help), std::in_place_type<vigil::Histogram>, std::move(bounds)));
  return std::get<vigil::Histogram>(entries_.back()->metric);
}

CounterFamily& MetricsRegistry::AddCounterFamily(std::string name, std::string help,
                                                 std::vector<std::string> label_names) {
  entries_.push_back(std::make_unique<Entry>(
      std::move(name), std::move(help), std::in_place_type<CounterFamily>, std::move(label_names)));
  return std::get<CounterFamily>(entries_.back()->metric);
}

GaugeFamily& MetricsRegistry::AddGaugeFamily(std::string name, std::string help,
                                             std::vector<std::string> label_names) {
  entries_.push_back(std::make_unique<Entry>(
      std::move(name), std::move(help), std::in_place_type<GaugeFamily>, std::move(label_names)));
  return std::get<GaugeFamily>(entries_.back()->metric);
}

void MetricsRegistry::AddCollector(Collector collect) { collectors_.push_back(std::move(collect)); }

std::string MetricsRegistry::Render() const {
  PrometheusWriter w;
  for (const auto& e : entries_) e->Write(w);
  for (const auto& c : collectors_) c(w);
  return w.Take();
}

}  // namespace vigil
