// CheckIn: a job reporting on itself over HTTP (docs/api.md, "Cron check-ins").
//
//   POST /api/v1/cron/<job>/start|success|fail
//   GET or POST /ping/<job>            success (Healthchecks style)
//   GET or POST /ping/<job>/start|fail
//   GET or POST /ping/<job>/<0-255>    an exit status: 0 success, else fail
// with optional run_id (alias rid), tenant, duration_ms and error, as query parameters or
// members of a JSON object body. A body that is not JSON is the run's output; a failing
// run without `error` takes the output as its error text.
#pragma once

#include <optional>
#include <string>

#include "core/status.h"
#include "server/http_message.h"

namespace vigil::cron {

enum class CheckInKind { kStart, kSuccess, kFail };
const char* CheckInEvent(CheckInKind k);  // "start", "success", "fail"

struct CheckIn {
  std::string job;
  CheckInKind kind = CheckInKind::kSuccess;
  std::string run_id;
  std::string tenant;
  std::optional<double> duration_ms;
  std::string error;
  std::string output;
};

inline constexpr std::string_view kCheckInPrefix = "/api/v1/cron/";
inline constexpr std::string_view kPingPrefix = "/ping/";

// Parses a check-in request to either path form. InvalidArgument names the problem.
Result<CheckIn> ParseCheckIn(const HttpRequest& request);

}  // namespace vigil::cron
