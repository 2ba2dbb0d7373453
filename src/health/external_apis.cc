#include "health/external_apis.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "health/route_template.h"

namespace vigil::health {

const char* const kExternalApisPrefix =
    "source external_api_calls"
    " | stats count(*) as calls, sum(error) as errors, sum(error) / count(*) as error_rate,"
    " sum(http_429) / count(*) as rate_429, sum(http_5xx) / count(*) as rate_5xx,"
    " pct(latency_ms, 50) as p50_ms, pct(latency_ms, 95) as p95_ms, pct(latency_ms, 99) as p99_ms,"
    " latest(error_message) as last_error, max(@timestamp) as last_call"
    " by external_api, endpoint";

namespace {

// A numeric field that may be stored as Int on some events and Float on others; with
// several names, the first one present counts.
class NumberFields {
 public:
  NumberFields(const Batch& b, const std::vector<std::string>& names) {
    for (const std::string& n : names) cols_.push_back({b.Find(n, Type::kInt), b.Find(n, Type::kFloat)});
  }
  bool Get(size_t row, double* out, size_t only_first = SIZE_MAX) const {
    for (size_t i = 0; i < cols_.size() && i < only_first; ++i) {
      if (cols_[i].first != nullptr && cols_[i].first->IsValid(row)) {
        *out = static_cast<double>(cols_[i].first->ints[row]);
        return true;
      }
      if (cols_[i].second != nullptr && cols_[i].second->IsValid(row)) {
        *out = cols_[i].second->floats[row];
        return true;
      }
    }
    return false;
  }

 private:
  std::vector<std::pair<const Column*, const Column*>> cols_;  // Int, Float
};

std::string_view StringAt(const Column* c, size_t row) {
  return c != nullptr && c->IsValid(row) ? c->strs[row] : std::string_view();
}

std::vector<const Column*> StringColumns(const Batch& b, const std::vector<std::string>& names) {
  std::vector<const Column*> out;
  for (const std::string& n : names) out.push_back(b.Find(n, Type::kString));
  return out;
}

std::string_view FirstOf(const std::vector<const Column*>& cols, size_t row) {
  for (const Column* c : cols) {
    if (std::string_view v = StringAt(c, row); !v.empty()) return v;
  }
  return {};
}

// Reads the configured fields of one scanned batch and appends its calls.
class CallExtractor {
 public:
  CallExtractor(const ExternalApiConfig& c, const Batch& b)
      : kinds_(c.kinds),
        ts_(b.Find(field::kTimestamp, Type::kInt)),
        tenant_(b.Find(field::kTenant, Type::kString)),
        api_(b.Find(c.api_field, Type::kString)),
        host_(b.Find(c.host_field, Type::kString)),
        method_(b.Find(c.method_field, Type::kString)),
        message_(b.Find(c.message_field, Type::kString)),
        operation_(b.Find(c.operation_field, Type::kString)),
        request_id_(b.Find("request_id", Type::kString)),
        success_(b.Find(c.success_field, Type::kBool)),
        kind_cols_({b.Find("kind", Type::kString), b.Find(field::kKind, Type::kString)}),
        names_(StringColumns(b, c.name_fields)),
        urls_(StringColumns(b, c.url_fields)),
        errors_(StringColumns(b, c.error_fields)),
        latency_(b, c.latency_fields),
        status_(b, c.status_fields) {}

