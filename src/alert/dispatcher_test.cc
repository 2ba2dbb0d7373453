#include "alert/dispatcher.h"

#include <gtest/gtest.h>
#include <simdjson.h>
#include <unistd.h>

#include <deque>
#include <filesystem>

#include "alert/receivers.h"

namespace vigil::alert {
namespace {

constexpr int64_t kSec = 1'000'000'000;
constexpr int64_t kT0 = 1'767'225'600 * kSec;  // 2026-01-01T00:00:00Z

class FakeTransport : public Transport {
 public:
  TransportResult Send(const OutboundRequest& req) override {
    std::lock_guard<std::mutex> lock(mu);
    requests.push_back(req);
    if (codes.empty()) return {200, ""};
    const int code = codes.front();
    codes.pop_front();
    if (code >= 200 && code < 300) return {code, ""};
    return {code, code == 0 ? "connection refused" : "HTTP status " + std::to_string(code)};
  }
  std::mutex mu;
  std::vector<OutboundRequest> requests;
  std::deque<int> codes;  // scripted answers; 0: no answer
};

// The dedup keys and alert instances (with status) of a webhook body.
struct Sent {
  std::string dedup_key;
  std::string status;
  std::vector<std::string> alerts;  // "instance:firing"
};

Sent Decode(const std::string& body) {
  simdjson::dom::parser p;
  simdjson::dom::element doc = p.parse(body);
  Sent s{std::string(std::string_view(doc["dedup_key"])), std::string(std::string_view(doc["status"])), {}};
  for (simdjson::dom::element a : doc["alerts"].get_array()) {
    s.alerts.push_back(std::string(std::string_view(a["instance"])) + ":" +
                       std::string(std::string_view(a["status"])));
  }
  return s;
}

AlertNotice Firing(const std::string& rule, const std::string& endpoint, int64_t at) {
  AlertNotice n;
  n.rule = rule;
  n.instance = rule + "/" + endpoint;
  n.labels = {{"alertname", rule}, {"endpoint", endpoint}};
  n.state = AlarmState::kAlarm;
  n.previous = AlarmState::kPending;
  n.starts_at_ns = at;
  n.at_ns = at;
  n.value = 5;
  n.has_value = true;
  return n;
}

AlertNotice Resolved(AlertNotice n, int64_t at) {
  n.previous = AlarmState::kAlarm;
  n.state = AlarmState::kOk;
  n.ends_at_ns = at;
  n.at_ns = at;
  return n;
}

constexpr const char* kConfig = R"(
receivers:
  - name: ops
    webhook: {url: "http://127.0.0.1:1/hook"}
    delivery: {initial_backoff: 1s, max_backoff: 8s, deadline: 60s}
routes:
  - receiver: ops
    group_by: [alertname]
    group_wait: 30s
    group_interval: 5m
    repeat_interval: 1h
)";

class DispatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("vigil_dispatcher_" + std::to_string(getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    Open(kConfig);
  }
  void TearDown() override {
    d_.reset();
    std::filesystem::remove_all(dir_);
  }

  void Open(const std::string& yaml) {
    d_.reset();
    registry_ = std::make_unique<MetricsRegistry>();
    DispatcherDeps deps;
    deps.state_path = (dir_ / "state.db").string();
    deps.now_ns = [this] { return now_; };
    deps.ingest = [this](Batch&& b) {
      history_.push_back(std::move(b));
      return Status::OK();
    };
    deps.registry = registry_.get();
    deps.background = false;
    deps.transport = transport_;
    Result<std::unique_ptr<Dispatcher>> d = Dispatcher::Open(std::move(deps), YAML::Load(yaml));
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    d_ = std::move(d).value();
    router_ = Router();
    d_->RegisterRoutes(router_);
  }

  // Advances the clock to kT0 + `s` seconds and runs one pass; returns what was sent.
  std::vector<Sent> TickAt(int64_t s) {
    now_ = kT0 + s * kSec;
    const size_t before = transport_->requests.size();
    d_->Tick();
    std::vector<Sent> out;
    for (size_t i = before; i < transport_->requests.size(); ++i) out.push_back(Decode(transport_->requests[i].body));
    return out;
  }

  HttpResponse Call(const std::string& method, const std::string& path, const std::string& body = "",
                    std::vector<std::pair<std::string, std::string>> query = {}) {
    HttpRequest req;
    req.method = method;
    req.path = path;
    req.body = body;
    req.query = std::move(query);
    return router_.Dispatch(req);
  }

  // History rows with this `event`.
  int HistoryCount(std::string_view event) {
    int n = 0;
    for (const Batch& b : history_) {
      const Column* c = b.Find("event", Type::kString);
      for (size_t r = 0; c != nullptr && r < b.rows; ++r) n += c->IsValid(r) && c->strs[r] == event;
    }
    return n;
  }

  std::string Metric(const std::string& needle) {
    const std::string text = registry_->Render();
    const size_t at = text.find("\n" + needle + " ");
    if (at == std::string::npos) return "absent";
    const size_t end = text.find('\n', at + 1);
    return text.substr(at + needle.size() + 2, end - at - needle.size() - 2);
  }

  std::filesystem::path dir_;
  int64_t now_ = kT0;
  std::shared_ptr<FakeTransport> transport_ = std::make_shared<FakeTransport>();
  std::unique_ptr<MetricsRegistry> registry_;
  std::vector<Batch> history_;
  std::unique_ptr<Dispatcher> d_;
  Router router_;
};

TEST_F(DispatcherTest, GroupWaitCollectsOneNotification) {
  ASSERT_TRUE(d_->Enqueue(Firing("lat", "/a", kT0)).ok());
  now_ = kT0 + 10 * kSec;
  ASSERT_TRUE(d_->Enqueue(Firing("lat", "/b", now_)).ok());
  ASSERT_TRUE(d_->Enqueue(Firing("err", "/a", now_)).ok());
  EXPECT_TRUE(TickAt(29).empty()) << "group_wait of the first alert not over";
  std::vector<Sent> sent = TickAt(30);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].alerts, (std::vector<std::string>{"lat//a:firing", "lat//b:firing"}));
  sent = TickAt(40);
  ASSERT_EQ(sent.size(), 1u) << "the err group waits from its own first alert";
  EXPECT_EQ(sent[0].alerts, (std::vector<std::string>{"err//a:firing"}));
  EXPECT_NE(sent[0].dedup_key, Decode(transport_->requests[0].body).dedup_key);
  EXPECT_EQ(HistoryCount("notification"), 3);
  EXPECT_EQ(Metric("vigil_alert_notifications_total{receiver=\"ops\",result=\"sent\"}"), "2");
}

