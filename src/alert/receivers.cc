#include "alert/receivers.h"

#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <ctime>
#include <mutex>

#include "alert/yaml_reader.h"
#include "core/json_render.h"
#include "core/timestamp.h"
#include "server/json_writer.h"

namespace vigil::alert {

namespace {

Result<DeliveryPolicy> ParseDelivery(const YAML::Node& node, const std::string& path, DeliveryPolicy p) {
  if (!node) return p;
  RETURN_IF_ERROR(YamlCheckKeys(node, path, {"initial_backoff", "max_backoff", "deadline", "timeout"}));
  if (node["initial_backoff"]) {
    ASSIGN_OR_RETURN(p.initial_backoff_ns,
                     YamlDuration(node["initial_backoff"], path + ".initial_backoff", 1'000'000));
  }
  if (node["max_backoff"]) {
    ASSIGN_OR_RETURN(p.max_backoff_ns, YamlDuration(node["max_backoff"], path + ".max_backoff", 1'000'000));
  }
  if (node["deadline"]) {
    ASSIGN_OR_RETURN(p.deadline_ns, YamlDuration(node["deadline"], path + ".deadline"));
  }
  if (node["timeout"]) {
    ASSIGN_OR_RETURN(p.timeout_ns, YamlDuration(node["timeout"], path + ".timeout", 1'000'000));
  }
  return p;
}

Result<std::string> RequiredString(const YAML::Node& node, const std::string& path, const char* key) {
  if (!node[key]) return YamlError(node, path, std::string("missing ") + key);
  return YamlString(node[key], path + "." + key);
}

Status ParseKind(const YAML::Node& spec, const std::string& path, ReceiverConfig* r) {
  switch (r->kind) {
    case ReceiverKind::kWebhook:
      RETURN_IF_ERROR(YamlCheckKeys(spec, path, {"url", "headers"}));
      if (spec["headers"]) {
        ASSIGN_OR_RETURN(r->headers, YamlStringMap(spec["headers"], path + ".headers"));
      }
      break;
    case ReceiverKind::kSlack:
      RETURN_IF_ERROR(YamlCheckKeys(spec, path, {"url", "channel", "username"}));
      if (spec["channel"]) {
        ASSIGN_OR_RETURN(r->channel, YamlString(spec["channel"], path + ".channel"));
      }
      if (spec["username"]) {
        ASSIGN_OR_RETURN(r->username, YamlString(spec["username"], path + ".username"));
      }
      break;
    case ReceiverKind::kAlertmanager:
      RETURN_IF_ERROR(YamlCheckKeys(spec, path, {"url"}));
      break;
    case ReceiverKind::kEmail:
      RETURN_IF_ERROR(YamlCheckKeys(spec, path, {"url", "from", "to", "username", "password"}));
      ASSIGN_OR_RETURN(r->from, RequiredString(spec, path, "from"));
      if (!spec["to"]) return YamlError(spec, path, "missing to");
      ASSIGN_OR_RETURN(r->to, YamlStrings(spec["to"], path + ".to"));
      if (r->to.empty()) return YamlError(spec["to"], path + ".to", "needs at least one address");
      if (spec["username"]) {
        ASSIGN_OR_RETURN(r->smtp_username, YamlString(spec["username"], path + ".username"));
      }
      if (spec["password"]) {
        ASSIGN_OR_RETURN(r->smtp_password, YamlString(spec["password"], path + ".password"));
      }
      break;
  }
  ASSIGN_OR_RETURN(r->url, RequiredString(spec, path, "url"));
  const bool smtp = r->url.starts_with("smtp://") || r->url.starts_with("smtps://");
  const bool http = r->url.starts_with("http://") || r->url.starts_with("https://");
  if (r->kind == ReceiverKind::kEmail ? !smtp : !http) {
    return YamlError(spec["url"], path + ".url",
                     r->kind == ReceiverKind::kEmail ? "expected an smtp:// or smtps:// URL"
                                                     : "expected an http:// or https:// URL");
  }
  return Status::OK();
}

Result<ReceiverConfig> ParseReceiver(const YAML::Node& node, const std::string& path,
                                     const DeliveryPolicy& defaults) {
  RETURN_IF_ERROR(YamlCheckKeys(node, path, {"name", "webhook", "slack", "alertmanager", "email", "delivery"}));
  ReceiverConfig r;
  ASSIGN_OR_RETURN(r.name, RequiredString(node, path, "name"));
  if (r.name.empty() || r.name.find('/') != std::string::npos) {
    return YamlError(node["name"], path + ".name", "must be non-empty and without '/'");
  }
  static constexpr std::pair<const char*, ReceiverKind> kKinds[] = {
      {"webhook", ReceiverKind::kWebhook},
      {"slack", ReceiverKind::kSlack},
      {"alertmanager", ReceiverKind::kAlertmanager},
      {"email", ReceiverKind::kEmail}};
  int found = 0;
  for (const auto& [key, kind] : kKinds) {
    if (!node[key]) continue;
    ++found;
    r.kind = kind;
    RETURN_IF_ERROR(ParseKind(node[key], path + "." + key, &r));
  }
  if (found != 1) {
    return YamlError(node, path, "needs exactly one of webhook, slack, alertmanager, email");
  }
  ASSIGN_OR_RETURN(r.delivery, ParseDelivery(node["delivery"], path + ".delivery", defaults));
  return r;
}

int CountFiring(const Notification& n) {
  return static_cast<int>(std::count_if(n.alerts.begin(), n.alerts.end(), IsFiring));
}

std::string GroupStatus(const Notification& n) { return CountFiring(n) > 0 ? "firing" : "resolved"; }

std::string Summary(const AlertNotice& a) {
  for (const char* key : {"summary", "description"}) {
    auto it = a.annotations.find(key);
    if (it != a.annotations.end()) return it->second;
  }
  return {};
}

// "[FIRING:2] http_5xx_rate" / "[RESOLVED] http_5xx_rate": the title of chat and email.
std::string Title(const Notification& n) {
  const int firing = CountFiring(n);
  std::string t = firing > 0 ? "[FIRING:" + std::to_string(firing) + "]" : "[RESOLVED]";
  if (n.test) t = "[TEST] " + t;
  auto it = n.group_labels.find("alertname");
  if (it != n.group_labels.end()) return t + " " + it->second;
  if (!n.alerts.empty()) return t + " " + n.alerts[0].rule;
  return t;
}

std::string AlertLine(const AlertNotice& a) {
  std::string line = (IsFiring(a) ? "FIRING " : "RESOLVED ") + a.rule;
  for (const auto& [k, v] : a.labels) {
    if (k != "alertname") line += " " + k + "=" + v;
  }
  if (a.has_value) {
    std::string v;
    AppendJsonDouble(a.value, &v);
    line += " value=" + v;
  }
  if (const std::string s = Summary(a); !s.empty()) line += " - " + s;
  return line;
}

// RFC 5322 date-time in UTC: "Wed, 25 Nov 2026 12:08:35 +0000".
std::string MailDate(int64_t ns) {
  const std::time_t t = static_cast<std::time_t>(ns / 1'000'000'000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return buf;
}

size_t DiscardBody(char*, size_t size, size_t nmemb, void*) { return size * nmemb; }

struct UploadState {
  const std::string* body;
  size_t pos = 0;
};

size_t ReadBody(char* buf, size_t size, size_t nmemb, void* user) {
  auto* s = static_cast<UploadState*>(user);
  const size_t n = std::min(size * nmemb, s->body->size() - s->pos);
  std::memcpy(buf, s->body->data() + s->pos, n);
  s->pos += n;
  return n;
}

// Progress callback: a nonzero answer aborts the transfer (Cancel).
int AbortIfCancelled(void* cancelled, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<std::atomic<bool>*>(cancelled)->load() ? 1 : 0;
}

class CurlTransport : public Transport {
 public:
  void Cancel() override { cancelled_ = true; }

  CurlTransport() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  }

  TransportResult Send(const OutboundRequest& req) override {
    if (cancelled_) return {0, "not sent: shutting down"};
    CURL* curl = curl_easy_init();
    if (curl == nullptr) return {0, "curl_easy_init failed"};
    const bool smtp = req.url.starts_with("smtp");
    curl_slist* headers = nullptr;
    curl_slist* rcpt = nullptr;
    UploadState upload{&req.body};
    const long timeout_ms = static_cast<long>(std::max<int64_t>(req.timeout_ns / 1'000'000, 1));
    curl_easy_setopt(curl, CURLOPT_URL, req.url.c_str());
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, AbortIfCancelled);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &cancelled_);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, std::min(timeout_ms, 5000L));
    if (smtp) {
      curl_easy_setopt(curl, CURLOPT_MAIL_FROM, req.mail_from.c_str());
      for (const std::string& to : req.rcpt_to) rcpt = curl_slist_append(rcpt, to.c_str());
      curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
      curl_easy_setopt(curl, CURLOPT_READFUNCTION, ReadBody);
      curl_easy_setopt(curl, CURLOPT_READDATA, &upload);
      curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
      curl_easy_setopt(curl, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_TRY));
      if (!req.username.empty()) {
        curl_easy_setopt(curl, CURLOPT_USERNAME, req.username.c_str());
        curl_easy_setopt(curl, CURLOPT_PASSWORD, req.password.c_str());
      }
    } else {
      for (const std::string& h : req.headers) headers = curl_slist_append(headers, h.c_str());
      curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, req.body.data());
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
      curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, DiscardBody);
    }
    const CURLcode rc = curl_easy_perform(curl);
    long code = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
    curl_slist_free_all(headers);
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(curl);
    TransportResult out{static_cast<int>(code), ""};
    if (rc != CURLE_OK) {
      out.error = curl_easy_strerror(rc);
    } else if (!smtp && (code < 200 || code > 299)) {
      out.error = "HTTP status " + std::to_string(code);
    }
    return out;
  }

 private:
  std::atomic<bool> cancelled_{false};
};

}  // namespace

