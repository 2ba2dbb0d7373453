// Dispatcher: the notification half of alerting. It takes the alarm-instance changes the
// evaluator hands over (NotificationSink), routes them by labels to receivers, groups
// them (group_by, group_wait, group_interval, repeat_interval), drops what a silence or
// an acknowledgement mutes, and delivers at least once through a persisted outbox in the
// data directory's state.db, retrying with exponential backoff until the receiver accepts
// (2xx) or the delivery deadline passes. Every attempt, and every silence or ack that
// muted something, is stored as an `@kind = "alarm_history"` event.
//
// Configuration: the `alerting:` YAML node (receivers, route, routes,
// group/repeat defaults, delivery, silences); rules and evaluation_interval belong to the
// evaluator and are ignored here. See docs/alerting.md.
//
// Thread-safety: every public method is thread-safe. With deps.background (the default)
// a thread runs delivery passes; tests set it false and call Tick() with a fake clock.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include <yaml-cpp/yaml.h>

#include "alert/notify.h"
#include "core/batch.h"
#include "core/status.h"
#include "server/auth.h"
#include "server/metrics.h"
#include "server/router.h"

namespace vigil::alert {

class Transport;

struct DispatcherDeps {
  std::string state_path;                        // SQLite file (StateDb)
  std::function<int64_t()> now_ns;              // injected clock, ns since the epoch
  std::function<Status(Batch&&)> ingest;         // stores history events (@kind="alarm_history")
  std::function<void(std::string_view)> log;
  MetricsRegistry* registry = nullptr;           // may be null in tests
  const Authenticator* auth = nullptr;           // for its routes; null: routes unguarded
  bool background = true;                        // false in tests: call Tick() by hand
  // How requests leave the process; null: libcurl (HTTP(S) and SMTP). Tests inject fakes.
  std::shared_ptr<Transport> transport;
};

class DispatcherImpl;

class Dispatcher : public NotificationSink {
 public:
  // `alerting` is the YAML `alerting:` node (may be null/undefined). Returns
  // InvalidArgument naming the bad setting, or the StateDb's error.
  static Result<std::unique_ptr<Dispatcher>> Open(DispatcherDeps deps, const YAML::Node& alerting);
  ~Dispatcher() override;

  // Routes the notice and persists it (grouping state and, once due, the outbox) before
  // returning; a muted notice is recorded in history instead. Errors: the StateDb's.
  Status Enqueue(const AlertNotice& notice) override;
  // A new configuration; keeps the outbox, groups, silences and acks. An error keeps the
  // old configuration.
  Status Reload(const YAML::Node& alerting);
  // GET/POST /api/v1/silences, DELETE /api/v1/silences/<id>, POST /api/v1/alarms/<name>/ack,
  // GET /api/v1/notifications, POST /api/v1/receivers/<name>/test. The dispatcher must
  // outlive the router.
  void RegisterRoutes(Router& router);
  // Whether `labels` are muted now by a silence or an ack; when muted and `why` is not
  // null, sets it to e.g. "silence 3f2a… (maintenance)" or "acked by alice".
  bool Muted(const std::map<std::string, std::string>& labels, std::string* why) const;
  // One pass: flushes due groups into the outbox and attempts every due delivery.
  void Tick();
  // Stops the background thread (idempotent). Enqueue still persists afterwards.
  void Stop();

 private:
  explicit Dispatcher(std::unique_ptr<DispatcherImpl> impl);
  std::unique_ptr<DispatcherImpl> impl_;
};

}  // namespace vigil::alert
