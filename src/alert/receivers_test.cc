#include "alert/receivers.h"

#include <gtest/gtest.h>
#include <simdjson.h>

namespace vigil::alert {
namespace {

constexpr int64_t kSec = 1'000'000'000;

TEST(BackoffTest, DoublesUpToTheCap) {
  DeliveryPolicy p;
  p.initial_backoff_ns = 2 * kSec;
  p.max_backoff_ns = 60 * kSec;
  const int64_t expected[] = {2, 4, 8, 16, 32, 60, 60};
  for (int attempt = 1; attempt <= 7; ++attempt) {
    EXPECT_EQ(BackoffDelay(p, attempt), expected[attempt - 1] * kSec) << attempt;
  }
  EXPECT_EQ(BackoffDelay(p, 1000), 60 * kSec) << "no overflow";
}

Notification Sample() {
  AlertNotice firing;
  firing.rule = "http_5xx_rate";
  firing.instance = "http_5xx_rate{endpoint=\"/a\"}";
  firing.labels = {{"alertname", "http_5xx_rate"}, {"endpoint", "/a"}};
  firing.annotations = {{"summary", "5xx rate is 3.5%"}};
  firing.value = 3.5;
  firing.has_value = true;
  firing.starts_at_ns = 1'767'225'600 * kSec;  // 2026-01-01T00:00:00Z
  firing.link = "http://vigil/q";
  AlertNotice resolved = firing;
  resolved.instance = "http_5xx_rate{endpoint=\"/b\"}";
  resolved.labels["endpoint"] = "/b";
  resolved.state = AlarmState::kOk;
  resolved.previous = AlarmState::kAlarm;
  resolved.ends_at_ns = firing.starts_at_ns + 60 * kSec;
  Notification n;
  n.receiver = "ops";
  n.group_key = "{alertname=\"http_5xx_rate\"}";
  n.group_labels = {{"alertname", "http_5xx_rate"}};
  n.dedup_key = "abc-1";
  n.alerts = {firing, resolved};
  n.at_ns = firing.starts_at_ns + 120 * kSec;
  return n;
}

TEST(RenderTest, Webhook) {
  const std::string body = RenderWebhook(Sample());
  simdjson::dom::parser p;
  simdjson::dom::element doc = p.parse(body);
  EXPECT_EQ(std::string_view(doc["dedup_key"]), "abc-1");
  EXPECT_EQ(std::string_view(doc["status"]), "firing");
  EXPECT_EQ(std::string_view(doc["alerts"].at(0)["status"]), "firing");
  EXPECT_EQ(std::string_view(doc["alerts"].at(0)["labels"]["endpoint"]), "/a");
  EXPECT_EQ(double(doc["alerts"].at(0)["value"]), 3.5);
  EXPECT_EQ(std::string_view(doc["alerts"].at(0)["starts_at"]), "2026-01-01T00:00:00.000Z");
  EXPECT_TRUE(doc["alerts"].at(0)["ends_at"].is_null());
  EXPECT_EQ(std::string_view(doc["alerts"].at(1)["status"]), "resolved");
  EXPECT_EQ(std::string_view(doc["alerts"].at(1)["ends_at"]), "2026-01-01T00:01:00.000Z");
  EXPECT_EQ(std::string_view(doc["alerts"].at(1)["state"]), "OK");
}

TEST(RenderTest, AlertmanagerV2) {
  const std::string body = RenderAlertmanager(Sample());
  simdjson::dom::parser p;
  simdjson::dom::array alerts = p.parse(body).get_array();
  ASSERT_EQ(alerts.size(), 2u);
  EXPECT_EQ(std::string_view(alerts.at(0)["labels"]["alertname"]), "http_5xx_rate");
  EXPECT_EQ(std::string_view(alerts.at(0)["startsAt"]), "2026-01-01T00:00:00.000Z");
  EXPECT_EQ(alerts.at(0)["endsAt"].error(), simdjson::NO_SUCH_FIELD) << "a firing alert has no end";
  EXPECT_EQ(std::string_view(alerts.at(0)["generatorURL"]), "http://vigil/q");
  EXPECT_EQ(std::string_view(alerts.at(1)["endsAt"]), "2026-01-01T00:01:00.000Z");
}

TEST(RenderTest, SlackAndEmail) {
  ReceiverConfig r;
  r.kind = ReceiverKind::kSlack;
  r.channel = "#ops";
  simdjson::dom::parser p;
  simdjson::dom::element doc = p.parse(RenderSlack(r, Sample()));
  const std::string_view text = doc["text"];
  EXPECT_TRUE(text.starts_with("[FIRING:1] http_5xx_rate")) << text;
  EXPECT_NE(text.find("RESOLVED http_5xx_rate endpoint=/b"), std::string_view::npos) << text;
  EXPECT_EQ(std::string_view(doc["channel"]), "#ops");
  EXPECT_EQ(std::string_view(doc["blocks"].at(0)["type"]), "header");

  r.kind = ReceiverKind::kEmail;
  r.from = "vigil@example.com";
  r.to = {"a@example.com", "b@example.com"};
  const std::string mail = RenderEmail(r, Sample());
  EXPECT_NE(mail.find("To: a@example.com, b@example.com\r\n"), std::string::npos);
  EXPECT_NE(mail.find("Subject: [FIRING:1] http_5xx_rate\r\n"), std::string::npos);
  EXPECT_NE(mail.find("X-Vigil-Dedup-Key: abc-1\r\n"), std::string::npos);
  EXPECT_NE(mail.find("Date: Thu, 01 Jan 2026 00:02:00 +0000\r\n"), std::string::npos) << mail;
}

TEST(ReceiverConfigTest, ParseAndErrors) {
  Result<std::vector<ReceiverConfig>> r = ParseReceivers(YAML::Load(R"(
delivery: {initial_backoff: 2s, deadline: 1h}
receivers:
  - name: ops
    webhook: {url: "http://127.0.0.1:9099/hook", headers: {X-Token: t}}
  - name: am
    alertmanager: {url: "http://127.0.0.1:9093/"}
    delivery: {max_backoff: 10s}
  - name: mail
    email: {url: "smtp://127.0.0.1:25", from: a@b, to: [c@d]}
)"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].delivery.initial_backoff_ns, 2 * kSec);
  EXPECT_EQ((*r)[1].delivery.deadline_ns, 3600 * kSec) << "inherits alerting.delivery";
  EXPECT_EQ((*r)[1].delivery.max_backoff_ns, 10 * kSec);
  EXPECT_EQ(MakeRequest((*r)[1], "[]").url, "http://127.0.0.1:9093/api/v2/alerts");
  const OutboundRequest hook = MakeRequest((*r)[0], "{}");
  EXPECT_NE(std::find(hook.headers.begin(), hook.headers.end(), "X-Token: t"), hook.headers.end());
  EXPECT_EQ(MakeRequest((*r)[2], "x").rcpt_to, std::vector<std::string>{"c@d"});

  auto err = [](const std::string& yaml) {
    Result<std::vector<ReceiverConfig>> bad = ParseReceivers(YAML::Load(yaml));
    EXPECT_FALSE(bad.ok()) << yaml;
    return bad.ok() ? std::string() : bad.status().message();
  };
  EXPECT_NE(err("receivers:\n  - name: x\n").find("exactly one of"), std::string::npos);
  EXPECT_NE(err("receivers:\n  - name: x\n    webhook: {url: ftp://x}\n").find("http://"), std::string::npos);
  EXPECT_NE(err("receivers:\n  - name: x\n    email: {url: smtp://x, to: [a]}\n").find("missing from"),
            std::string::npos);
  EXPECT_NE(err("receivers:\n  - {name: x, webhook: {url: 'http://a'}}\n  - {name: x, webhook: {url: 'http://b'}}\n")
                .find("duplicate"),
            std::string::npos);
}

}  // namespace
}  // namespace vigil::alert
