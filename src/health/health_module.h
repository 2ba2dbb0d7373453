// The health module (server/module.h): third-party API views, integration status
// (POST /api/v1/status, view `status`) and PostHog-compatible product analytics
// (/capture/, /batch/, /i/v0/e/, /e/, view `analytics`). docs/views/*.md.
#pragma once

#include <memory>

#include "core/status.h"
#include "server/module.h"

namespace vigil::health {

// Builds the module: reads the `health:` and `analytics:` config sections (errors name
// the bad key), opens the status table in ctx.state_path and registers the views
// external_api_calls, external_apis, status, status_history and analytics.
Result<std::unique_ptr<ServerModule>> MakeHealthModule(ModuleContext& ctx);

}  // namespace vigil::health
