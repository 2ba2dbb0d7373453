#include "alert/alert_module.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "alert/alarm_store.h"
#include "alert/alarms_api.h"
#include "alert/dispatcher.h"
#include "alert/evaluator.h"
#include "alert/rule_set.h"
#include "server/thread_annotations.h"

namespace vigil {

namespace {

using alert::AlarmState;

constexpr std::string_view kHistoryView = "alarm_history";

class StoreQueries : public alert::QuerySource {
 public:
  StoreQueries(Store& store, const QueryOptions& options) : store_(store), options_(options) {}
  Result<QueryResult> Run(const QueryRequest& request) override {
    return RunQuery(store_, request, options_);
  }

 private:
  Store& store_;
  const QueryOptions& options_;
};

YAML::Node AlertingNode(const Config& config) {
  if (!config.raw.IsDefined() || !config.raw.IsMap()) return YAML::Node();
  return config.raw["alerting"];
}

// The smallest @timestamp of a batch, or nullopt without one.
std::optional<int64_t> MinTimestamp(const Batch& batch) {
  const Column* ts = batch.Find(field::kTimestamp, Type::kInt);
  if (ts == nullptr) return std::nullopt;
  std::optional<int64_t> out;
  for (size_t i = 0; i < ts->size(); ++i) {
    if (ts->IsValid(i) && (!out || ts->ints[i] < *out)) out = ts->ints[i];
  }
  return out;
}

class AlertModule : public ServerModule {
 public:
  explicit AlertModule(ModuleContext& ctx) : ctx_(ctx), queries_(ctx.store, ctx.query_options) {}

  ~AlertModule() override { Stop(); }

  Status Open() {
    ASSIGN_OR_RETURN(alert::AlertingConfig config,
                     alert::ParseAlertingConfig(AlertingNode(ctx_.config), ctx_.config.listen,
                                                &ctx_.query_options));
    ASSIGN_OR_RETURN(store_, alert::AlarmStore::Open(ctx_.state_path, false));
    alert::DispatcherDeps dd;
    dd.state_path = ctx_.state_path;
    dd.now_ns = ctx_.now_ns;
    dd.ingest = ctx_.ingest;
    dd.log = ctx_.log;
    dd.registry = &ctx_.registry;
    dd.auth = &ctx_.auth;
    ASSIGN_OR_RETURN(dispatcher_, alert::Dispatcher::Open(dd, AlertingNode(ctx_.config)));
    alert::EvaluatorDeps ed;
    ed.store = store_.get();
    ed.queries = &queries_;
    ed.sink = dispatcher_.get();
    ed.muted = [d = dispatcher_.get()](const std::map<std::string, std::string>& labels, std::string* why) {
      return d->Muted(labels, why);
    };
    ed.ingest = ctx_.ingest;
    ed.log = ctx_.log;
    ASSIGN_OR_RETURN(evaluator_, alert::Evaluator::Create(ed));
    rules_ = std::make_unique<alert::RuleSet>(*store_, *evaluator_, ctx_.now_ns, ctx_.log,
                                              &ctx_.query_options);
    RETURN_IF_ERROR(rules_->Start(std::move(config)));
    AddMetrics();
    thread_ = std::thread([this] { Loop(); });
    return Status::OK();
  }

  void RegisterRoutes(Router& router) override {
    if (!evaluator_) return;
    alert::RegisterAlarmsApi(alert::AlarmsApiDeps{*evaluator_, *store_, *rules_, ctx_.store,
                                                  ctx_.query_options, ctx_.auth, ctx_.now_ns},
                             router);
    dispatcher_->RegisterRoutes(router);
  }

  // Cached periods of binned rules that an event lands in must be queried again.
  std::function<void()> OnIngest(const Batch& batch) override {
    if (!evaluator_) return {};
    std::optional<int64_t> min_ts = MinTimestamp(batch);
    if (!min_ts) return {};
    return [this, t = *min_ts] { evaluator_->NoteStored(t); };
  }

  Status Reload(const Config& config) override {
    if (!evaluator_) return Status::OK();
    ASSIGN_OR_RETURN(alert::AlertingConfig parsed,
                     alert::ParseAlertingConfig(AlertingNode(config), ctx_.config.listen,
                                                &ctx_.query_options));
    // Everything that can refuse the new file is checked before anything changes.
    RETURN_IF_ERROR(rules_->Check(parsed));
    RETURN_IF_ERROR(dispatcher_->Reload(AlertingNode(config)));
    RETURN_IF_ERROR(rules_->Reload(std::move(parsed)));
    Wake();
    return Status::OK();
  }

