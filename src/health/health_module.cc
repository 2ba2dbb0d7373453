#include "health/health_module.h"

#include <mutex>

#include "health/external_apis.h"
#include "health/health_config.h"
#include "health/posthog_capture.h"
#include "health/status_reports.h"
#include "health/status_tracker.h"
#include "server/logs_codec.h"

namespace vigil::health {

namespace {

constexpr const char* kCapturePaths[] = {"/capture", "/capture/", "/batch", "/batch/",
                                         "/i/v0/e", "/i/v0/e/", "/e", "/e/"};

// A name for a query, in backticks so that any field name works.
std::string Quoted(const std::string& name) {
  std::string out = "`";
  for (char c : name) {
    out.push_back(c);
    if (c == '`') out.push_back('`');
  }
  return out + "`";
}

HttpResponse StoreFailed(const Status& st) {
  const bool retry = st.code() == Code::kUnavailable || st.code() == Code::kResourceExhausted;
  HttpResponse res = HttpResponse::Error(retry ? 503 : 500, CodeName(st.code()), "events not stored: " + st.message());
  if (retry) res.headers.emplace_back("Retry-After", "1");
  return res;
}

// PostHog answers {"status": 1}; the counts and rejections (as /api/v1/logs reports them)
// are Vigil's additions.
std::string RenderCaptureResult(size_t accepted, const std::vector<LineRejection>& rejected) {
  std::string body = RenderIngestResult(accepted, rejected);  // {"accepted":...}
  return "{\"status\":1," + body.substr(1);
}

void AllowCors(HttpResponse* res) {
  res->headers.emplace_back("Access-Control-Allow-Origin", "*");
}

class HealthModule : public ServerModule {
 public:
  HealthModule(ModuleContext& ctx, HealthConfig config, std::unique_ptr<StatusTracker> tracker)
      : ctx_(ctx),
        config_(std::make_shared<const HealthConfig>(std::move(config))),
        tracker_(std::move(tracker)),
        events_(ctx.registry.AddCounterFamily("vigil_health_events_total",
                                              "Status reports and analytics events received, by result.",
                                              {"source", "result"})) {
    RegisterViews();
  }

  void RegisterRoutes(Router& router) override {
    if (ctx_.read_only) return;
    router.Add("POST", "/api/v1/status", Guard(ctx_.auth, Access::kIngest, [this](const HttpRequest& r) {
                 return PostStatus(r);
               }));
    for (const char* path : kCapturePaths) {
      router.Add("POST", path, [this](const HttpRequest& r) { return Capture(r); });
      router.Add("OPTIONS", path, [](const HttpRequest&) {
        HttpResponse res = HttpResponse::Text(204, "");
        AllowCors(&res);
        res.headers.emplace_back("Access-Control-Allow-Methods", "POST, OPTIONS");
        res.headers.emplace_back("Access-Control-Allow-Headers", "Content-Type, Content-Encoding");
        return res;
      });
    }
  }

  std::function<void()> OnIngest(const Batch& batch) override {
    if (ctx_.read_only) return {};
    std::vector<StatusReport> reports = ReportsInBatch(batch, Config()->status);
    if (reports.empty()) return {};
    return [this, reports = std::move(reports)] {
      if (Status st = tracker_->Apply(reports); !st.ok()) {
        ctx_.log("status: " + std::to_string(reports.size()) + " reports not applied: " + st.ToString());
      }
    };
  }

  Status Reload(const Config& config) override {
    ASSIGN_OR_RETURN(HealthConfig parsed, ParseHealthConfig(config.raw));
    {
      std::lock_guard<std::mutex> lock(mu_);
      config_ = std::make_shared<const HealthConfig>(std::move(parsed));
    }
    RegisterViews();
    return Status::OK();
  }

 private:
  std::shared_ptr<const HealthConfig> Config() const {
    std::lock_guard<std::mutex> lock(mu_);
    return config_;
  }

  void RegisterViews() {
    std::shared_ptr<const HealthConfig> c = Config();
    query::ViewRegistry& views = ctx_.views;
    views.Register({"external_api_calls", "outbound API calls, one row each, URLs as route templates", "",
                    [this](const query::TableRequest& req) {
                      return ExternalApiCalls(ctx_.store, Config()->external, req);
                    },
                    {"@timestamp", "@tenant", "external_api", "host", "method", "endpoint", "status",
                     "latency_ms", "error", "error_message", "request_id"},
                    {}});
    views.Register({"external_apis", "per API and endpoint: calls, error rates, latency percentiles",
                    kExternalApisPrefix, nullptr, {}, {}});
    views.Register({"status", "current state of each integration check (entity, tenant)", "",
                    [this](const query::TableRequest& req) {
                      return tracker_->Table(req.now_ns != 0 ? req.now_ns : ctx_.now_ns(), Config()->status);
                    },
                    {"check", "entity", "tenant", "status", "stale", "reason", "last_report", "last_ok",
                     "changed_at", "reports", "expected_interval_s", "age_s"},
                    {"last_report", "last_ok", "changed_at"}});
    std::string history = "filter @kind = \"status\"";
    if (c->status.from_logs) {
      history += " or (ispresent(" + Quoted(c->status.fields.check) + ") and ispresent(" +
                 Quoted(c->status.fields.status) + "))";
    }
    views.Register({"status_history", "every status report, as stored", history, nullptr, {}, {}});
    views.Register({"analytics", "product-analytics events (PostHog capture)", "filter @kind = \"analytics\"",
                    nullptr, {}, {}});
  }