TEST_F(DispatcherTest, GroupIntervalAndRepeat) {
  ASSERT_TRUE(d_->Enqueue(Firing("lat", "/a", kT0)).ok());
  ASSERT_EQ(TickAt(30).size(), 1u);
  now_ = kT0 + 60 * kSec;
  ASSERT_TRUE(d_->Enqueue(Firing("lat", "/b", now_)).ok());
  EXPECT_TRUE(TickAt(60).empty());
  EXPECT_TRUE(TickAt(30 + 299).empty()) << "group_interval after the last flush not over";
  std::vector<Sent> sent = TickAt(30 + 300);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].alerts, (std::vector<std::string>{"lat//a:firing", "lat//b:firing"}));
  EXPECT_TRUE(TickAt(330 + 3599).empty());
  sent = TickAt(330 + 3600);
  ASSERT_EQ(sent.size(), 1u) << "repeat_interval with nothing new";
  EXPECT_EQ(sent[0].alerts.size(), 2u);
}

TEST_F(DispatcherTest, SendResolvedPerRule) {
  AlertNotice a = Firing("lat", "/a", kT0);
  AlertNotice b = Firing("lat", "/b", kT0);
  b.send_resolved = false;
  ASSERT_TRUE(d_->Enqueue(a).ok());
  ASSERT_TRUE(d_->Enqueue(b).ok());
  ASSERT_EQ(TickAt(30).size(), 1u);
  now_ = kT0 + 100 * kSec;
  ASSERT_TRUE(d_->Enqueue(Resolved(a, now_)).ok());
  ASSERT_TRUE(d_->Enqueue(Resolved(b, now_)).ok());
  std::vector<Sent> sent = TickAt(330);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].status, "resolved");
  EXPECT_EQ(sent[0].alerts, (std::vector<std::string>{"lat//a:resolved"}));
  EXPECT_TRUE(TickAt(330 + 7200).empty()) << "nothing left to repeat";
}

