// ServerModule: a feature that plugs into the server (error groups, cron monitors, health
// views, alerting). `vigil serve` hands the server a list of module factories; the server
// builds them once its own parts exist, in list order, and then
//   - adds each module's routes to its router,
//   - shows each module every batch about to be stored (OnIngest), and runs the work it
//     returns once the batch is durable,
//   - calls Reload on SIGHUP / POST /api/v1/reload and Stop before it stops serving.
// A module registers its query views into ctx.views in its factory.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/batch.h"
#include "core/status.h"
#include "query/query.h"
#include "query/views.h"
#include "server/auth.h"
#include "server/config.h"
#include "server/metrics.h"
#include "server/router.h"
#include "store/store.h"

namespace vigil {

// What the server lends its modules. Everything here outlives every module.
struct ModuleContext {
  Store& store;
  const Config& config;
  const Authenticator& auth;
  MetricsRegistry& registry;
  query::ViewRegistry& views;
  // The query options of the server (its views, limits): modules that run queries (the
  // alert evaluator, computed views) pass these to RunQuery.
  const QueryOptions& query_options;
  std::function<int64_t()> now_ns;  // wall clock, ns since the epoch (injectable)
  std::function<void(std::string_view)> log;
  // The SQLite file modules keep their tables in (StateDb, state/state_db.h).
  std::string state_path;
  // Stores events made by a module (a check-in, a status report, an alarm's history):
  // normalizes them, shows them to every module's OnIngest, appends durably. Thread-safe.
  // REQUIRES: every row has an Int @timestamp.
  std::function<Status(Batch&&)> ingest;
  // `vigil query --data` builds modules only for their views: read_only modules open
  // state read-only, start no background work and register no routes; ingest fails.
  bool read_only = false;
};

class ServerModule {
 public:
  virtual ~ServerModule() = default;
  virtual void RegisterRoutes(Router& router) { (void)router; }
  // Called on the ingest thread with each normalized batch before it is stored. Returns
  // work to run after the batch is durable (empty: nothing), e.g. counting error groups
  // only for events that really were stored. Both must be thread-safe and quick.
  virtual std::function<void()> OnIngest(const Batch& batch) {
    (void)batch;
    return {};
  }
  // A new configuration (SIGHUP, POST /api/v1/reload). An error keeps the old one.
  virtual Status Reload(const Config& config) {
    (void)config;
    return Status::OK();
  }
  // Stops background work; called once, before the server stops serving.
  virtual void Stop() {}
};

using ModuleFactory = std::function<Result<std::unique_ptr<ServerModule>>(ModuleContext& ctx)>;

}  // namespace vigil
