#include "health/json_fields.h"

#include <algorithm>

#include "core/json_render.h"
#include "core/timestamp.h"

namespace vigil::health {

namespace {

Status WrongType(std::string_view key, std::string_view expected) {
  return Status::InvalidArgument("\"" + std::string(key) + "\" must be " + std::string(expected));
}

void AppendKey(std::string_view key, std::string* out) {
  if (!out->empty() && out->back() != '{') out->push_back(',');
  AppendJsonString(key, out);
  out->push_back(':');
}

}  // namespace

Result<std::string> RequiredString(simdjson::dom::object obj, std::string_view key) {
  ASSIGN_OR_RETURN(std::string v, OptionalString(obj, key));
  if (v.empty()) return Status::InvalidArgument("\"" + std::string(key) + "\" is required (a non-empty string)");
  return v;
}

Result<std::string> OptionalString(simdjson::dom::object obj, std::string_view key) {
  simdjson::dom::element el;
  if (obj.at_key(key).get(el) != simdjson::SUCCESS || el.is_null()) return std::string();
  std::string_view s;
  if (el.get_string().get(s) != simdjson::SUCCESS) return WrongType(key, "a string");
  return std::string(s);
}

Result<int64_t> TimeOf(simdjson::dom::element el, std::string_view key) {
  int64_t i = 0;
  double d = 0;
  std::string_view s;
  if (el.get_int64().get(i) == simdjson::SUCCESS) return EpochNumberToNs(i);
  if (el.get_double().get(d) == simdjson::SUCCESS) return EpochNumberToNs(d);
  if (el.get_string().get(s) == simdjson::SUCCESS) {
    Result<int64_t> ns = ParseTimestampString(s);
    if (!ns.ok()) return Status::InvalidArgument("\"" + std::string(key) + "\": " + ns.status().message());
    return ns;
  }
  return WrongType(key, "an RFC 3339 time or an epoch number");
}

Result<std::optional<int64_t>> OptionalTime(simdjson::dom::object obj, std::string_view key) {
  simdjson::dom::element el;
  if (obj.at_key(key).get(el) != simdjson::SUCCESS || el.is_null()) return std::optional<int64_t>();
  ASSIGN_OR_RETURN(int64_t ns, TimeOf(el, key));
  return std::optional<int64_t>(ns);
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

void AppendMember(std::string_view key, std::string_view value, std::string* out) {
  AppendKey(key, out);
  AppendJsonString(value, out);
}

void AppendRawMember(std::string_view key, simdjson::dom::element value, std::string* out) {
  AppendKey(key, out);
  out->append(simdjson::to_string(value));
}

}  // namespace vigil::health
