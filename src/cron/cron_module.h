// CronModule: the ServerModule behind cron/cron.h. Internal to src/cron.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "cron/checkin.h"
#include "cron/cron_config.h"
#include "cron/engine.h"
#include "server/json_writer.h"
#include "server/module.h"
#include "state/state_db.h"

namespace vigil::cron {

class CronModule : public ServerModule {
 public:
  // REQUIRES: `ctx` outlives the module.
  CronModule(ModuleContext& ctx, CronConfig config, std::unique_ptr<StateDb> db, std::unique_ptr<Engine> engine);
  ~CronModule() override;

  void RegisterRoutes(Router& router) override;
  std::function<void()> OnIngest(const Batch& batch) override;
  Status Reload(const Config& config) override;
  void Stop() override;

  void RegisterViews();
  void StartTicker();
  // One step of the ticker (public for tests).
  void TickOnce();

  // Handlers (thread-safe).
  HttpResponse PostCheckIn(const HttpRequest& req);
  HttpResponse ListMonitors(const HttpRequest& req);
  HttpResponse GetMonitor(const HttpRequest& req);
  HttpResponse PutMonitor(const HttpRequest& req);
  HttpResponse DeleteMonitor(const HttpRequest& req);
  HttpResponse PostMonitorAction(const HttpRequest& req);

 private:
  std::shared_ptr<const CronConfig> config() const;
  Status StoreEvent(const std::function<void(BatchBuilder&, const CronFields&)>& fill, int64_t ts_ns);
  Status StoreCheckIn(const CheckIn& c, int64_t ts_ns, const RunOutcome* outcome);
  void WriteMonitor(JsonWriter& w, const Monitor& m, int64_t now_ns) const;

  ModuleContext& ctx_;
  std::unique_ptr<StateDb> db_;
  std::unique_ptr<Engine> engine_;
  mutable std::mutex config_mu_;
  std::shared_ptr<const CronConfig> config_;  // guarded by config_mu_ (the pointer)

  CounterFamily& checkins_;  // by result: stored, rejected
  Counter& timeouts_;

  std::mutex tick_mu_;
  std::condition_variable tick_cv_;
  bool stopping_ = false;  // guarded by tick_mu_
  std::thread ticker_;
};

}  // namespace vigil::cron
