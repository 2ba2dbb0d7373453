// HTTP routes of the dispatcher: silences, acknowledgements, the outbox, test-fire.
#include <simdjson.h>

#include <algorithm>
#include <atomic>
#include <charconv>

#include "alert/dispatcher_impl.h"
#include "alert/rules.h"
#include "core/timestamp.h"
#include "server/json_writer.h"
#include "server/time_arg.h"

namespace vigil::alert {

namespace {

namespace dom = simdjson::dom;

Status FieldError(std::string_view field, std::string_view what) {
  return Status::InvalidArgument("field \"" + std::string(field) + "\": " + std::string(what));
}

// An optional string field: absent or null leaves *out as it is.
Status OptString(dom::object obj, std::string_view field, std::string* out) {
  dom::element e;
  if (obj[field].get(e) != simdjson::SUCCESS || e.is_null()) return Status::OK();
  std::string_view s;
  if (e.get_string().get(s) != simdjson::SUCCESS) return FieldError(field, "expected a string");
  *out = std::string(s);
  return Status::OK();
}

Status OptStrings(dom::object obj, std::string_view field, std::vector<std::string>* out) {
  dom::element e;
  if (obj[field].get(e) != simdjson::SUCCESS || e.is_null()) return Status::OK();
  dom::array arr;
  if (e.get_array().get(arr) != simdjson::SUCCESS) return FieldError(field, "expected a list of strings");
  for (dom::element item : arr) {
    std::string_view s;
    if (item.get_string().get(s) != simdjson::SUCCESS) return FieldError(field, "expected a list of strings");
    out->emplace_back(s);
  }
  return Status::OK();
}

// A time: epoch milliseconds, or a string ParseTimeArg reads ("now", "+2h", ISO 8601).
Result<std::optional<int64_t>> OptTime(dom::object obj, std::string_view field, int64_t now) {
  dom::element e;
  if (obj[field].get(e) != simdjson::SUCCESS || e.is_null()) return std::optional<int64_t>();
  double ms = 0;
  std::string_view s;
  Result<int64_t> t = Status::InvalidArgument("expected epoch milliseconds or a time string such as \"+2h\"");
  if (e.get_double().get(ms) == simdjson::SUCCESS) {
    t = EpochMillisToNs(ms);
  } else if (e.get_string().get(s) == simdjson::SUCCESS) {
    t = ParseTimeArg(s, now);
  }
  if (!t.ok()) return FieldError(field, t.status().message());
  return std::optional<int64_t>(*t);
}

Result<dom::object> ParseObject(dom::parser& parser, const std::string& body, bool allow_empty) {
  static const std::string kEmpty = "{}";
  const std::string& text = body.empty() && allow_empty ? kEmpty : body;
  dom::object obj;
  if (parser.parse(text).get_object().get(obj) != simdjson::SUCCESS) {
    return Status::InvalidArgument("the body must be a JSON object");
  }
  return obj;
}

Status ParseRecurring(dom::object obj, Silence* s) {
  dom::element e;
  if (obj["recurring"].get(e) != simdjson::SUCCESS || e.is_null()) return Status::OK();
  dom::object rec;
  if (e.get_object().get(rec) != simdjson::SUCCESS) return FieldError("recurring", "expected an object");
  std::vector<std::string> days;
  std::string start, end, tz = "UTC";
  RETURN_IF_ERROR(OptStrings(rec, "days", &days));
  RETURN_IF_ERROR(OptString(rec, "start", &start));
  RETURN_IF_ERROR(OptString(rec, "end", &end));
  RETURN_IF_ERROR(OptString(rec, "time_zone", &tz));
  if (start.empty() || end.empty()) return FieldError("recurring", "needs start and end (HH:MM)");
  Result<Recurrence> r = MakeRecurrence(days, start, end, tz);
  if (!r.ok()) return FieldError("recurring", r.status().message());
  s->recurring = std::move(r).value();
  return Status::OK();
}

// The body of POST /api/v1/silences.
Result<Silence> ParseSilenceBody(const std::string& body, int64_t now) {
  dom::parser parser;
  ASSIGN_OR_RETURN(dom::object obj, ParseObject(parser, body, false));
  for (auto field : obj) {
    static constexpr std::string_view kKnown[] = {"matchers", "starts_at", "ends_at", "duration",
                                                  "author",   "comment",   "recurring"};
    if (std::find(std::begin(kKnown), std::end(kKnown), field.key) == std::end(kKnown)) {
      return FieldError(field.key, "unknown field (expected matchers, starts_at, ends_at, duration, author, "
                                   "comment, recurring)");
    }
  }
  Silence s;
  s.created_ns = now;
  std::vector<std::string> matchers;
  RETURN_IF_ERROR(OptStrings(obj, "matchers", &matchers));
  if (matchers.empty()) return FieldError("matchers", "at least one matcher such as alertname=\"x\" is required");
  for (const std::string& text : matchers) {
    Result<LabelMatcher> m = ParseMatcher(text);
    if (!m.ok()) return FieldError("matchers", m.status().message());
    s.matchers.push_back(std::move(m).value());
  }
  ASSIGN_OR_RETURN(std::optional<int64_t> starts, OptTime(obj, "starts_at", now));
  ASSIGN_OR_RETURN(std::optional<int64_t> ends, OptTime(obj, "ends_at", now));
  std::string duration;
  RETURN_IF_ERROR(OptString(obj, "duration", &duration));
  s.starts_at_ns = starts.value_or(now);
  if (!duration.empty()) {
    if (ends) return FieldError("duration", "give ends_at or duration, not both");
    Result<int64_t> d = ParseDuration(duration);
    if (!d.ok()) return FieldError("duration", d.status().message());
    ends = s.starts_at_ns + *d;
  }
  s.ends_at_ns = ends.value_or(0);
  RETURN_IF_ERROR(OptString(obj, "author", &s.author));
  RETURN_IF_ERROR(OptString(obj, "comment", &s.comment));
  RETURN_IF_ERROR(ParseRecurring(obj, &s));
  if (s.ends_at_ns == 0 && !s.recurring) {
    return FieldError("ends_at", "a silence that does not recur needs ends_at or duration");
  }
  if (s.ends_at_ns != 0 && s.ends_at_ns <= s.starts_at_ns) return FieldError("ends_at", "must be after starts_at");
  if (s.ends_at_ns != 0 && s.ends_at_ns <= now) return FieldError("ends_at", "is in the past");
  return s;
}

void WriteSilence(JsonWriter& w, const Silence& s, int64_t now) {
  static constexpr const char* kDays[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
  w.BeginObject();
  w.Key("id");
  w.String(s.id);
  w.Key("state");
  w.String(s.StateAt(now));
  w.Key("source");
  w.String(s.from_config ? "config" : "api");
  w.Key("matchers");
  w.BeginArray();
  for (const LabelMatcher& m : s.matchers) w.String(m.ToString());
  w.EndArray();
  w.Key("starts_at");
  w.String(FormatIsoMillis(s.starts_at_ns));
  w.Key("ends_at");
  if (s.ends_at_ns != 0) w.String(FormatIsoMillis(s.ends_at_ns)); else w.Null();
  w.Key("recurring");
  if (s.recurring) {
    char buf[32];
    w.BeginObject();
    w.Key("days");
    w.BeginArray();
    for (int d = 0; d < 7; ++d) {
      if (s.recurring->weekdays & (1u << d)) w.String(kDays[d]);
    }
    w.EndArray();
    std::snprintf(buf, sizeof buf, "%02d:%02d", s.recurring->start_minute / 60, s.recurring->start_minute % 60);
    w.Key("start");
    w.String(buf);
    std::snprintf(buf, sizeof buf, "%02d:%02d", s.recurring->end_minute / 60, s.recurring->end_minute % 60);
    w.Key("end");
    w.String(buf);
    w.Key("time_zone");
    w.String(s.recurring->time_zone);
    w.EndObject();
  } else {
    w.Null();
  }
  w.Key("author");
  w.String(s.author);
  w.Key("comment");
  w.String(s.comment);
  w.Key("created_at");
  if (s.created_ns != 0) w.String(FormatIsoMillis(s.created_ns)); else w.Null();
  w.EndObject();
}

void WriteDelivery(JsonWriter& w, const Delivery& d) {
  w.BeginObject();
  w.Key("id");
  w.Int(d.id);
  w.Key("dedup_key");
  w.String(d.dedup_key);
  w.Key("receiver");
  w.String(d.receiver);
  w.Key("group_key");
  w.String(d.group_key);
  w.Key("status");
  w.String(d.status);
  w.Key("test");
  w.Bool(d.test);
  w.Key("attempts");
  w.Int(d.attempts);
  w.Key("response_code");
  if (d.last_code != 0) w.Int(d.last_code); else w.Null();
  w.Key("error");
  if (!d.last_error.empty()) w.String(d.last_error); else w.Null();
  w.Key("created_at");
  w.String(FormatIsoMillis(d.created_ns));
  w.Key("next_attempt_at");
  if (d.status == "pending") w.String(FormatIsoMillis(d.next_attempt_ns)); else w.Null();
  w.Key("deadline");
  w.String(FormatIsoMillis(d.deadline_ns));
  w.Key("done_at");
  if (d.done_ns != 0) w.String(FormatIsoMillis(d.done_ns)); else w.Null();
  w.Key("alerts");
  w.BeginArray();
  for (const AlertNotice& a : d.alerts) {
    w.BeginObject();
    WriteAlertIdentity(w, a);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

// The name between `prefix` and `suffix` of `path` ("/api/v1/alarms/" NAME "/ack"), or
// empty when the path has another shape.
std::string NameBetween(std::string_view path, std::string_view prefix, std::string_view suffix) {
  if (!path.starts_with(prefix) || !path.ends_with(suffix)) return {};
  if (path.size() <= prefix.size() + suffix.size()) return {};
  std::string_view name = path.substr(prefix.size(), path.size() - prefix.size() - suffix.size());
  if (name.find('/') != std::string_view::npos) return {};
  return std::string(name);
}

class Handlers {
 public:
  explicit Handlers(DispatcherImpl& impl) : impl_(impl) {}

  HttpResponse ListSilences(const HttpRequest& req) {
    const int64_t now = impl_.deps.now_ns();
    const std::string want(req.Query("state").value_or(""));
    if (!want.empty() && want != "active" && want != "pending" && want != "expired") {
      return HttpResponse::Error(Status::InvalidArgument("state must be active, pending or expired"));
    }
    JsonWriter w;
    w.BeginObject();
    w.Key("silences");
    w.BeginArray();
    for (const Silence& s : impl_.silences->List()) {
      if (want.empty() || want == s.StateAt(now)) WriteSilence(w, s, now);
    }
    w.EndArray();
    w.EndObject();
    return HttpResponse::Json(200, w.Take());
  }

  HttpResponse AddSilence(const HttpRequest& req) {
    const int64_t now = impl_.deps.now_ns();
    Result<Silence> s = ParseSilenceBody(req.body, now);
    if (!s.ok()) return HttpResponse::Error(s.status());
    if (s->author.empty()) s->author = Author(req);
    Result<std::string> id = impl_.silences->Add(*s);
    if (!id.ok()) return HttpResponse::Error(id.status());
    s->id = *id;
    impl_.Wake();
    JsonWriter w;
    WriteSilence(w, *s, now);
    return HttpResponse::Json(201, w.Take());
  }

  HttpResponse ExpireSilence(const HttpRequest& req) {
    const std::string id = req.path.substr(std::string_view("/api/v1/silences/").size());
    if (id.empty() || id.find('/') != std::string::npos) {
      return HttpResponse::Error(Status::NotFound("expected DELETE /api/v1/silences/<id>"));
    }
    if (Status st = impl_.silences->Expire(id, impl_.deps.now_ns()); !st.ok()) return HttpResponse::Error(st);
    impl_.Wake();
    return HttpResponse::Json(200, "{\"id\":\"" + id + "\",\"state\":\"expired\"}");
  }

  HttpResponse AckAlarm(const HttpRequest& req) {
    const std::string rule = NameBetween(req.path, "/api/v1/alarms/", "/ack");
    if (rule.empty()) return HttpResponse::Error(Status::NotFound("expected POST /api/v1/alarms/<name>/ack"));
    dom::parser parser;
    Result<dom::object> obj = ParseObject(parser, req.body, true);
    if (!obj.ok()) return HttpResponse::Error(obj.status());
    alert::Ack ack;
    std::string instance;
    for (Status st : {OptString(*obj, "author", &ack.author), OptString(*obj, "comment", &ack.comment),
                      OptString(*obj, "instance", &instance)}) {
      if (!st.ok()) return HttpResponse::Error(st);
    }
    if (ack.author.empty()) ack.author = Author(req);
    Result<std::map<std::string, Labels>> firing = impl_.outbox->FiringInstances(rule);
    if (!firing.ok()) return HttpResponse::Error(firing.status());
    if (!instance.empty()) std::erase_if(*firing, [&](const auto& kv) { return kv.first != instance; });
    if (firing->empty()) {
      return HttpResponse::Error(Status::NotFound("alarm \"" + rule + "\" has no firing instance" +
                                                  (instance.empty() ? "" : " \"" + instance + "\"")));
    }
    const int64_t now = impl_.deps.now_ns();
    JsonWriter w;
    w.BeginObject();
    w.Key("acked");
    w.BeginArray();
    for (const auto& [inst, labels] : *firing) {
      ack.rule = rule;
      ack.labels = labels;
      ack.at_ns = now;
      AlertNotice n;
      n.rule = rule;
      n.instance = inst;
      n.labels = labels;
      ack.instance = AlertKey(n);
      if (Status st = impl_.silences->AddAck(ack); !st.ok()) return HttpResponse::Error(st);
      impl_.AddHistoryRow(n, "acknowledged", "", now, [&](BatchBuilder& b) {
        b.AddString("author", ack.author);
        if (!ack.comment.empty()) b.AddString("comment", ack.comment);
      });
      w.String(inst);
    }
    w.EndArray();
    w.EndObject();
    impl_.FlushHistory();
    return HttpResponse::Json(200, w.Take());
  }

  HttpResponse ListNotifications(const HttpRequest& req) {
    const std::string status(req.Query("status").value_or(""));
    if (!status.empty() && status != "pending" && status != "sent" && status != "failed") {
      return HttpResponse::Error(Status::InvalidArgument("status must be pending, sent or failed"));
    }
    int limit = 100;
    if (auto l = req.Query("limit")) {
      auto [end, ec] = std::from_chars(l->data(), l->data() + l->size(), limit);
      if (ec != std::errc() || end != l->data() + l->size() || limit < 1 || limit > 10000) {
        return HttpResponse::Error(Status::InvalidArgument("limit must be an integer from 1 to 10000"));
      }
    }
    Result<std::vector<Delivery>> list = impl_.outbox->List(status, limit);
    if (!list.ok()) return HttpResponse::Error(list.status());
    JsonWriter w;
    w.BeginObject();
    w.Key("notifications");
    w.BeginArray();
    for (const Delivery& d : *list) WriteDelivery(w, d);
    w.EndArray();
    w.EndObject();
    return HttpResponse::Json(200, w.Take());
  }

  HttpResponse TestFire(const HttpRequest& req) {
    const std::string name = NameBetween(req.path, "/api/v1/receivers/", "/test");
    if (name.empty()) return HttpResponse::Error(Status::NotFound("expected POST /api/v1/receivers/<name>/test"));
    std::shared_ptr<const NotifyConfig> c = impl_.config();
    const ReceiverConfig* receiver = c->Find(name);
    if (receiver == nullptr) return HttpResponse::Error(Status::NotFound("no receiver named \"" + name + "\""));
    const int64_t now = impl_.deps.now_ns();
    Notification n;
    n.receiver = name;
    n.group_key = "{test}";
    n.dedup_key = DedupKey(name, n.group_key + std::to_string(test_seq_.fetch_add(1)), now);
    n.group_labels = {{"alertname", "vigil_test"}};
    n.at_ns = now;
    n.test = true;
    AlertNotice a;
    a.rule = "vigil_test";
    a.instance = "vigil_test";
    a.labels = {{"alertname", "vigil_test"}, {"receiver", name}};
    a.annotations = {{"summary", "Test notification from Vigil to receiver " + name}};
    a.starts_at_ns = now;
    a.at_ns = now;
    n.alerts.push_back(a);
    Delivery d;
    d.dedup_key = n.dedup_key;
    d.receiver = name;
    d.group_key = n.group_key + n.dedup_key;  // its own lane: never waits behind another test
    d.body = RenderBody(*receiver, n);
    d.alerts = n.alerts;
    d.created_ns = now;
    d.deadline_ns = now + receiver->delivery.deadline_ns;
    // Not due for the delivery loop: this handler makes the first attempt itself (a
    // failure then schedules the retries as usual).
    d.next_attempt_ns = d.deadline_ns - 1;
    d.test = true;
    if (Status st = impl_.outbox->AddDelivery(&d); !st.ok()) return HttpResponse::Error(st);
    impl_.Attempt(d, now);
    impl_.FlushHistory();
    JsonWriter w;
    w.BeginObject();
    w.Key("delivered");
    w.Bool(d.status == "sent");
    w.Key("notification");
    WriteDelivery(w, d);
    w.EndObject();
    return HttpResponse::Json(200, w.Take());
  }

 private:
  std::string Author(const HttpRequest& req) const {
    if (impl_.deps.auth == nullptr) return "anonymous";
    Result<Principal> p = impl_.deps.auth->Authorize(req, Access::kAdmin);
    return p.ok() ? p->name : "anonymous";
  }

  DispatcherImpl& impl_;
  std::atomic<uint64_t> test_seq_{0};
};

}  // namespace

void RegisterDispatcherRoutes(DispatcherImpl& impl, Router& router) {
  auto h = std::make_shared<Handlers>(impl);
  auto add = [&](bool prefix, const char* method, const char* path, Access need,
                 HttpResponse (Handlers::*fn)(const HttpRequest&)) {
    HttpHandler handler = [h, fn](const HttpRequest& req) { return ((*h).*fn)(req); };
    if (impl.deps.auth != nullptr) handler = Guard(*impl.deps.auth, need, std::move(handler));
    if (prefix) {
      router.AddPrefix(method, path, std::move(handler));
    } else {
      router.Add(method, path, std::move(handler));
    }
  };
  add(false, "GET", "/api/v1/silences", Access::kRead, &Handlers::ListSilences);
  add(false, "POST", "/api/v1/silences", Access::kAdmin, &Handlers::AddSilence);
  add(true, "DELETE", "/api/v1/silences/", Access::kAdmin, &Handlers::ExpireSilence);
  add(true, "POST", "/api/v1/alarms/", Access::kAdmin, &Handlers::AckAlarm);
  add(false, "GET", "/api/v1/notifications", Access::kRead, &Handlers::ListNotifications);
  add(true, "POST", "/api/v1/receivers/", Access::kAdmin, &Handlers::TestFire);
}

}  // namespace vigil::alert
