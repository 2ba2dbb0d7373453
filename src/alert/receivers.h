// Receivers: where notifications go, how their payloads look, and how requests leave the
// process (Transport; libcurl in production, fakes in tests).
//
// Kinds (exactly one per receiver):
//   webhook       POST of Vigil's JSON (RenderWebhook below) to `url`
//   slack         POST of a Slack incoming-webhook message (text + blocks) to `url`
//   alertmanager  POST of Alertmanager v2 alerts to `<url>/api/v2/alerts`
//   email         an RFC 5322 message over SMTP (`url`: smtp:// or smtps://)
// Thread-safety: ReceiverConfig and the Render functions are pure; a Transport must be
// thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "alert/notify.h"
#include "core/status.h"
#include "server/json_writer.h"

namespace vigil::alert {

// Retry schedule of one receiver's deliveries.
struct DeliveryPolicy {
  int64_t initial_backoff_ns = 1'000'000'000;
  int64_t max_backoff_ns = 300'000'000'000;
  int64_t deadline_ns = 24 * 3600'000'000'000;  // after the notification was created
  int64_t timeout_ns = 10'000'000'000;          // one attempt
};

// The wait before attempt `attempt + 1` after `attempt` (>= 1) failures:
// initial * 2^(attempt-1), capped at max.
int64_t BackoffDelay(const DeliveryPolicy& policy, int attempt);

enum class ReceiverKind { kWebhook, kSlack, kAlertmanager, kEmail };
const char* ReceiverKindName(ReceiverKind k);

struct ReceiverConfig {
  std::string name;
  ReceiverKind kind = ReceiverKind::kWebhook;
  std::string url;
  std::map<std::string, std::string> headers;  // webhook: extra request headers
  std::string channel, username;                // slack (optional)
  std::string from;                             // email
  std::vector<std::string> to;                  // email
  std::string smtp_username, smtp_password;     // email (optional)
  DeliveryPolicy delivery;
};

// Reads `receivers:` of the `alerting:` node, each receiver's `delivery:` defaulting to
// the node's `delivery:`. InvalidArgument names the bad setting.
Result<std::vector<ReceiverConfig>> ParseReceivers(const YAML::Node& alerting);

// A group of alerts going to one receiver at once.
struct Notification {
  std::string receiver;
  std::string group_key;
  std::map<std::string, std::string> group_labels;
  std::string dedup_key;  // stable across retries and restarts
  std::vector<AlertNotice> alerts;
  int64_t at_ns = 0;
  bool test = false;  // a test-fire
};

// Whether the notice reports a firing alert (else: resolved).
inline bool IsFiring(const AlertNotice& n) { return n.state == AlarmState::kAlarm; }

// JSON pieces shared by payloads and API answers: an object of strings; the keys
// "alarm", "instance" and "status" (firing | resolved) of one alert, inside an open object.
void WriteStringMap(JsonWriter& w, const std::map<std::string, std::string>& m);
void WriteAlertIdentity(JsonWriter& w, const AlertNotice& a);

// The body sent for `n` (the email body includes its headers).
std::string RenderBody(const ReceiverConfig& r, const Notification& n);
std::string RenderWebhook(const Notification& n);
std::string RenderSlack(const ReceiverConfig& r, const Notification& n);
std::string RenderAlertmanager(const Notification& n);
std::string RenderEmail(const ReceiverConfig& r, const Notification& n);

struct OutboundRequest {
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;
  // SMTP (an smtp:// or smtps:// url): envelope and login.
  std::string mail_from;
  std::vector<std::string> rcpt_to;
  std::string username, password;
  int64_t timeout_ns = 10'000'000'000;
};

// What the receiver said: `code` is the HTTP status or the SMTP reply code (0 when no
// answer came); `error` is empty when accepted (HTTP 2xx, SMTP message accepted).
struct TransportResult {
  int code = 0;
  std::string error;
  bool ok() const { return error.empty(); }
};

class Transport {
 public:
  virtual ~Transport() = default;
  // Sends one request and waits for the answer (bounded by request.timeout_ns).
  // Thread-safe.
  virtual TransportResult Send(const OutboundRequest& request) = 0;
  // Makes sends in progress and later ones fail at once (shutdown). Thread-safe.
  virtual void Cancel() {}
};

std::shared_ptr<Transport> MakeCurlTransport();

// The request delivering `body` (from RenderBody) to `r`.
OutboundRequest MakeRequest(const ReceiverConfig& r, const std::string& body);

}  // namespace vigil::alert
