// The JSON shapes of POST /api/v1/query (docs/api.md): request body in, result out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"
#include "query/query.h"

namespace vigil {

// Parses `{"query": "...", "start": T, "end": T, "limit": N}`. `query` is required;
// `start`/`end` are optional (the query engine's defaults apply) and are epoch
// milliseconds as a JSON number, or strings for ParseTimeArg ("-15m", "now", ISO 8601);
// `limit` caps the returned rows; it is clamped to `max_rows`, which is also the default.
// Returns InvalidArgument naming the bad field. Unknown fields are ignored.
Result<QueryRequest> ParseQueryRequest(std::string_view body, int64_t now_ns, size_t max_rows);

// `{"columns": [...], "rows": [[...]], "stats": {...}}`. Values of time columns
// (ResultColumn::is_time) are ISO 8601 strings with milliseconds; other values are JSON
// scalars, null where a row has no value.
std::string RenderQueryResult(const QueryResult& result);

}  // namespace vigil
