// The insides of Dispatcher (dispatcher.h), shared by dispatcher.cc (delivery) and
// dispatcher_api.cc (HTTP routes). Not for use outside src/alert.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "alert/dispatcher.h"
#include "alert/outbox.h"
#include "alert/receivers.h"
#include "alert/routing.h"
#include "alert/silences.h"
#include "server/thread_annotations.h"
#include "state/state_db.h"

namespace vigil::alert {

// The parsed notification part of `alerting:`. Immutable once built.
struct NotifyConfig {
  std::vector<ReceiverConfig> receivers;
  RoutingTable routing;
  std::vector<Silence> silences;  // from the config file

  const ReceiverConfig* Find(const std::string& name) const;  // nullptr: unknown
};

Result<std::unique_ptr<NotifyConfig>> ParseNotifyConfig(const YAML::Node& alerting);

// "<16 hex digits of the group>-<flush time ns>": unique per notification and stable
// across its retries.
std::string DedupKey(const std::string& receiver, const std::string& group_key, int64_t at_ns);

class DispatcherImpl {
 public:
  explicit DispatcherImpl(DispatcherDeps deps);
  ~DispatcherImpl();

  std::shared_ptr<const NotifyConfig> config() const;
  void SetConfig(std::unique_ptr<NotifyConfig> c);
  Status Enqueue(const AlertNotice& notice);
  void Tick();
  // Attempts one delivery now and records the outcome (outbox, metrics, history);
  // returns false without sending when another thread is already attempting it.
  bool Attempt(Delivery& d, int64_t now);
  void FlushHistory();
  void AddHistoryRow(const AlertNotice& a, std::string_view event, const std::string& receiver, int64_t now,
                     const std::function<void(BatchBuilder&)>& more);
  void StartThread();
  void StopThread();
  void Wake();

  DispatcherDeps deps;
  std::unique_ptr<StateDb> db;
  std::unique_ptr<Outbox> outbox;
  std::unique_ptr<SilenceStore> silences;
  std::mutex tick_mu;  // one delivery pass at a time
  // What the /metrics collector reads the outbox through (the registry may outlive us).
  struct OutboxHolder {
    std::mutex mu;
    Outbox* outbox GUARDED_BY(mu) = nullptr;
  };
  std::shared_ptr<OutboxHolder> pending_gauge = std::make_shared<OutboxHolder>();

 private:
  void AttemptClaimed(Delivery& d, int64_t now);
  void FlushGroups(int64_t now);
  Status FlushGroup(const NotifyConfig& c, const GroupState& g, int64_t now);
  void RecordHistory(const Delivery& d, int64_t now);
  void RecordMuted(const AlertNotice& a, const std::string& receiver, const std::string& why, int64_t now);

  mutable std::mutex cfg_mu;
  std::shared_ptr<const NotifyConfig> cfg GUARDED_BY(cfg_mu);

  std::mutex history_mu;
  BatchBuilder history GUARDED_BY(history_mu);

  std::mutex flight_mu;
  std::set<int64_t> in_flight GUARDED_BY(flight_mu);  // deliveries being attempted
  int64_t last_prune_ns = 0;                           // guarded by tick_mu

  CounterFamily* notifications = nullptr;
  Counter* silenced = nullptr;

  std::thread thread;
  std::mutex bg_mu;
  std::condition_variable cv;
  bool stop GUARDED_BY(bg_mu) = false;
  bool wake GUARDED_BY(bg_mu) = false;
};

// GET/POST /api/v1/silences, DELETE /api/v1/silences/<id>, POST /api/v1/alarms/<name>/ack,
// GET /api/v1/notifications, POST /api/v1/receivers/<name>/test.
void RegisterDispatcherRoutes(DispatcherImpl& impl, Router& router);

}  // namespace vigil::alert