TEST_F(DispatcherTest, ResolvedBeforeFirstFlushIsNotSent) {
  AlertNotice a = Firing("lat", "/a", kT0);
  ASSERT_TRUE(d_->Enqueue(a).ok());
  now_ = kT0 + 10 * kSec;
  ASSERT_TRUE(d_->Enqueue(Resolved(a, now_)).ok());
  EXPECT_TRUE(TickAt(30).empty());
  EXPECT_TRUE(TickAt(4000).empty());
}

TEST_F(DispatcherTest, RetriesWithBackoffUntilAccepted) {
  transport_->codes = {500, 0, 503};
  ASSERT_TRUE(d_->Enqueue(Firing("lat", "/a", kT0)).ok());
  // Attempts at 30 s, then +1 s, +2 s, +4 s (initial_backoff 1s, doubling).
  const std::vector<std::pair<int64_t, size_t>> schedule = {{30, 1}, {30, 0}, {31, 1}, {32, 0},
                                                            {33, 1}, {36, 0}, {37, 1}, {60, 0}};
  std::string key;
  for (const auto& [at, n] : schedule) {
    std::vector<Sent> sent = TickAt(at);
    ASSERT_EQ(sent.size(), n) << "at +" << at << "s";
    if (n == 0) continue;
    if (key.empty()) key = sent[0].dedup_key;
    EXPECT_EQ(sent[0].dedup_key, key) << "a retry carries the same dedup key";
  }
  EXPECT_EQ(Metric("vigil_alert_notifications_total{receiver=\"ops\",result=\"error\"}"), "3");
  EXPECT_EQ(Metric("vigil_alert_notifications_total{receiver=\"ops\",result=\"sent\"}"), "1");
  EXPECT_EQ(HistoryCount("notification"), 4);
  HttpResponse list = Call("GET", "/api/v1/notifications", "", {{"status", "sent"}});
  EXPECT_NE(list.body.find("\"attempts\":4"), std::string::npos) << list.body;
}

TEST_F(DispatcherTest, DeadlineMarksFailed) {
  transport_->codes = std::deque<int>(100, 500);
  ASSERT_TRUE(d_->Enqueue(Firing("lat", "/a", kT0)).ok());
  // 60 s deadline from 30 s, backoff 1,2,4,8,8,8...: attempts at 30,31,33,37,45,53,61,69,77,85;
  // the one at 85 would be followed by 93 >= 90, so it is the last.
  int attempts = 0;
  for (int64_t s = 30; s <= 200; ++s) attempts += static_cast<int>(TickAt(s).size());
  EXPECT_EQ(attempts, 10);
  EXPECT_EQ(Metric("vigil_alert_notifications_total{receiver=\"ops\",result=\"failed\"}"), "1");
  EXPECT_EQ(Metric("vigil_alert_outbox_pending"), "0");
  HttpResponse failed = Call("GET", "/api/v1/notifications", "", {{"status", "failed"}});
  EXPECT_EQ(failed.status, 200);
  EXPECT_NE(failed.body.find("\"error\":\"HTTP status 500\""), std::string::npos) << failed.body;
  EXPECT_NE(failed.body.find("\"response_code\":500"), std::string::npos) << failed.body;
}

