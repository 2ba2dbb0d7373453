#include "health/posthog_capture.h"

#include <simdjson.h>

#include <algorithm>

#include "health/event_objects.h"
#include "health/json_fields.h"
#include "server/body_decoder.h"
#include "server/http_message.h"

namespace vigil::health {

namespace {

using simdjson::dom::element;
using simdjson::dom::object;

bool IsGzip(std::string_view s) { return s.size() >= 2 && s[0] == '\x1f' && s[1] == '\x8b'; }

bool LooksLikeJson(std::string_view s) {
  size_t i = s.find_first_not_of(" \t\r\n");
  return i != std::string_view::npos && (s[i] == '{' || s[i] == '[');
}

// The `data` and `compression` fields of a form-encoded body.
Status ReadForm(const std::string& body, std::string* data, std::string* compression) {
  std::string path;
  std::vector<std::pair<std::string, std::string>> fields;
  RETURN_IF_ERROR(ParseTarget("/?" + body, &path, &fields));
  bool found = false;
  for (auto& [k, v] : fields) {
    if (k == "data" && !found) {
      *data = std::move(v);
      found = true;
    } else if (k == "compression" && compression->empty()) {
      *compression = v;
    }
  }
  if (!found) return Status::InvalidArgument("form-encoded body has no 'data' field");
  return Status::OK();
}

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return -1;
}

struct EventContext {
  int64_t now_ns = 0;
  std::optional<int64_t> sent_at;
  std::string key;
  const AnalyticsConfig* config = nullptr;
};

// The key an event carries itself ("" when none).
std::string EventKey(object ev) {
  for (std::string_view k : {"api_key", "token"}) {
    std::string_view s;
    if (ev[k].get_string().get(s) == simdjson::SUCCESS && !s.empty()) return std::string(s);
  }
  std::string_view s;
  if (ev["properties"]["token"].get_string().get(s) == simdjson::SUCCESS) return std::string(s);
  return {};
}

Result<std::optional<std::string>> DistinctIdIn(object holder) {
  element el;
  if (holder.at_key("distinct_id").get(el) != simdjson::SUCCESS || el.is_null()) return std::optional<std::string>();
  std::string_view s;
  int64_t i = 0;
  uint64_t u = 0;
  double d = 0;
  if (el.get_string().get(s) == simdjson::SUCCESS && !s.empty()) return std::optional<std::string>(s);
  if (el.get_int64().get(i) == simdjson::SUCCESS) return std::optional<std::string>(std::to_string(i));
  if (el.get_uint64().get(u) == simdjson::SUCCESS) return std::optional<std::string>(std::to_string(u));
  if (el.get_double().get(d) == simdjson::SUCCESS) return std::optional<std::string>(simdjson::to_string(el));
  return Status::InvalidArgument("\"distinct_id\" must be a non-empty string or a number");
}

Result<std::string> DistinctId(object ev, const object* props) {
  ASSIGN_OR_RETURN(std::optional<std::string> id, DistinctIdIn(ev));
  if (!id && props != nullptr) {
    ASSIGN_OR_RETURN(id, DistinctIdIn(*props));
  }
  if (!id) return Status::InvalidArgument("\"distinct_id\" is required (top level or in properties)");
  return *id;
}

Result<int64_t> EventTime(object ev, const EventContext& ctx) {
  ASSIGN_OR_RETURN(std::optional<int64_t> ts, OptionalTime(ev, "timestamp"));
  ASSIGN_OR_RETURN(std::optional<int64_t> sent_at, OptionalTime(ev, "sent_at"));
  if (!sent_at) sent_at = ctx.sent_at;
  if (ts && !sent_at) return *ts;
  if (ts) {
    int64_t skew = 0;
    int64_t at = 0;
    if (__builtin_sub_overflow(*ts, *sent_at, &skew) || __builtin_add_overflow(ctx.now_ns, skew, &at)) {
      return Status::InvalidArgument("\"timestamp\" and \"sent_at\" are too far apart");
    }
    return at;
  }
  element off;
  if (ev.at_key("offset").get(off) == simdjson::SUCCESS && !off.is_null()) {
    double ms = 0;
    if (off.get_double().get(ms) != simdjson::SUCCESS) {
      int64_t i = 0;
      if (off.get_int64().get(i) != simdjson::SUCCESS) return Status::InvalidArgument("\"offset\" must be a number of ms");
      ms = static_cast<double>(i);
    }
    if (!(ms >= 0 && ms < 1e12)) return Status::InvalidArgument("\"offset\" must be 0 to 1e12 ms");
    return ctx.now_ns - static_cast<int64_t>(ms * 1e6);
  }
  return ctx.now_ns;
}

// Validates one event and writes its stored JSON (without the project key).
Status ReadEvent(element el, const EventContext& ctx, EventObject* out) {
  object ev;
  if (el.get_object().get(ev) != simdjson::SUCCESS) return Status::InvalidArgument("not a JSON object");
  const std::string own_key = EventKey(ev);
  if (!own_key.empty() && own_key != ctx.key) {
    return Status::InvalidArgument("the event's api_key differs from the request's");
  }
  ASSIGN_OR_RETURN(std::string name, RequiredString(ev, "event"));
  object props;
  bool has_props = false;
  element p;
  if (ev.at_key("properties").get(p) == simdjson::SUCCESS && !p.is_null()) {
    if (p.get_object().get(props) != simdjson::SUCCESS) return Status::InvalidArgument("\"properties\" must be an object");
    has_props = true;
  }
  ASSIGN_OR_RETURN(std::string distinct_id, DistinctId(ev, has_props ? &props : nullptr));
  ASSIGN_OR_RETURN(out->time_ns, EventTime(ev, ctx));
  std::string& j = out->json;
  j = "{";
  AppendMember("event", name, &j);
  AppendMember("distinct_id", distinct_id, &j);
  for (std::string_view k : {"uuid", "$set", "$set_once"}) {
    element v;
    if (ev.at_key(k).get(v) == simdjson::SUCCESS && !v.is_null()) AppendRawMember(k, v, &j);
  }
  if (has_props) {
    j += ",\"properties\":{";
    for (auto f : props) {
      if (f.key == "token" || f.key == "api_key" || f.key == "distinct_id") continue;
      AppendRawMember(f.key, f.value, &j);
      std::string_view s;
      if (out->tenant.empty() && f.value.get_string().get(s) == simdjson::SUCCESS && !s.empty() &&
          std::find(ctx.config->tenant_properties.begin(), ctx.config->tenant_properties.end(), f.key) !=
              ctx.config->tenant_properties.end()) {
        out->tenant = std::string(s);
      }
    }
    j += "}";
  }
  j += "}";
  return Status::OK();
}

// The events of the request and its top-level settings.
Status CollectEvents(element root, std::vector<element>* events, EventContext* ctx) {
  simdjson::dom::array array;
  if (root.get_array().get(array) == simdjson::SUCCESS) {
    for (element e : array) events->push_back(e);
    return Status::OK();
  }
  object obj;
  if (root.get_object().get(obj) != simdjson::SUCCESS) {
    return Status::InvalidArgument("body must be an event object, a batch object or an array of events");
  }
  for (std::string_view k : {"api_key", "token"}) {
    ASSIGN_OR_RETURN(std::string key, OptionalString(obj, k));
    if (ctx->key.empty()) ctx->key = key;
  }
  element batch;
  if (obj.at_key("batch").get(batch) == simdjson::SUCCESS) {
    simdjson::dom::array arr;
    if (batch.get_array().get(arr) != simdjson::SUCCESS) return Status::InvalidArgument("\"batch\" must be an array");
    ASSIGN_OR_RETURN(ctx->sent_at, OptionalTime(obj, "sent_at"));
    for (element e : arr) events->push_back(e);
  } else {
    events->push_back(root);
  }
  return Status::OK();
}

}  // namespace