void WriteStringMap(JsonWriter& w, const std::map<std::string, std::string>& m) {
  w.BeginObject();
  for (const auto& [k, v] : m) {
    w.Key(k);
    w.String(v);
  }
  w.EndObject();
}

void WriteAlertIdentity(JsonWriter& w, const AlertNotice& a) {
  w.Key("alarm");
  w.String(a.rule);
  w.Key("instance");
  w.String(a.instance);
  w.Key("status");
  w.String(IsFiring(a) ? "firing" : "resolved");
}

int64_t BackoffDelay(const DeliveryPolicy& policy, int attempt) {
  int64_t d = policy.initial_backoff_ns;
  for (int i = 1; i < attempt && d < policy.max_backoff_ns; ++i) d *= 2;
  return std::min(d, policy.max_backoff_ns);
}

const char* ReceiverKindName(ReceiverKind k) {
  switch (k) {
    case ReceiverKind::kWebhook: return "webhook";
    case ReceiverKind::kSlack: return "slack";
    case ReceiverKind::kAlertmanager: return "alertmanager";
    case ReceiverKind::kEmail: return "email";
  }
  return "unknown";
}

Result<std::vector<ReceiverConfig>> ParseReceivers(const YAML::Node& alerting) {
  std::vector<ReceiverConfig> out;
  if (!alerting || !alerting.IsMap()) return out;
  ASSIGN_OR_RETURN(DeliveryPolicy defaults, ParseDelivery(alerting["delivery"], "alerting.delivery", {}));
  const YAML::Node list = alerting["receivers"];
  if (!list) return out;
  if (!list.IsSequence()) return YamlError(list, "alerting.receivers", "expected a list of receivers");
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string path = "alerting.receivers[" + std::to_string(i) + "]";
    ASSIGN_OR_RETURN(ReceiverConfig r, ParseReceiver(list[i], path, defaults));
    for (const ReceiverConfig& prev : out) {
      if (prev.name == r.name) return YamlError(list[i], path + ".name", "duplicate receiver \"" + r.name + "\"");
    }
    out.push_back(std::move(r));
  }
  return out;
}

