#include "diagnostics/slow_endpoints.h"

#include <algorithm>
#include <cmath>
#include <tuple>

#include "query/ast.h"

namespace vigil {

namespace {

double Num(const Value& v) {
  if (const auto* i = std::get_if<int64_t>(&v.v)) return static_cast<double>(*i);
  if (const auto* d = std::get_if<double>(&v.v)) return *d;
  return std::nan("");
}

double Round(double v, int digits) {
  const double scale = std::pow(10.0, digits);
  return std::round(v * scale) / scale;
}

std::string Str(const Value& v) {
  if (const auto* s = std::get_if<std::string>(&v.v)) return *s;
  return v.is_null() ? std::string() : query::LiteralToString(v);
}

struct Row {
  std::string endpoint, tenant;
  SlowEndpointStats s;
  const char* label = "ok";
};

}  // namespace

const char* DiagnoseEndpoint(const SlowEndpointStats& s, const DiagnosisOptions& o) {
  if (s.p50_query_count >= o.n_plus_one_queries || s.p95_query_count >= o.n_plus_one_queries) {
    return "n_plus_one";
  }
  if (s.mean_query_total_ms >= o.slow_query_total_ms) return "slow_queries";
  if (s.p95 >= o.slow_duration_ms && s.db_share < o.python_db_share) return "python_bound";
  return "ok";
}

const std::vector<std::string>& SlowEndpointColumns(bool by_tenant) {
  static const std::vector<std::string> kPlain = {
      "endpoint", "diagnosis", "requests", "p50_ms", "p95_ms", "p99_ms", "mean_query_count",
      "p95_query_count", "mean_query_total_ms", "db_share"};
  static const std::vector<std::string> kTenant = [] {
    std::vector<std::string> v = kPlain;
    v.insert(v.begin() + 1, "tenant");
    return v;
  }();
  return by_tenant ? kTenant : kPlain;
}

Result<Batch> SlowEndpoints(Store& store, const QueryOptions& query_options,
                            const DiagnosisOptions& diagnosis, const query::TableRequest& range,
                            bool by_tenant) {
  QueryRequest req;
  req.text =
      "filter ispresent(duration_ms) and ispresent(query_count) and ispresent(query_total_ms) "
      "and ispresent(endpoint) "
      "| stats count(*) as n, pct(duration_ms, 50) as p50, pct(duration_ms, 95) as p95, "
      "pct(duration_ms, 99) as p99, avg(query_count) as qc, pct(query_count, 50) as qc50, "
      "pct(query_count, 95) as qc95, avg(query_total_ms) as qms, sum(query_total_ms) as qsum, "
      "sum(duration_ms) as dsum by endpoint";
  if (by_tenant) req.text += ", @tenant";
  req.start_ns = range.min_ts;
  req.end_ns = range.max_ts;
  req.now_ns = range.now_ns;
  req.max_rows = 1'000'000;
  QueryOptions opts = query_options;
  ASSIGN_OR_RETURN(QueryResult r, RunQuery(store, req, opts));
  std::vector<Row> rows;
  for (const std::vector<Value>& v : r.rows) {
    Row row;
    row.endpoint = Str(v[0]);
    size_t k = 1;
    if (by_tenant) {
      row.tenant = Str(v[1]);
      k = 2;
    }
    SlowEndpointStats& s = row.s;
    s.requests = Num(v[k]);
    s.p50 = Num(v[k + 1]);
    s.p95 = Num(v[k + 2]);
    s.p99 = Num(v[k + 3]);
    s.mean_query_count = Num(v[k + 4]);
    s.p50_query_count = Num(v[k + 5]);
    s.p95_query_count = Num(v[k + 6]);
    s.mean_query_total_ms = Num(v[k + 7]);
    const double qsum = Num(v[k + 8]), dsum = Num(v[k + 9]);
    s.db_share = dsum > 0 ? qsum / dsum : 0;
    row.label = DiagnoseEndpoint(s, diagnosis);
    rows.push_back(std::move(row));
  }
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    const bool ao = std::string_view(a.label) == "ok", bo = std::string_view(b.label) == "ok";
    if (ao != bo) return bo;
    if (a.s.p95 != b.s.p95) return a.s.p95 > b.s.p95;
    return std::tie(a.endpoint, a.tenant) < std::tie(b.endpoint, b.tenant);
  });
  BatchBuilder b;
  for (const Row& row : rows) {
    b.BeginRow();
    b.AddString("endpoint", row.endpoint);
    if (by_tenant && !row.tenant.empty()) b.AddString("tenant", row.tenant);
    b.AddString("diagnosis", row.label);
    b.AddInt("requests", static_cast<int64_t>(row.s.requests));
    b.AddFloat("p50_ms", Round(row.s.p50, 1));
    b.AddFloat("p95_ms", Round(row.s.p95, 1));
    b.AddFloat("p99_ms", Round(row.s.p99, 1));
    b.AddFloat("mean_query_count", Round(row.s.mean_query_count, 2));
    b.AddFloat("p95_query_count", Round(row.s.p95_query_count, 2));
    b.AddFloat("mean_query_total_ms", Round(row.s.mean_query_total_ms, 1));
    b.AddFloat("db_share", Round(row.s.db_share, 3));
    b.EndRow();
  }
  return b.Finish();
}

}  // namespace vigil
