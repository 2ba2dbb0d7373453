#include "cli/modules.h"

#include <iostream>

#include "alert/alert_module.h"
#include "cron/cron.h"
#include "diagnostics/diagnostics_module.h"
#include "health/health_module.h"
#include "state/state_db.h"

namespace vigil {

std::vector<ModuleFactory> AllModules() {
  std::vector<ModuleFactory> out;
  // One line per module, in start order.
  out.push_back(MakeDiagnosticsModule);
  out.push_back(&health::MakeHealthModule);
  out.push_back(cron::MakeCronModule);
  // Alerting last: its rules may query the views of every other module.
  out.push_back(MakeAlertModule);
  return out;
}

Result<std::unique_ptr<OfflineModules>> BuildOfflineModules(Store& store, const std::string& data_dir,
                                                            query::ViewRegistry& views) {
  auto m = std::make_unique<OfflineModules>();
  m->config.data_dir = data_dir;
  m->query_options.views = &views;
  m->context.reset(new ModuleContext{
      store, m->config, m->auth, m->registry, views, m->query_options,
      [] {
        return std::chrono::duration_cast<std::chrono::nanoseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
            .count();
      },
      [](std::string_view line) { std::cerr << "vigil: " << line << std::endl; },
      StateDb::PathIn(data_dir),
      [](Batch&&) { return Status::Unavailable("read-only: events cannot be stored"); },
      /*read_only=*/true});
  for (const ModuleFactory& make : AllModules()) {
    ASSIGN_OR_RETURN(std::unique_ptr<ServerModule> mod, make(*m->context));
    m->modules.push_back(std::move(mod));
  }
  return m;
}

}  // namespace vigil