TEST_F(DispatcherTest, GroupNotificationsStayInOrder) {
  std::string yaml = kConfig;
  yaml.replace(yaml.find("group_interval: 5m"), 18, "group_interval: 2s");
  Open(yaml);
  transport_->codes = {0, 0};
  AlertNotice a = Firing("lat", "/a", kT0);
  ASSERT_TRUE(d_->Enqueue(a).ok());
  ASSERT_EQ(TickAt(30).size(), 1u);  // fails
  now_ = kT0 + 31 * kSec;
  ASSERT_TRUE(d_->Enqueue(Resolved(a, now_)).ok());
  ASSERT_EQ(TickAt(31).size(), 1u);  // the firing one again, fails; next try at 33
  EXPECT_TRUE(TickAt(32).empty()) << "the resolve (queued at 32) waits behind the firing one";
  std::vector<Sent> sent = TickAt(33);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].status, "firing");
  sent = TickAt(33);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].status, "resolved");
}

TEST_F(DispatcherTest, OutboxSurvivesReopen) {
  ASSERT_TRUE(d_->Enqueue(Firing("lat", "/a", kT0)).ok());
  Open(kConfig);  // a restart before the group was flushed
  transport_->codes = {503};
  ASSERT_EQ(TickAt(30).size(), 1u);
  const std::string key = Decode(transport_->requests.back().body).dedup_key;
  Open(kConfig);  // a restart with the delivery pending
  std::vector<Sent> sent = TickAt(31);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].dedup_key, key);
  Open(kConfig);
  EXPECT_TRUE(TickAt(40).empty()) << "delivered once, not again after a restart";
}

TEST_F(DispatcherTest, FinishedDeliveriesArePrunedAfterAWeek) {
  AlertNotice a = Firing("lat", "/a", kT0);
  ASSERT_TRUE(d_->Enqueue(a).ok());
  ASSERT_EQ(TickAt(30).size(), 1u);
  now_ = kT0 + 40 * kSec;
  ASSERT_TRUE(d_->Enqueue(Resolved(a, now_)).ok());
  ASSERT_EQ(TickAt(330).size(), 1u);
  auto listed = [&] {
    simdjson::dom::parser p;
    return simdjson::dom::array(p.parse(Call("GET", "/api/v1/notifications").body)["notifications"]).size();
  };
  EXPECT_EQ(listed(), 2u);
  TickAt(31 + 7 * 86400);
  EXPECT_EQ(listed(), 1u) << "the first, done at 30 s, is a week old";
  TickAt(331 + 7 * 86400 + 3600);
  EXPECT_EQ(listed(), 0u);
}

TEST_F(DispatcherTest, SilenceMutesAndExpiring) {
  HttpResponse add = Call("POST", "/api/v1/silences",
                          R"({"matchers": ["alertname=\"lat\"", "endpoint=~\"/a|/c\""], "duration": "2h",
                              "author": "alice", "comment": "deploy"})");
  ASSERT_EQ(add.status, 201) << add.body;
  simdjson::dom::parser p;
  const std::string id(std::string_view(p.parse(add.body)["id"]));
  std::string why;
  EXPECT_TRUE(d_->Muted({{"alertname", "lat"}, {"endpoint", "/a"}}, &why));
  EXPECT_EQ(why, "silence " + id + ": deploy");
  EXPECT_FALSE(d_->Muted({{"alertname", "lat"}, {"endpoint", "/b"}}, nullptr));

  ASSERT_TRUE(d_->Enqueue(Firing("lat", "/a", kT0)).ok());
  ASSERT_TRUE(d_->Enqueue(Firing("lat", "/b", kT0)).ok());
  std::vector<Sent> sent = TickAt(30);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].alerts, (std::vector<std::string>{"lat//b:firing"}));
  EXPECT_EQ(HistoryCount("silenced"), 1);

  HttpResponse list = Call("GET", "/api/v1/silences", "", {{"state", "active"}});
  EXPECT_NE(list.body.find(id), std::string::npos) << list.body;
  ASSERT_EQ(Call("DELETE", "/api/v1/silences/" + id).status, 200);
  EXPECT_EQ(Call("DELETE", "/api/v1/silences/nope").status, 404);
  sent = TickAt(330);
  ASSERT_EQ(sent.size(), 1u) << "the muted alert goes out once the silence ends";
  EXPECT_EQ(sent[0].alerts, (std::vector<std::string>{"lat//a:firing", "lat//b:firing"}));
  EXPECT_EQ(HistoryCount("silenced"), 1) << "muting is recorded once, not at every look";
}

