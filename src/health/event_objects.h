// Turns JSON objects that a health endpoint has validated (a status report, a PostHog
// event) into stored events, flattened exactly as POST /api/v1/logs flattens a line
// (nested objects -> dotted names, arrays as JSON text, '@' keys doubled), so a field
// reads the same in every view and query.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/batch.h"
#include "core/status.h"
#include "ingest/json_lines.h"

namespace vigil::health {

struct EventObject {
  size_t index = 0;   // position in the request, for rejections
  std::string json;   // one JSON object, minified (no newline)
  int64_t time_ns = 0;
  std::string tenant;  // @tenant of the event ("" = none)
};

struct FlatEvents {
  Batch batch;                           // one row per accepted object, in input order
  std::vector<size_t> row_index;         // per row: its EventObject::index
  std::vector<LineRejection> rejected;   // objects over the flattening limits (depth, fields)
};

// Flattens `objects`; each row's @timestamp is its object's time_ns and @ingested is
// `ingest_ns`. Thread-safe.
FlatEvents FlattenObjects(const std::vector<EventObject>& objects, int64_t ingest_ns);

// Calls `read(items[i], &object)` (a Status) for each item: the objects it fills are
// returned with index i, and the items it refuses go to `rejected` with its reason.
template <typename Item, typename Read>
std::vector<EventObject> ReadObjects(const std::vector<Item>& items, const Read& read,
                                     std::vector<LineRejection>* rejected) {
  std::vector<EventObject> objects;
  for (size_t i = 0; i < items.size(); ++i) {
    EventObject o;
    o.index = i;
    if (Status st = read(items[i], &o); !st.ok()) {
      rejected->push_back({i, st.message()});
      continue;
    }
    objects.push_back(std::move(o));
  }
  return objects;
}

// FlattenObjects, then @kind = `kind` and @tenant from each object; the flattening
// rejections join `rejected`, which comes back sorted by index. Returns the events.
Batch BuildEvents(const std::vector<EventObject>& objects, std::string_view kind, int64_t ingest_ns,
                  std::vector<LineRejection>* rejected);

// Adds a String column `name` holding `value` on every row (e.g. @kind).
void AddConstantColumn(Batch& batch, std::string_view name, std::string_view value);
// Adds a String column `name`; an empty value leaves the row without one.
void AddStringColumn(Batch& batch, std::string_view name, const std::vector<std::string>& per_row);

}  // namespace vigil::health
