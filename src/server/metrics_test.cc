#include "server/metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>
#include <thread>

#include "server/server_metrics.h"

namespace vigil {
namespace {

using testing::HasSubstr;

TEST(MetricsTest, CounterAndGaugeText) {
  MetricsRegistry r;
  Counter& c = r.AddCounter("vigil_things_total", "Things seen.");
  Gauge& g = r.AddGauge("vigil_level", "A level.");
  c.Inc();
  c.Inc(41);
  g.Set(2.5);
  EXPECT_EQ(r.Render(),
            "# HELP vigil_things_total Things seen.\n"
            "# TYPE vigil_things_total counter\n"
            "vigil_things_total 42\n"
            "# HELP vigil_level A level.\n"
            "# TYPE vigil_level gauge\n"
            "vigil_level 2.5\n");
}

TEST(MetricsTest, LabelsAreEscaped) {
  MetricsRegistry r;
  CounterFamily& f = r.AddCounterFamily("vigil_x_total", "Help with \\ and\nnewline.", {"a", "b"});
  f.With({"plain", "q\"uote"}).Inc(3);
  f.With({"back\\slash", "new\nline"}).Inc();
  EXPECT_EQ(r.Render(),
            "# HELP vigil_x_total Help with \\\\ and\\nnewline.\n"
            "# TYPE vigil_x_total counter\n"
            "vigil_x_total{a=\"back\\\\slash\",b=\"new\\nline\"} 1\n"
            "vigil_x_total{a=\"plain\",b=\"q\\\"uote\"} 3\n");
}

TEST(MetricsTest, FamilyChildIsStable) {
  MetricsRegistry r;
  GaugeFamily& f = r.AddGaugeFamily("vigil_g", "g", {"k"});
  Gauge& a = f.With({"x"});
  Gauge& b = f.With({"x"});
  EXPECT_EQ(&a, &b);
  a.Add(1.5);
  b.Add(1);
  EXPECT_THAT(r.Render(), HasSubstr("vigil_g{k=\"x\"} 2.5\n"));
}

TEST(MetricsTest, HistogramBucketsAreCumulativeAndInclusive) {
  MetricsRegistry r;
  Histogram& h = r.AddHistogram("vigil_d_seconds", "Durations.", {0.1, 1});
  h.Observe(0.05);
  h.Observe(0.1);  // on the bound: counts in le="0.1"
  h.Observe(0.5);
  h.Observe(7);
  EXPECT_EQ(r.Render(),
            "# HELP vigil_d_seconds Durations.\n"
            "# TYPE vigil_d_seconds histogram\n"
            "vigil_d_seconds_bucket{le=\"0.1\"} 2\n"
            "vigil_d_seconds_bucket{le=\"1\"} 3\n"
            "vigil_d_seconds_bucket{le=\"+Inf\"} 4\n"
            "vigil_d_seconds_sum 7.65\n"
            "vigil_d_seconds_count 4\n");
}

TEST(MetricsTest, SpecialValues) {
  EXPECT_EQ(FormatMetricValue(1.0 / 0.0), "+Inf");
  EXPECT_EQ(FormatMetricValue(-1.0 / 0.0), "-Inf");
  EXPECT_EQ(FormatMetricValue(0.0 / 0.0), "NaN");
  EXPECT_EQ(FormatMetricValue(1e-7), "1e-07");
  EXPECT_EQ(FormatMetricValue(3), "3");
}

TEST(MetricsTest, CollectorsRunAtScrapeTime) {
  MetricsRegistry r;
  int calls = 0;
  r.AddCollector([&](PrometheusWriter& w) {
    ++calls;
    w.Header("vigil_dyn", "Dynamic.", "gauge");
    w.Sample("vigil_dyn", {}, static_cast<uint64_t>(calls));
  });
  EXPECT_THAT(r.Render(), HasSubstr("vigil_dyn 1\n"));
  EXPECT_THAT(r.Render(), HasSubstr("vigil_dyn 2\n"));
}

TEST(MetricsTest, ConcurrentUpdatesAreNotLost) {
  MetricsRegistry r;
  Counter& c = r.AddCounter("c_total", "c");
  Histogram& h = r.AddHistogram("h", "h", {1});
  CounterFamily& f = r.AddCounterFamily("f_total", "f", {"k"});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10000; ++i) {
        c.Inc();
        h.Observe(0.5);
        f.With({std::to_string(i % 3)}).Inc();
        if (i % 1000 == 0 && t == 0) (void)r.Render();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(c.value(), 40000u);
  EXPECT_EQ(h.count(), 40000u);
  EXPECT_DOUBLE_EQ(h.sum(), 20000);
  uint64_t total = 0;
  for (const char* k : {"0", "1", "2"}) total += f.With({k}).value();
  EXPECT_EQ(total, 40000u);
}

TEST(ServerMetricsTest, NamesAndStoreMetrics) {
  MetricsRegistry r;
  ServerMetrics m(r);
  m.ingested_lines.Inc(3);
  m.http_requests.With({"/api/v1/logs", "200"}).Inc();
  m.query_duration.Observe(0.002);
  StoreStats s;
  s.memtable_rows = 12;
  s.wal_bytes = 4096;
  s.merge_backlog = 1;
  s.partitions = {{"2026-01-01", 3, 1000, 65536}, {"2026-01-02", 1, 10, 512}};
  s.fsync_buckets = {{0.001, 5}, {0.01, 9}};
  s.fsync_count = 10;
  s.fsync_sum_seconds = 0.05;
  r.AddCollector([&](PrometheusWriter& w) { WriteStoreMetrics(s, w); });
  const std::string text = r.Render();
  for (const char* want : {
           "vigil_ingested_lines_total 3\n",
           "# TYPE vigil_ingested_bytes_total counter\n",
           "# TYPE vigil_rejected_lines_total counter\n",
           "vigil_http_requests_total{route=\"/api/v1/logs\",code=\"200\"} 1\n",
           "# TYPE vigil_query_total counter\n",
           "vigil_query_duration_seconds_bucket{le=\"0.0025\"} 1\n",
           "# TYPE vigil_wal_fsync_seconds histogram\n",
           "vigil_wal_fsync_seconds_bucket{le=\"0.001\"} 5\n",
           "vigil_wal_fsync_seconds_bucket{le=\"0.01\"} 9\n",
           "vigil_wal_fsync_seconds_bucket{le=\"+Inf\"} 10\n",
           "vigil_wal_fsync_seconds_sum 0.05\n",
           "vigil_wal_fsync_seconds_count 10\n",
           "vigil_parts{partition=\"2026-01-01\"} 3\n",
           "vigil_partition_rows{partition=\"2026-01-02\"} 10\n",
           "vigil_partition_bytes{partition=\"2026-01-01\"} 65536\n",
           "vigil_merge_backlog 1\n",
           "vigil_memtable_rows 12\n",
           "vigil_wal_bytes 4096\n",
       }) {
    EXPECT_THAT(text, HasSubstr(want));
  }
  // Every sample line belongs to a metric announced by a TYPE line above it.
  std::string current;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("# TYPE ", 0) == 0) {
      current = line.substr(7, line.find(' ', 7) - 7);
    } else if (line[0] != '#') {
      EXPECT_EQ(line.rfind(current, 0), 0u) << line << " under " << current;
    }
  }
}

}  // namespace
}  // namespace vigil
