// The server modules `vigil serve` runs (server/module.h), in start order, and the same
// modules built read-only for `vigil query --data`, so views work offline too.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "query/views.h"
#include "server/config.h"
#include "server/module.h"
#include "store/store.h"

namespace vigil {

std::vector<ModuleFactory> AllModules();

// Modules built read-only over `data_dir` (their views registered into `views`). Keep the
// returned holder alive while queries run.
struct OfflineModules {
  Config config;
  Authenticator auth{{}};
  MetricsRegistry registry;
  QueryOptions query_options;
  std::unique_ptr<ModuleContext> context;
  std::vector<std::unique_ptr<ServerModule>> modules;
};
Result<std::unique_ptr<OfflineModules>> BuildOfflineModules(Store& store, const std::string& data_dir,
                                                            query::ViewRegistry& views);

}  // namespace vigil