  HttpResponse PostStatus(const HttpRequest& req) {
    if (req.body.empty()) return HttpResponse::Error(Status::InvalidArgument("empty body"));
    Result<StatusBody> parsed = ParseStatusBody(req.body, ctx_.now_ns());
    if (!parsed.ok()) return HttpResponse::Error(parsed.status());
    StatusBody& body = parsed.value();
    events_.With({"status", "rejected"}).Inc(body.rejected.size());
    if (body.accepted == 0) return HttpResponse::Json(400, RenderIngestResult(0, body.rejected));
    if (Status st = ctx_.ingest(std::move(body.batch)); !st.ok()) return StoreFailed(st);
    events_.With({"status", "accepted"}).Inc(body.accepted);
    return HttpResponse::Json(200, RenderIngestResult(body.accepted, body.rejected));
  }

  HttpResponse Capture(const HttpRequest& req) {
    HttpResponse res = CaptureUncors(req);
    AllowCors(&res);
    return res;
  }

  HttpResponse CaptureUncors(const HttpRequest& req) {
    if (req.body.empty()) return HttpResponse::Error(Status::InvalidArgument("empty body"));
    std::shared_ptr<const HealthConfig> c = Config();
    Result<std::string> json = DecodeCaptureBody(std::string(req.body), req.Header("Content-Type").value_or(""),
                                                  req.Query("compression").value_or(""), ctx_.config.max_body_bytes);
    if (!json.ok()) return HttpResponse::Error(json.status());
    Result<CaptureBody> parsed = ParseCaptureJson(json.value(), ctx_.now_ns(), c->analytics);
    if (!parsed.ok()) return HttpResponse::Error(parsed.status());
    CaptureBody& body = parsed.value();
    if (Status st = AuthorizeCapture(req, body.api_key, c->analytics); !st.ok()) return HttpResponse::Error(st);
    events_.With({"analytics", "rejected"}).Inc(body.rejected.size());
    if (body.accepted == 0) return HttpResponse::Json(400, RenderIngestResult(0, body.rejected));
    if (Status st = ctx_.ingest(std::move(body.batch)); !st.ok()) return StoreFailed(st);
    events_.With({"analytics", "accepted"}).Inc(body.accepted);
    return HttpResponse::Json(200, RenderCaptureResult(body.accepted, body.rejected));
  }

  // A project key (write-only), or an API key allowed to ingest. The key may come in the
  // body (PostHog's api_key/token) or in the usual headers.
  Status AuthorizeCapture(const HttpRequest& req, const std::string& body_key, const AnalyticsConfig& c) const {
    if (!ctx_.auth.enabled() && c.project_keys.empty()) return Status::OK();
    if (body_key.empty()) {
      if (ctx_.auth.enabled() && (req.Header("Authorization") || req.Header("X-Api-Key"))) {
        return ctx_.auth.Authorize(req, Access::kIngest).status();
      }
      return Status::Unauthenticated("missing project API key: send \"api_key\" in the body");
    }
    bool project = false;
    for (const std::string& k : c.project_keys) project |= ConstantTimeEquals(body_key, k);
    if (project) return Status::OK();
    if (!ctx_.auth.enabled()) return Status::Unauthenticated("unknown project API key");
    return ctx_.auth.AuthorizeKey(body_key, Access::kIngest).status();
  }

  ModuleContext& ctx_;
  mutable std::mutex mu_;
  std::shared_ptr<const HealthConfig> config_;  // guarded by mu_; replaced whole on Reload
  std::unique_ptr<StatusTracker> tracker_;
  CounterFamily& events_;
};

}  // namespace

Result<std::unique_ptr<ServerModule>> MakeHealthModule(ModuleContext& ctx) {
  ASSIGN_OR_RETURN(HealthConfig config, ParseHealthConfig(ctx.config.raw));
  ASSIGN_OR_RETURN(std::unique_ptr<StatusTracker> tracker, StatusTracker::Open(ctx.state_path, ctx.read_only));
  return std::unique_ptr<ServerModule>(new HealthModule(ctx, std::move(config), std::move(tracker)));
}

}  // namespace vigil::health
