#include "alert/dispatcher.h"

#include <algorithm>
#include <condition_variable>
#include <set>
#include <mutex>
#include <thread>

#include "alert/dispatcher_impl.h"
#include "alert/outbox.h"
#include "alert/receivers.h"
#include "alert/routing.h"
#include "alert/silences.h"
#include "state/state_db.h"

namespace vigil::alert {

namespace {

// Sent and failed deliveries stay listed (GET /api/v1/notifications) for a week.
constexpr int64_t kKeepDoneNs = 7 * 86400 * int64_t{1'000'000'000};
constexpr int64_t kPruneEveryNs = 3600 * int64_t{1'000'000'000};

// A stable id for (receiver, group key): FNV-1a, hex.
std::string GroupHash(const std::string& receiver, const std::string& group_key) {
  uint64_t h = 1469598103934665603ull;
  for (const std::string* s : {&receiver, &group_key}) {
    for (unsigned char c : *s) h = (h ^ c) * 1099511628211ull;
    h = (h ^ 0xff) * 1099511628211ull;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (int i = 60; i >= 0; i -= 4) out += kHex[(h >> i) & 15];
  return out;
}

}  // namespace

Result<std::unique_ptr<NotifyConfig>> ParseNotifyConfig(const YAML::Node& alerting) {
  auto cfg = std::make_unique<NotifyConfig>();
  ASSIGN_OR_RETURN(cfg->receivers, ParseReceivers(alerting));
  std::vector<std::string> names;
  for (const ReceiverConfig& r : cfg->receivers) names.push_back(r.name);
  ASSIGN_OR_RETURN(cfg->routing, RoutingTable::Parse(alerting, names));
  ASSIGN_OR_RETURN(cfg->silences, ParseConfigSilences(alerting));
  return cfg;
}

const ReceiverConfig* NotifyConfig::Find(const std::string& name) const {
  for (const ReceiverConfig& r : receivers) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

std::string DedupKey(const std::string& receiver, const std::string& group_key, int64_t at_ns) {
  return GroupHash(receiver, group_key) + "-" + std::to_string(at_ns);
}

DispatcherImpl::DispatcherImpl(DispatcherDeps d) : deps(std::move(d)) {
  if (!deps.transport) deps.transport = MakeCurlTransport();
  if (!deps.log) deps.log = [](std::string_view) {};
  if (deps.registry != nullptr) {
    notifications = &deps.registry->AddCounterFamily(
        "vigil_alert_notifications_total",
        "Notification delivery attempts by receiver and result (sent, error: will retry, failed: gave up)",
        {"receiver", "result"});
    silenced = &deps.registry->AddCounter("vigil_alert_muted_total",
                                          "Alerts left out of a notification by a silence or an ack");
    // The registry may outlive the dispatcher: the collector reaches the outbox through
    // a holder that the destructor empties.
    deps.registry->AddCollector([holder = pending_gauge](PrometheusWriter& w) {
      std::lock_guard<std::mutex> lock(holder->mu);
      if (holder->outbox == nullptr) return;
      Result<int64_t> n = holder->outbox->CountPending();
      w.Header("vigil_alert_outbox_pending", "Notifications waiting in the outbox for delivery", "gauge");
      w.Sample("vigil_alert_outbox_pending", {}, static_cast<uint64_t>(n.ok() ? *n : 0));
    });
  }
}

DispatcherImpl::~DispatcherImpl() {
  StopThread();
  std::lock_guard<std::mutex> lock(pending_gauge->mu);
  pending_gauge->outbox = nullptr;
}

std::shared_ptr<const NotifyConfig> DispatcherImpl::config() const {
  std::lock_guard<std::mutex> lock(cfg_mu);
  return cfg;
}

void DispatcherImpl::SetConfig(std::unique_ptr<NotifyConfig> c) {
  silences->SetConfigSilences(c->silences);
  std::lock_guard<std::mutex> lock(cfg_mu);
  cfg = std::move(c);
}

void DispatcherImpl::StartThread() {
  thread = std::thread([this] {
    std::unique_lock<std::mutex> lock(bg_mu);
    while (!stop) {
      wake = false;
      lock.unlock();
      Tick();
      // Sleeps until the next flush or attempt is due (at most a second, so a clock
      // that jumps or a failed read is noticed soon); Enqueue and the API wake it early.
      Result<int64_t> next = outbox->NextDue();
      const int64_t wait_ns =
          std::clamp<int64_t>((next.ok() ? *next : 0) - deps.now_ns(), 1'000'000, 1'000'000'000);
      lock.lock();
      cv.wait_for(lock, std::chrono::nanoseconds(wait_ns), [this] { return stop || wake; });
    }
  });
}

void DispatcherImpl::StopThread() {
  {
    std::lock_guard<std::mutex> lock(bg_mu);
    if (stop) return;
    stop = true;
  }
  // A send waiting on a slow receiver ends now; it is retried after the restart.
  if (thread.joinable()) deps.transport->Cancel();
  cv.notify_all();
  if (thread.joinable()) thread.join();
}

void DispatcherImpl::Wake() {
  {
    std::lock_guard<std::mutex> lock(bg_mu);
    wake = true;
  }
  cv.notify_all();
}

Status DispatcherImpl::Enqueue(const AlertNotice& notice) {
  const int64_t now = deps.now_ns();
  RETURN_IF_ERROR(outbox->TrackFiring(notice));
  if (!IsFiring(notice)) RETURN_IF_ERROR(silences->ClearAck(AlertKey(notice)));
  std::shared_ptr<const NotifyConfig> c = config();
  for (const Route* route : c->routing.Match(notice.labels)) {
    RETURN_IF_ERROR(outbox->AddToGroup(route->receiver, GroupLabels(route->group, notice.labels), route->group,
                                       notice, notice.send_resolved, now));
  }
  Wake();
  return Status::OK();
}

void DispatcherImpl::Tick() {
  std::lock_guard<std::mutex> lock(tick_mu);
  const int64_t now = deps.now_ns();
  FlushGroups(now);
  Result<std::vector<Delivery>> due = outbox->DueDeliveries(now);
  if (!due.ok()) {
    deps.log("alerting: reading the outbox failed: " + due.status().ToString());
  } else {
    // A receiver that did not answer (down, or timing out) is not tried again in this
    // pass, so one unreachable receiver costs one timeout per pass, not one per group.
    std::set<std::string> unreachable;
    for (Delivery& d : *due) {
      if (unreachable.count(d.receiver) != 0) continue;
      if (Attempt(d, now) && d.status == "pending" && d.last_code == 0) unreachable.insert(d.receiver);
    }
  }
  if (now - last_prune_ns >= kPruneEveryNs) {
    last_prune_ns = now;
    Status st = outbox->Prune(now - kKeepDoneNs);
    if (!st.ok()) deps.log("alerting: pruning the outbox failed: " + st.ToString());
  }
  FlushHistory();
}

void DispatcherImpl::FlushGroups(int64_t now) {
  Result<std::vector<GroupState>> groups = outbox->DueGroups(now);
  if (!groups.ok()) {
    deps.log("alerting: reading notification groups failed: " + groups.status().ToString());
    return;
  }
  std::shared_ptr<const NotifyConfig> c = config();
  for (const GroupState& g : *groups) {
    Status st = FlushGroup(*c, g, now);
    if (!st.ok()) deps.log("alerting: flushing group " + g.receiver + " " + g.group_key + ": " + st.ToString());
  }
}

Status DispatcherImpl::FlushGroup(const NotifyConfig& c, const GroupState& g, int64_t now) {
  ASSIGN_OR_RETURN(std::vector<GroupAlert> alerts, outbox->GroupAlerts(g.receiver, g.group_key));
  const ReceiverConfig* receiver = c.Find(g.receiver);
  FlushResult r;
  if (receiver == nullptr) {
    // The receiver left the configuration (a reload); its groups go with it. Alerts that
    // still fire reach the receivers of the new routes with their next change.
    deps.log("alerting: receiver " + g.receiver + " is gone; dropping its group " + g.group_key);
    return outbox->DropGroup(g.receiver, g.group_key);
  }
  const bool repeat_due = g.last_flush_ns != 0 && now >= g.last_flush_ns + g.repeat_interval_ns;
  Notification n{g.receiver, g.group_key, g.group_labels, DedupKey(g.receiver, g.group_key, now), {}, now, false};
  bool any_new = false;
  bool muted_firing = false;
  for (const GroupAlert& a : alerts) {
    std::string why;
    if (a.firing && silences->Muted(a.notice.labels, now, true, &why)) {
      muted_firing = true;
      if (a.changed || repeat_due) RecordMuted(a.notice, g.receiver, why, now);
      continue;
    }
    any_new = any_new || a.changed || !a.firing || !a.notified;
    if (a.firing) r.notified.push_back(AlertKey(a.notice));
    n.alerts.push_back(a.notice);
  }
  r.sent = !n.alerts.empty() && (any_new || repeat_due);
  if (r.sent) {
    Delivery d;
    d.dedup_key = n.dedup_key;
    d.receiver = g.receiver;
    d.group_key = g.group_key;
    d.body = RenderBody(*receiver, n);
    d.alerts = n.alerts;
    d.created_ns = now;
    d.deadline_ns = now + receiver->delivery.deadline_ns;
    d.next_attempt_ns = now;
    r.delivery = std::move(d);
    // Muted alerts are looked at again every group_interval, to go out once unmuted.
    r.next_flush_ns = now + (muted_firing ? g.group_interval_ns : g.repeat_interval_ns);
  } else {
    r.notified.clear();
    const int64_t repeat_at = g.last_flush_ns == 0 ? now + g.repeat_interval_ns
                                                   : std::max(now, g.last_flush_ns) + g.repeat_interval_ns;
    r.next_flush_ns = muted_firing ? now + g.group_interval_ns : repeat_at;
  }
  return outbox->CommitFlush(g, r, now);
}

bool DispatcherImpl::Attempt(Delivery& d, int64_t now) {
  {
    std::lock_guard<std::mutex> lock(flight_mu);
    if (!in_flight.insert(d.id).second) return false;
  }
  AttemptClaimed(d, now);
  std::lock_guard<std::mutex> lock(flight_mu);
  in_flight.erase(d.id);
  return true;
}

void DispatcherImpl::AttemptClaimed(Delivery& d, int64_t now) {
  std::shared_ptr<const NotifyConfig> c = config();
  const ReceiverConfig* receiver = c->Find(d.receiver);
  std::string result;
  if (receiver == nullptr) {
    d.status = "failed";
    d.last_error = "receiver \"" + d.receiver + "\" is no longer configured";
    result = "failed";
  } else if (now >= d.deadline_ns) {
    // Late (the process was down, or attempts queued behind others): the last error of
    // the receiver stays the reason.
    d.status = "failed";
    if (d.last_error.empty()) d.last_error = "delivery deadline passed before any attempt";
    result = "failed";
  } else {
    const TransportResult tr = deps.transport->Send(MakeRequest(*receiver, d.body));
    ++d.attempts;
    d.last_code = tr.code;
    d.last_error = tr.error;
    if (tr.ok()) {
      d.status = "sent";
      result = "sent";
    } else {
      d.next_attempt_ns = now + BackoffDelay(receiver->delivery, d.attempts);
      const bool give_up = d.next_attempt_ns >= d.deadline_ns;
      d.status = give_up ? "failed" : "pending";
      result = give_up ? "failed" : "error";
    }
  }
  if (d.status != "pending") d.done_ns = now;
  Status st = outbox->RecordAttempt(d);
  if (!st.ok()) deps.log("alerting: recording a delivery attempt failed: " + st.ToString());
  if (notifications != nullptr) notifications->With({d.receiver, result}).Inc();
  if (d.status == "failed") {
    deps.log("alerting: notification " + d.dedup_key + " to " + d.receiver + " failed: " + d.last_error);
  }
  RecordHistory(d, now);
}

void DispatcherImpl::AddHistoryRow(const AlertNotice& a, std::string_view event, const std::string& receiver,
                                   int64_t now, const std::function<void(BatchBuilder&)>& more) {
  std::lock_guard<std::mutex> lock(history_mu);
  history.BeginRow();
  history.AddInt("@timestamp", now);
  history.AddString("@kind", "alarm_history");
  history.AddString("event", event);
  history.AddString("alarm", a.rule);
  history.AddString("instance", a.instance);
  history.AddString("state", AlarmStateName(a.state));
  history.AddString("receiver", receiver);
  for (const auto& [k, v] : a.labels) history.AddString("labels." + k, v);
  if (more) more(history);
  history.EndRow();
}

void DispatcherImpl::RecordHistory(const Delivery& d, int64_t now) {
  for (const AlertNotice& a : d.alerts) {
    AddHistoryRow(a, "notification", d.receiver, now, [&](BatchBuilder& b) {
      b.AddString("dedup_key", d.dedup_key);
      b.AddString("result", d.status);
      b.AddInt("attempt", d.attempts);
      if (d.last_code != 0) b.AddInt("response_code", d.last_code);
      if (!d.last_error.empty()) b.AddString("error", d.last_error);
      if (d.test) b.AddBool("test", true);
    });
  }
}

void DispatcherImpl::RecordMuted(const AlertNotice& a, const std::string& receiver, const std::string& why,
                                 int64_t now) {
  if (silenced != nullptr) silenced->Inc();
  const bool acked = why.starts_with("acked");
  AddHistoryRow(a, acked ? "acked" : "silenced", receiver, now,
                [&](BatchBuilder& b) { b.AddString("reason", why); });
}

void DispatcherImpl::FlushHistory() {
  Batch batch;
  {
    std::lock_guard<std::mutex> lock(history_mu);
    if (history.rows() == 0) return;
    batch = history.Finish();
  }
  if (!deps.ingest) return;
  Status st = deps.ingest(std::move(batch));
  if (!st.ok()) deps.log("alerting: storing alarm history failed: " + st.ToString());
}

Dispatcher::Dispatcher(std::unique_ptr<DispatcherImpl> impl) : impl_(std::move(impl)) {}
Dispatcher::~Dispatcher() { Stop(); }

Result<std::unique_ptr<Dispatcher>> Dispatcher::Open(DispatcherDeps deps, const YAML::Node& alerting) {
  if (!deps.now_ns) return Status::InvalidArgument("DispatcherDeps.now_ns is required");
  ASSIGN_OR_RETURN(std::unique_ptr<NotifyConfig> cfg, ParseNotifyConfig(alerting));
  const bool background = deps.background;
  auto impl = std::make_unique<DispatcherImpl>(std::move(deps));
  ASSIGN_OR_RETURN(impl->db, StateDb::Open(impl->deps.state_path));
  ASSIGN_OR_RETURN(impl->outbox, Outbox::Open(*impl->db));
  {
    std::lock_guard<std::mutex> lock(impl->pending_gauge->mu);
    impl->pending_gauge->outbox = impl->outbox.get();
  }
  ASSIGN_OR_RETURN(impl->silences, SilenceStore::Open(*impl->db));
  impl->SetConfig(std::move(cfg));
  if (background) impl->StartThread();
  return std::unique_ptr<Dispatcher>(new Dispatcher(std::move(impl)));
}

Status Dispatcher::Enqueue(const AlertNotice& notice) { return impl_->Enqueue(notice); }

Status Dispatcher::Reload(const YAML::Node& alerting) {
  ASSIGN_OR_RETURN(std::unique_ptr<NotifyConfig> cfg, ParseNotifyConfig(alerting));
  impl_->SetConfig(std::move(cfg));
  impl_->Wake();
  return Status::OK();
}

void Dispatcher::RegisterRoutes(Router& router) { RegisterDispatcherRoutes(*impl_, router); }

bool Dispatcher::Muted(const std::map<std::string, std::string>& labels, std::string* why) const {
  return impl_->silences->Muted(labels, impl_->deps.now_ns(), true, why);
}

void Dispatcher::Tick() { impl_->Tick(); }
void Dispatcher::Stop() { impl_->StopThread(); }

}  // namespace vigil::alert
