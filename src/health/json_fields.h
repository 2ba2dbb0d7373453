// Small helpers for reading validated fields out of a simdjson object and writing the
// JSON text of an event object (health/event_objects.h).
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace vigil::health {

// The non-empty String `key`; InvalidArgument naming the key when missing, empty or not a
// string.
Result<std::string> RequiredString(simdjson::dom::object obj, std::string_view key);
// The String `key`, "" when missing or null; InvalidArgument when of another type.
Result<std::string> OptionalString(simdjson::dom::object obj, std::string_view key);
// A time: RFC 3339 string or epoch number (unit by magnitude, core/timestamp.h); nullopt
// when missing or null; InvalidArgument naming the key otherwise.
Result<std::optional<int64_t>> OptionalTime(simdjson::dom::object obj, std::string_view key);
Result<int64_t> TimeOf(simdjson::dom::element el, std::string_view key);

// ASCII lower case.
std::string Lower(std::string_view s);

// Appends `"key":"value"` (a comma first unless `out` ends with '{').
void AppendMember(std::string_view key, std::string_view value, std::string* out);
// Appends `"key":<value as minified JSON>`.
void AppendRawMember(std::string_view key, simdjson::dom::element value, std::string* out);

}  // namespace vigil::health