std::string RenderWebhook(const Notification& n) {
  JsonWriter w;
  w.BeginObject();
  w.Key("version");
  w.String("1");
  w.Key("dedup_key");
  w.String(n.dedup_key);
  w.Key("receiver");
  w.String(n.receiver);
  w.Key("status");
  w.String(GroupStatus(n));
  w.Key("test");
  w.Bool(n.test);
  w.Key("group_key");
  w.String(n.group_key);
  w.Key("group_labels");
  WriteStringMap(w, n.group_labels);
  w.Key("sent_at");
  w.String(FormatIsoMillis(n.at_ns));
  w.Key("alerts");
  w.BeginArray();
  for (const AlertNotice& a : n.alerts) {
    w.BeginObject();
    WriteAlertIdentity(w, a);
    w.Key("state");
    w.String(AlarmStateName(a.state));
    w.Key("previous");
    w.String(AlarmStateName(a.previous));
    w.Key("value");
    if (a.has_value) w.Double(a.value); else w.Null();
    w.Key("labels");
    WriteStringMap(w, a.labels);
    w.Key("annotations");
    WriteStringMap(w, a.annotations);
    w.Key("link");
    w.String(a.link);
    w.Key("starts_at");
    if (a.starts_at_ns != 0) w.String(FormatIsoMillis(a.starts_at_ns)); else w.Null();
    w.Key("ends_at");
    if (a.ends_at_ns != 0) w.String(FormatIsoMillis(a.ends_at_ns)); else w.Null();
    w.Key("dedup_key");
    w.String(n.dedup_key + "/" + a.instance);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return w.Take();
}

std::string RenderSlack(const ReceiverConfig& r, const Notification& n) {
  std::string text = Title(n);
  for (const AlertNotice& a : n.alerts) text += "\n" + AlertLine(a);
  JsonWriter w;
  w.BeginObject();
  w.Key("text");
  w.String(text);
  if (!r.channel.empty()) {
    w.Key("channel");
    w.String(r.channel);
  }
  if (!r.username.empty()) {
    w.Key("username");
    w.String(r.username);
  }
  w.Key("blocks");
  w.BeginArray();
  w.BeginObject();
  w.Key("type");
  w.String("header");
  w.Key("text");
  w.BeginObject();
  w.Key("type");
  w.String("plain_text");
  w.Key("text");
  w.String(Title(n));
  w.EndObject();
  w.EndObject();
  for (const AlertNotice& a : n.alerts) {
    std::string md = "*" + AlertLine(a) + "*";
    if (!a.link.empty()) md += "\n<" + a.link + "|query>";
    w.BeginObject();
    w.Key("type");
    w.String("section");
    w.Key("text");
    w.BeginObject();
    w.Key("type");
    w.String("mrkdwn");
    w.Key("text");
    w.String(md);
    w.EndObject();
    w.EndObject();
  }
  w.BeginObject();
  w.Key("type");
  w.String("context");
  w.Key("elements");
  w.BeginArray();
  w.BeginObject();
  w.Key("type");
  w.String("plain_text");
  w.Key("text");
  w.String("dedup key " + n.dedup_key);
  w.EndObject();
  w.EndArray();
  w.EndObject();
  w.EndArray();
  w.EndObject();
  return w.Take();
}

std::string RenderAlertmanager(const Notification& n) {
  JsonWriter w;
  w.BeginArray();
  for (const AlertNotice& a : n.alerts) {
    w.BeginObject();
    w.Key("labels");
    WriteStringMap(w, a.labels);
    std::map<std::string, std::string> annotations = a.annotations;
    annotations["vigil_dedup_key"] = n.dedup_key;
    w.Key("annotations");
    WriteStringMap(w, annotations);
    if (a.starts_at_ns != 0) {
      w.Key("startsAt");
      w.String(FormatIsoMillis(a.starts_at_ns));
    }
    if (!IsFiring(a)) {
      w.Key("endsAt");
      w.String(FormatIsoMillis(a.ends_at_ns != 0 ? a.ends_at_ns : a.at_ns));
    }
    if (!a.link.empty()) {
      w.Key("generatorURL");
      w.String(a.link);
    }
    w.EndObject();
  }
  w.EndArray();
  return w.Take();
}

std::string RenderEmail(const ReceiverConfig& r, const Notification& n) {
  std::string to;
  for (const std::string& addr : r.to) to += (to.empty() ? "" : ", ") + addr;
  std::string subject = Title(n);
  std::replace(subject.begin(), subject.end(), '\n', ' ');
  std::string msg = "From: " + r.from + "\r\nTo: " + to + "\r\nSubject: " + subject + "\r\nDate: " + MailDate(n.at_ns) +
                    "\r\nMessage-ID: <" + n.dedup_key + "@vigil>\r\nX-Vigil-Dedup-Key: " + n.dedup_key +
                    "\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n";
  for (const AlertNotice& a : n.alerts) {
    msg += AlertLine(a) + "\r\n";
    if (a.starts_at_ns != 0) msg += "  since " + FormatIsoMillis(a.starts_at_ns) + "\r\n";
    if (!a.link.empty()) msg += "  " + a.link + "\r\n";
  }
  return msg;
}

std::string RenderBody(const ReceiverConfig& r, const Notification& n) {
  switch (r.kind) {
    case ReceiverKind::kWebhook: return RenderWebhook(n);
    case ReceiverKind::kSlack: return RenderSlack(r, n);
    case ReceiverKind::kAlertmanager: return RenderAlertmanager(n);
    case ReceiverKind::kEmail: return RenderEmail(r, n);
  }
  return {};
}

std::shared_ptr<Transport> MakeCurlTransport() { return std::make_shared<CurlTransport>(); }

OutboundRequest MakeRequest(const ReceiverConfig& r, const std::string& body) {
  OutboundRequest req;
  req.url = r.url;
  req.body = body;
  req.timeout_ns = r.delivery.timeout_ns;
  if (r.kind == ReceiverKind::kEmail) {
    req.mail_from = r.from;
    req.rcpt_to = r.to;
    req.username = r.smtp_username;
    req.password = r.smtp_password;
    return req;
  }
  if (r.kind == ReceiverKind::kAlertmanager) {
    while (!req.url.empty() && req.url.back() == '/') req.url.pop_back();
    req.url += "/api/v2/alerts";
  }
  req.headers.push_back("Content-Type: application/json");
  req.headers.push_back("User-Agent: vigil");
  for (const auto& [k, v] : r.headers) req.headers.push_back(k + ": " + v);
  return req;
}

}  // namespace vigil::alert
