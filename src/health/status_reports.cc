#include "health/status_reports.h"

#include <simdjson.h>

#include <algorithm>

#include "core/json_render.h"
#include "core/timestamp.h"
#include "health/event_objects.h"
#include "health/json_fields.h"

namespace vigil::health {

namespace {

using simdjson::dom::element;
using simdjson::dom::object;

// Validates one report; on success fills `out`.
Status ReadReport(element el, int64_t now_ns, EventObject* out) {
  object obj;
  if (el.get_object().get(obj) != simdjson::SUCCESS) return Status::InvalidArgument("not a JSON object");
  ASSIGN_OR_RETURN(std::string check, RequiredString(obj, "check"));
  ASSIGN_OR_RETURN(std::string status, RequiredString(obj, "status"));
  ASSIGN_OR_RETURN(std::string entity, OptionalString(obj, "entity"));
  ASSIGN_OR_RETURN(out->tenant, OptionalString(obj, "tenant"));
  ASSIGN_OR_RETURN(std::string reason, OptionalString(obj, "reason"));
  ASSIGN_OR_RETURN(std::optional<int64_t> at, OptionalTime(obj, "at"));
  out->time_ns = at.value_or(now_ns);
  std::string& j = out->json;
  j = "{";
  AppendMember("check", check, &j);
  AppendMember("status", Lower(status), &j);
  if (!entity.empty()) AppendMember("entity", entity, &j);
  if (!out->tenant.empty()) AppendMember("tenant", out->tenant, &j);
  if (!reason.empty()) AppendMember("reason", reason, &j);
  for (auto field : obj) {
    static constexpr std::string_view kOwn[] = {"check", "status", "entity", "tenant", "reason", "at",
                                                "timestamp", "@timestamp", "time", "ts"};
    if (std::find(std::begin(kOwn), std::end(kOwn), field.key) != std::end(kOwn)) continue;
    AppendRawMember(field.key, field.value, &j);
  }
  j += "}";
  return Status::OK();
}

struct ColumnsOf {
  const Column* check;
  const Column* entity;
  const Column* tenant;
  const Column* status;
  const Column* reason;
  ColumnsOf(const Batch& b, const StatusFields& f)
      : check(b.Find(f.check, Type::kString)),
        entity(b.Find(f.entity, Type::kString)),
        tenant(b.Find(f.tenant, Type::kString)),
        status(b.Find(f.status, Type::kString)),
        reason(b.Find(f.reason, Type::kString)) {}
  bool usable() const { return check != nullptr && status != nullptr; }
};

std::string TextAt(const Column* c, size_t row) {
  return c != nullptr && c->IsValid(row) ? std::string(c->strs[row]) : std::string();
}

}  // namespace

Result<StatusBody> ParseStatusBody(std::string_view body, int64_t now_ns) {
  simdjson::dom::parser parser;
  simdjson::padded_string copy(body);
  element root;
  if (auto err = parser.parse(copy).get(root); err) {
    return Status::InvalidArgument(std::string("body is not valid JSON: ") + simdjson::error_message(err));
  }
  std::vector<element> items;
  simdjson::dom::array array;
  if (root.get_array().get(array) == simdjson::SUCCESS) {
    for (element e : array) items.push_back(e);
  } else if (root.is_object()) {
    items.push_back(root);
  } else {
    return Status::InvalidArgument("body must be a status report object or an array of them");
  }
  if (items.empty()) return Status::InvalidArgument("body holds no status reports (an empty array)");
  StatusBody out;
  std::vector<EventObject> objects = ReadObjects(
      items, [&](element e, EventObject* o) { return ReadReport(e, now_ns, o); }, &out.rejected);
  out.batch = BuildEvents(objects, "status", now_ns, &out.rejected);
  out.accepted = out.batch.rows;
  return out;
}

std::vector<StatusReport> ReportsInBatch(const Batch& batch, const StatusConfig& config) {
  std::vector<StatusReport> out;
  const Column* ts = batch.Find(field::kTimestamp, Type::kInt);
  const Column* kind = batch.Find(field::kKind, Type::kString);
  if (ts == nullptr) return out;
  const ColumnsOf own(batch, StatusFields{});
  const ColumnsOf logs(batch, config.fields);
  if (!own.usable() && !(config.from_logs && logs.usable())) return out;
  for (size_t r = 0; r < batch.rows; ++r) {
    const bool is_status = kind != nullptr && kind->IsValid(r) && kind->strs[r] == "status";
    if (!is_status && !config.from_logs) continue;
    const ColumnsOf& c = is_status ? own : logs;
    if (!c.usable() || !c.check->IsValid(r) || !c.status->IsValid(r) || !ts->IsValid(r)) continue;
    StatusReport rep{TextAt(c.check, r), TextAt(c.entity, r), TextAt(c.tenant, r),
                     Lower(c.status->strs[r]), TextAt(c.reason, r), ts->ints[r]};
    if (rep.check.empty() || rep.status.empty()) continue;
    out.push_back(std::move(rep));
  }
  return out;
}

}  // namespace vigil::health
