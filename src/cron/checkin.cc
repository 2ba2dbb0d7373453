#include "cron/checkin.h"

#include <charconv>
#include <cmath>

#include "cron/request_params.h"
#include "cron/schedule.h"

namespace vigil::cron {

namespace {

constexpr size_t kMaxIdBytes = 200;
constexpr size_t kMaxTextBytes = 64 * 1024;

Result<CheckInKind> KindOf(std::string_view word, bool ping) {
  if (word == "start") return CheckInKind::kStart;
  if (word == "fail") return CheckInKind::kFail;
  if (word == "success" && !ping) return CheckInKind::kSuccess;
  if (ping) {
    int status = 0;
    auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), status);
    if (ec == std::errc() && end == word.data() + word.size() && status >= 0 && status <= 255) {
      return status == 0 ? CheckInKind::kSuccess : CheckInKind::kFail;
    }
    return Status::InvalidArgument("unknown ping '" + std::string(word) +
                                   "' (expected /ping/<job>, /ping/<job>/start, /ping/<job>/fail or "
                                   "/ping/<job>/<exit status 0-255>)");
  }
  return Status::InvalidArgument("unknown check-in '" + std::string(word) +
                                 "' (expected /api/v1/cron/<job>/start, /success or /fail)");
}

// <job>[/<kind>] after the prefix.
Status ParsePath(const HttpRequest& req, CheckIn* c) {
  const bool ping = req.path.starts_with(kPingPrefix);
  std::string_view rest = std::string_view(req.path).substr(ping ? kPingPrefix.size() : kCheckInPrefix.size());
  const size_t slash = rest.find('/');
  c->job = std::string(rest.substr(0, slash));
  RETURN_IF_ERROR(CheckJobName(c->job));
  if (c->job == "monitors") return Status::InvalidArgument("'monitors' is not a job name");
  if (slash == std::string_view::npos) {
    if (!ping) return Status::InvalidArgument("say what happened: /api/v1/cron/<job>/start, /success or /fail");
    c->kind = CheckInKind::kSuccess;
    return Status::OK();
  }
  ASSIGN_OR_RETURN(c->kind, KindOf(rest.substr(slash + 1), ping));
  return Status::OK();
}

Status Limit(std::string_view key, const std::string& v, size_t max) {
  if (v.size() > max) {
    return Status::InvalidArgument("'" + std::string(key) + "' is longer than " + std::to_string(max) + " bytes");
  }
  return Status::OK();
}

Status ApplyParam(const std::string& key, const std::string& value, CheckIn* c) {
  if (key == "run_id" || key == "rid") {
    RETURN_IF_ERROR(Limit(key, value, kMaxIdBytes));
    if (value.starts_with("auto-")) return Status::InvalidArgument("run ids starting with 'auto-' are reserved");
    c->run_id = value;
  } else if (key == "tenant") {
    RETURN_IF_ERROR(Limit(key, value, kMaxIdBytes));
    c->tenant = value;
  } else if (key == "error") {
    RETURN_IF_ERROR(Limit(key, value, kMaxTextBytes));
    c->error = value;
  } else if (key == "duration_ms") {
    double d = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), d);
    if (ec != std::errc() || end != value.data() + value.size() || !std::isfinite(d) || d < 0) {
      return Status::InvalidArgument("'duration_ms' must be a number of milliseconds >= 0, got \"" + value + "\"");
    }
    c->duration_ms = d;
  } else {
    return Status::InvalidArgument("unknown check-in parameter '" + key +
                                   "' (expected run_id, tenant, duration_ms, error)");
  }
  return Status::OK();
}

}  // namespace

const char* CheckInEvent(CheckInKind k) {
  switch (k) {
    case CheckInKind::kStart: return "start";
    case CheckInKind::kSuccess: return "success";
    case CheckInKind::kFail: return "fail";
  }
  return "unknown";
}

Result<CheckIn> ParseCheckIn(const HttpRequest& request) {
  CheckIn c;
  RETURN_IF_ERROR(ParsePath(request, &c));
  std::string text;
  ASSIGN_OR_RETURN(Params params, RequestParams(request, &text));
  for (const auto& [key, value] : params) RETURN_IF_ERROR(ApplyParam(key, value, &c));
  RETURN_IF_ERROR(Limit("body", text, kMaxTextBytes));
  if (c.kind == CheckInKind::kFail && c.error.empty()) {
    c.error = text;
  } else {
    c.output = text;
  }
  return c;
}

}  // namespace vigil::cron
