#include "cron/schedule.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>

namespace vigil::cron {

Result<int64_t> ParseDuration(std::string_view text) {
  const std::string expected = "expected a duration such as 90, \"90s\", \"5m\", \"2h\" or \"1d\", got \"" +
                               std::string(text) + "\"";
  int64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end == text.data() || n < 0) return Status::InvalidArgument(expected);
  const std::string_view unit(end, static_cast<size_t>(text.data() + text.size() - end));
  int64_t scale = 0;
  if (unit.empty() || unit == "s") scale = kSecondNs;
  if (unit == "ms") scale = 1'000'000;
  if (unit == "m") scale = 60 * kSecondNs;
  if (unit == "h") scale = 3600 * kSecondNs;
  if (unit == "d") scale = 86400 * kSecondNs;
  if (scale == 0) return Status::InvalidArgument(expected);
  if (n > std::numeric_limits<int64_t>::max() / scale) {
    return Status::InvalidArgument("duration \"" + std::string(text) + "\" is too long");
  }
  return n * scale;
}

Status CheckJobName(std::string_view job) {
  if (job.empty() || job.size() > 200) {
    return Status::InvalidArgument("a job name has 1 to 200 characters");
  }
  for (char c : job) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != ':' && c != '-') {
      return Status::InvalidArgument("job name '" + std::string(job) +
                                     "' may only hold letters, digits and _ . : -");
    }
  }
  return Status::OK();
}

namespace {

Status SettingError(std::string_view key, const Status& st) {
  return Status::InvalidArgument("monitor setting '" + std::string(key) + "': " + st.message());
}

Status ApplySetting(const std::string& key, const std::string& value, MonitorSpec* spec) {
  auto duration = [&](int64_t* out) -> Status {
    Result<int64_t> d = ParseDuration(value);
    if (!d.ok()) return SettingError(key, d.status());
    *out = d.value();
    return Status::OK();
  };
  if (key == "schedule") {
    spec->schedule = value;
  } else if (key == "tz") {
    spec->tz = value;
  } else if (key == "interval") {
    return duration(&spec->interval_ns);
  } else if (key == "grace") {
    return duration(&spec->grace_ns);
  } else if (key == "max_runtime") {
    return duration(&spec->max_runtime_ns);
  } else if (key == "failure_threshold") {
    int n = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
    if (ec != std::errc() || end != value.data() + value.size() || n < 1 || n > 1000) {
      return SettingError(key, Status::InvalidArgument("expected an integer from 1 to 1000"));
    }
    spec->failure_threshold = n;
  } else {
    return Status::InvalidArgument("unknown monitor setting '" + key +
                                   "' (expected schedule, tz, interval, grace, max_runtime, "
                                   "failure_threshold)");
  }
  return Status::OK();
}

}  // namespace

Result<MonitorSpec> ParseMonitorSpec(std::string job, const std::map<std::string, std::string>& settings) {
  RETURN_IF_ERROR(CheckJobName(job));
  MonitorSpec spec;
  spec.job = std::move(job);
  for (const auto& [key, value] : settings) RETURN_IF_ERROR(ApplySetting(key, value, &spec));
  if (spec.schedule.empty() == (spec.interval_ns == 0)) {
    return Status::InvalidArgument("monitor '" + spec.job +
                                   "': give exactly one of 'schedule' (a cron expression) and "
                                   "'interval' (a positive duration)");
  }
  if (!spec.schedule.empty()) {
    Result<CronExpr> e = CronExpr::Parse(spec.schedule, spec.tz);
    if (!e.ok()) return SettingError("schedule", e.status());
    if (!e->Next(0)) return SettingError("schedule", Status::InvalidArgument("it never fires"));
  } else if (settings.count("tz") != 0) {
    return Status::InvalidArgument("monitor '" + spec.job + "': 'tz' applies only to a 'schedule'");
  }
  return spec;
}

Result<Schedule> Schedule::Make(const MonitorSpec& spec) {
  Schedule s;
  if (spec.schedule.empty()) {
    if (spec.interval_ns < 0) return Status::InvalidArgument("an interval must be positive");
    s.interval_ns_ = spec.interval_ns;  // 0: unscheduled, never due
    return s;
  }
  ASSIGN_OR_RETURN(CronExpr e, CronExpr::Parse(spec.schedule, spec.tz));
  s.cron_ = std::move(e);
  return s;
}

int64_t Schedule::NextDue(int64_t after_ns) const {
  if (!cron_) {
    if (interval_ns_ == 0) return std::numeric_limits<int64_t>::max();
    return after_ns > std::numeric_limits<int64_t>::max() - interval_ns_
               ? std::numeric_limits<int64_t>::max()
               : after_ns + interval_ns_;
  }
  return cron_->Next(after_ns).value_or(std::numeric_limits<int64_t>::max());
}

int64_t Schedule::DueAfterStart(int64_t start_ns, int64_t grace_ns) const {
  if (!cron_) return NextDue(start_ns);
  const int64_t first = NextDue(start_ns);
  const int64_t second = first == std::numeric_limits<int64_t>::max() ? first : NextDue(first);
  const int64_t half = second == std::numeric_limits<int64_t>::max() ? 0 : (second - first) / 2;
  return NextDue(start_ns + std::min(grace_ns, half));
}

}  // namespace vigil::cron
