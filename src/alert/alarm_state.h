// The alarm state machine of one instance, as pure functions (no clock, no I/O), so it
// can be table-tested.
//
// Each evaluation yields N datapoints (oldest first), each a number or missing. Decide()
// turns them into what the data says (M of N, as CloudWatch):
//   - a missing datapoint counts as breaching (breaching), not breaching (notBreaching),
//     or not at all (missing, ignore);
//   - ALARM when at least M datapoints breach;
//   - else, when no datapoint is left to judge: INSUFFICIENT_DATA (missing) or "keep the
//     current state" (ignore);
//   - else OK.
// Step() applies `for` and `keep_firing_for` to that verdict:
//   - a breach enters PENDING and becomes ALARM once it has lasted `for` (at once when
//     `for` is 0); any other verdict while PENDING leaves PENDING for it;
//   - an ALARM stays ALARM until `keep_firing_for` has passed since the last breach.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "alert/notify.h"
#include "alert/rules.h"

namespace vigil::alert {

struct Datapoint {
  bool present = false;
  double value = 0;
};

enum class Verdict { kAlarm, kOk, kInsufficientData, kKeep };

struct Decision {
  Verdict verdict = Verdict::kInsufficientData;
  int breaching = 0;         // after the missing-data substitution
  int present = 0;           // datapoints with a number
  std::optional<double> value;  // the newest present datapoint
};

// REQUIRES: points.size() == rule.evaluation_periods.
Decision Decide(const Rule& rule, const std::vector<Datapoint>& points);

// What is persisted per instance besides its labels.
struct InstanceState {
  AlarmState state = AlarmState::kInsufficientData;
  int64_t since_ns = 0;          // when `state` was entered
  int64_t pending_since_ns = 0;  // PENDING: when the breach began
  int64_t firing_since_ns = 0;   // ALARM: when it began firing
  int64_t last_breach_ns = 0;    // the last evaluation whose verdict was ALARM
  std::optional<double> value;   // the last evaluated value
  int64_t last_eval_ns = 0;
  int64_t last_data_ns = 0;      // the last evaluation that had a number for it
};

// The state after an evaluation at `now` with `verdict`; `value` is the newest number
// (none: every datapoint was missing). Pure.
InstanceState Step(const Rule& rule, const InstanceState& before, Verdict verdict,
                   std::optional<double> value, int64_t now);

}  // namespace vigil::alert
