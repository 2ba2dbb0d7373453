// The runbook's diagnostics as a server module (server/module.h): deduplicated error
// groups per tenant (error_groups.h) and slow-page diagnosis (slow_endpoints.h).
//
// Views:   errors, err_api, err_400, errors_general, slow_endpoints, slow_endpoints_by_tenant
// Routes:  GET  /api/v1/errors                    (read)   list, filters as query params
//          GET  /api/v1/errors/<fp>               (read)   one group + recent occurrences
//          POST /api/v1/errors/<fp>/resolve|ignore|reopen  (admin)
//          POST /api/v1/errors/merge {"into", "from"}       (admin)
//          GET  /api/v1/slow                      (read)   slow_endpoints as JSON
#pragma once

#include <memory>

#include "server/module.h"

namespace vigil {

Result<std::unique_ptr<ServerModule>> MakeDiagnosticsModule(ModuleContext& ctx);

}  // namespace vigil
