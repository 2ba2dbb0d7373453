// Reads the `start` / `end` strings of a query request.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/status.h"

namespace vigil {

// Parses a time given as text, relative to `now_ns`:
//   "now"; a signed offset from now: "-15m", "-2h", "-1d", "+30s", "now-15m" (units ms,
//   s, m, h, d, w); or anything ParseTimestampString reads (ISO 8601 / RFC 3339, or an
//   epoch number whose unit is guessed from its magnitude).
// Returns ns since the epoch, or InvalidArgument saying what was expected. Thread-safe.
Result<int64_t> ParseTimeArg(std::string_view text, int64_t now_ns);

// Epoch milliseconds (as sent in a JSON number) to ns; InvalidArgument out of range.
Result<int64_t> EpochMillisToNs(double ms);

}  // namespace vigil
