// The alerting server module: alarm rules (config file, API, shipped defaults), their
// background evaluation, the alarms API and the `alarm_history` view; it owns the
// notification Dispatcher and hands it every firing/resolved change (docs/alerting.md).
//
// Read-only mode (`vigil query --data`) registers only the view.
#pragma once

#include <memory>

#include "core/status.h"
#include "server/module.h"

namespace vigil {

// Builds the module. Errors: InvalidArgument naming the rule and key of a bad `alerting:`
// section; the state database's errors.
Result<std::unique_ptr<ServerModule>> MakeAlertModule(ModuleContext& ctx);

}  // namespace vigil
