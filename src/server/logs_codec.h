// The HTTP shapes of POST /api/v1/logs (docs/api.md) that do not need the ingest
// pipeline: Content-Type check and the response body.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "ingest/json_lines.h"

namespace vigil {

// OK for an absent Content-Type or one of application/x-ndjson, application/jsonl,
// application/json, application/x-jsonlines, text/plain (parameters such as charset are
// ignored); Unsupported naming the accepted types otherwise.
Status CheckLogsContentType(std::optional<std::string_view> content_type);

// At most this many rejections are listed in a response; `rejected_count` has them all.
inline constexpr size_t kMaxListedRejections = 1000;

// `{"accepted": N, "rejected": [{"index": i, "reason": "..."}], "rejected_count": K}`.
std::string RenderIngestResult(size_t accepted, const std::vector<LineRejection>& rejected);

}  // namespace vigil