Result<std::string> DecodeBase64(std::string_view text) {
  std::string out;
  out.reserve(text.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    if (c == '=' || c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
    int v = Base64Value(c);
    if (v < 0) return Status::InvalidArgument("invalid base64: unexpected character");
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

Result<std::string> DecodeCaptureBody(std::string&& body, std::string_view content_type,
                                      std::string_view compression, size_t max_bytes) {
  std::string comp = Lower(compression);
  // curl -d sends JSON labelled as a form: a body that is JSON is read as JSON.
  const bool form = Lower(content_type).starts_with("application/x-www-form-urlencoded") && !LooksLikeJson(body);
  std::string data = std::move(body);
  if (form) {
    std::string raw = std::move(data);
    RETURN_IF_ERROR(ReadForm(raw, &data, &comp));
    comp = Lower(comp);
  }
  if (comp == "gzip" || comp == "gzip-js" || (comp.empty() && IsGzip(data))) {
    return DecodeBody("gzip", std::move(data), max_bytes);
  }
  if (comp == "base64" || (comp.empty() && form && !LooksLikeJson(data))) return DecodeBase64(data);
  if (comp.empty() || comp == "none") return data;
  return Status::Unsupported("compression '" + comp + "' is not supported (use gzip, gzip-js, base64 or none)");
}

Result<CaptureBody> ParseCaptureJson(std::string_view json, int64_t now_ns, const AnalyticsConfig& config) {
  simdjson::dom::parser parser;
  simdjson::padded_string copy(json);
  element root;
  if (auto err = parser.parse(copy).get(root); err) {
    return Status::InvalidArgument(std::string("body is not valid JSON: ") + simdjson::error_message(err));
  }
  EventContext ctx;
  ctx.now_ns = now_ns;
  ctx.config = &config;
  std::vector<element> events;
  RETURN_IF_ERROR(CollectEvents(root, &events, &ctx));
  if (events.empty()) return Status::InvalidArgument("body holds no events");
  if (ctx.key.empty()) {
    for (element e : events) {
      if (e.is_object() && ctx.key.empty()) ctx.key = EventKey(e.get_object().value_unsafe());
    }
  }
  CaptureBody out;
  out.api_key = ctx.key;
  std::vector<EventObject> objects = ReadObjects(
      events, [&](element e, EventObject* o) { return ReadEvent(e, ctx, o); }, &out.rejected);
  out.batch = BuildEvents(objects, "analytics", now_ns, &out.rejected);
  out.accepted = out.batch.rows;
  return out;
}

}  // namespace vigil::health