  void Append(size_t row, BatchBuilder* out) const {
    if (ts_ == nullptr || !ts_->IsValid(row)) return;
    std::string_view api = StringAt(api_, row);
    std::string_view host = StringAt(host_, row);
    double latency = 0;
    const bool has_latency = latency_.Get(row, &latency);
    if (api.empty() && !IsCallKind(row) && (host.empty() || !latency_.Get(row, &latency, 1))) return;
    if (api.empty()) api = FirstOf(names_, row);
    std::string_view url = FirstOf(urls_, row);
    std::string url_host = host.empty() ? UrlHost(url) : std::string();
    out->BeginRow();
    out->AddInt(field::kTimestamp, ts_->ints[row]);
    if (std::string_view t = StringAt(tenant_, row); !t.empty()) out->AddString(field::kTenant, t);
    if (!api.empty()) out->AddString("external_api", api);
    if (!host.empty()) out->AddString("host", host);
    if (!url_host.empty()) out->AddString("host", url_host);
    if (std::string_view m = StringAt(method_, row); !m.empty()) out->AddString("method", m);
    if (!url.empty()) {
      out->AddString("endpoint", RouteTemplate(url));
    } else if (std::string_view op = StringAt(operation_, row); !op.empty()) {
      out->AddString("endpoint", op);
    }
    if (has_latency) out->AddFloat("latency_ms", latency);
    AddOutcome(row, out);
    if (std::string_view r = StringAt(request_id_, row); !r.empty()) out->AddString("request_id", r);
    out->EndRow();
  }

 private:
  bool IsCallKind(size_t row) const {
    for (const Column* c : kind_cols_) {
      std::string_view k = StringAt(c, row);
      if (!k.empty() && std::find(kinds_.begin(), kinds_.end(), k) != kinds_.end()) return true;
    }
    return false;
  }

  void AddOutcome(size_t row, BatchBuilder* out) const {
    double status = 0;
    // HTTP statuses are small integers; anything else (1e300, -5) is no status at all.
    const bool has_status = status_.Get(row, &status) && status >= 0 && status < 1000;
    const bool failed = success_ != nullptr && success_->IsValid(row) && success_->ints[row] == 0;
    std::string_view error_text = FirstOf(errors_, row);
    const bool error = (has_status && status >= 400) || failed || (!has_status && !error_text.empty());
    if (has_status) out->AddInt("status", static_cast<int64_t>(status));
    out->AddBool("error", error);
    out->AddBool("http_429", has_status && status == 429);
    out->AddBool("http_5xx", has_status && status >= 500 && status < 600);
    if (!error) return;
    if (error_text.empty()) error_text = StringAt(message_, row);
    std::string text = has_status ? "HTTP " + std::to_string(static_cast<int64_t>(status)) : std::string();
    if (!text.empty() && !error_text.empty()) text += ": ";
    text += error_text;
    out->AddString("error_message", text);
  }

  const std::vector<std::string>& kinds_;
  const Column* ts_;
  const Column* tenant_;
  const Column* api_;
  const Column* host_;
  const Column* method_;
  const Column* message_;
  const Column* operation_;
  const Column* request_id_;
  const Column* success_;
  std::vector<const Column*> kind_cols_;
  std::vector<const Column*> names_;
  std::vector<const Column*> urls_;
  std::vector<const Column*> errors_;
  NumberFields latency_;
  NumberFields status_;
};

}  // namespace

Result<Batch> ExternalApiCalls(Store& store, const ExternalApiConfig& config, const query::TableRequest& req) {
  ScanSpec spec;
  spec.min_ts = req.min_ts;
  spec.max_ts = req.max_ts;
  spec.columns = {std::string(field::kTenant), std::string(field::kKind), "kind", config.api_field,
                  config.host_field, config.method_field, config.message_field, config.operation_field,
                  config.success_field, "request_id"};
  for (const auto* list : {&config.name_fields, &config.latency_fields, &config.status_fields, &config.url_fields,
                           &config.error_fields}) {
    spec.columns.insert(spec.columns.end(), list->begin(), list->end());
  }
  BatchBuilder out;
  bool too_many = false;
  Status st = store.Scan(
      spec,
      [&](Batch&& rows) {
        CallExtractor calls(config, rows);
        for (size_t r = 0; r < rows.rows; ++r) calls.Append(r, &out);
        too_many = out.rows() > config.max_rows;
        return !too_many;
      },
      nullptr);
  RETURN_IF_ERROR(st);
  if (too_many) {
    return Status::ResourceExhausted("external_api_calls: more than " + std::to_string(config.max_rows) +
                                     " calls in the time range; narrow the range (or raise "
                                     "health.external_apis.max_rows)");
  }
  return out.Finish();
}

}  // namespace vigil::health