  void Stop() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return;
      stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
    if (dispatcher_) dispatcher_->Stop();
  }

 private:
  void Wake() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      wake_ = true;
    }
    cv_.notify_all();
  }

  // Evaluates due rules, then sleeps until the next is due (at most a second, so a
  // changed rule set or clock is picked up quickly).
  void Loop() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stopping_) {
      wake_ = false;
      lock.unlock();
      const int64_t next = evaluator_->RunDue(ctx_.now_ns());
      const int64_t wait_ns = std::clamp<int64_t>(next - ctx_.now_ns(), 10'000'000, 1'000'000'000);
      lock.lock();
      cv_.wait_for(lock, std::chrono::nanoseconds(wait_ns), [this] { return stopping_ || wake_; });
    }
  }

  void AddMetrics() {
    ctx_.registry.AddCollector([e = evaluator_.get()](PrometheusWriter& w) {
      const alert::EvaluatorStats s = e->stats();
      w.Header("vigil_alert_evaluations_total", "Alarm rule evaluations", "counter");
      w.Sample("vigil_alert_evaluations_total", {{"result", "ok"}}, s.evaluations - s.failures);
      w.Sample("vigil_alert_evaluations_total", {{"result", "error"}}, s.failures);
      w.Header("vigil_alert_passes_total", "Evaluation passes (a pass runs every rule that is due)", "counter");
      w.Sample("vigil_alert_passes_total", {}, s.passes);
      w.Header("vigil_alert_evaluation_seconds_total", "Wall time spent evaluating rules", "counter");
      w.Sample("vigil_alert_evaluation_seconds_total", {}, s.evaluation_seconds);
      w.Header("vigil_alert_last_pass_seconds", "Wall time of the last evaluation pass", "gauge");
      w.Sample("vigil_alert_last_pass_seconds", {}, s.last_pass_seconds);
      w.Header("vigil_alert_last_pass_rules", "Rules the last evaluation pass ran", "gauge");
      w.Sample("vigil_alert_last_pass_rules", {}, s.last_pass_rules);
      w.Header("vigil_alert_queries_total", "Queries run by alarm evaluations", "counter");
      w.Sample("vigil_alert_queries_total", {}, s.queries);
      w.Header("vigil_alert_periods_total",
               "Periods of binned rules evaluated, by where their value came from", "counter");
      w.Sample("vigil_alert_periods_total", {{"source", "query"}}, s.periods_queried);
      w.Sample("vigil_alert_periods_total", {{"source", "cache"}}, s.periods_cached);
      std::map<std::string, uint64_t> by_state;
      for (AlarmState st : {AlarmState::kOk, AlarmState::kPending, AlarmState::kAlarm,
                            AlarmState::kInsufficientData}) {
        by_state[alert::AlarmStateName(st)] = 0;
      }
      for (const alert::InstanceView& i : e->Instances()) ++by_state[alert::AlarmStateName(i.st.state)];
      w.Header("vigil_alert_instances", "Alarm instances by state", "gauge");
      for (const auto& [state, n] : by_state) w.Sample("vigil_alert_instances", {{"state", state}}, n);
    });
  }

  ModuleContext& ctx_;
  StoreQueries queries_;
  std::unique_ptr<alert::AlarmStore> store_;
  std::unique_ptr<alert::Dispatcher> dispatcher_;
  std::unique_ptr<alert::Evaluator> evaluator_;
  std::unique_ptr<alert::RuleSet> rules_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ GUARDED_BY(mu_) = false;
  bool wake_ GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace

Result<std::unique_ptr<ServerModule>> MakeAlertModule(ModuleContext& ctx) {
  ctx.views.Register(query::ViewDef{std::string(kHistoryView),
                                    "alarm state changes, evaluations and notifications",
                                    "filter @kind = \"alarm_history\"", {}, {}, {}});
  auto m = std::make_unique<AlertModule>(ctx);
  if (!ctx.read_only) RETURN_IF_ERROR(m->Open());
  return std::unique_ptr<ServerModule>(std::move(m));
}

}  // namespace vigil
