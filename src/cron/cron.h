// The cron module: job check-ins, monitors and the cron views (docs/views/cron.md).
//
// Add it to the server's module list (cli/modules.cc); it registers the views
// cron_runs, cron_metrics (the same) and cron_jobs, the routes of docs/api.md "Cron",
// and a ticker that advances monitor states (not in read-only mode).
#pragma once

#include <memory>

#include "core/status.h"
#include "server/module.h"

namespace vigil::cron {

// A ModuleFactory. Fails with InvalidArgument on a malformed `cron:` config section and
// with the database's error when the state cannot be opened.
Result<std::unique_ptr<ServerModule>> MakeCronModule(ModuleContext& ctx);

}  // namespace vigil::cron