TEST_F(DispatcherTest, RecurringSilenceFromConfig) {
  Open(std::string(kConfig) + R"(
silences:
  - matchers: ['alertname="lat"']
    comment: nightly backup
    recurring: {start: "00:00", end: "01:00", time_zone: UTC}
)");
  ASSERT_TRUE(d_->Enqueue(Firing("lat", "/a", kT0)).ok());
  EXPECT_TRUE(TickAt(30).empty()) << "00:00:30 UTC is inside the window";
  EXPECT_EQ(Call("DELETE", "/api/v1/silences/config:0").status, 400);
  EXPECT_TRUE(TickAt(330).empty());
  now_ = kT0 + 3599 * kSec;
  EXPECT_TRUE(d_->Muted({{"alertname", "lat"}, {"endpoint", "/a"}}, nullptr));
  EXPECT_EQ(TickAt(3600).size(), 1u) << "the window ends at 01:00";
  EXPECT_EQ(HistoryCount("silenced"), 1);
}

TEST_F(DispatcherTest, AckMutesRepeatsUntilResolved) {
  AlertNotice a = Firing("lat", "/a", kT0);
  ASSERT_TRUE(d_->Enqueue(a).ok());
  ASSERT_EQ(TickAt(30).size(), 1u);
  EXPECT_EQ(Call("POST", "/api/v1/alarms/nope/ack").status, 404);
  HttpResponse ack = Call("POST", "/api/v1/alarms/lat/ack", R"({"author": "bob", "comment": "on it"})");
  ASSERT_EQ(ack.status, 200) << ack.body;
  EXPECT_NE(ack.body.find("lat//a"), std::string::npos);
  EXPECT_EQ(HistoryCount("acknowledged"), 1);
  EXPECT_TRUE(TickAt(30 + 3600).empty()) << "the repeat is muted";
  EXPECT_EQ(HistoryCount("acked"), 1);
  now_ = kT0 + 4000 * kSec;
  ASSERT_TRUE(d_->Enqueue(Resolved(a, now_)).ok());
  std::vector<Sent> sent = TickAt(4000);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].status, "resolved");
  EXPECT_FALSE(d_->Muted(a.labels, nullptr)) << "the ack ends with the alert";
}

TEST_F(DispatcherTest, InstancesOfTwoRulesStayApart) {
  // The evaluator names instances by their group labels only: two rules share the text.
  AlertNotice x = Firing("x", "/a", kT0);
  AlertNotice y = Firing("y", "/a", kT0);
  x.instance = y.instance = "endpoint=/a";
  ASSERT_TRUE(d_->Enqueue(x).ok());
  ASSERT_TRUE(d_->Enqueue(y).ok());
  ASSERT_EQ(TickAt(30).size(), 2u);
  ASSERT_EQ(Call("POST", "/api/v1/alarms/x/ack", R"({"instance": "endpoint=/a"})").status, 200);
  EXPECT_TRUE(d_->Muted(x.labels, nullptr));
  EXPECT_FALSE(d_->Muted(y.labels, nullptr));
  now_ = kT0 + 60 * kSec;
  ASSERT_TRUE(d_->Enqueue(Resolved(y, now_)).ok());
  EXPECT_TRUE(d_->Muted(x.labels, nullptr)) << "y resolving does not end x's ack";
  EXPECT_EQ(Call("POST", "/api/v1/alarms/y/ack").status, 404) << "y no longer fires";
}

