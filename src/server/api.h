// Api: the Vigil HTTP API (docs/api.md) wired onto a Router.
//
//   POST /api/v1/logs   (ingest)  NDJSON / JSON array -> parse, normalize, durable append
//   POST /api/v1/query  (read)    {"query", "start", "end", "limit"} -> columns, rows, stats
//   GET  /metrics       (none when the server listens on loopback, else read)
//   GET  /healthz       (none)    "ok"
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <vector>

#include "pipeline/normalize.h"
#include "query/query.h"
#include "server/auth.h"
#include "server/config.h"
#include "server/metrics.h"
#include "server/module.h"
#include "server/router.h"
#include "server/server_metrics.h"
#include "store/store.h"

namespace vigil {

struct ApiDeps {
  Store& store;
  const Config& config;
  const Authenticator& auth;
  MetricsRegistry& registry;
  ServerMetrics& metrics;
  std::function<int64_t()> now_ns;  // wall clock, ns since the epoch
  bool metrics_public = false;      // GET /metrics without a key
  const query::ViewRegistry* views = nullptr;  // nullptr: query::DefaultViews()
};

class Api {
 public:
  // Everything in `deps` must outlive the Api and the router it registers into.
  explicit Api(ApiDeps deps);

  // Adds the routes above. REQUIRES: called before the server starts.
  void Register(Router& router);
  // The modules whose OnIngest sees every stored batch. Thread-safe: a module started
  // earlier may already be storing events of its own while the list is set.
  void SetModules(std::vector<ServerModule*> modules) {
    std::lock_guard<std::mutex> lock(modules_mu_);
    modules_ = std::move(modules);
  }

  // Normalizes `batch`, shows it to the modules, appends it durably (with
  // deduplication when `options` names a shipper), then runs the modules' post-commit
  // work. Errors: the store's (AlreadyExists for a duplicate shipper batch). Thread-safe.
  Status IngestBatch(Batch&& batch, const AppendOptions& options = {});
  const QueryOptions& query_options() const { return query_options_; }

  // The handlers, public for tests; each checks nothing about authentication (Register
  // wraps them). Thread-safe.
  HttpResponse PostLogs(const HttpRequest& request);
  HttpResponse PostQuery(const HttpRequest& request);
  HttpResponse GetMetrics(const HttpRequest& request);

 private:
  using Method = HttpResponse (Api::*)(const HttpRequest&);
  // `method`, run only when the request's key allows `need`.
  HttpHandler Guarded(Access need, Method method);

  ApiDeps deps_;
  std::mutex modules_mu_;
  std::vector<ServerModule*> modules_;  // guarded by modules_mu_
  PipelineOptions pipeline_;
  QueryOptions query_options_;
};

}  // namespace vigil
