#include "alert/alarm_state.h"

namespace vigil::alert {

Decision Decide(const Rule& rule, const std::vector<Datapoint>& points) {
  Decision d;
  int judged = 0;
  for (const Datapoint& p : points) {
    if (p.present) {
      ++d.present;
      ++judged;
      d.value = p.value;
      if (Breaches(rule.comparison, p.value, rule.threshold)) ++d.breaching;
      continue;
    }
    if (rule.missing == MissingData::kBreaching) {
      ++judged;
      ++d.breaching;
    } else if (rule.missing == MissingData::kNotBreaching) {
      ++judged;
    }
  }
  if (d.breaching >= rule.datapoints_to_alarm) {
    d.verdict = Verdict::kAlarm;
  } else if (judged == 0) {
    d.verdict = rule.missing == MissingData::kIgnore ? Verdict::kKeep : Verdict::kInsufficientData;
  } else {
    d.verdict = Verdict::kOk;
  }
  return d;
}

namespace {

InstanceState Enter(InstanceState s, AlarmState state, int64_t now) {
  if (s.state != state) s.since_ns = now;
  s.state = state;
  if (state != AlarmState::kPending) s.pending_since_ns = 0;
  if (state != AlarmState::kAlarm) s.firing_since_ns = 0;
  return s;
}

InstanceState OnBreach(const Rule& rule, InstanceState s, int64_t now) {
  s.last_breach_ns = now;
  if (s.state == AlarmState::kAlarm) return s;
  if (s.state != AlarmState::kPending) {
    s = Enter(s, AlarmState::kPending, now);
    s.pending_since_ns = now;
  }
  if (now - s.pending_since_ns >= rule.for_ns) {
    s = Enter(s, AlarmState::kAlarm, now);
    s.firing_since_ns = now;
  }
  return s;
}

}  // namespace

InstanceState Step(const Rule& rule, const InstanceState& before, Verdict verdict,
                   std::optional<double> value, int64_t now) {
  InstanceState s = before;
  s.last_eval_ns = now;
  if (s.since_ns == 0) s.since_ns = now;  // a new instance's first evaluation
  if (value) {
    s.value = value;
    s.last_data_ns = now;
  }
  switch (verdict) {
    case Verdict::kAlarm:
      return OnBreach(rule, s, now);
    case Verdict::kKeep:
      return s;
    case Verdict::kOk:
    case Verdict::kInsufficientData:
      break;
  }
  if (s.state == AlarmState::kAlarm && now - s.last_breach_ns < rule.keep_firing_for_ns) return s;
  return Enter(s, verdict == Verdict::kOk ? AlarmState::kOk : AlarmState::kInsufficientData, now);
}

}  // namespace vigil::alert
