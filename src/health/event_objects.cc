#include "health/event_objects.h"

#include <algorithm>

namespace vigil::health {

FlatEvents FlattenObjects(const std::vector<EventObject>& objects, int64_t ingest_ns) {
  FlatEvents out;
  std::string body;
  size_t max_line = 0;
  for (const EventObject& o : objects) {
    body += o.json;
    body.push_back('\n');
    max_line = std::max(max_line, o.json.size());
  }
  JsonLinesOptions opts;
  opts.ingest_time_ns = ingest_ns;
  opts.max_line_bytes = max_line + 1;
  Result<JsonLinesResult> parsed = ParseJsonLines(body, opts);
  if (!parsed.ok()) {  // an NDJSON body never fails as a whole; keep every object accounted for
    for (const EventObject& o : objects) out.rejected.push_back({o.index, parsed.status().message()});
    return out;
  }
  JsonLinesResult& r = parsed.value();
  std::vector<bool> rejected(objects.size(), false);
  for (const LineRejection& rej : r.rejected) {
    rejected[rej.index] = true;
    out.rejected.push_back({objects[rej.index].index, rej.reason});
  }
  out.batch = std::move(r.batch);
  Column* ts = nullptr;
  for (Column& c : out.batch.columns) {
    if (c.name == field::kTimestamp && c.type == Type::kInt) ts = &c;
  }
  for (size_t i = 0; i < objects.size(); ++i) {
    if (rejected[i]) continue;
    if (ts != nullptr) ts->ints[out.row_index.size()] = objects[i].time_ns;
    out.row_index.push_back(objects[i].index);
  }
  return out;
}

Batch BuildEvents(const std::vector<EventObject>& objects, std::string_view kind, int64_t ingest_ns,
                  std::vector<LineRejection>* rejected) {
  FlatEvents flat = FlattenObjects(objects, ingest_ns);
  std::vector<std::string> tenants;
  for (size_t r = 0, k = 0; r < flat.row_index.size(); ++r) {
    while (objects[k].index != flat.row_index[r]) ++k;
    tenants.push_back(objects[k].tenant);
  }
  AddConstantColumn(flat.batch, field::kKind, kind);
  AddStringColumn(flat.batch, field::kTenant, tenants);
  rejected->insert(rejected->end(), flat.rejected.begin(), flat.rejected.end());
  std::sort(rejected->begin(), rejected->end(),
            [](const LineRejection& a, const LineRejection& b) { return a.index < b.index; });
  return std::move(flat.batch);
}

void AddConstantColumn(Batch& batch, std::string_view name, std::string_view value) {
  std::vector<std::string> values(batch.rows, std::string(value));
  AddStringColumn(batch, name, values);
}

void AddStringColumn(Batch& batch, std::string_view name, const std::vector<std::string>& per_row) {
  Column col;
  col.name = std::string(name);
  col.type = Type::kString;
  for (size_t i = 0; i < batch.rows; ++i) {
    if (i < per_row.size() && !per_row[i].empty()) {
      col.AppendString(per_row[i]);
    } else {
      col.AppendNull();
    }
  }
  batch.columns.push_back(std::move(col));
}

}  // namespace vigil::health
