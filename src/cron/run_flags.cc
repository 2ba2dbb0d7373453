#include "cron/run_flags.h"

#include <algorithm>
#include <limits>
#include <vector>

namespace vigil::cron {

namespace {

double Median(const std::deque<double>& values) {
  std::vector<double> v(values.begin(), values.end());
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

}  // namespace

std::string_view DurationFlag(const FlagRules& rules, std::deque<double>* recent, double duration_ms) {
  std::string_view flag;
  if (recent->size() >= rules.min_history && !recent->empty()) {
    const double median = Median(*recent);
    if (median > 0 && duration_ms > median * rules.factor) flag = kTooLong;
    if (median > 0 && duration_ms < median / rules.factor) flag = kTooShort;
  }
  recent->push_back(duration_ms);
  while (recent->size() > rules.history) recent->pop_front();
  return flag;
}

bool TooOften(const Schedule& schedule, int64_t grace_ns, int64_t prev_start_ns, int64_t start_ns) {
  if (start_ns < prev_start_ns) return false;  // out of order: judged by the later one
  const int64_t due = schedule.DueAfterStart(prev_start_ns, grace_ns);
  if (due == std::numeric_limits<int64_t>::max()) return false;  // unscheduled
  const int64_t tolerance = std::min(grace_ns, (due - prev_start_ns) / 2);
  return start_ns < due - tolerance;
}

int64_t DurationNs(double ms) {
  constexpr double kMaxMs = 100.0 * 365 * 86400 * 1000;
  if (!(ms > 0)) return 0;  // also NaN
  return static_cast<int64_t>(std::min(ms, kMaxMs) * 1e6);
}

std::string JoinFlags(std::string_view a, std::string_view b) {
  if (a.empty()) return std::string(b);
  if (b.empty()) return std::string(a);
  return std::string(a) + "," + std::string(b);
}

}  // namespace vigil::cron
