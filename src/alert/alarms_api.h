// The alarms HTTP API (docs/api.md, "Alarms"):
//   GET    /api/v1/alarms                      every alarm instance with state, value, since
//   GET    /api/v1/alarms/rules                every rule in force, with its origin
//   GET    /api/v1/alarms/<name>               rule + instances + history (?limit=N)
//   GET    /api/v1/alarms/<name>/query         the rule's query over ?start=&end= (the link)
//   POST   /api/v1/alarms/rules                create an API rule (admin)
//   PUT    /api/v1/alarms/rules/<name>         create or replace an API rule (admin)
//   DELETE /api/v1/alarms/rules/<name>         delete an API rule (admin)
#pragma once

#include <cstdint>
#include <functional>

#include "alert/alarm_store.h"
#include "alert/evaluator.h"
#include "alert/rule_set.h"
#include "server/auth.h"
#include "server/router.h"
#include "store/store.h"

namespace vigil::alert {

struct AlarmsApiDeps {
  Evaluator& evaluator;
  AlarmStore& store;
  RuleSet& rules;
  Store& events;
  const QueryOptions& query_options;
  const Authenticator& auth;
  std::function<int64_t()> now_ns;
};

// Everything in `deps` must outlive the router the routes are added to.
void RegisterAlarmsApi(const AlarmsApiDeps& deps, Router& router);

}  // namespace vigil::alert
