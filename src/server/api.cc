#include "server/api.h"

#include <charconv>
#include <chrono>
#include <string>

#include "ingest/json_lines.h"
#include "query/query.h"
#include "server/json_writer.h"
#include "server/logs_codec.h"
#include "server/query_codec.h"

namespace vigil {

namespace {

std::string FirstOf(const HttpRequest& req, std::string_view param, std::string_view header) {
  if (auto v = req.Query(param)) return std::string(*v);
  if (auto v = req.Header(header)) return std::string(*v);
  return {};
}

// A failed Append: nothing of the batch was stored. Back-pressure and shutdown are worth
// retrying (503); anything else is the server's fault (500).
HttpResponse AppendFailed(const Status& st) {
  const bool retry = st.code() == Code::kUnavailable || st.code() == Code::kResourceExhausted;
  HttpResponse res = HttpResponse::Error(retry ? 503 : 500, CodeName(st.code()),
                                         "events not stored: " + st.message());
  if (retry) res.headers.emplace_back("Retry-After", "1");
  return res;
}

// X-Vigil-Shipper / X-Vigil-Seq (both or neither): the batch's identity for the store's
// deduplication of retries. The store validates the id's characters.
Status ParseShipperHeaders(const HttpRequest& req, AppendOptions* out) {
  auto id = req.Header("X-Vigil-Shipper");
  auto seq = req.Header("X-Vigil-Seq");
  if (!id && !seq) return Status::OK();
  if (!id || !seq) return Status::InvalidArgument("X-Vigil-Shipper and X-Vigil-Seq go together");
  auto [end, ec] = std::from_chars(seq->data(), seq->data() + seq->size(), out->seq);
  if (ec != std::errc() || end != seq->data() + seq->size() || out->seq == 0)
    return Status::InvalidArgument("X-Vigil-Seq must be a positive integer");
  out->shipper_id = std::string(*id);
  return Status::OK();
}

// A retried batch the store had already committed: nothing new is stored, and the
// client learns that its earlier attempt succeeded.
HttpResponse DuplicateBatch() {
  JsonWriter w;
  w.BeginObject();
  w.Key("accepted");
  w.Uint(0);
  w.Key("rejected");
  w.BeginArray();
  w.EndArray();
  w.Key("rejected_count");
  w.Uint(0);
  w.Key("duplicate");
  w.Bool(true);
  w.EndObject();
  return HttpResponse::Json(200, w.Take());
}

}  // namespace

Api::Api(ApiDeps deps) : deps_(std::move(deps)) {
  pipeline_ = deps_.config.pipeline;
  pipeline_.tenant_fields = deps_.config.tenant_fields;
  query_options_.id_fields = deps_.config.id_fields;
  query_options_.timeout_ms = deps_.config.query.timeout_ms;
  query_options_.views = deps_.views;
}

Status Api::IngestBatch(Batch&& batch, const AppendOptions& options) {
  NormalizeBatch(batch, pipeline_);
  std::vector<ServerModule*> modules;
  {
    std::lock_guard<std::mutex> lock(modules_mu_);
    modules = modules_;
  }
  std::vector<std::function<void()>> after;
  for (ServerModule* m : modules) {
    if (auto work = m->OnIngest(batch)) after.push_back(std::move(work));
  }
  RETURN_IF_ERROR(deps_.store.Append(std::move(batch), options));
  for (auto& work : after) work();
  return Status::OK();
}

void Api::Register(Router& router) {
  router.Add("POST", "/api/v1/logs", Guarded(Access::kIngest, &Api::PostLogs));
  router.Add("POST", "/api/v1/query", Guarded(Access::kRead, &Api::PostQuery));
  router.Add("GET", "/metrics",
             deps_.metrics_public
                 ? HttpHandler([this](const HttpRequest& r) { return GetMetrics(r); })
                 : Guarded(Access::kRead, &Api::GetMetrics));
  router.Add("GET", "/healthz", [](const HttpRequest&) { return HttpResponse::Text(200, "ok\n"); });
}

HttpHandler Api::Guarded(Access need, Method method) {
  return Guard(deps_.auth, need, [this, method](const HttpRequest& req) { return (this->*method)(req); });
}

HttpResponse Api::PostLogs(const HttpRequest& req) {
  if (Status st = CheckLogsContentType(req.Header("Content-Type")); !st.ok()) {
    return HttpResponse::Error(st);
  }
  if (req.body.empty()) return HttpResponse::Error(Status::InvalidArgument("empty body"));
  AppendOptions shipper;
  if (Status st = ParseShipperHeaders(req, &shipper); !st.ok()) return HttpResponse::Error(st);
  JsonLinesOptions opts;
  opts.ingest_time_ns = deps_.now_ns();
  opts.group = FirstOf(req, "group", "X-Vigil-Group");
  opts.stream = FirstOf(req, "stream", "X-Vigil-Stream");
  opts.max_line_bytes = deps_.config.max_line_bytes;
  // The shipper's mode (`?plain=1`): a line that is not a JSON object is stored as text
  // in @message instead of being rejected.
  opts.accept_plain_text = FirstOf(req, "plain", "X-Vigil-Plain-Text") == "1";
  Result<JsonLinesResult> parsed = ParseJsonLines(req.body, opts);
  if (!parsed.ok()) return HttpResponse::Error(parsed.status());
  JsonLinesResult& r = parsed.value();
  deps_.metrics.rejected_lines.Inc(r.rejected.size());
  if (r.accepted == 0) {
    if (r.rejected.empty()) {
      return HttpResponse::Error(Status::InvalidArgument("body holds no events, only empty lines"));
    }
    return HttpResponse::Json(400, RenderIngestResult(0, r.rejected));
  }
  if (Status st = IngestBatch(std::move(r.batch), shipper); !st.ok()) {
    if (st.code() == Code::kAlreadyExists) return DuplicateBatch();
    if (st.code() == Code::kInvalidArgument) return HttpResponse::Error(st);  // shipper id
    return AppendFailed(st);
  }
  deps_.metrics.ingested_lines.Inc(r.accepted);
  deps_.metrics.ingested_bytes.Inc(req.body.size());
  return HttpResponse::Json(200, RenderIngestResult(r.accepted, r.rejected));
}

HttpResponse Api::PostQuery(const HttpRequest& req) {
  Result<QueryRequest> q = ParseQueryRequest(req.body, deps_.now_ns(), deps_.config.query.max_rows);
  if (!q.ok()) return HttpResponse::Error(q.status());
  const auto t0 = std::chrono::steady_clock::now();
  Result<QueryResult> result = RunQuery(deps_.store, q.value(), query_options_);
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - t0;
  deps_.metrics.query_total.Inc();
  deps_.metrics.query_duration.Observe(took.count());
  if (!result.ok()) return HttpResponse::Error(result.status());
  return HttpResponse::Json(200, RenderQueryResult(result.value()));
}

HttpResponse Api::GetMetrics(const HttpRequest&) {
  HttpResponse res = HttpResponse::Text(200, deps_.registry.Render());
  res.content_type = "text/plain; version=0.0.4; charset=utf-8";
  return res;
}

}  // namespace vigil