TEST_F(DispatcherTest, TestFire) {
  HttpResponse r = Call("POST", "/api/v1/receivers/ops/test");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("\"delivered\":true"), std::string::npos) << r.body;
  ASSERT_EQ(transport_->requests.size(), 1u);
  EXPECT_EQ(transport_->requests[0].url, "http://127.0.0.1:1/hook");
  EXPECT_EQ(Decode(transport_->requests[0].body).alerts, (std::vector<std::string>{"vigil_test:firing"}));
  EXPECT_EQ(Call("POST", "/api/v1/receivers/nope/test").status, 404);
  transport_->codes = {500};
  r = Call("POST", "/api/v1/receivers/ops/test");
  EXPECT_NE(r.body.find("\"delivered\":false"), std::string::npos) << r.body;
  EXPECT_EQ(TickAt(1).size(), 1u) << "a failed test-fire is retried like any notification";
}

TEST_F(DispatcherTest, BadSilenceBodies) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "JSON object"},
      {R"({"duration": "1h"})", "matchers"},
      {R"({"matchers": ["a"], "duration": "1h"})", "expected name=value"},
      {R"({"matchers": ["a=b"]})", "needs ends_at or duration"},
      {R"({"matchers": ["a=b"], "duration": "soon"})", "duration"},
      {R"({"matchers": ["a=b"], "ends_at": "-1h"})", "must be after starts_at"},
      {R"({"matchers": ["a=b"], "duration": "1h", "colour": 1})", "unknown field"},
      {R"({"matchers": ["a=b"], "recurring": {"start": "02:00", "end": "03:00", "time_zone": "Nowhere/X"}})",
       "Nowhere/X"},
  };
  for (const auto& [body, want] : cases) {
    HttpResponse r = Call("POST", "/api/v1/silences", body);
    EXPECT_EQ(r.status, 400) << body;
    EXPECT_NE(r.body.find(want), std::string::npos) << body << " -> " << r.body;
  }
  EXPECT_EQ(Call("GET", "/api/v1/silences", "", {{"state", "odd"}}).status, 400);
}

TEST_F(DispatcherTest, ReloadDropsGroupsOfARemovedReceiver) {
  ASSERT_TRUE(d_->Enqueue(Firing("lat", "/a", kT0)).ok());
  ASSERT_EQ(TickAt(30).size(), 1u);
  std::string yaml = kConfig;
  for (size_t at; (at = yaml.find("ops")) != std::string::npos;) yaml.replace(at, 3, "team");
  ASSERT_TRUE(d_->Reload(YAML::Load(yaml)).ok());
  EXPECT_TRUE(TickAt(30 + 7200).empty()) << "no repeat to the removed receiver";
  ASSERT_TRUE(d_->Enqueue(Firing("lat", "/b", kT0 + 7300 * kSec)).ok());
  std::vector<Sent> sent = TickAt(7330);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].alerts, (std::vector<std::string>{"lat//b:firing"}));
}

TEST_F(DispatcherTest, ReloadKeepsStateAndRejectsBadConfig) {
  ASSERT_TRUE(d_->Enqueue(Firing("lat", "/a", kT0)).ok());
  EXPECT_FALSE(d_->Reload(YAML::Load("routes:\n  - receiver: missing\n")).ok());
  ASSERT_TRUE(d_->Reload(YAML::Load(std::string(kConfig) + "route: {receiver: ops}\n")).ok());
  EXPECT_EQ(TickAt(30).size(), 1u);
}

}  // namespace
}  // namespace vigil::alert
