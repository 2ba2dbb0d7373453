#include "server/query_codec.h"

#include <simdjson.h>

#include <algorithm>

#include "core/timestamp.h"
#include "server/json_writer.h"
#include "server/time_arg.h"

namespace vigil {

namespace {

namespace dom = simdjson::dom;

Status FieldError(std::string_view field, std::string_view what) {
  return Status::InvalidArgument("field \"" + std::string(field) + "\": " + std::string(what));
}

// `start` / `end`: absent or null -> nullopt; number -> epoch ms; string -> ParseTimeArg.
Result<std::optional<int64_t>> ParseTimeField(dom::object obj, std::string_view field,
                                              int64_t now_ns) {
  dom::element e;
  if (obj[field].get(e) != simdjson::SUCCESS || e.is_null()) return std::optional<int64_t>();
  switch (e.type()) {
    case dom::element_type::INT64:
    case dom::element_type::UINT64:
    case dom::element_type::DOUBLE: {
      double ms = 0;
      if (e.get_double().get(ms) != simdjson::SUCCESS) return FieldError(field, "bad number");
      Result<int64_t> ns = EpochMillisToNs(ms);
      if (!ns.ok()) return FieldError(field, ns.status().message());
      return std::optional<int64_t>(ns.value());
    }
    case dom::element_type::STRING: {
      std::string_view s;
      if (e.get_string().get(s) != simdjson::SUCCESS) return FieldError(field, "bad string");
      Result<int64_t> ns = ParseTimeArg(s, now_ns);
      if (!ns.ok()) return FieldError(field, ns.status().message());
      return std::optional<int64_t>(ns.value());
    }
    default:
      return FieldError(field,
                        "expected epoch milliseconds, an ISO 8601 string or a relative time "
                        "such as \"-15m\"");
  }
}

Status ParseLimit(dom::object obj, size_t max_rows, size_t* out) {
  dom::element e;
  if (obj["limit"].get(e) != simdjson::SUCCESS || e.is_null()) return Status::OK();
  int64_t n = 0;
  if (!e.is_int64() || e.get_int64().get(n) != simdjson::SUCCESS || n < 1) {
    return FieldError("limit", "expected a positive integer");
  }
  *out = std::min(static_cast<size_t>(n), max_rows);
  return Status::OK();
}

void WriteStats(const QueryStats& s, JsonWriter& w) {
  w.Key("stats");
  w.BeginObject();
  w.Key("records_scanned");
  w.Uint(s.scan.rows_scanned);
  w.Key("records_matched");
  w.Uint(s.rows_matched);
  w.Key("bytes_read");
  w.Uint(s.scan.bytes_read);
  w.Key("blocks_total");
  w.Uint(s.scan.blocks_total);
  w.Key("blocks_skipped_bloom");
  w.Uint(s.scan.blocks_skipped_bloom);
  w.Key("blocks_skipped_minmax");
  w.Uint(s.scan.blocks_skipped_minmax);
  w.Key("parts_total");
  w.Uint(s.scan.parts_total);
  w.Key("parts_skipped");
  w.Uint(s.scan.parts_skipped);
  w.Key("elapsed_ms");
  w.Double(s.elapsed_ms);
  w.Key("start");
  w.String(FormatIsoMillis(s.start_ns));
  w.Key("end");
  w.String(FormatIsoMillis(s.end_ns));
  w.EndObject();
}

}  // namespace

Result<QueryRequest> ParseQueryRequest(std::string_view body, int64_t now_ns, size_t max_rows) {
  dom::parser parser;
  dom::element doc;
  simdjson::padded_string padded(body);
  if (auto err = parser.parse(padded).get(doc); err != simdjson::SUCCESS) {
    return Status::InvalidArgument(std::string("request body is not valid JSON: ") +
                                   simdjson::error_message(err));
  }
  dom::object obj;
  if (doc.get_object().get(obj) != simdjson::SUCCESS) {
    return Status::InvalidArgument("request body must be a JSON object with a \"query\" field");
  }
  QueryRequest req;
  req.now_ns = now_ns;
  req.max_rows = max_rows;
  std::string_view text;
  if (obj["query"].get_string().get(text) != simdjson::SUCCESS) {
    return FieldError("query", "required, a string");
  }
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return FieldError("query", "must not be empty");
  }
  req.text = std::string(text);
  ASSIGN_OR_RETURN(req.start_ns, ParseTimeField(obj, "start", now_ns));
  ASSIGN_OR_RETURN(req.end_ns, ParseTimeField(obj, "end", now_ns));
  if (req.start_ns && req.end_ns && *req.start_ns > *req.end_ns) {
    return Status::InvalidArgument("\"start\" (" + FormatIsoMillis(*req.start_ns) +
                                   ") is after \"end\" (" + FormatIsoMillis(*req.end_ns) + ")");
  }
  RETURN_IF_ERROR(ParseLimit(obj, max_rows, &req.max_rows));
  return req;
}

std::string RenderQueryResult(const QueryResult& result) {
  JsonWriter w;
  w.BeginObject();
  w.Key("columns");
  w.BeginArray();
  for (const ResultColumn& c : result.columns) w.String(c.name);
  w.EndArray();
  w.Key("rows");
  w.BeginArray();
  for (const std::vector<Value>& row : result.rows) {
    w.BeginArray();
    for (size_t i = 0; i < row.size(); ++i) {
      const bool is_time = i < result.columns.size() && result.columns[i].is_time;
      if (is_time && row[i].type() == Type::kInt) {
        w.String(FormatIsoMillis(std::get<int64_t>(row[i].v)));
      } else {
        w.Scalar(row[i]);
      }
    }
    w.EndArray();
  }
  w.EndArray();
  WriteStats(result.stats, w);
  w.EndObject();
  return w.Take();
}

}  // namespace vigil
